"""Shingles, signatures and components against plain-Python references."""

from __future__ import annotations

import random

import numpy as np
import polars as pl

from crawlsift.dedup import cluster, minhash
from tests.dedup.conftest import vocabulary


def _reference_shingles(text: str, n: int) -> list[str]:
    words = text.split()
    if len(words) < n:
        return [text] if words else []
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


def test_normalise() -> None:
    got = minhash.normalise(pl.Series(["Café  DÉJÀ-vu, 2024!", "  ", None, "über\nAlles"]))
    assert got.to_list() == ["cafe deja vu 0", "", "", "uber alles"]


def test_shingle_hashes_match_word_ngrams() -> None:
    rng = random.Random(1)
    vocab = vocabulary(1, 40)
    texts = [" ".join(rng.choices(vocab, k=rng.randint(0, 14))) for _ in range(500)]
    norm = minhash.normalise(pl.Series(texts))
    hashes, offsets, words = minhash.shingle_hashes(norm, 5)
    seen: dict[str, int] = {}
    for d, text in enumerate(norm.to_list()):
        ref = _reference_shingles(text, 5)
        assert words[d] == len(text.split())
        assert offsets[d + 1] - offsets[d] == len(ref)
        for shingle, h in zip(ref, hashes[offsets[d] : offsets[d + 1]].tolist(), strict=True):
            assert seen.setdefault(shingle, h) == h  # same shingle, same hash, any document
    assert len(set(seen.values())) == len(seen)  # and no collisions


def test_hashes_are_pinned() -> None:
    """Index files store these values: a change here invalidates every index."""
    hashes, _, _ = minhash.shingle_hashes(minhash.normalise(pl.Series(["a b c d e f"])), 5)
    assert hashes.tolist() == [13714955126240289348, 17493863927789366031]
    sig = minhash.signatures(hashes, np.array([0, 2]), minhash.permutations(3, 1))
    assert sig.tolist() == [[861780924, 798061529, 100391037]]


def test_signature_agreement_estimates_jaccard() -> None:
    rng = random.Random(4)
    vocab = vocabulary(4)
    base = rng.choices(vocab, k=600)
    texts = []
    for changed in (0, 30, 90, 200):
        words = base[:]
        for i in rng.sample(range(600), changed):
            words[i] = rng.choice(vocab)
        texts.append(" ".join(words))
    hashes, offsets, _ = minhash.shingle_hashes(minhash.normalise(pl.Series(texts)), 5)
    sig = minhash.signatures(hashes, offsets, minhash.permutations(256, 1))
    sets = [np.unique(hashes[offsets[d] : offsets[d + 1]]) for d in range(len(texts))]
    for d in range(len(texts)):
        assert abs(minhash.jaccard(sets[0], sets[d]) - np.mean(sig[0] == sig[d])) < 0.1
    bands = minhash.band_hashes(sig, 14, 8)
    assert (bands[0] == bands[0]).all() and bands.shape == (4, 14)


def test_components_label_each_node_with_its_minimum() -> None:
    u = np.array([9, 4, 7, 2, 12])
    v = np.array([4, 7, 1, 3, 11])
    nodes, roots = cluster.components(u, v)
    assert dict(zip(nodes.tolist(), roots.tolist(), strict=True)) == {
        1: 1,
        4: 1,
        7: 1,
        9: 1,
        2: 2,
        3: 2,
        11: 11,
        12: 11,
    }
