"""The shared text pieces of the signal stages: lines, tokens, duplicate counts, token counts."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift.signals._text import (
    WORD_PATTERN,
    TextBatch,
    active_texts,
    duplicates,
    text_batch,
)
from crawlsift.signals.c4_lines import c4_lines
from crawlsift.signals.gopher_quality import gopher_quality

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
    words = TextBatch(series).words
    whole = series.str.extract_all(WORD_PATTERN).to_list()
    by_doc = words.frame.group_by("doc", maintain_order=True).agg("tok")
    found = dict(zip(by_doc["doc"].to_list(), by_doc["tok"].to_list(), strict=True))
    assert [found.get(i, []) for i in range(len(texts))] == whole
    assert words.frame["len"].to_list() == [len(t) for t in words.frame["tok"].to_list()]
    # per-line counts add up to each text's count
    lines = TextBatch(series).lines
    per_doc = np.bincount(lines["doc"].to_numpy(), weights=words.per_line, minlength=len(texts))
    assert per_doc.tolist() == series.str.count_matches(WORD_PATTERN).cast(float).to_list()


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


@settings(max_examples=60, deadline=None)
@given(TEXTS)
def test_c4_lines_hands_on_exact_token_counts(texts: list[str]):
    table = gopher_quality(text_table(texts))  # tokenises the batch
    out = c4_lines(table)
    rewritten = active_texts(out)  # as FineWeb, the next stage, reads it
    batch = text_batch(rewritten)
    assert batch.known_token_counts is not None
    counted = rewritten.str.count_matches(WORD_PATTERN).cast(pl.Float64).to_numpy()
    assert np.array_equal(batch.token_counts(), counted)


def test_text_batch_shared_for_equal_texts_whatever_their_layout():
    texts = pl.Series(["x y", None, "z."], dtype=pl.String)
    batch = text_batch(texts)
    sliced = pl.Series(["other", "x y", None, "z."], dtype=pl.String).slice(1)
    masked = pl.Series(["x y", "gone", "z."]).zip_with(
        pl.Series([True, False, True]), pl.Series([None] * 3, dtype=pl.String)
    )
    assert text_batch(sliced) is batch
    assert text_batch(masked) is batch
    assert text_batch(pl.Series(["x y", "", "z."], dtype=pl.String)) is not batch  # "" is not null
