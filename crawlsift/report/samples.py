"""A few kept records per edit reason, with their input text, for the report.

Kept outputs drop ``input_text`` by default, so the spans of their edits could not be
shown later. Each task keeps the first ``per_reason`` kept records showing each edit
reason (with ``input_text``); ``report.html`` draws its examples from these.
"""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S

SAMPLE_COLUMNS = (S.ID, S.URL, S.TITLE, S.INPUT_TEXT, S.TEXT, S.EDITS)


class SampleCollector:
    """Collects up to ``per_reason`` kept records per edit reason across batches."""

    def __init__(self, per_reason: int = 3) -> None:
        self.per_reason = per_reason
        self.counts: Counter[str] = Counter()

    def take(self, kept: pa.Table) -> pa.Table | None:
        """The rows of ``kept`` to add to the samples (None when there are none)."""
        if not kept.num_rows or S.EDITS not in kept.column_names:
            return None
        edits = kept.column(S.EDITS).combine_chunks()
        reasons = pc.struct_field(pc.list_flatten(edits), "reason").to_pylist()
        rows = pc.list_parent_indices(edits).to_pylist()
        chosen: list[int] = []
        for row, reason in zip(rows, reasons, strict=True):
            if self.counts[reason] < self.per_reason and (not chosen or chosen[-1] != row):
                self.counts[reason] += 1
                chosen.append(row)
        if not chosen:
            return None
        return kept.take(sorted(set(chosen))).select(list(SAMPLE_COLUMNS))
