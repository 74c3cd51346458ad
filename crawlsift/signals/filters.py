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
    [rules.zh]
    gopher_above_avg_threshold = 5

A ``[rules.<lang>]`` section (``<lang>``: the ``language`` stage's code, e.g. ``zh``, ``pt``)
sets thresholds for the documents of that language only, over everything else; a rule it sets
that no other setting turns on applies to that language alone. The ``fineweb2`` preset brings
such sections of its own: FineWeb-2's published per-language thresholds
(``crawlsift/data/fineweb2.json``, made by ``bench/fineweb2_configs.py``), below any threshold
the file or the caller sets, which apply to every language. A document whose language has no
section gets the preset's thresholds. Per-language thresholds need the ``language`` stage,
which ``quality_pipeline`` then runs first.

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
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.errors import InputError
from crawlsift.reasons import Reason
from crawlsift.registry import (
    DEFAULT_PRESET,
    FINEWEB2_RECIPE,
    FINEWEB_RECIPE,
    Rule,
    Signals,
    register,
    signals,
)

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
    for last in (
        FINEWEB_RECIPE,
        FINEWEB2_RECIPE,
        DEFAULT_PRESET,
    ):  # the ones that combine families, last
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
#: presets with thresholds per language: the data file (in ``crawlsift/data``) holding them
LANGUAGE_DATA: dict[str, str] = {FINEWEB2_RECIPE: "fineweb2.json"}
#: the column holding each row's language (the ``language`` stage's)
LANGUAGE = "language"
#: what a ``[rules.<lang>]`` section's name must look like (lid.176's codes)
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:_[A-Za-z]{4})?")
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


@cache
def language_data(name: str) -> dict[str, dict[str, Any]]:
    """A per-language data file's entries by language code (rule thresholds, ``stop_words``)."""
    text = (resources.files("crawlsift") / "data" / name).read_text(encoding="utf-8")
    languages: dict[str, dict[str, Any]] = json.loads(text)["languages"]
    return languages


@cache
def preset_languages(preset: str | None) -> dict[str, dict[str, Any]]:
    """The per-language thresholds a preset brings (none for most), rules only; shared,
    not to be changed."""
    if preset not in LANGUAGE_DATA:
        return {}
    data = language_data(LANGUAGE_DATA[preset])
    return {lang: {k: v for k, v in e.items() if k in RULES} for lang, e in data.items()}


