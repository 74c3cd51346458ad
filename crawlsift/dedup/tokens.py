"""The words of a batch of texts as 64-bit hashes, computed on the UTF-8 bytes with numpy.

Normalisation is one rule per character, the same in every document:

* lowercase (Python's ``str.lower``); Latin letters with diacritics folded to their base
  letters (NFKD, combining marks dropped: ``É`` -> ``e``, ``ĳ`` -> ``ij``), and the
  combining diacritical marks U+0300-U+036F dropped, so precomposed and decomposed
  spellings agree;
* a decimal digit of any script is its ASCII digit (``٣`` -> ``3``); with ``fold_digits``
  a run of digits is the one character ``0`` instead, so numbers no longer tell texts apart;
* letters, numbers and other marks are word characters; anything else separates words.

Written by hand because doing this with regular expressions (polars) and splitting the
result cost as much as the rest of dedup together. Here most work is byte-wide numpy
passes over the batch's one UTF-8 buffer; non-ASCII characters (under 1% of the bytes of
web text) are decoded only where they occur, and mapped through tables built once from
:mod:`unicodedata`. A word's hash is a polynomial over its characters (prefix sums
mod 2**64, then a 64-bit finaliser), so hashes never depend on batching.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

_U64 = np.uint64
SEP, WORD, DIGIT, DROP = 0, 1, 2, 3  # character classes
_ZERO = ord("0")
_LATIN = ((0x00C0, 0x024F), (0x1E00, 0x1EFF))  # folded by NFKD
_MARKS = (0x0300, 0x036F)  # dropped
_BASE = 0x100000001B3  # odd, so invertible mod 2**64
_BASE_INV = pow(_BASE, -1, 1 << 64)
_GOLDEN = _U64(0x9E3779B97F4A7C15)
_MAX_FOLD = 2  # no character folds to more (checked over all of Unicode)
_CHUNK = 1 << 20  # bytes of text per pass: keeps the arrays in cache and the tables small
_powers: tuple[np.ndarray, np.ndarray] = (np.ones(1, _U64), np.ones(1, _U64))


@dataclass(frozen=True)
class Words:
    """Word hashes of a batch: document ``d``'s are ``hashes[offsets[d]:offsets[d + 1]]``."""

    hashes: np.ndarray  # uint64
    offsets: np.ndarray  # int64, documents + 1

    @property
    def counts(self) -> np.ndarray:
        """Words per document."""
        return np.diff(self.offsets)

    def keys(self) -> np.ndarray:
        """Each document's exact key: xxh3-64 of its word hashes (uint64; equal word
        sequences, equal keys)."""
        ends, data = (self.offsets * 8).tolist(), self.hashes.view(np.uint8).data
        keys = [xxhash.xxh3_64_intdigest(data[a:b]) for a, b in itertools.pairwise(ends)]
        return np.array(keys, dtype=_U64)


def fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (a bijection that spreads every input bit)."""
    x = x ^ (x >> _U64(33))
    x = x * _U64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> _U64(33))
    x = x * _U64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> _U64(33))


def _char_class(ch: str) -> int:
    cat = unicodedata.category(ch)
    if cat == "Nd":
        return DIGIT
    return WORD if cat[0] in "LNM" else SEP


def _fold(cp: int) -> list[tuple[int, int]]:
    """``(code point, class)`` of what character ``cp`` becomes (empty when dropped)."""
    if _MARKS[0] <= cp <= _MARKS[1]:
        return []
    text = chr(cp).lower()
    if any(lo <= cp <= hi for lo, hi in _LATIN):
        nfkd = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in nfkd if unicodedata.category(c) != "Mn") or text
    out = []
    for ch in text:
        cls = _char_class(ch)
        out.append((_ZERO + unicodedata.decimal(ch) if cls == DIGIT else ord(ch), cls))
    return out


class _Table:
    """What each code point folds to, filled in as code points are first seen.

    Web text uses a few thousand distinct non-ASCII characters, so classifying only
    those (with :mod:`unicodedata`) costs far less than building a table of all of
    Unicode up front. The arrays are allocated zeroed, so untouched pages cost nothing.
    Entries are written before ``length`` marks them known, so threads can share it.
    """

    def __init__(self) -> None:
        self.length = np.zeros(0x110000, np.uint8)  # 0: not seen yet; DROP counts as 1
        self.points = np.zeros((0x110000, _MAX_FOLD), np.uint32)
        self.classes = np.zeros((0x110000, _MAX_FOLD), np.uint8)

    def lookup(self, cps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Folded length, code points and classes of the code points ``cps``."""
        for cp in np.unique(cps[self.length[cps] == 0]).tolist():
            folded = _fold(cp) or [(0, DROP)]
            for j, (point, cls) in enumerate(folded):
                self.points[cp, j], self.classes[cp, j] = point, cls
            self.length[cp] = len(folded)
        return self.length[cps], self.points[cps], self.classes[cps]


