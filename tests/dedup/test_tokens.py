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
    return "".join(
        str(unicodedata.decimal(c)) if unicodedata.category(c) == "Nd" else c for c in text
    )


def reference_words(text: str | None, fold_digits: bool = False) -> list[str]:
    folded = "".join(_fold(c) for c in text or "")
    if fold_digits:
        folded = re.sub("[0-9]+", "0", folded)
    folded = folded.replace("\x00", "")
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


def _check(texts: list[str | None], fold_digits: bool = False) -> None:
    got = tokens.words(pa.array(texts, pa.large_string()), fold_digits)
    assert len(got.offsets) == len(texts) + 1
    for d, text in enumerate(texts):
        want = [reference_hash(w) for w in reference_words(text, fold_digits)]
        assert got.hashes[got.offsets[d] : got.offsets[d + 1]].tolist() == want, repr(text)


def test_examples() -> None:
    assert reference_words("Café  DÉJÀ-vu, 2024! ĳs 3.14 x\u0301y ٣") == [
        "cafe", "deja", "vu", "2024", "ijs", "3", "14", "xy", "3"
    ]  # fmt: skip
    assert reference_words("2024! 3.14 ٣٤", fold_digits=True) == ["0", "0", "0", "0"]
    for fold in (False, True):
        _check(["Café  DÉJÀ-vu, 2024!", "  ", None, "über\nAlles", "cafe\u0301 café"], fold)
    same = tokens.words(pa.array(["cafe\u0301", "CAFÉ", "café"]))
    assert len(set(same.hashes.tolist())) == 1


@pytest.mark.parametrize("fold_digits", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_random_texts_match_the_reference(seed: int, fold_digits: bool) -> None:
    rng = random.Random(seed)
    alphabet = [*"abcXYZ 019.,-_\n\t", *"éÉàüßĳǅ½²٣ＡΣσ中文한국ſİ", "\u0301", "\u0941", "😀", "𝐀"]
    texts: list[str | None] = [
        "".join(rng.choices(alphabet, k=rng.randint(0, 30))) for _ in range(2000)
    ]
    texts += [None, "", "12 34", "a1b2", "文", "", "Y"]  # words touching across documents
    _check(texts, fold_digits)


def test_numbers_tell_texts_apart_unless_folded() -> None:
    texts = ["Draw 12 results: 4 8 15 16 23 42", "Draw 13 results: 1 9 14 27 30 38"]
    apart = tokens.words(pa.array(texts)).keys()
    assert apart[0] != apart[1]
    folded = tokens.words(pa.array(texts), fold_digits=True).keys()
    assert folded[0] == folded[1]


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
