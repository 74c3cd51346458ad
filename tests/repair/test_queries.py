"""The repair stage runs a batch as a few polars queries, not one per rule step.

Each polars query costs a fixed planning time, which for one short record is most of the
stage's time; this counts the queries (lazy collects, and eager DataFrame or Series
operations, which polars runs as queries too)."""

from __future__ import annotations

import polars as pl
import pytest

from crawlsift import RepairOptions
from crawlsift import schema as S
from crawlsift.repair.stage import repair

PROSE = (
    "The council approved the new budget on Tuesday after a long debate about school funding, "
    "road repairs and the cost of the proposed library extension downtown."
)
TEXTS = [
    f"Page not found\n{PROSE}\n\n{PROSE}\nShare this article",
    "cafÃ© prices rose again this week, the owners said on Monday morning",
    "© 2024 Example News. All rights reserved.\nMost popular stories\n- Ten things to know",
]


@pytest.fixture
def queries(monkeypatch):
    """The number of polars queries run so far, as a one-item list."""
    count = [0]
    lazy, eager = pl.LazyFrame.collect, pl.LazyFrame._collect_eager

    def counted_lazy(self, *args, **kwargs):
        count[0] += 1
        return lazy(self, *args, **kwargs)

    def counted_eager(self, *args, **kwargs):
        count[0] += 1
        return eager(self, *args, **kwargs)

    monkeypatch.setattr(pl.LazyFrame, "collect", counted_lazy)
    monkeypatch.setattr(pl.LazyFrame, "_collect_eager", counted_eager)
    return count


@pytest.mark.parametrize(
    ("opts", "expected"),
    [
        (RepairOptions(), 3),  # before ftfy, before the numpy runs, the rest
        (RepairOptions(unicode=False), 2),
        (RepairOptions(unicode=False, low_content=False), 1),
    ],
)
def test_a_batch_is_repaired_in_one_query_between_python_steps(queries, opts, expected):
    out = repair(S.input_table(text=TEXTS), opts=opts)
    assert out.num_rows == len(TEXTS)
    assert queries[0] == expected
