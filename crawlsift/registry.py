"""Stages by name.

A stage is a callable from an Arrow table to an Arrow table, with one frozen,
keyword-only options dataclass whose defaults are the published recipe. The CLI,
presets and reports find stages here, by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

StageFn = Callable[..., pa.Table]


@dataclass(frozen=True)
class StageSpec:
    """A registered stage: its name, function and options class."""

    name: str
    fn: StageFn
    options: type[Any]
    doc: str
    #: the columns of :mod:`crawlsift.schema` the stage sets (adds or rewrites)
    columns: tuple[str, ...] = ()


STAGES: dict[str, StageSpec] = {}


def register(
    name: str, options: type[Any], columns: tuple[str, ...] = ()
) -> Callable[[StageFn], StageFn]:
    """Decorator registering a stage: ``@register("repair", RepairOptions, columns=(...))``.

    ``columns`` names every column the stage sets, so that a pipeline knows its output
    columns before it sees a batch (each batch of a run then has the same columns)."""

    def wrap(fn: StageFn) -> StageFn:
        if name in STAGES:
            raise ValueError(f"stage {name!r} registered twice")
        doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        STAGES[name] = StageSpec(name=name, fn=fn, options=options, doc=doc, columns=columns)
        return fn

    return wrap


def get_stage(name: str) -> StageSpec:
    """The stage registered as ``name``; raises KeyError listing the known names."""
    try:
        return STAGES[name]
    except KeyError:
        raise KeyError(f"unknown stage {name!r}; known: {', '.join(sorted(STAGES))}") from None
