"""Counts per stage and per reason, gathered per batch and merged per run.

``RunStats`` is plain data (JSON-able) so that each finished task can store its own
counts beside its outputs; a resumed run merges the stored counts of finished tasks
with the new ones, and ``stats.json`` always describes the whole output.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S

#: the column of token counts (``crawlsift.signals.tokens.TOKEN_COUNT``, named here so that
#: reading statistics does not import the signal stages)
TOKEN_COUNT = "token_count"


@dataclass
class RunStats:
    """Counters of one task or of a whole run."""

    records_in: int = 0
    bytes_in: int = 0
    kept: int = 0
    rejected: int = 0
    chars_kept: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    rejected_by_stage: Counter[str] = field(default_factory=Counter)
    edits_by_reason: Counter[str] = field(default_factory=Counter)
    chars_removed_by_reason: Counter[str] = field(default_factory=Counter)
    by_format: Counter[str] = field(default_factory=Counter)
    #: archive records that are not documents (WARC request, metadata, warcinfo, ...), by type
    skipped_by_type: Counter[str] = field(default_factory=Counter)
    #: tokens of the kept and of the rejected texts, when the run counted tokens (a
    #: ``token_count`` column: ``crawlsift.signals.tokens``); None otherwise
    tokens_kept: int | None = None
    tokens_rejected: int | None = None

    def add_batch(self, table: pa.Table) -> None:
        """Count a processed batch (after all stages)."""
        n = table.num_rows
        self.records_in += n
        self.bytes_in += payload_bytes(table)
        keep = table.column(S.KEEP).fill_null(False)
        kept = int(pc.sum(keep.cast(pa.int64())).as_py() or 0)
        self.kept += kept
        self.rejected += n - kept
        kept_text = table.filter(keep).column(S.TEXT)
        self.chars_kept += int(pc.sum(pc.utf8_length(kept_text)).as_py() or 0)
        if TOKEN_COUNT in table.column_names:
            counts = table.column(TOKEN_COUNT)
            kept_tokens = int(pc.sum(counts.filter(keep)).as_py() or 0)
            all_tokens = int(pc.sum(counts).as_py() or 0)
            self.tokens_kept = (self.tokens_kept or 0) + kept_tokens
            self.tokens_rejected = (self.tokens_rejected or 0) + all_tokens - kept_tokens
        for col, counter in (
            (S.REASON, self.rejected_by_reason),
            (S.STAGE, self.rejected_by_stage),
            (S.SOURCE_FORMAT, self.by_format),
        ):
            if col not in table.column_names:  # outputs of other commands may lack some
                continue
            for row in pc.value_counts(table.column(col).drop_null()).to_pylist():
                counter[row["values"]] += row["counts"]
        if S.SKIPPED_RECORDS in table.column_names:
            skipped = pc.list_flatten(table.column(S.SKIPPED_RECORDS))
            for row in pc.value_counts(skipped).to_pylist():
                self.skipped_by_type[row["values"]] += row["counts"]
        if S.EDITS in table.column_names and pa.types.is_list(table.schema.field(S.EDITS).type):
            edits = pc.list_flatten(table.column(S.EDITS))
            if len(edits):
                reasons = pc.struct_field(edits, "reason")
                span = pc.subtract(pc.struct_field(edits, "end"), pc.struct_field(edits, "start"))
                grouped = (
                    pa.table({"r": reasons, "n": span})
                    .group_by("r")
                    .aggregate([("n", "count"), ("n", "sum")])
                )
                for r, c, s in zip(*(grouped.column(i).to_pylist() for i in range(3)), strict=True):
                    self.edits_by_reason[r] += c
                    self.chars_removed_by_reason[r] += s

    def merge(self, other: RunStats) -> None:
        """Add another task's counters to these."""
        for name in ("records_in", "bytes_in", "kept", "rejected", "chars_kept"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in _COUNTERS:
            getattr(self, name).update(getattr(other, name))
        for name in _TOKENS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if theirs is not None:
                setattr(self, name, (mine or 0) + theirs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, counters sorted by key for stable output."""
        out: dict[str, Any] = {
            n: getattr(self, n)
            for n in ("records_in", "bytes_in", "kept", "rejected", "chars_kept")
        }
        for name in _COUNTERS:
            out[name] = dict(sorted(getattr(self, name).items()))
        for name in _TOKENS:  # only when the run counted tokens
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunStats:
        """Inverse of ``to_dict``."""
        stats = cls(
            **{n: data[n] for n in ("records_in", "bytes_in", "kept", "rejected", "chars_kept")}
        )
        for name in _COUNTERS:
            getattr(stats, name).update(data.get(name, {}))
        for name in _TOKENS:
            setattr(stats, name, data.get(name))
        return stats


_TOKENS = ("tokens_kept", "tokens_rejected")
_COUNTERS = (
    "rejected_by_reason",
    "rejected_by_stage",
    "edits_by_reason",
    "chars_removed_by_reason",
    "by_format",
    "skipped_by_type",
)


def payload_bytes(table: pa.Table) -> int:
    """Bytes of input a batch carried: its HTML payloads, else its input text."""
    text_col = S.INPUT_TEXT if S.INPUT_TEXT in table.column_names else S.TEXT
    sizes = pc.binary_length(table.column(text_col).cast(pa.large_binary()))
    if S.HTML in table.column_names:
        html = pc.binary_length(table.column(S.HTML))
        sizes = pc.if_else(pc.is_null(html), sizes, html)
    return int(pc.sum(sizes).as_py() or 0)
