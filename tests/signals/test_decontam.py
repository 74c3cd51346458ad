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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlsift import schema as S
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
