"""Pass 3: documents joined with their decisions, written as kept and rejected shards.

``work/docs`` parts and ``work/decisions.parquet`` are both in row order, so the join
is a merge of two streams and memory stays bounded by one part.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.parquet as pq

from crawlsift import schema as S
from crawlsift.io.writers import RollingWriter

STAGE = "dedup"
_DECIDED = (S.DEDUP_CLUSTER, S.DEDUP_CLUSTER_SIZE, S.DEDUP_DUPLICATE_OF)


@dataclass
class Counts:
    """What the write pass saw."""

    kept: int = 0
    removed_exact: int = 0
    removed_near: int = 0
    clusters: int = 0


def _decision_batches(path: Path) -> Iterator[pa.Table]:
    for batch in pq.ParquetFile(path).iter_batches(1 << 16):
        yield pa.Table.from_batches([batch])


def write_outputs(work: Path, out: Path, fmt: str, shard_rows: int) -> Counts:
    """Write ``out/kept`` and ``out/rejected``; all shards commit together at the end."""
    decisions = _decision_batches(work / "decisions.parquet")
    buffer = pa.table({})
    writers = {
        k: RollingWriter(str(out / k), "part", fmt, shard_rows) for k in ("kept", "rejected")
    }
    counts = Counts()
    try:
        for path in sorted((work / "docs").glob("*.arrow")):
            table = feather.read_table(path, memory_map=True)
            while buffer.num_rows < table.num_rows:
                nxt = next(decisions)
                buffer = nxt if not buffer.num_rows else pa.concat_tables([buffer, nxt])
            dec, buffer = buffer.slice(0, table.num_rows), buffer.slice(table.num_rows)
            if not dec.column("row").equals(table.column("_row")):
                raise RuntimeError("dedup decisions out of row order")  # a bug, not bad input
            _split(table.drop_columns(["_row"]), dec, writers, counts)
        for writer in writers.values():
            writer.commit()
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    return counts


def _split(
    table: pa.Table, dec: pa.Table, writers: dict[str, RollingWriter], counts: Counts
) -> None:
    reason = dec.column("dedup_reason").cast(pa.string())
    dup = pc.is_valid(reason)
    table = S.with_columns(table, {n: dec.column(n).cast(S.COLUMN_TYPES[n]) for n in _DECIDED})
    kept = table.filter(pc.invert(dup))
    writers["kept"].write(kept.drop_columns([S.DEDUP_DUPLICATE_OF]))
    gone = table.filter(dup)
    dropped = reason.filter(dup)
    n = gone.num_rows
    writers["rejected"].write(
        S.with_columns(
            gone,
            {
                S.KEEP: pa.array([False] * n, pa.bool_()),
                S.REASON: dropped,
                S.STAGE: pa.array([STAGE] * n, pa.string()),
            },
        )
    )
    counts.kept += kept.num_rows
    counts.removed_exact += pc.sum(pc.equal(dropped, "dedup_exact")).as_py() or 0
    counts.removed_near += pc.sum(pc.equal(dropped, "dedup_near")).as_py() or 0
    big = pc.and_(pc.invert(dup), pc.greater(dec.column(S.DEDUP_CLUSTER_SIZE), 1))
    counts.clusters += pc.sum(big).as_py() or 0
