"""Pass 3: documents joined with their decisions, written as kept and rejected shards.

``work/docs`` parts and ``work/decisions.parquet`` are both in row order, so the join
is a merge of two streams and memory stays bounded by one part.

Every shard of ``kept/`` has one schema, and every shard of ``rejected/`` one schema: the
columns of all inputs, in the order they first appear (inputs in path order), then the
columns dedup adds. A row whose input had no such column holds a null there. A column
whose types differ between inputs is unified by the rule of ``clean``'s outputs
(:mod:`crawlsift.io.passthrough`); crawlsift's own columns keep the types
:mod:`crawlsift.schema` gives them; the raw ``html``, as in ``clean``'s outputs, is not
written.

Kept rows carry the text after site boilerplate stripping and its ``site_boilerplate``
edits; rejected rows carry the text and edits dedup read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.parquet as pq

from crawlsift import schema as S
from crawlsift.dedup.cluster import BOILERPLATE_ONLY, EMPTY, EXACT, NEAR
from crawlsift.engine.output import KINDS
from crawlsift.io.passthrough import conform, unify_schemas
from crawlsift.io.writers import RollingWriter

STAGE = "dedup"
READ_TEXT, READ_EDITS = "_read_text", "_read_edits"  # work columns: text and edits as read
_WORK = ("_row", READ_TEXT, READ_EDITS)
_KEPT_ADDED = (S.KEEP, S.REASON, S.STAGE, S.DEDUP_CLUSTER, S.DEDUP_CLUSTER_SIZE)
_REJECTED_ADDED = (*_KEPT_ADDED, S.DEDUP_DUPLICATE_OF)


@dataclass
class Counts:
    """What the write pass saw."""

    kept: int = 0
    removed_exact: int = 0
    removed_near: int = 0
    clusters: int = 0
    boilerplate_only: int = 0
    empty_text: int = 0
    rejected_before: int = 0


def _decision_batches(path: Path) -> Iterator[pa.Table]:
    for batch in pq.ParquetFile(path).iter_batches(1 << 16):
        yield pa.Table.from_batches([batch])


def run_schema(schemas: list[pa.Schema]) -> pa.Schema:
    """One schema for every input schema (see the module docstring for the rule)."""
    unified = unify_schemas(
        pa.schema([f for f in s if f.name not in _WORK and f.name not in S.INTERNAL_COLUMNS])
        for s in schemas
    )
    return pa.schema([S.field(f.name) if f.name in S.COLUMN_TYPES else f for f in unified])


def _with_added(schema: pa.Schema, added: tuple[str, ...]) -> pa.Schema:
    fields = [f for f in schema if f.name not in _REJECTED_ADDED]
    return pa.schema(fields + [S.field(n) for n in added])


def write_outputs(
    work: Path,
    out: Path,
    fmt: str,
    shard_rows: int,
    on_part: Callable[[int], None] | None = None,
) -> Counts:
    """Write ``out/kept`` and ``out/rejected``; all shards commit together at the end.

    ``on_part`` is called with the rows of each part once written.
    """
    parts = sorted((work / "docs").glob("*.arrow"))
    base = run_schema([feather.read_table(p, memory_map=True).schema for p in parts])
    schemas = {
        "kept": _with_added(base, _KEPT_ADDED),
        "rejected": _with_added(base, _REJECTED_ADDED),
    }
    decisions = _decision_batches(work / "decisions.parquet")
    buffer = pa.table({})
    writers = {k: RollingWriter(str(out / k), "part", fmt, shard_rows) for k in KINDS}
    counts = Counts()
    try:
        for path in parts:
            table = feather.read_table(path, memory_map=True)
            while buffer.num_rows < table.num_rows:
                nxt = next(decisions)
                buffer = nxt if not buffer.num_rows else pa.concat_tables([buffer, nxt])
            dec, buffer = buffer.slice(0, table.num_rows), buffer.slice(table.num_rows)
            if not dec.column("row").equals(table.column("_row")):
                raise RuntimeError("dedup decisions out of row order")  # a bug, not bad input
            for kind, rows in _split(table, dec, counts).items():
                writers[kind].write(conform(rows, schemas[kind]))
            if on_part is not None:
                on_part(table.num_rows)
        for writer in writers.values():
            writer.commit()
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    return counts


def _split(table: pa.Table, dec: pa.Table, counts: Counts) -> dict[str, pa.Table]:
    """The kept and the rejected rows of one part, with dedup's columns set."""
    n = table.num_rows
    reason = dec.column("dedup_reason").cast(pa.string())
    if S.REASON in table.column_names:  # rows rejected before dedup keep their reason
        upstream = pc.is_valid(table.column(S.REASON))
        reason = pc.if_else(upstream, table.column(S.REASON).cast(pa.string()), reason)
        stage = pc.if_else(
            upstream,
            table.column(S.STAGE).cast(pa.string())
            if S.STAGE in table.column_names
            else pa.nulls(n, pa.string()),
            pa.scalar(STAGE),
        )
    else:
        upstream = pa.array([False] * n)
        stage = pa.array([STAGE] * n, pa.string())
    gone = pc.is_valid(reason)
    decided = {name: dec.column(name).cast(S.COLUMN_TYPES[name]) for name in _DECIDED}
    table = S.with_columns(table, decided)
    kept = table.filter(pc.invert(gone))
    kept = S.with_columns(
        kept,
        {
            S.KEEP: pa.array([True] * kept.num_rows, pa.bool_()),
            S.REASON: pa.nulls(kept.num_rows, pa.string()),
            S.STAGE: pa.nulls(kept.num_rows, pa.string()),
        },
    )
    rejected = table.filter(gone)
    restored = pc.is_valid(rejected.column(READ_TEXT))  # stripped: give back the text read
    rejected = S.with_columns(
        rejected,
        {
            S.TEXT: pc.if_else(restored, rejected.column(READ_TEXT), rejected.column(S.TEXT)),
            S.EDITS: pc.if_else(restored, rejected.column(READ_EDITS), rejected.column(S.EDITS)),
            S.KEEP: pa.array([False] * rejected.num_rows, pa.bool_()),
            S.REASON: reason.filter(gone),
            S.STAGE: stage.filter(gone),
        },
    )
    dropped = reason.filter(gone)
    counts.kept += kept.num_rows
    for name, code in (
        ("removed_exact", EXACT),
        ("removed_near", NEAR),
        ("boilerplate_only", BOILERPLATE_ONLY),
        ("empty_text", EMPTY),
    ):
        setattr(
            counts, name, getattr(counts, name) + (pc.sum(pc.equal(dropped, code)).as_py() or 0)
        )
    counts.rejected_before += pc.sum(upstream).as_py() or 0
    big = pc.and_(pc.invert(gone), pc.greater(dec.column(S.DEDUP_CLUSTER_SIZE), 1))
    counts.clusters += pc.sum(big).as_py() or 0
    return {"kept": kept, "rejected": rejected}


_DECIDED = (S.DEDUP_CLUSTER, S.DEDUP_CLUSTER_SIZE, S.DEDUP_DUPLICATE_OF)
