"""Text normalisation, word-shingle hashes and MinHash signatures, vectorised per batch.

Shingle hashes are a polynomial rolling hash over the UTF-8 bytes of the normalised
text (prefix sums mod 2**64, then a 64-bit finaliser), so they are computed for all
shingles of a batch with a few numpy passes and never change between library versions:
signatures stored in an index stay valid. Permutation ``p`` of a shingle hash ``x`` is
``(x * a_p mod 2**64) >> 32`` with odd random ``a_p`` drawn from ``seed``; because the
shift is monotone, the minimum is taken on the 64-bit products with
``np.minimum.reduceat`` and shifted once per document.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

_U64 = np.uint64
_BASE = 0x100000001B3  # odd, so invertible mod 2**64
_BASE_INV = pow(_BASE, -1, 1 << 64)
_SUB_BATCH = 1 << 18  # shingles per minhash sub-batch: keeps the working set in cache
_powers: tuple[np.ndarray, np.ndarray] = (np.ones(1, _U64), np.ones(1, _U64))


Normalised = tuple[np.ndarray, np.ndarray]  # byte offsets (n + 1, from 0), UTF-8 bytes


def normalise(texts: pa.Array | pa.ChunkedArray | pl.Series) -> pl.Series:
    """Lowercase, digit runs to ``0``, non-word runs to one space, Latin accents stripped.

    Accents are stripped (NFKD, then combining marks dropped) from Latin letters only.
    """
    s = texts if isinstance(texts, pl.Series) else pl.Series(texts)
    s = s.cast(pl.String).fill_null("")
    latin = s.str.contains(r"[\u00c0-\u024f\u1e00-\u1eff]").to_numpy()
    if latin.any():  # decomposing is slow: only rows with accented Latin letters need it
        rows = np.flatnonzero(latin)
        folded = s.gather(rows).str.normalize("NFKD").str.replace_all(r"\p{Mn}+", "")
        s = s.scatter(rows, folded)
    return (
        s.str.to_lowercase()
        .str.replace_all(r"\d+", "0")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars(" ")
    )


def normalise_bytes(texts: pa.Array | pa.ChunkedArray | pl.Series) -> Normalised:
    """:func:`normalise`'s output as byte offsets and one UTF-8 buffer."""
    return _buffers(normalise(texts))


def fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (a bijection that spreads every input bit)."""
    x = x ^ (x >> _U64(33))
    x = x * _U64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> _U64(33))
    x = x * _U64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> _U64(33))


def _powers_of(base: int, n: int) -> np.ndarray:
    """``base**j mod 2**64`` for ``j < n``, as blocks: an outer product of two short tables."""
    block = 1 << 16
    small = np.full(block, base, _U64)
    small[0] = 1
    small = np.cumprod(small, dtype=_U64)
    big = np.full(-(-n // block), pow(base, block, 1 << 64), _U64)
    big[0] = 1
    big = np.cumprod(big, dtype=_U64)
    return (big[:, None] * small[None, :]).reshape(-1)[:n]


def _power_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    global _powers
    if len(_powers[0]) < n:
        size = max(n, 2 * len(_powers[0]), 1 << 23)
        _powers = (_powers_of(_BASE, size), _powers_of(_BASE_INV, size))
    return _powers[0][:n], _powers[1][:n]


def _buffers(norm: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Byte offsets (n + 1, from 0) and the UTF-8 bytes of a string series."""
    arr = norm.to_arrow().cast(pa.large_string())
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], np.int64)[arr.offset : arr.offset + n + 1]
    data_buf = arr.buffers()[2]
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    data = data[offsets[0] : offsets[-1]]
    return offsets - offsets[0], data