def _utf8(texts: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Byte offsets (documents + 1, from 0) and the UTF-8 bytes of a string column."""
    arr = texts.cast(pa.large_string())
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], np.int64)[arr.offset : arr.offset + n + 1]
    buf = arr.buffers()[2]
    data = np.frombuffer(buf, np.uint8) if buf is not None else np.zeros(0, np.uint8)
    return offsets - offsets[0], data[offsets[0] : offsets[-1]]


_WIDE = 0x80  # stands for a non-ASCII word character, whose code point is kept aside
_GONE = 0xFF  # a character to drop


@dataclass
class _Stream:
    """One byte per character: ASCII as is, ``_WIDE`` or ``_GONE`` for folded others."""

    chars: np.ndarray  # uint8
    offsets: np.ndarray  # int64, documents + 1, in characters
    wide: np.ndarray  # int64 positions of _WIDE characters
    points: np.ndarray  # their code points


def _decode(data: np.ndarray, leads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Code points and byte widths of the multi-byte characters starting at ``leads``."""
    n = len(data)
    b0 = data[leads].astype(np.uint32)
    width = 2 + (b0 >= 0xE0).astype(np.int64) + (b0 >= 0xF0)
    b1, b2, b3 = (data[np.minimum(leads + k, n - 1)].astype(np.uint32) & 0x3F for k in (1, 2, 3))
    cps = np.where(
        width == 2,
        ((b0 & 0x1F) << 6) | b1,
        np.where(
            width == 3,
            ((b0 & 0x0F) << 12) | (b1 << 6) | b2,
            ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3,
        ),
    )
    return cps, width


def _codes(points: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The stream byte of folded characters: ASCII when they are, else by class."""
    code = np.full(len(points), _WIDE, np.uint8)
    ascii_ = points < 0x80
    code[ascii_] = points[ascii_]  # digits of any script are ASCII digits by now
    code[classes == SEP] = ord(" ")
    code[classes == DROP] = _GONE
    return code


def _stream(offsets: np.ndarray, data: np.ndarray) -> _Stream:
    """Characters of the UTF-8 ``data``, non-ASCII ones folded through the tables."""
    leads = np.flatnonzero(data >= 0xC0)  # first bytes of multi-byte characters
    none = np.zeros(0, np.int64)
    if not len(leads):
        return _Stream(data.copy(), offsets, none, none)
    cps, width = _decode(data, leads)
    skipped = np.zeros(len(leads) + 1, np.int64)  # continuation bytes before each lead
    np.cumsum(width - 1, out=skipped[1:])
    position = leads - skipped[:-1]
    offsets = offsets - skipped[np.searchsorted(leads, offsets)]
    chars = data[(data & 0xC0) != 0x80]
    length, points, classes = _TABLE.lookup(cps)
    if (length > 1).any():  # some fold to several characters (ligatures like "ĳ"): make room
        counts = np.ones(len(chars), np.int64)
        counts[position] = length
        first = np.zeros(len(chars) + 1, np.int64)
        np.cumsum(counts, out=first[1:])
        chars = chars[np.repeat(np.arange(len(chars)), counts)]
        offsets = first[offsets]
        slots = range(points.shape[1])
        position = np.concatenate([first[position[length > j]] + j for j in slots])
        order = np.argsort(position)
        position = position[order]
        points = np.concatenate([points[length > j, j] for j in slots])[order]
        classes = np.concatenate([classes[length > j, j] for j in slots])[order]
    else:
        points, classes = points[:, 0], classes[:, 0]
    code = _codes(points, classes)
    chars[position] = code
    wide = code == _WIDE
    return _Stream(chars, offsets, position[wide], points[wide].astype(np.int64))


def _collapse(s: _Stream, fold_digits: bool) -> _Stream:
    """ASCII lowercased; ``_GONE`` characters dropped; with ``fold_digits``, digits to
    ``0`` with one per run."""
    c = s.chars
    upper = (c - np.uint8(ord("A"))) < 26
    c += upper.view(np.uint8) << np.uint8(5)
    drop = c == _GONE
    if fold_digits:
        digit = (c - np.uint8(_ZERO)) < 10
        drop[1:] |= digit[1:] & digit[:-1]
        starts = s.offsets[:-1][s.offsets[:-1] < len(c)]
        drop[starts] = c[starts] == _GONE  # a run never continues into the next document
        c[digit] = _ZERO
    gone = np.flatnonzero(drop)
    if not len(gone):
        return s
    return _Stream(
        c[~drop],
        s.offsets - np.searchsorted(gone, s.offsets),
        s.wide - np.searchsorted(gone, s.wide),
        s.points,
    )


def _power_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``BASE**j`` and ``BASE**-j`` mod 2**64 for ``j < n`` (kept, grown by doubling)."""
    global _powers
    if len(_powers[0]) < n:
        size = max(n, 2 * len(_powers[0]), 1 << 20)
        _powers = (_powers_of(_BASE, size), _powers_of(_BASE_INV, size))
    return _powers[0][:n], _powers[1][:n]


def _powers_of(base: int, n: int) -> np.ndarray:
    """``base**j mod 2**64`` for ``j < n``: the outer product of two short tables."""
    block = 1 << 12
    small = np.full(block, base, _U64)
    small[0] = 1
    small = np.cumprod(small, dtype=_U64)
    big = np.full(-(-n // block), pow(base, block, 1 << 64), _U64)
    big[0] = 1
    big = np.cumprod(big, dtype=_U64)
    return (big[:, None] * small[None, :]).reshape(-1)[:n]


def words(texts: pa.Array | pa.ChunkedArray, fold_digits: bool = False) -> Words:
    """Hashes of the normalised words of each text (a null text has no words)."""
    offsets, data = _utf8(texts)
    hashes, counts = [], [np.zeros(1, np.int64)]
    for a, b in _runs(offsets):
        chunk = data[offsets[a] : offsets[b]]
        h, per_doc = _chunk_words(offsets[a : b + 1] - offsets[a], chunk, fold_digits)
        hashes.append(h)
        counts.append(per_doc)
    word_offsets = np.cumsum(np.concatenate(counts))
    return Words(
        hashes=np.concatenate(hashes) if hashes else np.zeros(0, _U64), offsets=word_offsets
    )


def _chunk_words(
    offsets: np.ndarray, data: np.ndarray, fold_digits: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Word hashes and words per document of one run of documents."""
    s = _collapse(_stream(offsets, data), fold_digits)
    c, offsets, n = s.chars, s.offsets, len(s.chars)
    is_word = ((c - np.uint8(ord("a"))) < 26) | ((c - np.uint8(_ZERO)) < 10) | (c == _WIDE)
    edge = np.empty(n + 1, np.bool_)  # where a word begins or ends: they alternate
    edge[[0, n]] = is_word[[0, -1]] if n else False
    np.not_equal(is_word[1:], is_word[:-1], out=edge[1:n])
    at = np.flatnonzero(edge)
    starts, ends = at[0::2], at[1::2]
    inner = np.unique(offsets[1:-1])
    inner = inner[(inner > 0) & (inner < n)]
    cross = inner[is_word[inner - 1] & is_word[inner]]  # a word running into the next document
    if len(cross):
        starts = np.insert(starts, np.searchsorted(starts, cross), cross)
        ends = np.insert(ends, np.searchsorted(ends, cross), cross)
    power, inverse = _power_tables(n)
    np.multiply(c, is_word, out=c)  # separators weigh nothing: a word sums up to the next
    weighted = np.multiply(c, power)
    weighted[s.wide] = power[s.wide] * s.points.astype(_U64)
    h = np.add.reduceat(weighted, starts) if len(starts) else np.zeros(0, _U64)
    h *= inverse[starts]
    h = fmix64(h ^ (ends - starts).astype(_U64) * _GOLDEN)
    return h, np.diff(np.searchsorted(starts, offsets))


def hash_strings(strings: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A 64-bit hash of each string's UTF-8 bytes that never changes between versions.

    (polars' ``hash`` may change with polars; the index stores these.) Null hashes as "".
    """
    offsets, data = _utf8(strings)
    out = np.zeros(len(offsets) - 1, _U64)
    for a, b in _runs(offsets):
        starts = offsets[a:b] - offsets[a]
        chunk = data[offsets[a] : offsets[b]]
        power, inverse = _power_tables(len(chunk))
        weighted = np.multiply(chunk, power)
        weighted += power  # byte + 1: a zero byte still counts
        filled = np.flatnonzero(np.diff(offsets[a : b + 1]) > 0)
        if len(filled):  # the runs between the starts of non-empty strings are the strings
            sums = np.add.reduceat(weighted, starts[filled]) * inverse[starts[filled]]
            out[a + filled] = sums
    return fmix64(out ^ np.diff(offsets).astype(_U64) * _GOLDEN)


def _runs(offsets: np.ndarray) -> list[tuple[int, int]]:
    """Runs ``[a, b)`` of whole documents of about ``_CHUNK`` bytes each."""
    cuts = np.unique(np.searchsorted(offsets, np.arange(0, offsets[-1], _CHUNK), side="right") - 1)
    return list(itertools.pairwise(np.union1d(cuts, [0, len(offsets) - 1]).tolist()))


_TABLE = _Table()
