"""Signal stages and the filter on small cases: values, reasons, rejected rows, configs."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pyarrow as pa
import pytest

from crawlsift import schema as S
from crawlsift.engine.pipeline import Pipeline
from crawlsift.errors import InputError
from crawlsift.registry import get_stage
from crawlsift.signals import (
    C4Options,
    FilterOptions,
    filter_stage,
    quality_pipeline,
)
from crawlsift.signals import c4 as c4m
from crawlsift.signals import fineweb as fwm
from crawlsift.signals import gopher_quality as gqm
from crawlsift.signals import gopher_repetition as grm
from crawlsift.signals.c4 import c4
from crawlsift.signals.c4_lines import C4LinesOptions, c4_lines
from crawlsift.signals.filters import thresholds
from crawlsift.signals.fineweb import fineweb
from crawlsift.signals.gopher_quality import gopher_quality
from crawlsift.signals.gopher_repetition import gopher_repetition

from .conftest import text_table

SENTENCE = "The committee of the city will meet with residents to discuss the plan and the budget."
ARTICLE = """The river flooded the lower town twice this spring, and the council wants to know why.
Engineers say the old levee was built for a climate that no longer exists in the valley.
Residents who lost their homes have been waiting months for money from the state.
"We have been patient, but patience does not rebuild a kitchen," said one farmer.
A public meeting is planned for Thursday evening at the library on Main Street.
The mayor has promised that every question will be answered before any vote is taken.
Officials expect the repairs to cost more than twelve million dollars over five years.
Some of that money could come from a federal programme that funds flood defences.
Critics argue that the town should move houses away from the river instead of building walls.
Others point out that many families have lived beside the water for generations."""


def run(table: pa.Table, preset: str = "crawlsift-default", **opts) -> pa.Table:
    for stage in (gopher_quality, gopher_repetition, c4, fineweb):
        table = stage(table)
    return filter_stage(table, opts=FilterOptions(preset=preset, **opts))


def test_gopher_quality_values():
    row = gopher_quality(text_table(["The cat, the dog #1 ... and - more\n- item\n"])).to_pylist()
    r = row[0]
    # tokens: The cat , the dog # 1 ... and - more - item
    assert r[gqm.WORD_COUNT] == 8
    assert r[gqm.HASH_RATIO] == pytest.approx(1 / 13)
    assert r[gqm.ELLIPSIS_RATIO] == pytest.approx(1 / 13)
    assert r[gqm.BULLET_LINES_RATIO] == pytest.approx(1 / 2)
    assert r[gqm.STOP_WORDS] == 2  # "the", "and"; "The" does not count


def test_tokeniser_splits_like_spacy():
    r = gopher_quality(text_table(["Don't (stop) e-mail https://x.org/a-b now."])).to_pylist()[0]
    # spaCy: Do n't ( stop ) e - mail https://x.org/a-b now . -> 7 tokens not pure punctuation
    assert r[gqm.WORD_COUNT] == 7


def test_repetition_counts_duplicate_lines_and_ngrams():
    text = "alpha beta gamma delta epsilon\nzeta\nalpha beta gamma delta epsilon\n"
    r = gopher_repetition(text_table([text])).to_pylist()[0]
    # re.split("\n+") gives 4 parts: the repeated line and the trailing empty part
    assert r[grm.DUP_LINE_FRAC] == pytest.approx(1 / 4)
    assert r[grm.DUP_LINE_CHAR_FRAC] == pytest.approx(30 / len(text))
    # the second copy's 5-gram is a duplicate: 26 characters without spaces
    assert r[grm.DUP_NGRAM_CHAR_FRAC[5]] == pytest.approx(26 / len(text))


def test_short_doc_rejected_with_gopher_reason():
    out = run(text_table(["Too short to be a document."])).to_pylist()[0]
    assert (out[S.KEEP], out[S.REASON], out[S.STAGE]) == (False, "gopher_short_doc", "filter")
    assert out[gqm.WORD_COUNT] == 6  # signals stay on rejected rows


def test_clean_article_kept():
    out = run(text_table([ARTICLE]), preset="gopher").to_pylist()[0]
    assert out[S.KEEP] is True and out[S.REASON] is None


def test_c4_document_rules():
    lorem = ARTICLE + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit."
    curly = ARTICLE + "\nThe function returns {a: 1} when it is called."
    out = run(text_table([lorem, curly, ARTICLE]), preset="c4").column(S.REASON).to_pylist()
    assert out == ["c4_lorem_ipsum", "c4_curly_bracket", None]


def test_c4_lorem_ipsum_on_removed_line_does_not_count():
    text = ARTICLE + "\nlorem ipsum placeholder"  # no terminal punctuation: the line goes first
    assert run(text_table([text]), preset="c4").column(S.REASON).to_pylist() == [None]


def test_c4_closing_quote_or_bracket_after_stop_terminates_a_line():
    lines = ['He said "we will rebuild the bridge."', "It opened in May (see the map above.)"]
    text = "\n".join(lines)
    ours = c4(text_table([text])).to_pylist()[0]
    theirs = c4(text_table([text]), opts=C4Options(closing_after_stop=False)).to_pylist()[0]
    assert ours[c4m.LINES_REMOVED] == 0
    assert theirs[c4m.LINES_REMOVED] == 1  # datatrove's rule drops the bracketed line


def test_c4_ellipsis_and_unterminated_lines_removed():
    text = "Read more about this story...\nClick here to subscribe now\nA real sentence is here."
    assert c4(text_table([text])).column(c4m.LINES_REMOVED).to_pylist() == [2]


def test_c4_terminal_punctuation_rule_can_be_switched_off_as_fineweb_does():
    text = "Read more about this story...\nClick here to subscribe now\nA real sentence is here."
    opts = C4LinesOptions(filter_no_terminal_punct=False)
    out = c4_lines(text_table([text]), opts=opts).to_pylist()[0]
    assert out[c4m.LINES_REMOVED] == 0
    assert out[S.TEXT] == text
    assert not out[S.EDITS]


def test_c4_words_counted_before_citations_go():
    # as in datatrove: "Yes [1] [2]." has 3 words, then loses its citations and is kept
    text = "Yes [1] [2].\nNo [1]."
    out = c4_lines(text_table([text])).to_pylist()[0]
    assert out[S.TEXT] == "Yes  ."  # spaces stay, as datatrove leaves them
    assert [e["reason"] for e in out[S.EDITS]] == ["c4_citation", "c4_few_words"]


def test_c4_one_word_lines_allowed():
    out = c4(text_table(["Yes.\nNo."]), opts=C4Options(min_words_per_line=1)).to_pylist()[0]
    assert out[c4m.LINES_REMOVED] == 0
    assert out[c4m.SENTENCES] == 2


def test_fineweb_values_and_reason():
    text = "Home\nNews\nSports\nWeather\nContact us\n" + SENTENCE
    out = run(text_table([ARTICLE + "\n" + text]), preset="fineweb-quality").to_pylist()[0]
    assert out[fwm.SHORT_LINE_RATIO] == pytest.approx(5 / 16)
    solo = run(text_table([text]), preset="fineweb-quality").to_pylist()[0]
    assert solo[S.REASON] == "fineweb_short_line_ratio"


def test_rejected_rows_keep_their_reason_and_null_signals():
    table = text_table([ARTICLE, "Page not found"], reasons=[None, "error_page"])
    out = run(table).to_pylist()
    assert out[1][S.REASON] == "error_page" and out[1][S.STAGE] == "repair"
    assert out[1][S.KEEP] is False
    assert out[1][gqm.WORD_COUNT] is None and out[1][fwm.LINE_PUNCT_RATIO] is None
    assert out[0][gqm.WORD_COUNT] is not None


def test_batches_do_not_change_signals(wcxb_docs):
    texts = [d["text"] for d in wcxb_docs[:20]]
    whole = run(text_table(texts))
    parts = pa.concat_tables(run(text_table(texts[i : i + 7])) for i in range(0, 20, 7))
    for column in (grm.DUP_NGRAM_CHAR_FRAC[5], grm.TOP_NGRAM_CHAR_FRAC[2], S.REASON):
        assert whole.column(column).to_pylist() == parts.column(column).to_pylist()


def test_toml_config_overrides_preset(tmp_path: Path):
    config = tmp_path / "filters.toml"
    config.write_text('preset = "gopher"\n[rules]\ngopher_short_doc = 3\ngopher_long_doc = false\n')
    rules = thresholds(FilterOptions(config=str(config)))
    assert rules["gopher_short_doc"] == 3 and "gopher_long_doc" not in rules
    assert "fineweb_line_punct_ratio" not in rules
    explicit = thresholds(FilterOptions(config=str(config), rules=(("gopher_short_doc", 7),)))
    assert explicit["gopher_short_doc"] == 7


def test_bad_config_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="unknown filter rule"):
        thresholds(FilterOptions(rules=(("gopher_nonsense", 1),)))
    with pytest.raises(InputError, match="unknown preset"):
        thresholds(FilterOptions(preset="nope"))
    with pytest.raises(InputError, match="gopher_quality"):
        filter_stage(text_table([ARTICLE]), opts=FilterOptions(preset="gopher"))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('gopher_short_doc = "many"', 'gopher_short_doc in .*: expected a number.* got "many"'),
        ("gopher_long_doc = true", "gopher_long_doc .*expected a number.* got true"),
        ("gopher_long_doc = nan", "gopher_long_doc .*expected a number"),
        ("c4_lorem_ipsum = 1", "c4_lorem_ipsum .*expected true, or false .* got 1"),
        ("gopher_empty = 0.5", "gopher_empty .*expected true"),
        ('language = "en"', 'language .*expected a list of language codes.* got "en"'),
        ("language = [1, 2]", "language .*expected a list of language codes"),
        ("language = []", "language .*expected a list of language codes"),
        ("gopher_shortdoc = 5", "unknown filter rule.*gopher_shortdoc"),
    ],
)
def test_a_threshold_of_the_wrong_type_is_one_input_error_naming_the_rule(tmp_path, line, expected):
    config = tmp_path / "filters.toml"
    config.write_text(f'preset = "gopher"\n[rules]\n{line}\n')
    with pytest.raises(InputError, match=expected) as caught:
        FilterOptions(config=str(config))
    assert "\n" not in str(caught.value)
    rule = line.split(" =")[0]
    with pytest.raises(InputError, match=rule):
        FilterOptions(preset=None, rules=((rule, tomllib.loads(line)[rule]),))


def test_a_filter_file_must_name_the_preset_it_starts_from(tmp_path):
    config = tmp_path / "filters.toml"
    config.write_text("[rules]\ngopher_short_doc = 10\n")
    with pytest.raises(InputError, match=r'say which preset.* preset = "gopher" .*"none"'):
        thresholds(FilterOptions(preset=None, config=str(config)))
    config.write_text('preset = "none"\n[rules]\ngopher_short_doc = 10\n')
    assert thresholds(FilterOptions(config=str(config))) == {"gopher_short_doc": 10}
    assert quality_pipeline(config=str(config)) == ["gopher_quality", "filter"]
    config.write_text('preset = "gopher"\n')
    assert thresholds(FilterOptions(config=str(config))) == thresholds(
        FilterOptions(preset="gopher")
    )
    for bad, expected in [
        ('preset = "gopherr"', 'unknown preset "gopherr"'),
        ("preset = 3", "unknown preset 3"),
        ('preset = "c4"\n[rule]\nc4_curly_bracket = false', "unknown key.* rule"),
        ('preset = "c4"\nrules = 5', "rules must be a table"),
    ]:
        config.write_text(bad + "\n")
        with pytest.raises(InputError, match=expected):
            FilterOptions(config=str(config))


def test_make_pipeline_checks_the_filter_file_and_an_agreeing_preset(tmp_path):
    from crawlsift.api import make_pipeline

    config = tmp_path / "filters.toml"
    config.write_text('preset = "c4"\n[rules]\nc4_too_few_sentences = 2\n')
    stages = make_pipeline(filters=str(config)).stages
    assert stages[-2:] == ("c4_lines", "filter")
    assert make_pipeline(preset="c4", filters=str(config)).stages == stages
    with pytest.raises(InputError, match=r'preset gopher and .* \(preset = "c4"\) disagree'):
        make_pipeline(preset="gopher", filters=str(config))
    config.write_text("[rules]\nc4_too_few_sentences = 2\n")
    with pytest.raises(InputError, match="say which preset"):
        make_pipeline(preset="c4", filters=str(config))


def test_quality_pipeline_names_registered_stages_in_order():
    assert quality_pipeline("c4") == ["c4_lines", "filter"]
    assert quality_pipeline("crawlsift-default") == [
        "gopher_quality",
        "gopher_repetition",
        "c4_lines",
        "fineweb",
        "filter",
    ]
    pipeline = Pipeline(
        stages=("repair", *quality_pipeline("gopher")),
        options={"filter": FilterOptions(preset="gopher")},
    )
    table = S.input_table(text=[ARTICLE])
    out = pipeline(table).to_pylist()[0]
    assert out[S.KEEP] is True and out[gqm.WORD_COUNT] > 50


def test_c4_lines_removes_lines_as_edits_against_input_text():
    text = "A good sentence is here.\nMenu\n\nThis site uses cookies to help.\nIt ends [1] well."
    out = c4_lines(text_table([text, None], reasons=[None, "empty_text"])).to_pylist()
    assert out[0][S.TEXT] == "A good sentence is here.\nIt ends  well."
    edits = [(text[e["start"] : e["end"]], e["reason"]) for e in out[0][S.EDITS]]
    assert edits == [
        ("Menu", "c4_no_terminal_punct"),
        ("This site uses cookies to help.", "c4_policy"),
        ("It ends [1] well.", "c4_citation"),
    ]
    assert out[0][S.INPUT_TEXT] == text
    assert out[1][S.TEXT] is None and out[1][S.REASON] == "empty_text"


def test_c4_lines_after_repair_edits_index_the_original():
    pipeline = Pipeline(stages=("repair", "c4_lines"))
    raw = ARTICLE + "\nShare this article\n" + ARTICLE.replace("river", "stream")
    table = text_table([raw])
    table = table.append_column(S.field(S.HTML), pa.nulls(1, pa.large_binary()))
    out = pipeline(table).to_pylist()[0]
    for e in out[S.EDITS]:
        assert 0 <= e["start"] < e["end"] <= len(raw)
    removed = {raw[e["start"] : e["end"]] for e in out[S.EDITS] if e["reason"].startswith("c4_")}
    assert "Share this article" in removed or "Share this article" not in out[S.TEXT]
    assert "Share this article" not in out[S.TEXT]


def test_ngram_chunks_do_not_change_signals(wcxb_docs, monkeypatch):
    rep = sys.modules["crawlsift.signals.gopher_repetition"]
    table = text_table([d["text"] for d in wcxb_docs[:30]])
    whole = rep.gopher_repetition(table)
    monkeypatch.setattr(rep, "CHUNK_TOKENS", 700)
    chunked = rep.gopher_repetition(table)
    for n in (2, 3, 4):
        column = grm.TOP_NGRAM_CHAR_FRAC[n]
        assert whole.column(column).to_pylist() == chunked.column(column).to_pylist()
    for column in grm.DUP_NGRAM_CHAR_FRAC.values():
        assert whole.column(column).to_pylist() == chunked.column(column).to_pylist()


def test_empty_text_rejected_like_datatrove():
    table = text_table(["", "   \n\n  "])
    reasons = run(table, preset="fineweb-quality").column(S.REASON).to_pylist()
    assert reasons == ["fineweb_empty"] * 2
    only_repetition = FilterOptions(preset=None, rules=(("gopher_empty", True),))
    scored = gopher_repetition(text_table([""]))
    assert filter_stage(scored, opts=only_repetition).column(S.REASON).to_pylist() == [
        "gopher_empty"
    ]


def test_empty_and_all_rejected_batches():
    for table in (text_table([]), text_table([None, "x"], reasons=["empty_text", "too_short"])):
        out = table
        for name in quality_pipeline():
            spec = get_stage(name)
            out = spec.fn(out, opts=spec.options())
        assert out.num_rows == table.num_rows
        assert out.column(S.REASON).to_pylist() == table.column(S.REASON).to_pylist()
        assert out.column(grm.TOP_NGRAM_CHAR_FRAC[2]).null_count == table.num_rows
