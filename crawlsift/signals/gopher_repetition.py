"""Gopher repetition signals (Rae et al. 2021, table A1; datatrove's ``GopherRepetitionFilter``).

Duplicate paragraphs and lines (fraction of them, and their characters over the text's), the
characters of the most frequent 2-, 3- and 4-gram times its count, and the characters of
duplicated 5- to 10-grams, all over the text's length. N-grams are compared as 64-bit hashes
of their words (numpy over the whole batch); duplicate n-grams are counted the way datatrove's
greedy scan does, run by run (``docs/filters.md`` explains the small difference).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.registry import register
from crawlsift.signals._text import (
    active_texts,
    duplicates,
    per_doc,
    split_parts,
    to_arrow,
    words,
)

STAGE = "gopher_repetition"
CHUNK_TOKENS = 200_000  # word tokens per n-gram pass


@dataclass(frozen=True, kw_only=True)
class GopherRepetitionOptions:
    """Options of the Gopher repetition signals; the defaults are the published recipe."""

    top_ngrams: tuple[int, ...] = (2, 3, 4)
    dup_ngrams: tuple[int, ...] = (5, 6, 7, 8, 9, 10)


def _runs_covered(seen: np.ndarray, n: int, cum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start positions and characters covered of each run of consecutive duplicate n-grams.

    ``seen`` holds the (sorted) positions whose n-gram occurred earlier in the document.
    datatrove's scan takes a duplicate, jumps ``n`` words, and so covers
    ``ceil(run / n) * n`` words from a run's start (words joined without spaces).
    """
    brk = np.flatnonzero(np.diff(seen) != 1)
    starts = seen[np.concatenate([[0], brk + 1])]
    ends = seen[np.concatenate([brk, [len(seen) - 1]])] + 1
    covered = -(-(ends - starts) // n) * n
    return starts, cum[starts + covered] - cum[starts]


def ngram_chars(
    h: np.ndarray, doc: np.ndarray, lens: np.ndarray, ndocs: int, opts: GopherRepetitionOptions
) -> dict[str, np.ndarray]:
    """Per document: top n-gram characters (times count) and duplicated n-gram characters.

    N-grams are compared by 64-bit rolling hashes of their words, seeded with the document.
    Only positions whose (n-1)-gram recurs can start a recurring n-gram, so each n extends the
    recurring positions of the one before: one full pass, then ever smaller ones. (Hash-based
    uniqueness beats sorting here: real text repeats, so the hash tables stay small.)
    """
    cum = np.concatenate([[0], np.cumsum(lens)])
    bounds = np.searchsorted(doc, np.arange(ndocs + 1))  # first token of each document
    doc_len = np.diff(bounds)
    out: dict[str, np.ndarray] = {}
    idx = np.arange(len(h))
    room = bounds[doc + 1] - idx  # tokens from each position to its document's end
    key = doc.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F) + h
    for n in range(2, max((*opts.top_ngrams, *opts.dup_ngrams), default=1) + 1):
        ok = room >= n
        idx, room = idx[ok], room[ok]
        key = key[ok] * _MIX + h[idx + n - 1]
        recurs = ~pl.Series(key).is_unique().to_numpy()
        if n in opts.top_ngrams:
            out[S.GOPHER_TOP_NGRAM_CHAR_FRAC[n]] = _top(key, idx, recurs, doc, cum, n, doc_len)
        if n in opts.dup_ngrams:
            chars = np.zeros(ndocs)
            if recurs.any():
                first = pl.Series(key[recurs]).is_first_distinct().to_numpy()
                seen = idx[recurs][~first]
                if len(seen):
                    starts, covered = _runs_covered(seen, n, cum)
                    chars = np.bincount(doc[starts], weights=covered, minlength=ndocs)
            out[S.GOPHER_DUP_NGRAM_CHAR_FRAC[n]] = chars
        idx, room, key = idx[recurs], room[recurs], key[recurs]
    return out


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _top(
    key: np.ndarray,
    idx: np.ndarray,
    recurs: np.ndarray,
    doc: np.ndarray,
    cum: np.ndarray,
    n: int,
    doc_len: np.ndarray,
) -> np.ndarray:
    """Characters of each document's most frequent n-gram (the earliest of ties) times count."""
    top = np.zeros(len(doc_len))
    has = doc_len >= n  # n-grams all distinct: the first one, once
    first = (np.cumsum(doc_len) - doc_len)[has]
    top[has] = cum[first + n] - cum[first] + n - 1
    # recurring n-grams in order of first occurrence (positions ascend, so documents do too)
    rec = pl.Series(key[recurs])
    pos = idx[recurs][rec.is_first_distinct().to_numpy()]
    if not len(pos):
        return top
    cnt = rec.unique_counts().to_numpy()
    gdoc = doc[pos]
    seg = np.flatnonzero(np.concatenate([[True], gdoc[1:] != gdoc[:-1]]))
    best = np.maximum.reduceat(cnt, seg)
    # the earliest n-gram with its document's highest count
    hit = np.flatnonzero(cnt == np.repeat(best, np.diff(np.append(seg, len(cnt)))))
    hit = hit[np.concatenate([[True], gdoc[hit[1:]] != gdoc[hit[:-1]]])]
    pos, cnt = pos[hit], cnt[hit]
    top[gdoc[hit]] = (cum[pos + n] - cum[pos] + n - 1) * cnt
    return top


