"""Shingles, signatures and components against plain-Python references."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa

from crawlsift.dedup import cluster, minhash, tokens
from tests.dedup.conftest import vocabulary

PINNED_SHINGLES = [8423293282142380477, 17521868556989335633]
PINNED_SIGNATURE = [1251606372, 2388370452, 1385820868]


def _shingles(texts: list[str | None], n: int = 5) -> tuple[np.ndarray, np.ndarray]:
    return minhash.shingle_hashes(tokens.words(pa.array(texts, pa.large_string())), n)


def test_shingle_hashes_match_word_ngrams() -> None:
    rng = random.Random(1)
    vocab = vocabulary(1, 40)
    texts = [" ".join(rng.choices(vocab, k=rng.randint(0, 14))) for _ in range(500)]
    hashes, offsets = _shingles(texts)
    seen: dict[tuple[str, ...], int] = {}
    for d, text in enumerate(texts):
        words = text.split()
        ref = [tuple(words[i : i + 5]) for i in range(len(words) - 4)] or (
            [tuple(words)] if words else []
        )
        assert offsets[d + 1] - offsets[d] == len(ref)
        for shingle, h in zip(ref, hashes[offsets[d] : offsets[d + 1]].tolist(), strict=True):
            assert seen.setdefault(shingle, h) == h  # same shingle, same hash, any document
    assert len(set(seen.values())) == len(seen)  # and no collisions


def test_hashes_are_pinned() -> None:
    """Index files store these values: a change here invalidates every index."""
    hashes, _ = _shingles(["a b c d e f"])
    assert hashes.tolist() == PINNED_SHINGLES
    sig = minhash.signatures(hashes, np.array([0, 2]), minhash.permutations(3, 1))
    assert sig.tolist() == [PINNED_SIGNATURE]


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
    hashes, offsets = _shingles(texts)
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
