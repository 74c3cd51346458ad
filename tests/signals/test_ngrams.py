"""The sort-based n-gram pass against a plain Python reference on random token lists."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift.signals import gopher_repetition as grm
from crawlsift.signals.gopher_repetition import GopherRepetitionOptions, ngram_chars

OPTS = GopherRepetitionOptions()
# a small vocabulary of words of different lengths, so n-grams recur often
WORDS = st.sampled_from(["a", "bb", "the", "cat", "x", "dog", "end.", "ü", "longer", "#"])
DOCS = st.lists(st.lists(WORDS, max_size=60), min_size=1, max_size=6)


def top_reference(words: list[str], n: int) -> float:
    """Characters (spaces included) of the most frequent n-gram, earliest of ties, times count."""
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - n + 1):
        gram = tuple(words[i : i + n])
        counts[gram] = counts.get(gram, 0) + 1
    if not counts:
        return 0.0
    best = max(counts.values())
    gram = next(g for g, c in counts.items() if c == best)  # first inserted = earliest
    return float((sum(map(len, gram)) + n - 1) * best)


def dup_reference(words: list[str], n: int) -> float:
    """Characters covered by runs of n-grams seen earlier, ``ceil(run / n) * n`` words each."""
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    earlier: set[tuple[str, ...]] = set()
    seen = []
    for i, gram in enumerate(grams):
        if gram in earlier:
            seen.append(i)
        earlier.add(gram)
    chars, i = 0, 0
    while i < len(seen):
        j = i
        while j + 1 < len(seen) and seen[j + 1] == seen[j] + 1:
            j += 1
        start, run = seen[i], j - i + 1
        covered = -(-run // n) * n
        chars += sum(len(w) for w in words[start : start + covered])
        i = j + 1
    return float(chars)


def run_ngrams(docs: list[list[str]]) -> dict[str, np.ndarray]:
    tokens = [w for d in docs for w in d]
    doc = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
    h = pl.Series(tokens, dtype=pl.String).hash().to_numpy()
    lens = np.array([len(w) for w in tokens], dtype=np.int64)
    return ngram_chars(h, doc, lens, len(docs), OPTS)


@settings(max_examples=200, deadline=None)
@given(DOCS)
def test_ngram_chars_equal_reference(docs: list[list[str]]):
    out = run_ngrams(docs)
    for n in OPTS.top_ngrams:
        expected = [top_reference(d, n) for d in docs]
        assert out[grm.TOP_NGRAM_CHAR_FRAC[n]].tolist() == expected
    for n in OPTS.dup_ngrams:
        expected = [dup_reference(d, n) for d in docs]
        assert out[grm.DUP_NGRAM_CHAR_FRAC[n]].tolist() == expected


def test_repeated_sentence_counts():
    sentence = ["the", "cat", "sat", "on", "the", "mat"]
    out = run_ngrams([sentence * 3, ["the", "cat"]])
    # "the cat" occurs 3 times in the first document ("the mat" too, but later)
    assert out[grm.TOP_NGRAM_CHAR_FRAC[2]].tolist() == [7.0 * 3, 7.0]
    # the 5-grams at positions 6-13 were seen 6 words before: one run of 8, which datatrove's
    # scan covers as 2 jumps of 5 words from position 6: "the cat sat on the mat the cat sat on"
    assert out[grm.DUP_NGRAM_CHAR_FRAC[5]].tolist() == [28.0, 0.0]
