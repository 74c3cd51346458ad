"""Gopher repetition signals (Rae et al. 2021, table A1; datatrove's ``GopherRepetitionFilter``).

Duplicate paragraphs and lines (fraction of them, and their characters over the text's), the
characters of the most frequent 2-, 3- and 4-gram times its count, and the characters of
duplicated 5- to 10-grams, all over the text's length. N-grams are compared as rolling hashes
of their words, grouped by sorting (numpy, chunks of whole documents; see ``ngram_chars``);
duplicate n-grams are counted the way datatrove's greedy scan does, run by run
(``docs/filters.md`` explains the small difference).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.registry import (
    DEFAULT_PRESET,
    FINEWEB2_RECIPE,
    FINEWEB_RECIPE,
    Rule,
    Signals,
    in_presets,
    register,
)
from crawlsift.signals._text import (
    TextBatch,
    active_texts,
    duplicates,
    per_doc,
    split_parts,
    text_batch,
    to_arrow,
)

STAGE = "gopher_repetition"
DUP_PARA_FRAC = "gopher_dup_para_frac"
DUP_PARA_CHAR_FRAC = "gopher_dup_para_char_frac"
DUP_LINE_FRAC = "gopher_dup_line_frac"
DUP_LINE_CHAR_FRAC = "gopher_dup_line_char_frac"
TOP_NGRAM_CHAR_FRAC = {n: f"gopher_top_{n}_gram_char_frac" for n in (2, 3, 4)}
DUP_NGRAM_CHAR_FRAC = {n: f"gopher_dup_{n}_gram_char_frac" for n in range(5, 11)}
_PRESETS = ("gopher", FINEWEB_RECIPE, DEFAULT_PRESET)


def _rules() -> tuple[Rule, ...]:
    def rule(reason: str, column: str, kind: str, meaning: str, threshold: object) -> Rule:
        # FineWeb-2 switches the paragraph rules and the duplicate-line characters off
        off = ("para" in reason) or reason == "gopher_dup_line_char_frac"
        presets = _PRESETS if off else (FINEWEB2_RECIPE, *_PRESETS)
        return Rule(reason, column, kind, meaning, in_presets(threshold, *presets))

    rules = [
        rule("gopher_empty", DUP_PARA_CHAR_FRAC, "null", "no text to measure repetition on", True),
        rule("gopher_dup_para_frac", DUP_PARA_FRAC, "max", "too many duplicate paragraphs", 0.3),
        rule(
            "gopher_dup_para_char_frac",
            DUP_PARA_CHAR_FRAC,
            "max",
            "too many characters in duplicate paragraphs",
            0.2,
        ),
        rule("gopher_dup_line_frac", DUP_LINE_FRAC, "max", "too many duplicate lines", 0.3),
        rule(
            "gopher_dup_line_char_frac",
            DUP_LINE_CHAR_FRAC,
            "max",
            "too many characters in duplicate lines",
            0.2,
        ),
    ]
    for n, limit in zip(TOP_NGRAM_CHAR_FRAC, (0.2, 0.18, 0.16), strict=True):
        rules.append(
            rule(
                f"gopher_top_{n}_gram",
                TOP_NGRAM_CHAR_FRAC[n],
                "max",
                f"the most frequent {n}-gram covers too many characters",
                limit,
            )
        )
    for n, column in DUP_NGRAM_CHAR_FRAC.items():
        rules.append(
            rule(
                f"gopher_duplicated_{n}_n_grams",
                column,
                "max",
                f"too many characters in duplicated {n}-grams",
                0.15 - (n - 5) / 100,
            )
        )
    return tuple(rules)


SIGNALS = Signals(
    stage=STAGE,
    columns=dict.fromkeys(
        (
            DUP_PARA_FRAC,
            DUP_PARA_CHAR_FRAC,
            DUP_LINE_FRAC,
            DUP_LINE_CHAR_FRAC,
            *TOP_NGRAM_CHAR_FRAC.values(),
            *DUP_NGRAM_CHAR_FRAC.values(),
        ),
        pa.float64(),
    ),
    rules=_rules(),
)
CHUNK_TOKENS = 32_768  # word tokens per n-gram pass (whole documents; at least one)


@dataclass(frozen=True, kw_only=True)
class GopherRepetitionOptions:
    """Options of the Gopher repetition signals; the defaults are the published recipe."""

    top_ngrams: tuple[int, ...] = (2, 3, 4)
    dup_ngrams: tuple[int, ...] = (5, 6, 7, 8, 9, 10)
    #: n-grams of segmented words for languages written without spaces (``gopher_quality``'s)
    segment: bool = False


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

    N-grams are compared by rolling hashes of their words, seeded with the document. Each n is
    one ``np.sort`` of keys that pack the hash (high bits) with the n-gram's position (low
    bits), so equal n-grams end up side by side, earliest first: group starts are first
    occurrences, group sizes are counts, with no hash table and no argsort. Only positions
    whose (n-1)-gram recurs can start a recurring n-gram, so each n sorts only those.
    With ``b`` position bits the hash keeps ``64 - b`` bits: 48 for ``CHUNK_TOKENS`` tokens,
    where the odds that two different n-grams of a chunk share a key (and count as one) are
    about 1 in 500,000 per chunk and n.
    """
    cum = np.concatenate([[0], np.cumsum(lens)])
    bounds = np.searchsorted(doc, np.arange(ndocs + 1))  # first token of each document
    doc_len = np.diff(bounds)
    out: dict[str, np.ndarray] = {}
    bits = max(len(h), 1).bit_length()
    low = np.uint64((1 << bits) - 1)
    room = bounds[doc + 1] - np.arange(len(h))  # tokens from each position to its doc's end
    pos = np.flatnonzero(room >= 2)
    key = doc.astype(np.uint64)[pos] * np.uint64(0xC2B2AE3D27D4EB4F) + h[pos]
    for n in range(2, max((*opts.top_ngrams, *opts.dup_ngrams), default=1) + 1):
        key *= _MIX  # roll the next word in (in place: these arrays are the big ones)
        key += h[pos + (n - 1)]
        key &= ~low  # hash in the high bits, position in the low bits
        key |= pos.view(np.uint64)
        key.sort()
        pos = (key & low).view(np.int64)
        key &= ~low
        m = len(key)
        first = np.ones(m + 1, dtype=bool)  # first of its group; one past the end too
        np.not_equal(key[1:], key[:-1], out=first[1:m])
        if n in opts.top_ngrams:
            out[TOP_NGRAM_CHAR_FRAC[n]] = _top(pos, first, doc, cum, n, doc_len)
        if n in opts.dup_ngrams:
            chars: np.ndarray = np.zeros(ndocs)
            seen = np.sort(pos[~first[:-1]])
            if len(seen):
                starts, covered = _runs_covered(seen, n, cum)
                chars = np.bincount(doc[starts], weights=covered, minlength=ndocs)
            out[DUP_NGRAM_CHAR_FRAC[n]] = chars
        keep = first[:-1] & first[1:]
        np.logical_not(keep, out=keep)  # in a group of two or more
        keep &= room[pos] > n  # with room for the next n
        pos, key = pos[keep], key[keep]
    return out


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _top(
    pos: np.ndarray,
    first: np.ndarray,
    doc: np.ndarray,
    cum: np.ndarray,
    n: int,
    doc_len: np.ndarray,
) -> np.ndarray:
    """Characters of each document's most frequent n-gram (the earliest of ties) times count.

    ``pos`` are the n-grams' positions sorted by key, ``first`` marks each group's start.
    """
    top = np.zeros(len(doc_len))
    has = doc_len >= n  # n-grams all distinct: the first one, once
    begin = (np.cumsum(doc_len) - doc_len)[has]
    top[has] = cum[begin + n] - cum[begin] + n - 1
    # groups of two or more: each has one start (first, next not) and one end (last, next first)
    starts = np.flatnonzero(first[:-1] & ~first[1:])
    if not len(starts):
        return top
    counts = np.flatnonzero(~first[:-1] & first[1:]) + 1 - starts
    # recurring n-grams in order of first occurrence: sort (position, count) packed in 64 bits
    packed = (pos[starts].view(np.uint64) << np.uint64(32)) | counts.astype(np.uint64)
    packed.sort()
    at = (packed >> np.uint64(32)).astype(np.intp)
    cnt = (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
    gdoc = doc[at]
    seg = np.flatnonzero(np.concatenate([[True], gdoc[1:] != gdoc[:-1]]))
    best = np.maximum.reduceat(cnt, seg)
    # the earliest n-gram with its document's highest count
    hit = np.flatnonzero(cnt == np.repeat(best, np.diff(np.append(seg, len(cnt)))))
    hit = hit[np.concatenate([[True], gdoc[hit[1:]] != gdoc[hit[:-1]]])]
    at, cnt = at[hit], cnt[hit]
    top[gdoc[hit]] = (cum[at + n] - cum[at] + n - 1) * cnt
    return top


def gopher_repetition_signals(
    texts: pl.Series, opts: GopherRepetitionOptions, batch: TextBatch | None = None
) -> pl.DataFrame:
    """The Gopher repetition signal columns for ``texts`` (one row per text); ``batch`` is
    their ``TextBatch`` when the caller has one."""
    ndocs = len(texts)
    batch = batch or TextBatch(texts)
    length = texts.str.len_chars().cast(pl.Float64).replace(0, None).to_numpy()
    paras = duplicates(split_parts(texts, r"\n{2,}", strip=True))
    lines = duplicates(split_parts(texts, r"\n+", batch=batch))
    cols = {"dups": pl.col("dups"), "n": pl.col("n"), "c": pl.col("dup_chars")}
    par = per_doc(ndocs, paras, cols)
    lin = per_doc(ndocs, lines, cols)
    out = pl.DataFrame(
        {
            DUP_PARA_FRAC: par["dups"] / par["n"],
            DUP_PARA_CHAR_FRAC: par["c"] / length,
            DUP_LINE_FRAC: lin["dups"] / lin["n"],
            DUP_LINE_CHAR_FRAC: lin["c"] / length,
        }
    )
    toks = batch.keys
    doc = toks["doc"].to_numpy()
    lens = toks["len"].to_numpy().astype(np.int64)
    h = toks["h"].to_numpy()
    # documents never share an n-gram, so chunks of whole documents give the same answer
    # while the sorts stay in cache and the positions need fewer bits (more for the hash)
    bounds = np.searchsorted(doc, np.arange(ndocs + 1))
    parts: list[dict[str, np.ndarray]] = []
    lo = 0
    while lo < ndocs:
        hi = max(int(np.searchsorted(bounds, bounds[lo] + CHUNK_TOKENS, "right")) - 1, lo + 1)
        hi = min(hi, ndocs)
        a, b = bounds[lo], bounds[hi]
        parts.append(ngram_chars(h[a:b], doc[a:b] - lo, lens[a:b], hi - lo, opts))
        lo = hi
    names = [TOP_NGRAM_CHAR_FRAC[n] for n in opts.top_ngrams]
    names += [DUP_NGRAM_CHAR_FRAC[n] for n in opts.dup_ngrams]
    ngram = {k: np.concatenate([p[k] for p in parts] or [np.zeros(0)]) for k in names}
    return out.with_columns(pl.Series(k, v / length) for k, v in ngram.items())


@register(STAGE, GopherRepetitionOptions, columns=(*SIGNALS.columns, S.WORD_TOKENS))
def gopher_repetition(table: pa.Table, *, opts: GopherRepetitionOptions | None = None) -> pa.Table:
    """Gopher repetition signals as columns (null on rows already rejected)."""
    opts = opts or GopherRepetitionOptions()
    texts = active_texts(table)
    batch = text_batch(table, texts, segment=opts.segment)
    signals = gopher_repetition_signals(texts, opts, batch)
    return S.with_columns(table, {**to_arrow(signals, texts), S.WORD_TOKENS: batch.tokens()})
