"""A pipeline: an ordered list of registered stages with their options.

A ``Pipeline`` is itself a batch function (``pa.Table -> pa.Table``), so the local
engine, Ray Data's ``map_batches`` and the single-record API all run the same object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa

# importing the stage modules registers them
import crawlsift.extract.html_text
import crawlsift.io.guard
import crawlsift.repair.stage
import crawlsift.signals  # noqa: F401
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
        return table

    def describe(self) -> dict[str, Any]:
        """Stage names and their effective options, for run manifests and reports."""
        out: dict[str, Any] = {}
        for name in self.stages:
            spec = get_stage(name)
            out[name] = asdict(self.options.get(name) or spec.options())
        return out