def shingle_hashes(
    norm: Normalised | pl.Series, n: int = 5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hashes of the word ``n``-grams of normalised texts.

    Returns ``(hashes, doc_offsets, word_counts)``: the hashes of document ``d`` are
    ``hashes[doc_offsets[d]:doc_offsets[d + 1]]``. A document with fewer than ``n``
    words has one shingle (its whole text); an empty one has none.
    """
    offsets, data = _buffers(norm) if isinstance(norm, pl.Series) else norm
    docs, size = len(offsets) - 1, len(data)
    pw, inv = _power_tables(size + 1)
    prefix = np.zeros(size + 1, _U64)
    weighted = data.astype(_U64)
    weighted += _U64(1)
    weighted *= pw[:size]
    np.cumsum(weighted, out=prefix[1:])
    del weighted
    nonempty = np.flatnonzero(np.diff(offsets) > 0)
    spaces = np.flatnonzero(data == 32)
    starts = np.zeros(size + 1, np.bool_)
    starts[spaces + 1] = True
    starts[offsets[nonempty]] = True
    words = np.zeros(docs, np.int64)
    if len(nonempty):
        words[nonempty] = np.add.reduceat(starts[:size], offsets[nonempty], dtype=np.int64)
    starts = np.flatnonzero(starts[:size])
    ends = np.zeros(size + 1, np.bool_)
    ends[spaces] = True
    ends[offsets[nonempty + 1]] = True
    ends = np.flatnonzero(ends)
    # word i opens a shingle when n - 1 words of its document follow it; a document with
    # fewer than n words has one shingle, opened by its first word, ending at its last
    first_word = np.zeros(docs, np.int64)
    np.cumsum(words[:-1], out=first_word[1:])
    pos = np.arange(len(starts)) - np.repeat(first_word, words)
    i = np.flatnonzero(pos <= np.repeat(np.maximum(words - n, 0), words))
    last = np.repeat(first_word + words - 1, words)
    sh_start, sh_end = starts[i], ends[np.minimum(i + (n - 1), last[i])]
    per_doc = np.where(words >= n, words - (n - 1), (words > 0).astype(np.int64))
    doc_offsets = np.zeros(docs + 1, np.int64)
    np.cumsum(per_doc, out=doc_offsets[1:])
    h = (prefix[sh_end] - prefix[sh_start]) * inv[sh_start]
    h = fmix64(h ^ (sh_end - sh_start).astype(_U64) * _U64(0x9E3779B97F4A7C15))
    return h, doc_offsets, words


def permutations(num_perm: int, seed: int) -> np.ndarray:
    """The odd 64-bit multipliers of the ``num_perm`` hash permutations."""
    rng = np.random.Generator(np.random.PCG64(seed))
    return rng.integers(0, 1 << 63, size=num_perm, dtype=np.uint64) * _U64(2) + _U64(1)


def signatures(hashes: np.ndarray, doc_offsets: np.ndarray, mult: np.ndarray) -> np.ndarray:
    """MinHash signatures, shape ``(docs, num_perm)`` uint32; all-ones for empty docs."""
    docs = len(doc_offsets) - 1
    sig = np.full((docs, len(mult)), np.iinfo(np.uint64).max, _U64)
    counts = np.diff(doc_offsets)
    live = np.flatnonzero(counts > 0)
    i = 0
    while i < len(live):  # sub-batches of whole documents, about _SUB_BATCH shingles each
        lo = doc_offsets[live[i]]
        j = int(np.searchsorted(doc_offsets[live + 1], lo + _SUB_BATCH, side="right"))
        j = max(j, i + 1)
        group = live[i:j]
        hi = doc_offsets[group[-1] + 1]
        sub = hashes[lo:hi]
        buf = np.empty_like(sub)
        idx = doc_offsets[group] - lo
        for p, a in enumerate(mult):
            np.multiply(sub, a, out=buf)
            sig[group, p] = np.minimum.reduceat(buf, idx)
        i = j
    return (sig >> _U64(32)).astype(np.uint32)


def band_hashes(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 bucket key per (document, band), shape ``(docs, bands)``."""
    docs = sig.shape[0]
    cols = sig[:, : bands * rows].astype(_U64).reshape(docs, bands, rows)
    h = np.broadcast_to(np.arange(bands, dtype=_U64), (docs, bands)).copy()
    for r in range(rows):
        h = fmix64(h * _U64(0x9E3779B97F4A7C15) ^ cols[:, :, r])
    return h


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle-hash sets (arrays of unique values)."""
    if not len(a) and not len(b):
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)
