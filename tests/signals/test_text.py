"""The shared text pieces of the signal stages: lines, tokens, duplicate counts, token counts;
and what stages hand on to each other (columns only)."""

from __future__ import annotations

import gc
from concurrent.futures import ThreadPoolExecutor

import polars as pl
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift import schema as S
from crawlsift.registry import get_stage
from crawlsift.signals._text import WORD_PATTERN, TextBatch, duplicates
from crawlsift.signals.c4_lines import c4_lines
from crawlsift.signals.fineweb import fineweb
from crawlsift.signals.gopher_quality import gopher_quality
from crawlsift.signals.gopher_repetition import gopher_repetition

from .conftest import text_table

# pieces that exercise the tokeniser's branches, line breaks and C4's citations
PIECES = st.sampled_from(
    ["the", "cat", "Don't", "e-mail", "-5", "3:30", "...", "…", "(a)", "“quote”", "#", "[1]",
     "[edit]", "https://x.org/a-b", "ü", "end.", "!", " ", "  ", "\n", "\n\n", "\t", " \n"]
)  # fmt: skip
TEXTS = st.lists(st.lists(PIECES, max_size=40).map("".join), min_size=1, max_size=5)


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_tokens_by_line_equal_tokens_of_whole_texts(texts: list[str]):
    series = pl.Series(texts, dtype=pl.String)
    batch = TextBatch(series)
    words = batch.words
    whole = series.str.extract_all(WORD_PATTERN).to_list()
    by_doc = words.group_by("doc", maintain_order=True).agg("tok")
    found = dict(zip(by_doc["doc"].to_list(), by_doc["tok"].to_list(), strict=True))
    assert [found.get(i, []) for i in range(len(texts))] == whole
    assert words["len"].to_list() == [len(t) for t in words["tok"].to_list()]
    # as a column, and back: the same tokens, hashes and counts
    assert batch.tokens().to_pylist() == whole
    again = TextBatch(series, batch.tokens())
    assert again.words.equals(words)
    counted = series.str.count_matches(WORD_PATTERN).cast(float).to_list()
    assert batch.token_counts().tolist() == again.token_counts().tolist() == counted


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "b", "cc", "", "a b"]), max_size=12), max_size=5))
def test_duplicates_equal_reference(docs: list[list[str]]):
    parts = pl.DataFrame(
        {
            "doc": pl.Series([i for i, d in enumerate(docs) for _ in d], dtype=pl.UInt32),
            "part": pl.Series([p for d in docs for p in d], dtype=pl.String),
        }
    )
    got = {r["doc"]: r for r in duplicates(parts).to_dicts()}
    for i, d in enumerate(docs):
        if not d:
            assert i not in got
            continue
        seen: set[str] = set()
        dups = chars = 0
        for p in d:  # datatrove's find_duplicates
            if p in seen:
                dups += 1
                chars += len(p)
            seen.add(p)
        assert (got[i]["n"], got[i]["dups"], got[i]["dup_chars"]) == (len(d), dups, chars)


def _signals(table: pa.Table) -> dict[str, list]:
    """The signal columns of a stage's output (every column but the text and the tokens)."""
    return {c: table.column(c).to_pylist() for c in table.column_names if c != S.WORD_TOKENS}


def test_tokens_travel_as_a_column_and_a_rewrite_clears_them():
    texts = ["One two three.\nJavaScript is off", "Four five.", None]
    scored = gopher_quality(text_table(texts))
    assert scored.column(S.WORD_TOKENS).to_pylist() == [
        ["One", "two", "three", ".", "JavaScript", "is", "off"],
        ["Four", "five", "."],
        None,
    ]
    rewritten = c4_lines(scored)  # drops the javascript line: the tokens no longer apply
    assert rewritten.column(S.WORD_TOKENS).null_count == len(texts)


@settings(max_examples=60, deadline=None)
@given(TEXTS)
def test_a_stage_gives_the_same_signals_whatever_ran_before(texts: list[str]):
    table = text_table(texts)
    alone = _signals(gopher_repetition(table))
    assert _signals(gopher_repetition(gopher_quality(table))).items() >= alone.items()
    assert _signals(gopher_quality(gopher_repetition(table))).items() >= (
        _signals(gopher_quality(table)).items()
    )
    fine = _signals(fineweb(c4_lines(table)))
    assert _signals(fineweb(c4_lines(gopher_quality(table)))).items() >= fine.items()


def test_stages_on_threads_give_the_sequential_results():
    names = ("gopher_quality", "gopher_repetition", "c4_lines", "fineweb", "filter")
    stages = [get_stage(name) for name in names]

    def run(table: pa.Table) -> dict[str, list]:
        for spec in stages:
            table = spec.fn(table, opts=spec.options())
        return _signals(table)

    words = ["alpha beta gamma.", "delta epsilon.", "zeta\neta theta iota kappa.", "x", ""]
    batches = [text_table([" ".join(words[(i + k) % 5] for k in range(i + 3))]) for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(run, batches * 3))
    assert threaded == [run(b) for b in batches] * 3


def test_no_batch_outlives_its_stage():
    """The stages share nothing through module state: once a stage returns, no ``TextBatch``
    of its texts is left anywhere."""
    gopher_repetition(gopher_quality(text_table(["a b c", "d e f"])))
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, TextBatch)]
