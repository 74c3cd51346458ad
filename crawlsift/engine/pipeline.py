"""A pipeline: an ordered list of registered stages with their options.

A ``Pipeline`` is itself a batch function (``pa.Table -> pa.Table``), so the local
engine, Ray Data's ``map_batches`` and the single-record API all run the same object.
Its output has the same columns, in the same order and with the same types, whatever a
batch holds: the input columns and every column its stages set (null where a stage had
nothing to do), in :data:`crawlsift.schema.COLUMN_TYPES` order, then the input's
pass-through fields.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S
from crawlsift.registry import get_stage

DEFAULT_STAGES: tuple[str, ...] = ("guard", "extract", "repair")


@dataclass(frozen=True)
class Pipeline:
    """Stages by name, with an options object for each (defaults when omitted)."""

    stages: Sequence[str] = DEFAULT_STAGES
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.stages:
            spec = get_stage(name)
            opts = self.options.get(name)
            if opts is not None and not isinstance(opts, spec.options):
                raise TypeError(f"options for {name!r} must be {spec.options.__name__}")

    def __call__(self, table: pa.Table) -> pa.Table:
        for name in self.stages:
            spec = get_stage(name)
            table = spec.fn(table, opts=self.options.get(name) or spec.options())
        return self._conform(table)

    def reject(self, table: pa.Table, reason: str, stage: str) -> pa.Table:
        """Input rows as this pipeline's output, rejected with ``reason`` by ``stage``
        without running any stage (records the engine could not process)."""
        n = table.num_rows
        table = S.with_columns(
            table,
            {S.REASON: pa.array([reason] * n, pa.string()), S.STAGE: pa.array([stage] * n)},
        )
        return self._conform(table)

    @functools.cached_property
    def columns(self) -> tuple[str, ...]:
        """crawlsift's columns in every output batch, in order (``keep`` always among them)."""
        names = {*S.INPUT_COLUMNS, S.KEEP}
        for name in self.stages:
            names.update(get_stage(name).columns)
        return tuple(n for n in S.COLUMN_TYPES if n in names)

    @functools.cached_property
    def _fields(self) -> tuple[pa.Field, ...]:
        return tuple(S.field(name) for name in self.columns)

    def _conform(self, table: pa.Table) -> pa.Table:
        """The stages' output with exactly :attr:`columns` (typed), then pass-through fields."""
        n = table.num_rows
        given = set(table.column_names)
        arrays: list[pa.Array | pa.ChunkedArray] = []
        for f in self._fields:
            if f.name in given:
                column = table.column(f.name)
                # a cast costs a compute call even to the same type: per call, not per row
                arrays.append(column if column.type == f.type else column.cast(f.type))
            elif f.name == S.KEEP:  # without a deciding stage, keep what no stage rejected
                arrays.append(pc.is_null(table.column(S.REASON)))
            else:
                arrays.append(pa.nulls(n, f.type))
        fields = list(self._fields)
        for f in table.schema:
            if f.name not in S.COLUMN_TYPES:
                arrays.append(table.column(f.name))
                fields.append(f)
        return pa.Table.from_arrays(arrays, schema=pa.schema(fields))

    def describe(self) -> dict[str, Any]:
        """Stage names and their effective options, for run manifests and reports."""
        out: dict[str, Any] = {}
        for name in self.stages:
            spec = get_stage(name)
            out[name] = asdict(self.options.get(name) or spec.options())
        return out
