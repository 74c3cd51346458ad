"""The ``filter`` stage: reject documents whose signals cross a threshold, with a named reason.

Each rule names one signal column, a kind (``min``: reject below, ``max``: reject above,
``flag``: reject when true, ``in``: reject when not in a list, ``null``: reject a text the
signal cannot be computed on, e.g. an empty one) and a threshold. A preset is a
set of rules with the published thresholds; a TOML file names the preset it starts from
(``preset = "none"`` for none: the file must say, so no rule applies unannounced) and changes
or switches off (``false``) single rules::

    preset = "gopher"
    [rules]
    gopher_short_doc = 100
    gopher_below_alpha_threshold = false
    language = ["en", "de"]
    language_score = 0.65

Every threshold is checked against its rule's kind (a number, true/false, or a list of
language codes) when the options are made, so a bad file is one :class:`InputError` naming
the rule before any document is read or any output written.

The rules, their thresholds in each preset and the stages computing their signals are
declared by the signal modules (``SIGNALS`` in each of ``crawlsift.registry.SIGNAL_MODULES``);
this module collects them. Rules run in the order of ``RULES`` (module order, then the order
each module declares; datatrove's order within each family); a document gets the reason of
the first rule it fails. Only rows not already rejected are judged; signal columns are left
on every row so a corpus can be re-thresholded without recomputing them.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.errors import InputError
from crawlsift.reasons import Reason
from crawlsift.registry import DEFAULT_PRESET, FINEWEB_RECIPE, Rule, Signals, register, signals

STAGE = "filter"


def collect_rules(declared: Sequence[Signals]) -> dict[str, Rule]:
    """Every rule of the declarations, by reason code, in the order rules are applied."""
    rules: dict[str, Rule] = {}
    for module in declared:
        for rule in module.rules:
            if rule.reason in rules:
                raise ValueError(f"filter rule {rule.reason} declared twice")
            rules[rule.reason] = rule
    return rules


def collect_presets(declared: Sequence[Signals]) -> dict[str, dict[str, Any]]:
    """Thresholds by preset, in the order presets first appear (FineWeb's recipe, then
    ``DEFAULT_PRESET``, last)."""
    presets: dict[str, dict[str, Any]] = {}
    for rule in collect_rules(declared).values():
        for preset, threshold in rule.thresholds.items():
            presets.setdefault(preset, {})[rule.reason] = threshold
    for last in (FINEWEB_RECIPE, DEFAULT_PRESET):  # the ones that combine families, last
        if last in presets:
            presets[last] = presets.pop(last)
    return presets


def signal_stages(declared: Sequence[Signals], rules: Iterable[str]) -> list[str]:
    """The stages computing the signals ``rules`` read, in module order."""
    needed = set(rules)
    order: list[str] = []
    for module in declared:
        if any(rule.reason in needed for rule in module.rules):
            stage = module.run_by or module.stage
            if stage not in order:
                order.append(stage)
    return order


def collect_reasons(declared: Sequence[Signals]) -> tuple[Reason, ...]:
    """Every reason code of the declarations: the filter rules in the order they apply,
    then each stage's edit reasons."""
    rules = collect_rules(declared).values()
    found = [Reason(r.reason, STAGE, "reject", r.meaning, r.column) for r in rules]
    for module in declared:
        found += [Reason(c, module.stage, "edit", m) for c, m in module.edits.items()]
    return tuple(found)


#: every rule, in the order rules are applied
RULES: dict[str, Rule] = collect_rules(signals())
#: every reason code the signal and filter stages give, with its stage and meaning
REASONS: tuple[Reason, ...] = collect_reasons(signals())
#: thresholds by preset; ``crawlsift-default`` is datatrove's four filters in a row
PRESETS: dict[str, dict[str, Any]] = collect_presets(signals())
#: the preset name a TOML file gives to start from no preset
NO_PRESET = "none"
#: what a rule's threshold must be, by the rule's kind (``false`` always switches it off)
_EXPECTED = {
    "min": "a number",
    "max": "a number",
    "flag": "true",
    "null": "true",
    "in": "a list of language codes (strings)",
}


@dataclass(frozen=True, kw_only=True)
class FilterOptions:
    """Thresholds: ``rules`` (explicit) over the TOML ``config`` over a preset.

    The preset is ``preset`` (None: no preset) when there is no ``config``; a ``config``
    file names its own (``preset = "<name>"`` or ``"none"``), which ``preset`` does not
    change. The thresholds are checked when the options are made.
    """

    preset: str | None = DEFAULT_PRESET
    config: str | None = None
    rules: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        thresholds(self)


def _kind_of(value: Any) -> str:
    """How TOML names a value's type, for error messages."""
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array"}
    return names.get(type(value), "table" if isinstance(value, dict) else "date/time")


def _check_thresholds(values: dict[str, Any], where: str) -> None:
    """Raise :class:`InputError` for an unknown rule or a threshold of the wrong type."""
    unknown = sorted(set(values) - set(RULES))
    if unknown:
        known = ", ".join(RULES)
        raise InputError(f"unknown filter rule(s){where}: {', '.join(unknown)}; known: {known}")
    for name, value in values.items():
        kind = RULES[name].kind
        if value is False:
            continue
        if kind in ("min", "max"):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and not math.isnan(value)
        elif kind in ("flag", "null"):
            ok = value is True
        else:
            ok = isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)
        if not ok:
            shown = json.dumps(value, default=str)
            raise InputError(
                f"filter rule {name}{where}: expected {_EXPECTED[kind]}, or false to switch "
                f"it off; got {shown} ({_kind_of(value)})"
            )


