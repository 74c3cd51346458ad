"""The maximum-sum run finder against brute force, for many documents at once."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift.repair.content_density import best_runs

DOCS = st.lists(st.lists(st.integers(-60, 300), min_size=1, max_size=25), min_size=1, max_size=6)


def _max_subarray(weights: list[int]) -> int:
    return max(
        (sum(weights[i:j]) for i in range(len(weights)) for j in range(i + 1, len(weights) + 1)),
        default=0,
    )


@settings(max_examples=200, deadline=None)
@given(DOCS)
def test_single_run_is_contiguous_and_has_the_maximum_sum(docs):
    doc = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
    weight = np.concatenate([np.array(d) for d in docs])
    inside = best_runs(doc, weight, max_runs=1, min_share=0.5)
    offset = 0
    for weights in docs:
        mask = inside[offset : offset + len(weights)]
        offset += len(weights)
        best = _max_subarray(weights)
        if best <= 0:
            assert not mask.any()
            continue
        picked = np.flatnonzero(mask)
        assert picked.size and (np.diff(picked) == 1).all()  # one contiguous run
        assert sum(np.array(weights)[mask]) == best


def test_second_run_needs_half_the_weight_of_the_first():
    # prose, a long menu, a smaller prose block, a longer menu, a tiny prose line
    weights = [200, 200, -50, -50, -50, -50, -50, -50, 150, 100, *([-30] * 20), 40]
    doc = np.zeros(len(weights), dtype=np.int64)
    inside = best_runs(doc, np.array(weights), max_runs=3, min_share=0.5)
    assert inside[:2].all() and inside[8:10].all()
    assert not inside[2:8].any() and not inside[10:].any()
