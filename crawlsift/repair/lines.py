"""Documents as a long table of lines, and back.

The repair rules are columnar: every line of every document in a batch becomes one
row of a polars frame (``doc``, ``lineno``, ``start``, ``end``, ``line``) so that a
rule is a vectorised expression over all lines at once, and context ("the previous
content line", "the block this line belongs to") is a window over ``doc``. The frame
is lazy: each rule adds its steps to one query, which the stage runs once.
Offsets are in characters of the input text, which is what Python slicing and the
``edits`` column use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

_SPACE_CHARS = r"\s\u00a0\u200b\ufeff\x00-\x08\x0b-\x1f\x7f"
#: runs of characters shown as one space: white space, zero-width marks, C0 controls
WHITESPACE = rf"[{_SPACE_CHARS}]+"
#: a character that is not ``WHITESPACE``, or a C1 control, which ftfy may repair into one
CONTENT_CHAR = rf"[^{_SPACE_CHARS}]|[\u0080-\u009f]"
#: the runs of ``WHITESPACE`` that replacing by one space changes: two characters or more,
#: or one that is not a space. Replacing these gives the same text, and much faster: a
#: lone space between words is most matches of ``WHITESPACE``
_SPACES_TO_COLLAPSE = rf"[{_SPACE_CHARS}]{{2,}}|[[{_SPACE_CHARS}]--[ ]]"

#: where a run of word characters starts: counting these counts the ``\w+`` runs (words),
#: with less work a match than matching each run whole (~15% less for the count)
_WORD_START = r"(?:^|\W)\w"


def run(lines: pl.LazyFrame) -> pl.DataFrame:
    """Run the query ``lines`` in memory, as written: polars' query optimisations cost more
    time on one page than the stage takes without them, and save none on a batch, as the
    stage's queries are written already to read only what they need."""
    return lines.collect(engine="in-memory", optimizations=_AS_WRITTEN)


_AS_WRITTEN = pl.QueryOptFlags.none()


#: the columns a rule computes, layer by layer: each layer's named expressions read the line
#: features, the rule's masks and the columns of earlier layers
Layers = tuple[tuple[pl.Expr, ...], ...]


@dataclass(frozen=True, eq=False)
class Rule:
    """A repair rule as parts of the stage's query. ``masks`` are named columns computed from
    the line features alone (its patterns' matches), ``layers`` the columns it computes from
    those and from which lines earlier rules removed (``reason``), and ``hit`` says which
    lines it removes, with reason ``reason``, of those no earlier rule removed.
    ``reads_reason``: whether ``layers`` or ``hit`` read ``reason``. ``needs``: masks of which
    one must be true (or non-zero) on some line of the batch for ``hit`` to select any line;
    a rule with ``needs`` whose masks are all false is not run (empty: always run).

    Rules build their expressions once per set of parameters (``functools.cache``): a polars
    expression can be reused by any query, and building a rule's expressions in Python costs
    as much as running them on one page. A value used twice is a mask or layer column, not a
    repeated expression: polars does not always see that two expressions are the same."""

    reason: str
    hit: pl.Expr
    masks: tuple[pl.Expr, ...] = ()
    layers: Layers = ()
    reads_reason: bool = False
    needs: tuple[str, ...] = ()


def apply_rules(
    lines: pl.LazyFrame, rules: Sequence[Rule], *, skip_idle: bool = True
) -> pl.LazyFrame:
    """``lines`` with the lines each rule's ``hit`` selects marked with its ``reason``, in
    order: a rule marks only lines no earlier rule marked.

    With ``skip_idle``, the query so far and all masks are run first, and a rule none of whose
    ``needs`` masks holds on any line is left out, as it would mark no line: on one page, most
    rules' patterns match nowhere, and their layers, hits and ``reason`` steps are most of the
    query's time (a step's cost is per expression, nearly independent of the line count)."""
    masks, names = _masks(tuple(rules))
    if masks:
        lines = lines.with_columns(*masks)
        if skip_idle:
            done = run(lines)
            rules = [rule for rule in rules if _may_hit(rule, done)]
            lines = done.lazy()
    steps, made = _rule_steps(tuple(rules))
    for step in steps:
        lines = lines.with_columns(*step)
    made = (*names, *made)
    return lines.drop(*made) if made else lines


@cache
def _masks(rules: tuple[Rule, ...]) -> tuple[tuple[pl.Expr, ...], tuple[str, ...]]:
    masks = tuple(mask for rule in rules for mask in rule.masks)
    return masks, tuple(mask.meta.output_name() for mask in masks)


def _may_hit(rule: Rule, done: pl.DataFrame) -> bool:
    """Whether one of ``rule.needs`` holds on some row of ``done`` (always, without
    ``needs``); a null counts as holding. A column's numpy array, as a polars Series method
    runs a query; the columns are read one by one up to the first that holds."""
    return not rule.needs or any(_holds(done.get_column(name)) for name in rule.needs)