def _split_languages(rules: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    """Move the ``[rules.<lang>]`` tables out of ``rules``; check their names and values."""
    sections: dict[str, dict[str, Any]] = {}
    for key in [k for k, v in rules.items() if isinstance(v, dict) and k not in RULES]:
        if not _LANG_CODE.fullmatch(key):
            raise InputError(
                f"{path}: [rules.{key}]: not a language code (the language stage's codes, "
                "e.g. zh, pt, ceb)"
            )
        sections[key] = rules.pop(key)
        _check_thresholds(sections[key], f" in [rules.{key}] of {path}")
    return sections


def _read_config(path: str) -> tuple[str | None, dict[str, Any], dict[str, dict[str, Any]]]:
    """The preset (None for ``"none"``), the ``[rules]`` and the ``[rules.<lang>]`` sections
    of a TOML filter file, checked."""
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
    languages = _split_languages(rules, path)
    _check_thresholds(rules, f" in {path}")
    return (None if preset == NO_PRESET else preset), rules, languages


def config_preset(path: str) -> str | None:
    """The preset a TOML filter file starts from (None for ``"none"``); checks the file."""
    return _read_config(path)[0]


def config_rules(path: str) -> dict[str, Any]:
    """The ``[rules]`` a TOML filter file sets (for all languages); checks the file."""
    return _read_config(path)[1]


def thresholds(opts: FilterOptions) -> dict[str, Any]:
    """The effective rule thresholds, in rule order; a rule set to ``False`` is dropped."""
    preset = None if opts.preset == NO_PRESET else opts.preset
    config: dict[str, Any] = {}
    if opts.config is not None:
        preset, config, _ = _read_config(opts.config)
    if preset is not None and preset not in PRESETS:
        raise InputError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
    explicit = dict(opts.rules)
    _check_thresholds(explicit, "")
    merged = {**(PRESETS[preset] if preset is not None else {}), **config, **explicit}
    return {name: merged[name] for name in RULES if merged.get(name, False) is not False}


def language_thresholds(opts: FilterOptions) -> dict[str, dict[str, Any]]:
    """Thresholds by language, where they differ from :func:`thresholds`: the preset's data
    (FineWeb-2's for ``fineweb2``) for the rules the file and the caller leave to it, under
    the file's ``[rules.<lang>]`` sections. ``False`` switches a rule off for the language."""
    preset = None if opts.preset == NO_PRESET else opts.preset
    config: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {}
    if opts.config is not None:
        preset, config, sections = _read_config(opts.config)
    given = set(config) | {name for name, _ in opts.rules}
    out: dict[str, dict[str, Any]] = {}
    for lang, values in preset_languages(preset).items():
        kept = {k: v for k, v in values.items() if k not in given}
        if kept:
            out[lang] = kept
    for lang, values in sections.items():
        out[lang] = {**out.get(lang, {}), **values}
    return out


def _fails_by_language(
    rule: Rule, default: Any, by_language: dict[str, Any], language: pl.Expr
) -> pl.Expr:
    """``rule_fails`` with the threshold of each row's language (``default`` elsewhere; None or
    ``False``: the rule does not apply)."""
    if rule.kind in ("min", "max"):
        mapping = {k: (None if v is False else float(v)) for k, v in by_language.items()}
        other = None if default is None or default is False else float(default)
        # a row of no known language (null) gets ``default`` too
        limit = language.replace_strict(mapping, default=other, return_dtype=pl.Float64)
        col = pl.col(rule.column)
        return col < limit if rule.kind == "min" else col > limit
    fail = pl.lit(False) if default is None or default is False else rule_fails(rule, default)
    for lang, value in by_language.items():
        this = pl.lit(False) if value is False else rule_fails(rule, value)
        fail = pl.when(language == lang).then(this).otherwise(fail)
    return fail


def rule_fails(rule: Rule, value: Any) -> pl.Expr:
    """Whether a row fails ``rule`` at threshold ``value`` (null where its signal is null,
    except for the ``null`` and ``in`` kinds): the filter stage's test, also for benches
    that read a run's signal columns back."""
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
    opts = opts or FilterOptions()
    rules = thresholds(opts)
    by_language = language_thresholds(opts)
    per_rule: dict[str, dict[str, Any]] = {}
    for lang, values in by_language.items():
        for name, value in values.items():
            per_rule.setdefault(name, {})[lang] = value
    names = [r for r in RULES if r in rules or r in per_rule]
    needed = {(RULES[r].stage, RULES[r].column) for r in names}
    if per_rule:
        needed.add(("language", LANGUAGE))
    missing = sorted({stage for stage, col in needed if col not in table.column_names})
    if missing:
        raise InputError(f"the filter needs the signal stage(s) {', '.join(missing)} before it")
    cols = [S.REASON, S.STAGE, *dict.fromkeys(RULES[r].column for r in names)]
    if per_rule and LANGUAGE not in cols:
        cols.append(LANGUAGE)
    frame = pl.from_arrow(table.select(cols))
    assert isinstance(frame, pl.DataFrame)
    if per_rule:  # only the languages of this batch's rows
        present = set(frame[LANGUAGE].drop_nulls().unique().to_list())
        per_rule = {
            name: {lang: v for lang, v in values.items() if lang in present}
            for name, values in per_rule.items()
        }
    reason: Any = pl.lit(None, dtype=pl.String)
    for name in reversed(names):
        if name in per_rule:
            language = pl.col(LANGUAGE)
            fail = _fails_by_language(RULES[name], rules.get(name), per_rule[name], language)
        else:
            fail = rule_fails(RULES[name], rules[name])
        reason = pl.when(fail.fill_null(False)).then(pl.lit(name)).otherwise(reason)
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
    opts = FilterOptions(preset=preset, config=config, rules=rules)
    needed = set(thresholds(opts))
    by_language = language_thresholds(opts)
    for values in by_language.values():
        needed.update(values)
    stages = signal_stages(signals(), needed)
    if by_language and "language" not in stages:
        stages.insert(0, "language")  # the thresholds depend on each row's language
    return [*stages, STAGE]
