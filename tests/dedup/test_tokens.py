"""The numpy tokeniser against a plain-Python reference of its normalisation rules."""

from __future__ import annotations

import random
import re
import unicodedata

import numpy as np
import pyarrow as pa
import pytest

from crawlsift.dedup import tokens

_MASK = (1 << 64) - 1
_BASE = 0x100000001B3
_LATIN = ((0x00C0, 0x024F), (0x1E00, 0x1EFF))


def _fold(ch: str) -> str:
    """What one character becomes; a dropped mark is "\\x00" (it still ends a digit run)."""
    cp = ord(ch)
    if 0x300 <= cp <= 0x36F:
        return "\x00"
    text = ch.lower()
    if any(lo <= cp <= hi for lo, hi in _LATIN):
        nfkd = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in nfkd if unicodedata.category(c) != "Mn") or text
    return "".join("0" if unicodedata.category(c) == "Nd" else c for c in text)


def reference_words(text: str | None) -> list[str]:
    folded = re.sub("0+", "0", "".join(_fold(c) for c in text or "")).replace("\x00", "")
    spaced = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in folded)
    return spaced.split()


def _fmix(x: int) -> int:
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & _MASK
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & _MASK
    return x ^ (x >> 33)


def reference_hash(word: str) -> int:
    h = sum(ord(c) * pow(_BASE, j, 1 << 64) for j, c in enumerate(word)) & _MASK
    return _fmix(h ^ ((len(word) * 0x9E3779B97F4A7C15) & _MASK))


def _check(texts: list[str | None]) -> None:
    got = tokens.words(pa.array(texts, pa.large_string()))
    assert len(got.offsets) == len(texts) + 1
    for d, text in enumerate(texts):
        want = [reference_hash(w) for w in reference_words(text)]
        assert got.hashes[got.offsets[d] : got.offsets[d + 1]].tolist() == want, repr(text)


def test_examples() -> None:
    assert reference_words("Café  DÉJÀ-vu, 2024! ĳs 3.14 x\u0301y") == [
        "cafe", "deja", "vu", "0", "ijs", "0", "0", "xy"
    ]  # fmt: skip
    _check(["Café  DÉJÀ-vu, 2024!", "  ", None, "über\nAlles", "cafe\u0301 café"])
    same = tokens.words(pa.array(["cafe\u0301", "CAFÉ", "café"]))
    assert len(set(same.hashes.tolist())) == 1


@pytest.mark.parametrize("seed", [0, 1])
def test_random_texts_match_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = [*"abcXYZ 019.,-_\n\t", *"éÉàüßĳǅ½²٣ＡΣσ中文한국ſİ", "\u0301", "\u0941", "😀", "𝐀"]
    texts: list[str | None] = [
        "".join(rng.choices(alphabet, k=rng.randint(0, 30))) for _ in range(2000)
    ]
    texts += [None, "", "12 34", "a1b2", "文", "", "Y"]  # words touching across documents
    _check(texts)


def test_chunks_do_not_change_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    texts = [
        " ".join(rng.choices(["ab", "Ça", "9", "日本"], k=rng.randint(0, 50))) for _ in range(300)
    ]
    whole = tokens.words(pa.array(texts))
    monkeypatch.setattr(tokens, "_CHUNK", 97)
    parts = tokens.words(pa.array(texts))
    assert np.array_equal(whole.hashes, parts.hashes)
    assert np.array_equal(whole.offsets, parts.offsets)
