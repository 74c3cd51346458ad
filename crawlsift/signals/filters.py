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

Rules run in the order of ``RULES`` (datatrove's order within each family); a document gets the
reason of the first rule it fails. Only rows not already rejected are judged; signal columns are
left on every row so a corpus can be re-thresholded without recomputing them.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.errors import InputError
from crawlsift.registry import register

STAGE = "filter"


@dataclass(frozen=True)
class Rule:
    """One threshold rule: which signal it reads, from which stage, and how it compares."""

    column: str
    kind: str  # min | max | flag | in | null (reject when the signal could not be computed)
    stage: str


def _rules() -> dict[str, Rule]:
    gq, gr = "gopher_quality", "gopher_repetition"
    rules = {
        "gopher_short_doc": Rule(S.GOPHER_WORD_COUNT, "min", gq),
        "gopher_long_doc": Rule(S.GOPHER_WORD_COUNT, "max", gq),
        "gopher_below_avg_threshold": Rule(S.GOPHER_MEAN_WORD_LENGTH, "min", gq),
        "gopher_above_avg_threshold": Rule(S.GOPHER_MEAN_WORD_LENGTH, "max", gq),
        "gopher_too_many_hashes": Rule(S.GOPHER_HASH_RATIO, "max", gq),
        "gopher_too_many_ellipsis": Rule(S.GOPHER_ELLIPSIS_RATIO, "max", gq),
        "gopher_too_many_bullets": Rule(S.GOPHER_BULLET_LINES_RATIO, "max", gq),
        "gopher_too_many_end_ellipsis": Rule(S.GOPHER_END_ELLIPSIS_LINES_RATIO, "max", gq),
        "gopher_below_alpha_threshold": Rule(S.GOPHER_ALPHA_WORDS_RATIO, "min", gq),
        "gopher_few_stop_words": Rule(S.GOPHER_STOP_WORDS, "min", gq),
        "gopher_empty": Rule(S.GOPHER_DUP_PARA_CHAR_FRAC, "null", gr),
        "gopher_dup_para_frac": Rule(S.GOPHER_DUP_PARA_FRAC, "max", gr),
        "gopher_dup_para_char_frac": Rule(S.GOPHER_DUP_PARA_CHAR_FRAC, "max", gr),
        "gopher_dup_line_frac": Rule(S.GOPHER_DUP_LINE_FRAC, "max", gr),
        "gopher_dup_line_char_frac": Rule(S.GOPHER_DUP_LINE_CHAR_FRAC, "max", gr),
    }
    for n, col in S.GOPHER_TOP_NGRAM_CHAR_FRAC.items():
        rules[f"gopher_top_{n}_gram"] = Rule(col, "max", gr)
    for n, col in S.GOPHER_DUP_NGRAM_CHAR_FRAC.items():
        rules[f"gopher_duplicated_{n}_n_grams"] = Rule(col, "max", gr)
    rules |= {
        "c4_lorem_ipsum": Rule(S.C4_LOREM_IPSUM, "flag", "c4"),
        "c4_curly_bracket": Rule(S.C4_CURLY_BRACKET, "flag", "c4"),
        "c4_too_few_sentences": Rule(S.C4_SENTENCES, "min", "c4"),
        "fineweb_empty": Rule(S.FINEWEB_LINE_PUNCT_RATIO, "null", "fineweb"),
        "fineweb_line_punct_ratio": Rule(S.FINEWEB_LINE_PUNCT_RATIO, "min", "fineweb"),
        "fineweb_short_line_ratio": Rule(S.FINEWEB_SHORT_LINE_RATIO, "max", "fineweb"),
        "fineweb_char_dup_ratio": Rule(S.FINEWEB_CHAR_DUP_RATIO, "max", "fineweb"),
        "fineweb_list_ratio": Rule(S.FINEWEB_NEWLINE_RATIO, "max", "fineweb"),
        "language": Rule(S.LANGUAGE, "in", "language"),
        "language_score": Rule(S.LANGUAGE_SCORE, "min", "language"),
    }
    return rules


#: every rule, in the order rules are applied
RULES: dict[str, Rule] = _rules()

_GOPHER: dict[str, Any] = {
    "gopher_short_doc": 50,
    "gopher_long_doc": 100_000,
    "gopher_below_avg_threshold": 3,
    "gopher_above_avg_threshold": 10,
    "gopher_too_many_hashes": 0.1,
    "gopher_too_many_ellipsis": 0.1,
    "gopher_too_many_bullets": 0.9,
    "gopher_too_many_end_ellipsis": 0.3,
    "gopher_below_alpha_threshold": 0.8,
    "gopher_few_stop_words": 2,
    "gopher_empty": True,
    "gopher_dup_para_frac": 0.3,
    "gopher_dup_para_char_frac": 0.2,
    "gopher_dup_line_frac": 0.3,
    "gopher_dup_line_char_frac": 0.2,
    "gopher_top_2_gram": 0.2,
    "gopher_top_3_gram": 0.18,
    "gopher_top_4_gram": 0.16,
    **{f"gopher_duplicated_{n}_n_grams": 0.15 - (n - 5) / 100 for n in range(5, 11)},
}
_C4: dict[str, Any] = {"c4_lorem_ipsum": True, "c4_curly_bracket": True, "c4_too_few_sentences": 5}
_FINEWEB: dict[str, Any] = {
    "fineweb_empty": True,
    "fineweb_line_punct_ratio": 0.12,
    "fineweb_short_line_ratio": 0.67,
    "fineweb_char_dup_ratio": 0.01,
    "fineweb_list_ratio": 0.3,
}
#: thresholds by preset; ``crawlsift-default`` is datatrove's four filters in a row
PRESETS: dict[str, dict[str, Any]] = {
    "gopher": _GOPHER,
    "c4": _C4,
    "fineweb": _FINEWEB,
    "crawlsift-default": _GOPHER | _C4 | _FINEWEB,
}
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

    preset: str | None = "crawlsift-default"
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
    preset: str | None = "crawlsift-default", config: str | None = None
) -> list[str]:
    """The signal stages a preset (or TOML config, which names its own) needs, in order,
    then ``filter``.

    C4's signals come from ``c4_lines``, which also removes the lines C4 rejects (as edits)
    before the stages after it, as datatrove's C4 filter rewrites the text it passes on; the
    ``c4`` stage computes the same signals without touching the text.
    """
    rules = thresholds(FilterOptions(preset=preset, config=config))
    needed = {"c4_lines" if RULES[r].stage == "c4" else RULES[r].stage for r in rules}
    order = ["gopher_quality", "gopher_repetition", "c4_lines", "fineweb", "language"]
    return [s for s in order if s in needed] + [STAGE]
