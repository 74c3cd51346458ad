"""Why a record was rejected, in numbers: a filter rule's measured value against its threshold.

``explain`` and ``report.html`` both write a rejection by a threshold rule as
``gopher_below_alpha_threshold: 0.7999 < 0.8 (gopher_alpha_words_ratio)``: the rule, the
value the record measured, the comparison that failed and the signal column it read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawlsift import schema as S
from crawlsift.signals.filters import (
    LANGUAGE,
    RULES,
    FilterOptions,
    language_thresholds,
    thresholds,
)

#: how a failed rule compares its measured value with the threshold
_FAILED = {"min": "<", "max": ">"}


def _filter_options(pipeline: Mapping[str, Any] | None) -> FilterOptions | None:
    options = (pipeline or {}).get("filter")
    if not options:
        return None
    return FilterOptions(
        preset=options.get("preset"),
        config=options.get("config"),
        rules=tuple(tuple(r) for r in options.get("rules") or ()),
    )


def run_thresholds(pipeline: Mapping[str, Any] | None) -> dict[str, Any]:
    """The effective filter thresholds of a pipeline description (``Pipeline.describe()``,
    or a run manifest's ``pipeline``); empty when it has no filter stage.

    Raises ``InputError`` when the filter's TOML config can no longer be read.
    """
    opts = _filter_options(pipeline)
    return thresholds(opts) if opts is not None else {}


def run_language_thresholds(pipeline: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The thresholds by language of a pipeline description, where they differ from
    :func:`run_thresholds` (``fineweb2``'s data, ``[rules.<lang>]`` sections)."""
    opts = _filter_options(pipeline)
    return language_thresholds(opts) if opts is not None else {}


def row_limits(
    row: Mapping[str, Any], limits: Mapping[str, Any], by_language: Mapping[str, Any]
) -> dict[str, Any]:
    """The thresholds ``row`` was judged by: ``limits`` with its language's over them."""
    own = by_language.get(row.get(LANGUAGE) or "", {})
    merged = {**limits, **own}
    return {k: v for k, v in merged.items() if v is not False}


def number(value: Any, limit: Any = None) -> str:
    """``value`` written short: four significant digits, more where fewer would make it
    look equal to ``limit`` or put it on the other side of it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    comparable = isinstance(limit, int | float) and not isinstance(limit, bool)
    for digits in range(4, 18):
        text = f"{value:.{digits}g}"
        if not comparable:
            return text
        shown = float(text)
        same_side = (shown < limit) == (value < limit) and (shown > limit) == (value > limit)
        if same_side and (shown != limit or value == limit):
            return text
    return repr(value)


def rule_text(reason: str, limits: Mapping[str, Any]) -> str | None:
    """What a threshold rule rejects, e.g. ``gopher_alpha_words_ratio < 0.8``; None when
    ``reason`` is not a rule of this run."""
    rule = RULES.get(reason)
    if rule is None or reason not in limits:
        return None
    limit = limits[reason]
    if rule.kind in _FAILED:
        return f"{rule.column} {_FAILED[rule.kind]} {number(limit)}"
    if rule.kind == "flag":
        return f"{rule.column} is {str(bool(limit)).lower()}"
    if rule.kind == "in":
        return f"{rule.column} not in {', '.join(map(str, limit))}"
    return f"{rule.column} cannot be measured (no text)"


def measured(row: Mapping[str, Any], limits: Mapping[str, Any]) -> str | None:
    """The measured value of a record rejected by a threshold rule against the threshold,
    e.g. ``gopher_below_alpha_threshold: 0.7999 < 0.8 (gopher_alpha_words_ratio)``; None
    for a record that was kept or rejected for another reason."""
    reason = row.get(S.REASON)
    if not isinstance(reason, str):
        return None
    rule = RULES.get(reason)
    if row.get(S.KEEP) or rule is None or rule.column not in row:
        return None
    value = row.get(rule.column)
    if reason not in limits:  # the run's thresholds are unknown: the value alone
        return f"{reason}: {rule.column} = {number(value)}" if value is not None else None
    limit = limits[reason]
    if rule.kind in _FAILED:
        if value is None:
            return None
        sign = _FAILED[rule.kind]
        return f"{reason}: {number(value, limit)} {sign} {number(limit)} ({rule.column})"
    if rule.kind == "flag":
        return f"{reason}: {rule.column} = {str(value).lower()}"
    if rule.kind == "in":
        shown = "none" if value is None else str(value)
        return f"{reason}: {shown} not in {', '.join(map(str, limit))} ({rule.column})"
    return f"{reason}: {rule.column} cannot be measured (no text)"
