"""The ``filter`` stage: reject documents whose signals cross a threshold, with a named reason.

Each rule names one signal column, a kind (``min``: reject below, ``max``: reject above,
``flag``: reject when true, ``in``: reject when not in a list, ``null``: reject a text the
signal cannot be computed on, e.g. an empty one) and a threshold. A preset is a
set of rules with the published thresholds; a TOML file can start from a preset and change or
switch off (``false``) single rules::

    preset = "gopher"
    [rules]
    gopher_short_doc = 100
    gopher_below_alpha_threshold = false
    language = ["en", "de"]
    language_score = 0.65

Rules run in the order of ``RULES`` (datatrove's order within each family); a document gets the
reason of the first rule it fails. Only rows not already rejected are judged; signal columns are
left on every row so a corpus can be re-thresholded without recomputing them.
"""

from __future__ import annotations

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


@dataclass(frozen=True, kw_only=True)
class FilterOptions:
    """Thresholds: ``rules`` (explicit) over the TOML ``config`` over the ``preset``."""

    preset: str | None = "crawlsift-default"
    config: str | None = None
    rules: tuple[tuple[str, Any], ...] = ()


def thresholds(opts: FilterOptions) -> dict[str, Any]:
    """The effective rule thresholds, in rule order; a rule set to ``False`` is dropped."""
    merged: dict[str, Any] = {}
    preset = opts.preset
    config: dict[str, Any] = {}
    if opts.config is not None:
        try:
            doc = tomllib.loads(Path(opts.config).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"cannot read filter config {opts.config}: {exc}") from None
        preset = doc.get("preset", preset)
        config = dict(doc.get("rules", {}))
    if preset is not None:
        if preset not in PRESETS:
            raise InputError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
        merged |= PRESETS[preset]
    merged |= config
    merged |= dict(opts.rules)
    unknown = sorted(set(merged) - set(RULES))
    if unknown:
        raise InputError(f"unknown filter rule(s): {', '.join(unknown)}")
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


def quality_pipeline(preset: str = "crawlsift-default", config: str | None = None) -> list[str]:
    """The signal stages a preset (or TOML config) needs, in order, then ``filter``.

    C4's signals come from ``c4_lines``, which also removes the lines C4 rejects (as edits)
    before the stages after it, as datatrove's C4 filter rewrites the text it passes on; the
    ``c4`` stage computes the same signals without touching the text.
    """
    rules = thresholds(FilterOptions(preset=preset, config=config))
    needed = {"c4_lines" if RULES[r].stage == "c4" else RULES[r].stage for r in rules}
    order = ["gopher_quality", "gopher_repetition", "c4_lines", "fineweb", "language"]
    return [s for s in order if s in needed] + [STAGE]
