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


def test_a_list_between_prose_is_kept_in_extracted_text_but_not_in_visible_text():
    import crawlsift
    from crawlsift import schema as S

    prose = (
        "Whisk the eggs with the sugar until pale, then fold in the flour and the melted "
        "butter a spoonful at a time so that the batter stays light and smooth."
    )
    items = ["• 3 eggs", "• 120 g sugar", "• 100 g flour", "• 50 g butter", "• 1 lemon"]
    text = "\n".join([prose, *items, prose.replace("Whisk", "Then whisk")])
    plain = crawlsift.clean_text(text)
    assert "• 3 eggs" not in plain.text  # in all visible text a list is mostly a menu
    page = "<html><body><main><div><div><article><p>{}</p><ul>{}</ul><p>{}</p></article>"
    html = (page + "</div></div></main></body></html>").format(
        prose, "".join(f"<li>{i[2:]}</li>" for i in items), prose.replace("Whisk", "Then whisk")
    )
    table = S.input_table(id=["r"], html=[html.encode()], charset=["utf-8"])
    extracted = crawlsift.make_pipeline()(table).column(S.TEXT).to_pylist()[0]
    assert all(i[2:] in extracted for i in items)  # the extractor chose it as content
