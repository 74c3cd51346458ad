"""The repair rules, each declared once by the module that holds it.

A rule module declares its rules in ``RULES``, a tuple of :class:`RepairRule`: the reason
code it writes and what it means, its options dataclass, the :class:`RepairOptions` switch
that turns it on, and how it marks lines. :func:`repair_rules` collects the declarations of
:data:`RULE_MODULES` in order, which is the order the rules claim lines; the repair stage,
the reason list (:func:`crawlsift.reasons.every_reason`) and ``RepairOptions.rules`` read
them from there.

.. The stage module imports this one, so this one imports no stage code.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, is_dataclass
from functools import cache
from typing import Any

import polars as pl

from crawlsift.errors import InputError
from crawlsift.reasons import Reason
from crawlsift.repair.lines import Rule

#: the modules that declare repair rules, in the order their rules claim lines (a module's
#: rules in the order of its ``RULES``); then those named (comma-separated import paths) by
#: ``CRAWLSIFT_REPAIR_MODULES``, so a rule can be added from outside the package
RULE_MODULES: tuple[str, ...] = (
    "crawlsift.repair.error_banner",
    "crawlsift.repair.boilerplate",
    "crawlsift.repair.title",
    "crawlsift.repair.content_density",
    "crawlsift.repair.repeated_blocks",
    *filter(None, (m.strip() for m in os.environ.get("CRAWLSIFT_REPAIR_MODULES", "").split(","))),
)

#: a rule that runs as a step of its own: ``step(lines, markup=..., opts=...)`` returns the
#: line table with ``reason`` set on the lines it removes
Step = Callable[..., pl.LazyFrame]


@dataclass(frozen=True, kw_only=True)
class RepairRule:
    """A repair rule as its module declares it.

    ``code`` is the reason its edits carry and ``meaning`` says what it removes (both go to
    the reason list and ``docs/reasons.md``). ``options`` is its frozen options dataclass,
    which holds every threshold it has; called without arguments it gives the defaults.
    ``switch`` names the boolean field of ``RepairOptions`` that turns it on (``None``: always
    on). It marks lines either as a ``line_rule``, a function of its options returning the
    :class:`~crawlsift.repair.lines.Rule` the stage runs beside the other line rules, or as a
    ``step`` of its own, for a rule that needs more than polars expressions (the low-content
    rule finds its runs in numpy)."""

    code: str
    meaning: str
    options: type
    switch: str | None
    line_rule: Callable[[Any], Rule] | None = None
    step: Step | None = None

    def __post_init__(self) -> None:
        if (self.line_rule is None) == (self.step is None):
            raise InputError(f"repair rule {self.code}: give one of line_rule and step")
        if not is_dataclass(self.options):
            raise InputError(f"repair rule {self.code}: options must be a dataclass")

    @property
    def reason(self) -> Reason:
        """Its entry in the reason list."""
        return Reason(self.code, "repair", "edit", self.meaning)


@cache
def repair_rules() -> tuple[RepairRule, ...]:
    """Every declared repair rule, in the order the rules claim lines."""
    rules: list[RepairRule] = []
    for name in RULE_MODULES:
        declared = getattr(importlib.import_module(name), "RULES", None)
        if not isinstance(declared, tuple) or not all(isinstance(r, RepairRule) for r in declared):
            raise InputError(f"repair rule module {name} must declare RULES, a tuple of RepairRule")
        rules += declared
    codes = [r.code for r in rules]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise InputError(f"two repair rules declare the reason code {', '.join(twice)}")
    options = [r.options for r in rules]
    shared = sorted({o.__qualname__ for o in options if options.count(o) > 1})
    if shared:
        raise InputError(f"two repair rules share the options class {', '.join(shared)}")
    return tuple(rules)