def gopher_repetition_signals(texts: pl.Series, opts: GopherRepetitionOptions) -> pl.DataFrame:
    """The Gopher repetition signal columns for ``texts`` (one row per text)."""
    ndocs = len(texts)
    length = texts.str.len_chars().cast(pl.Float64).replace(0, None).to_numpy()
    paras = duplicates(split_parts(texts, r"\n{2,}", strip=True))
    lines = duplicates(split_parts(texts, r"\n+"))
    cols = {"dups": pl.col("dups"), "n": pl.col("n"), "c": pl.col("dup_chars")}
    par = per_doc(ndocs, paras, cols)
    lin = per_doc(ndocs, lines, cols)
    out = pl.DataFrame(
        {
            S.GOPHER_DUP_PARA_FRAC: par["dups"] / par["n"],
            S.GOPHER_DUP_PARA_CHAR_FRAC: par["c"] / length,
            S.GOPHER_DUP_LINE_FRAC: lin["dups"] / lin["n"],
            S.GOPHER_DUP_LINE_CHAR_FRAC: lin["c"] / length,
        }
    )
    toks = words(texts).with_columns(h=pl.col("tok").hash(), len=pl.col("tok").str.len_chars())
    doc = toks["doc"].to_numpy()
    lens = toks["len"].to_numpy().astype(np.int64)
    h = toks["h"].to_numpy()
    # documents never share an n-gram, so chunks of whole documents give the same answer
    # while the hash tables stay in cache (about twice as fast as one pass over the batch)
    bounds = np.searchsorted(doc, np.arange(ndocs + 1))
    parts: list[dict[str, np.ndarray]] = []
    lo = 0
    while lo < ndocs:
        hi = max(int(np.searchsorted(bounds, bounds[lo] + CHUNK_TOKENS, "right")) - 1, lo + 1)
        hi = min(hi, ndocs)
        a, b = bounds[lo], bounds[hi]
        parts.append(ngram_chars(h[a:b], doc[a:b] - lo, lens[a:b], hi - lo, opts))
        lo = hi
    names = [S.GOPHER_TOP_NGRAM_CHAR_FRAC[n] for n in opts.top_ngrams]
    names += [S.GOPHER_DUP_NGRAM_CHAR_FRAC[n] for n in opts.dup_ngrams]
    ngram = {k: np.concatenate([p[k] for p in parts] or [np.zeros(0)]) for k in names}
    return out.with_columns(pl.Series(k, v / length) for k, v in ngram.items())


@register(STAGE, GopherRepetitionOptions)
def gopher_repetition(table: pa.Table, *, opts: GopherRepetitionOptions | None = None) -> pa.Table:
    """Gopher repetition signals as columns (null on rows already rejected)."""
    texts = active_texts(table)
    signals = gopher_repetition_signals(texts, opts or GopherRepetitionOptions())
    return S.with_columns(table, to_arrow(signals, texts))