def _holds(mask: pl.Series) -> bool:
    return mask.null_count() > 0 or bool(mask.to_numpy().any())


@cache
def _rule_steps(rules: tuple[Rule, ...]) -> tuple[list[tuple[pl.Expr, ...]], tuple[str, ...]]:
    """The query steps of ``rules`` after their masks, each the columns it adds, and the names
    of the columns they add: on one page, most of a query's time is per step. Consecutive
    rules that do not read ``reason`` run side by side: their layers in the same steps, their
    hits as columns of one step, then ``reason`` set to that of the first rule that hits a
    line, which is what running them one after another gives. polars computes the expressions
    of a step in parallel."""
    steps: list[tuple[pl.Expr, ...]] = []
    groups: list[list[Rule]] = []
    for rule in rules:
        if groups and not rule.reads_reason:
            groups[-1].append(rule)
        else:
            groups.append([rule])
    made: list[str] = []
    for number, group in enumerate(groups):
        for depth in range(max(len(rule.layers) for rule in group)):
            layer = tuple(e for r in group if depth < len(r.layers) for e in r.layers[depth])
            steps.append(layer)
            made += [e.meta.output_name() for e in layer]
        hits = [f"_hit_{number}_{i}" for i in range(len(group))]
        found = tuple(r.hit.fill_null(False).alias(h) for r, h in zip(group, hits, strict=True))
        steps.append(found)
        made += hits
        free = pl.col("reason").is_null()
        chain: Then | ChainedThen = pl.when(free & pl.col(hits[0])).then(pl.lit(group[0].reason))
        for rule, hit in zip(group[1:], hits[1:], strict=True):
            chain = chain.when(free & pl.col(hit)).then(pl.lit(rule.reason))
        steps.append((chain.otherwise(pl.col("reason")).alias("reason"),))
    return steps, tuple(made)


_SPLIT = pl.col("line").fill_null("").str.split("\n")
_WIDTH = pl.col("line").str.len_chars().alias("width")
_LINENO = pl.int_range(pl.len()).over("doc").alias("lineno")
_START = ((pl.col("width") + 1).cum_sum() - (pl.col("width") + 1)).over("doc").alias("start")
_END = (pl.col("start") + pl.col("width")).alias("end")


def explode_lines(docs: pl.LazyFrame) -> pl.LazyFrame:
    """One row per line of ``docs`` (``doc``, ``line`` = the text, other columns carried to
    each line): doc, line, lineno, start, end.

    ``start``/``end`` exclude the newline that ends the line.
    """
    return (
        docs.with_columns(_SPLIT)
        .explode("line")
        .with_columns(_LINENO, _WIDTH)
        .with_columns(_START)
        .with_columns(_END)
        .drop("width")
    )


_SHOWN = (
    pl.coalesce(pl.col("fixed"), pl.col("line"))
    .str.replace_all(_SPACES_TO_COLLAPSE, " ")
    .str.strip_chars(" ")
    .alias("shown")
)
_NORM = pl.col("shown").str.to_lowercase().alias("norm")
_FEATURES = (
    pl.col("norm").str.len_chars().cast(pl.Int64).alias("nchars"),
    pl.col("norm").str.count_matches(_WORD_START).cast(pl.Int64).alias("nwords"),
    (pl.col("norm").str.len_chars() == 0).alias("blank"),
)


def add_features(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``shown`` and what rules match on: norm, nchars, nwords, blank.

    ``shown`` is the line as it appears in the output: its Unicode-repaired form (``fixed``)
    where there is one, whitespace collapsed, case kept; ``norm`` is ``shown`` lower-cased.
    """
    return lines.with_columns(_SHOWN).with_columns(_NORM).with_columns(*_FEATURES)


def only_where(hit: pl.Expr) -> pl.Expr:
    """``norm`` where ``hit``, else the empty string: a cheap input for costly string matching
    (a null would not do, polars still matches the string a masked slot holds)."""
    return pl.when(hit).then(pl.col("norm")).otherwise(pl.lit(""))


def matches_where(pattern: str, hit: pl.Expr) -> pl.Expr:
    """``hit & norm.str.contains(pattern)``, the pattern run only on the lines ``hit`` admits
    (most text is in long lines, which a rule's word limit rules out). The other lines are
    matched as the empty string, so for a pattern that cannot match it ``hit`` is not and-ed
    in again, which spares evaluating it a second time."""
    matched = only_where(hit).str.contains(pattern)
    return hit & matched if _may_match_empty(pattern) else matched


@cache
def _may_match_empty(pattern: str) -> bool:
    """Whether ``pattern`` may match the empty string: read with Python's ``re``, whose
    syntax the rules' patterns share with polars'; a pattern it cannot read may."""
    try:
        return re.search(pattern, "") is not None
    except re.error:
        return True