def _read_config(path: str) -> tuple[str | None, dict[str, Any]]:
    """The preset (None for ``"none"``) and the ``[rules]`` of a TOML filter file, checked."""
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read filter config {path}: {exc}") from None
    extra = sorted(set(doc) - {"preset", "rules"})
    if extra:
        raise InputError(
            f"{path}: unknown key(s) {', '.join(extra)}; a filter file holds preset = ... "
            "and a [rules] table"
        )
    choices = " | ".join(f'"{name}"' for name in (*PRESETS, NO_PRESET))
    if "preset" not in doc:
        raise InputError(
            f"{path}: say which preset the rules start from: preset = {choices} "
            f'("none": only the rules listed)'
        )
    preset = doc["preset"]
    if preset != NO_PRESET and preset not in PRESETS:
        raise InputError(f"{path}: unknown preset {json.dumps(preset)}; use preset = {choices}")
    rules = doc.get("rules", {})
    if not isinstance(rules, dict):
        raise InputError(f"{path}: rules must be a table ([rules]), not {_kind_of(rules)}")
    _check_thresholds(rules, f" in {path}")
    return (None if preset == NO_PRESET else preset), rules


def config_preset(path: str) -> str | None:
    """The preset a TOML filter file starts from (None for ``"none"``); checks the file."""
    return _read_config(path)[0]


def config_rules(path: str) -> dict[str, Any]:
    """The ``[rules]`` a TOML filter file sets; checks the file."""
    return _read_config(path)[1]


def thresholds(opts: FilterOptions) -> dict[str, Any]:
    """The effective rule thresholds, in rule order; a rule set to ``False`` is dropped."""
    preset = None if opts.preset == NO_PRESET else opts.preset
    config: dict[str, Any] = {}
    if opts.config is not None:
        preset, config = _read_config(opts.config)
    if preset is not None and preset not in PRESETS:
        raise InputError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
    explicit = dict(opts.rules)
    _check_thresholds(explicit, "")
    merged = {**(PRESETS[preset] if preset is not None else {}), **config, **explicit}
    return {name: merged[name] for name in RULES if merged.get(name, False) is not False}


def _fails(rule: Rule, value: Any) -> pl.Expr:
    col = pl.col(rule.column)
    if rule.kind == "min":
        return col < value
    if rule.kind == "max":
        return col > value
    if rule.kind == "flag":
        return col == bool(value)
    if rule.kind == "null":
        return col.is_null() if value else pl.lit(False)
    return ~col.is_in(list(value)) | col.is_null()


@register(STAGE, FilterOptions, columns=(S.REASON, S.STAGE, S.KEEP))
def filter_stage(table: pa.Table, *, opts: FilterOptions | None = None) -> pa.Table:
    """Reject documents failing a threshold rule; reason ``<rule>``, stage ``filter``."""
    rules = thresholds(opts or FilterOptions())
    missing = sorted({RULES[r].stage for r in rules if RULES[r].column not in table.column_names})
    if missing:
        raise InputError(f"the filter needs the signal stage(s) {', '.join(missing)} before it")
    cols = [S.REASON, S.STAGE, *dict.fromkeys(RULES[r].column for r in rules)]
    frame = pl.from_arrow(table.select(cols))
    assert isinstance(frame, pl.DataFrame)
    reason: Any = pl.lit(None, dtype=pl.String)
    for name in reversed(list(rules)):
        fail = _fails(RULES[name], rules[name]).fill_null(False)
        reason = pl.when(fail).then(pl.lit(name)).otherwise(reason)
    active = pl.col(S.REASON).is_null()
    out = frame.select(
        reason=pl.when(active).then(reason).otherwise(pl.col(S.REASON)),
        stage=pl.when(active & reason.is_not_null()).then(pl.lit(STAGE)).otherwise(pl.col(S.STAGE)),
    )
    return S.with_columns(
        table,
        {
            S.REASON: out["reason"].to_arrow().cast(pa.string()),
            S.STAGE: out["stage"].to_arrow().cast(pa.string()),
            S.KEEP: out["reason"].is_null().to_arrow(),
        },
    )


def quality_pipeline(
    preset: str | None = DEFAULT_PRESET,
    config: str | None = None,
    rules: tuple[tuple[str, Any], ...] = (),
) -> list[str]:
    """The signal stages a preset (or TOML config, which names its own) and the explicit
    ``rules`` need, in order, then ``filter``.

    C4's signals come from ``c4_lines``, which also removes the lines C4 rejects (as edits)
    before the stages after it, as datatrove's C4 filter rewrites the text it passes on; the
    ``c4`` stage computes the same signals without touching the text.
    """
    needed = thresholds(FilterOptions(preset=preset, config=config, rules=rules))
    return [*signal_stages(signals(), needed), STAGE]
