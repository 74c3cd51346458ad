"""Invariants of dedup over random small corpora full of shared lines and copies."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawlsift.dedup import dedup, tokens
from tests.dedup.conftest import outputs, write

# few lines, so that lines recur across pages (boilerplate) and pages recur (copies)
LINES = [
    "Home | News | Sport | Weather",
    "Subscribe to our newsletter for the morning briefing",
    "The council approved the new bridge after a long debate",
    "Flood water reached the market square on Tuesday night",
    "Residents were asked to move their cars to higher ground",
    "The school will reopen once the power is restored",
    "Copyright the Valley Echo, all rights reserved",
    "42",
]
pages = st.tuples(
    st.integers(0, 2), st.lists(st.integers(0, len(LINES) - 1), min_size=1, max_size=5)
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day1=st.lists(pages, min_size=1, max_size=14), day2=st.lists(pages, max_size=14))
# day 1 rejects "newsletter" as site 1's boilerplate; day 2 has it as site 0's only page
@example(day1=[(1, [0, 0, 1]), (1, [1]), (1, [0, 1]), (1, [1, 0])], day2=[(0, [1])])
def test_nothing_lost_nothing_kept_empty_no_copy_of_the_index_kept(
    day1: list[tuple[int, list[int]]], day2: list[tuple[int, list[int]]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root, index, seen = Path(tmp), str(Path(tmp) / "index"), {}
        kept_before: set[str] = set()
        for day, spec in enumerate((day1, day2)):
            rows = [
                {
                    "id": f"d{day}-{i}",
                    "url": f"https://site{host}.example/{i}",
                    "text": "\n".join(LINES[j] for j in lines),
                }
                for i, (host, lines) in enumerate(spec)
            ]
            if not rows:
                continue
            src = write(root / f"day{day}.parquet", rows)
            dedup(str(src), str(root / f"out{day}"), index_dir=index, batch_size=4, workers=1)
            kept, rejected = (t.to_pylist() for t in outputs(root / f"out{day}"))
            text = {r["id"]: r["text"] for r in rows}
            assert sorted(r["id"] for r in kept + rejected) == sorted(text)  # nothing lost
            counts = tokens.words(pa.array([r["text"] for r in kept], pa.large_string())).counts
            assert (counts > 0).all()  # nothing kept empty
            for row in kept:  # stripping only removes whole lines
                assert set(row["text"].split("\n")) <= set(text[row["id"]].split("\n"))
            kept_now = {r["id"] for r in kept}
            for row in rejected:
                assert row["text"] == text[row["id"]]  # a rejected row keeps its text
                if row["dedup_duplicate_of"] is not None:
                    assert row["dedup_duplicate_of"] in kept_now | kept_before
            # The index holds what earlier runs kept: a copy of a kept document is never
            # kept again. A text an earlier run rejected (say, as one site's boilerplate)
            # may be kept on another site, as it would be if both runs were one.
            for row in kept:
                assert text[row["id"]] not in seen
            for r in rows:
                if r["id"] in kept_now:
                    seen.setdefault(r["text"], r["id"])
            kept_before |= kept_now
