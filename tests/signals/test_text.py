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
    # as a column, and back: the same hashes, lengths, lines and counts
    column = batch.tokens().to_pylist()
    hashes = [[pl.Series([t], dtype=pl.String).hash()[0] for t in doc] for doc in whole]
    assert [[t["h"] for t in doc or []] for doc in column] == hashes
    assert [[t["len"] for t in doc or []] for doc in column] == [[len(t) for t in d] for d in whole]
    again = TextBatch(series, batch.tokens())
    assert again.keys.equals(words.drop("tok"))
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
    internal = (S.WORD_TOKENS, S.WORD_TOKEN_COUNT)
    return {c: table.column(c).to_pylist() for c in table.column_names if c not in internal}


def test_tokens_travel_as_a_column_and_a_rewrite_clears_them():
    texts = ["One two three.\nJavaScript is off", "Four five.", None]
    scored = gopher_quality(text_table(texts))
    tokens = scored.column(S.WORD_TOKENS).to_pylist()
    assert [[(t["len"], t["line"]) for t in doc] for doc in tokens[:2]] == [
        [(3, 0), (3, 0), (5, 0), (1, 0), (10, 1), (2, 1), (3, 1)],
        [(4, 0), (4, 0), (1, 0)],
    ]
    assert tokens[2] is None
    rewritten = c4_lines(scored)  # drops the javascript line: the tokens no longer apply
    assert rewritten.column(S.WORD_TOKENS).null_count == len(texts)
    # but their count for the lines kept does, and FineWeb reads it instead of counting
    assert rewritten.column(S.WORD_TOKEN_COUNT).to_pylist() == [4, 0, None]  # 2 words: cut


@settings(max_examples=60, deadline=None)
@given(TEXTS)
def test_a_stage_gives_the_same_signals_whatever_ran_before(texts: list[str]):
    table = text_table(texts)
    alone = _signals(gopher_repetition(table))
    assert _signals(gopher_repetition(gopher_quality(table))).items() >= alone.items()
    assert _signals(gopher_quality(gopher_repetition(table))).items() >= (
        _signals(gopher_quality(table)).items()
    )
    rewritten = c4_lines(gopher_quality(table))
    counts = rewritten.column(S.WORD_TOKEN_COUNT).to_pylist()
    recount = pl.Series(rewritten.column(S.TEXT).to_pylist(), dtype=pl.String)
    recount = recount.str.count_matches(WORD_PATTERN).to_list()
    assert all(c is None or c == r for c, r in zip(counts, recount, strict=True))
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
