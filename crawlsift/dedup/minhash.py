"""Word-shingle hashes and MinHash signatures, vectorised per batch.

A shingle's hash combines the hashes of its ``n`` words (:mod:`crawlsift.dedup.tokens`)
by a fixed odd multiplier per position, summed mod 2**64 and finalised, so it is computed
for every shingle of a batch with ``n`` array passes over the word hashes. Permutation
``p`` of a shingle maps the top 32 bits ``x`` of its hash to ``x * a_p mod 2**32`` with an
odd ``a_p`` drawn from ``seed`` (a bijection); the signature is the minimum per
permutation, taken with ``np.minimum.reduceat`` over cache-sized runs of documents.
Hashes and signatures never depend on batching or worker counts, so an index stays valid.
"""

from __future__ import annotations

import numpy as np

from crawlsift.dedup.tokens import Words, fmix64

_U64 = np.uint64
_SUB_BATCH = 1 << 18  # shingles per minhash sub-batch: keeps the working set in cache


def shingle_hashes(words: Words, n: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the word ``n``-grams of each document.

    Returns ``(hashes, doc_offsets)``: the hashes of document ``d`` are
    ``hashes[doc_offsets[d]:doc_offsets[d + 1]]``. A document with fewer than ``n``
    words has one shingle (all its words); an empty one has none.
    """
    w, offsets = words.hashes, words.offsets
    position = fmix64(np.arange(1, n + 1, dtype=_U64)) | _U64(1)  # odd, one per word position
    counts = np.diff(offsets)
    per_doc = np.where(counts >= n, counts - (n - 1), (counts > 0).astype(np.int64))
    doc_offsets = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(per_doc, out=doc_offsets[1:])
    full = np.zeros(0, _U64)
    if len(w) >= n:
        span = len(w) - n + 1
        acc = w[:span] * position[0]
        for k in range(1, n):
            acc += w[k : span + k] * position[k]
        ends = np.repeat(offsets[1:], counts)[:span]
        full = acc[np.arange(span) + n <= ends]  # shingles inside one document
    short = np.flatnonzero((counts > 0) & (counts < n))
    if not len(short):
        return fmix64(full), doc_offsets
    part = np.zeros(len(short), _U64)
    for k in range(n - 1):
        has = counts[short] > k
        part[has] += w[offsets[short[has]] + k] * position[k]
    out = np.empty(doc_offsets[-1], _U64)
    is_full = np.ones(len(out), np.bool_)
    is_full[doc_offsets[short]] = False
    out[is_full] = full
    out[doc_offsets[short]] = part
    return fmix64(out), doc_offsets


def permutations(num_perm: int, seed: int) -> np.ndarray:
    """The odd 32-bit multipliers of the ``num_perm`` hash permutations."""
    rng = np.random.Generator(np.random.PCG64(seed))
    return rng.integers(0, 1 << 31, size=num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)


def signatures(hashes: np.ndarray, doc_offsets: np.ndarray, mult: np.ndarray) -> np.ndarray:
    """MinHash signatures, shape ``(docs, num_perm)`` uint32; all-ones for empty docs."""
    docs = len(doc_offsets) - 1
    sig = np.full((docs, len(mult)), np.iinfo(np.uint32).max, np.uint32)
    top = (hashes >> _U64(32)).astype(np.uint32)
    counts = np.diff(doc_offsets)
    live = np.flatnonzero(counts > 0)
    i = 0
    while i < len(live):  # sub-batches of whole documents, about _SUB_BATCH shingles each
        lo = doc_offsets[live[i]]
        j = int(np.searchsorted(doc_offsets[live + 1], lo + _SUB_BATCH, side="right"))
        j = max(j, i + 1)
        group = live[i:j]
        hi = doc_offsets[group[-1] + 1]
        sub = top[lo:hi]
        buf = np.empty_like(sub)
        idx = doc_offsets[group] - lo
        for p, a in enumerate(mult):
            np.multiply(sub, a, out=buf)
            sig[group, p] = np.minimum.reduceat(buf, idx)
        i = j
    return sig


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
