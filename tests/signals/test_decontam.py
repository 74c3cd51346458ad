"""Decontamination: benchmark passages leave the text as edits; what stays contaminated is
rejected; clean text is untouched."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlsift import clean_batch, make_pipeline
from crawlsift import schema as S
from crawlsift.cli import main
from crawlsift.errors import InputError
from crawlsift.signals.decontam import DecontamOptions, decontam, read_benchmark
from tests.signals.conftest import text_table

QUESTION = (
    "Which of the following best describes the primary function of mitochondria in "
    "eukaryotic cells during aerobic respiration?"
)
ANSWER = "They produce most of the chemical energy needed to power the biochemical reactions."
PROSE = (
    "The council approved the new budget on Tuesday after a long debate about school "
    "funding, road repairs and the cost of the proposed library extension downtown."
)
OTHER = (
    "Residents who spoke at the meeting asked for more crossings near the primary school "
    "and for the bus timetable to be published a month ahead."
)


def filler(tag: int, lines: int = 6) -> str:
    """Lines of prose, different for each ``tag``: enough text that a removed passage with its
    margins is a small part of the document."""
    return "\n".join(
        f"Item {tag}.{i}: the committee reviewed proposal {tag * 100 + i} on housing and asked "
        f"the staff for a costed plan, with figures for each of the {i + 3} districts, by spring."
        for i in range(lines)
    )


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@pytest.fixture
def bench(tmp_path: Path) -> str:
    path = tmp_path / "mmlu_biology.jsonl"
    rows = [
        {"question": QUESTION, "choices": ["a", "b"], "answer": {"text": ANSWER}},
        {"question": "What is two plus two?", "answer": "four"},  # under 13 words: no n-gram
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def _run(texts: list[str | None], bench: str, **opts) -> list[dict]:
    out = decontam(text_table(texts), opts=DecontamOptions(benchmarks=(bench,), **opts))
    return out.to_pylist()


def test_a_planted_passage_leaves_with_its_margin_and_the_rest_stays(bench):
    # a copy whose case, punctuation and spacing differ is still a copy
    planted = "which OF the following,  best describes the primary function of mitochondria in"
    planted += " eukaryotic cells during aerobic respiration"
    text = f"{PROSE}\n\n{planted}\n\n{OTHER}"
    [row] = _run([text], bench, margin=10)
    assert "mitochondria" not in row[S.TEXT]
    assert row[S.TEXT].startswith(PROSE[:60]) and row[S.TEXT].rstrip().endswith(OTHER[-40:])
    assert row["decontam_ngrams"] == 5  # 17 words: five 13-grams
    assert row["decontam_benchmarks"] == "mmlu_biology"
    assert row["decontam_pieces"] == 2 and row["decontam_left"] == 0
    [edit] = row[S.EDITS]
    assert edit["reason"] == "decontam_overlap"
    removed = row[S.INPUT_TEXT][edit["start"] : edit["end"]]
    assert _words(planted) == [w for w in _words(removed) if w in _words(planted)]
    # the 10-character margin, widened to whole words, reaches into the text around it
    assert removed.startswith("downtown.") and "Residents" in removed


def test_clean_text_is_untouched(bench):
    texts = [f"{PROSE}\n{OTHER}", "the primary function of the council is to approve budgets", None]
    rows = _run(texts, bench)
    assert [r[S.TEXT] for r in rows] == texts
    assert [r["decontam_ngrams"] for r in rows] == [0, 0, None]
    assert [r[S.EDITS] for r in rows] == [None, None, None]
    assert [r["decontam_benchmarks"] for r in rows] == [None, None, None]


def test_without_benchmarks_the_stage_changes_nothing():
    out = decontam(text_table([PROSE])).to_pylist()
    assert out[0][S.TEXT] == PROSE and out[0]["decontam_ngrams"] == 0


def test_a_text_split_into_more_than_ten_pieces_is_rejected(bench):
    many = "\n\n".join([filler(0), *[f"{QUESTION}\n\n{filler(i)}" for i in range(1, 12)]])
    few = "\n\n".join([filler(0), QUESTION, filler(1)])
    [a, b] = clean_batch([many, few], pipeline=make_pipeline(decontaminate=[bench]))
    assert a.rejected and a.reason == "decontam_contaminated"
    assert not b.rejected and "mitochondria" not in b.text
    assert [e.reason for e in b.edits] == ["decontam_overlap"]


def test_edits_index_the_input_text_after_repair_changed_it(bench):
    # repair removes the banner line and collapses the white space of kept lines, and the
    # prose repeats, so the passage is found by its lines, not by its first occurrence
    record = (
        f"Page not found\n{PROSE}   {PROSE}\n{filler(1)}\n{QUESTION}  {ANSWER}\n{OTHER}\n"
        f"{PROSE}\n{filler(2)}\n{OTHER}"
    )
    [result] = clean_batch([record], pipeline=make_pipeline(decontaminate=[bench]))
    assert not result.rejected and "mitochondria" not in result.text
    overlap = [e for e in result.edits if e.reason == "decontam_overlap"]
    assert overlap
    removed = " ".join(result.input_text[e.start : e.end] for e in overlap)
    assert "Page not found" not in removed  # repair's edit, not this stage's
    assert set(_words(QUESTION)) <= set(_words(removed))
    for e in overlap:  # every removed span is text, not the white space around it
        span = result.input_text[e.start : e.end]
        assert span == span.strip() and span


def test_a_passage_that_cannot_be_located_stays_and_the_text_is_rejected(bench):
    # a line the Unicode repair rewrote is not in the input text as it now reads
    record = f"{filler(1)}\n{QUESTION} cafÃ©\n{filler(2)}"
    [result] = clean_batch([record], pipeline=make_pipeline(decontaminate=[bench]))
    assert result.rejected and result.reason == "decontam_left_in_text"
    assert "mitochondria" in result.text


def test_a_filters_file_sets_the_thresholds(tmp_path, bench):
    many = "\n\n".join([filler(0), *[f"{QUESTION}\n\n{filler(i)}" for i in range(1, 4)]])
    config = tmp_path / "rules.toml"
    config.write_text('preset = "none"\n[rules]\ndecontam_contaminated = 2\n')
    [strict] = clean_batch(
        [many], pipeline=make_pipeline(filters=str(config), decontaminate=[bench])
    )
    assert strict.reason == "decontam_contaminated"
    [default] = clean_batch([many], pipeline=make_pipeline(decontaminate=[bench]))
    assert not default.rejected  # 4 pieces: under GPT-3's 10


def test_the_rules_without_benchmark_files_are_an_input_error(tmp_path):
    config = tmp_path / "rules.toml"
    config.write_text('preset = "none"\n[rules]\ndecontam_contaminated = 10\n')
    with pytest.raises(InputError, match="need benchmark files"):
        make_pipeline(filters=str(config))


def test_benchmark_formats(tmp_path):
    table = pa.table({"prompt": [QUESTION], "answers": [[ANSWER, None]], "n": [1]})
    pq.write_table(table, tmp_path / "task.parquet")
    assert read_benchmark(str(tmp_path / "task.parquet")) == [QUESTION, ANSWER]
    with gzip.open(tmp_path / "task.jsonl.gz", "wt") as f:
        f.write(json.dumps({"q": QUESTION}) + "\n\n")
    assert read_benchmark(str(tmp_path / "task.jsonl.gz")) == [QUESTION]
    (tmp_path / "task.txt").write_text(f"{QUESTION}\n\n{ANSWER}\n")
    assert read_benchmark(str(tmp_path / "task.txt")) == [QUESTION, ANSWER]


@pytest.mark.parametrize(
    "content, message",
    [(None, "benchmark file not found"), ("{not json\n", "cannot read benchmark"), ("", "no text")],
)
def test_bad_benchmark_files_are_input_errors(tmp_path, content, message):
    path = tmp_path / "b.jsonl"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message):
        decontam(text_table([PROSE]), opts=DecontamOptions(benchmarks=(str(path),)))


def test_a_text_made_of_benchmark_copies_is_handled_whole(bench):
    text = "\n".join([QUESTION] * 5000)  # 85,000 words, every 13-gram a hit
    [row] = _run([text], bench)
    assert row[S.TEXT] == "" and row["decontam_pieces"] == 0
    assert row["decontam_removed_frac"] == 1.0
    assert row["decontam_ngrams"] == 5000 * 5  # n-grams never span two benchmark texts
    [result] = clean_batch([text], pipeline=make_pipeline(decontaminate=[bench]))
    assert result.rejected and result.reason == "decontam_mostly_removed"


def test_cli_decontaminate(tmp_path, bench):
    pages = tmp_path / "pages.jsonl"
    texts = [f"{filler(1)}\n{QUESTION}\n{filler(2)}", f"{PROSE}\n{OTHER}"]
    pages.write_text(
        "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(texts))
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["clean", str(pages), "-o", str(out), "--decontaminate", bench]
    )
    assert result.exit_code == 0, result.output
    kept = pq.read_table(out / "kept").to_pylist()
    assert sorted(r["decontam_ngrams"] for r in kept) == [0, 5]
    assert all("mitochondria" not in r[S.TEXT] for r in kept)
    missing = CliRunner().invoke(
        main, ["clean", str(pages), "-o", str(out), "--decontaminate", "x"]
    )
    assert missing.exit_code != 0 and "x" in missing.output


WORD = st.sampled_from(["the", "council", "cell", "energy", "mitochondria", "of", "a", "b"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.lists(WORD, max_size=40),
    after=st.lists(WORD, max_size=40),
    seps=st.sampled_from([" ", "\n", "  ", "\n\n"]),
    margin=st.integers(0, 30),
)
def test_removing_the_edits_from_the_input_gives_the_text(bench, before, after, seps, margin):
    text = seps.join([*before, QUESTION, *after])
    [row] = _run([text], bench, margin=margin)
    rebuilt, at = [], 0
    for e in row[S.EDITS]:
        assert at <= e["start"] < e["end"]
        rebuilt.append(text[at : e["start"]])
        at = e["end"]
    rebuilt.append(text[at:])
    assert "".join(rebuilt) == row[S.TEXT]
    assert "mitochondria primary" not in row[S.TEXT]


def test_options_set_the_ngram_size_through_make_pipeline(tmp_path):
    short = "the mitochondria make most of the energy of the cell"  # 10 words
    path = tmp_path / "quiz.txt"
    path.write_text(short + "\n")
    text = f"{filler(1)}\n{short}\n{filler(2)}"
    default = make_pipeline(decontaminate=[str(path)])
    eight = make_pipeline(decontaminate=DecontamOptions(benchmarks=(str(path),), ngram=8))
    [a] = clean_batch([text], pipeline=default)
    [b] = clean_batch([text], pipeline=eight)
    assert "mitochondria" in a.text  # no 13-gram in 10 words
    assert "mitochondria" not in b.text and b.edits[0].reason == "decontam_overlap"
