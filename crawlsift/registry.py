"""Stages by name, and the quality signals and filter rules each signal module declares.

A stage is a callable from an Arrow table to an Arrow table, with one frozen,
keyword-only options dataclass whose defaults are the published recipe. The CLI,
presets and reports find stages here, by name.

The stages come from one explicit list of modules, :data:`STAGE_MODULES`: the registry
imports them (each registers its stage with :func:`register`) the first time a stage is
looked up, so no caller imports a module for its side effect. The signal modules among them
(:data:`SIGNAL_MODULES`) also declare, in one :class:`Signals` value named ``SIGNALS``, the
columns they set (name and Arrow type) and the filter rules that read them; the ``filter``
stage, the presets, the schema, the CLI and ``docs/filters.md`` derive theirs from these.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyarrow as pa

StageFn = Callable[..., pa.Table]

#: the modules that declare quality signals, in the order their stages run in a pipeline
#: and their rules are checked (a document failing several rules is rejected for the first):
#: language first, as in FineWeb's chain, so it is identified on the text before C4's line
#: rules cut it; Gopher quality before Gopher repetition, so a short text is rejected as
#: short rather than for its few n-grams; the quality classifier after the rule-based
#: filters; token counts last, on the text a run writes; then those named (comma-separated
#: import paths) by ``CRAWLSIFT_SIGNAL_MODULES``, so a filter can be added from outside the
#: package
SIGNAL_MODULES: tuple[str, ...] = (
    "crawlsift.signals.language",
    "crawlsift.signals.gopher_quality",
    "crawlsift.signals.gopher_repetition",
    "crawlsift.signals.c4",
    "crawlsift.signals.c4_lines",
    "crawlsift.signals.fineweb",
    "crawlsift.signals.quality",
    "crawlsift.signals.decontam",
    "crawlsift.signals.tokens",
    *filter(None, (m.strip() for m in os.environ.get("CRAWLSIFT_SIGNAL_MODULES", "").split(","))),
)
#: every module that registers a stage
STAGE_MODULES: tuple[str, ...] = (
    "crawlsift.io.guard",
    "crawlsift.urlfilter.stage",
    "crawlsift.extract.html_text",
    "crawlsift.repair.stage",
    *SIGNAL_MODULES,
    "crawlsift.signals.filters",
    "crawlsift.pii.stage",
)
#: the preset that combines the published filters (datatrove's four in a row); the CLI's
#: and the API's default, and the last preset listed
DEFAULT_PRESET = "crawlsift-default"
#: FineWeb's recipe (datatrove's ``examples/fineweb.py``): its filter thresholds are declared
#: with the rules; what else it sets (stage options, URL filter, no repair, PII redaction)
#: is its entry in ``crawlsift.recipes``
FINEWEB_RECIPE = "fineweb"
#: FineWeb-2's recipe: thresholds per language (``crawlsift/data/fineweb2.json``, read by the
#: filter stage) over the defaults its rules declare; words segmented per language
FINEWEB2_RECIPE = "fineweb2"
#: what a rule compares: ``min`` rejects below the threshold, ``max`` above, ``flag`` when
#: the signal is true, ``null`` when it could not be computed (e.g. an empty text), ``in``
#: when the value is not in a list
RULE_KINDS: tuple[str, ...] = ("min", "max", "flag", "null", "in")


@dataclass(frozen=True)
class Rule:
    """A filter rule: the reason code it gives, the column it reads, how it compares, and
    its threshold in each preset that applies it (a rule in no preset is opt-in)."""

    reason: str
    column: str
    kind: str
    meaning: str
    thresholds: Mapping[str, Any] = field(default_factory=dict)
    #: the stage that computes ``column`` (set from the module's :class:`Signals`)
    stage: str = ""

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise ValueError(f"rule {self.reason}: kind {self.kind!r} not in {RULE_KINDS}")


def in_presets(threshold: Any, *presets: str) -> dict[str, Any]:
    """``threshold`` in each of ``presets``: a :attr:`Rule.thresholds` value."""
    return dict.fromkeys(presets, threshold)


@dataclass(frozen=True)
class Signals:
    """What a signal module declares: its stage, the columns it sets, the rules reading them.

    ``columns`` maps each signal column to its Arrow type. ``run_by`` names the stage a preset
    pipeline runs for these rules when it is not ``stage`` itself (C4's signals come from
    ``c4_lines``, which also applies C4's line rules to the text). A module that only provides
    another module's columns declares its stage with no columns and no rules.
    """

    stage: str
    columns: Mapping[str, pa.DataType] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    run_by: str | None = None
    #: the reasons of the edits the stage records (removed or rewritten spans), with meanings
    edits: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for rule in self.rules:
            if rule.column not in self.columns:
                raise ValueError(f"rule {rule.reason} reads {rule.column}, not a column of {self}")
            if not rule.stage:
                object.__setattr__(rule, "stage", self.stage)


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
    columns before it sees a batch (each batch of a run then has the same columns). The
    module must be listed in :data:`STAGE_MODULES`."""

    def wrap(fn: StageFn) -> StageFn:
        if name in STAGES:
            raise ValueError(f"stage {name!r} registered twice")
        doc = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        STAGES[name] = StageSpec(name=name, fn=fn, options=options, doc=doc, columns=columns)
        return fn

    return wrap


def all_stages() -> dict[str, StageSpec]:
    """Every stage, in :data:`STAGE_MODULES` order (importing those modules once)."""
    for module in STAGE_MODULES:
        importlib.import_module(module)
    return STAGES


def get_stage(name: str) -> StageSpec:
    """The stage registered as ``name``; raises KeyError listing the known names."""
    stages = STAGES if name in STAGES else all_stages()
    try:
        return stages[name]
    except KeyError:
        raise KeyError(f"unknown stage {name!r}; known: {', '.join(sorted(stages))}") from None


@cache
def signals() -> tuple[Signals, ...]:
    """The ``SIGNALS`` declarations of :data:`SIGNAL_MODULES`, in order."""
    found = []
    for module in SIGNAL_MODULES:
        declared = getattr(importlib.import_module(module), "SIGNALS", None)
        if not isinstance(declared, Signals):
            raise TypeError(f"{module} declares no SIGNALS = Signals(...)")
        found.append(declared)
    return tuple(found)
