"""The repair stage: from raw record text to clean text plus an audit trail of edits.

The rules, declared by their modules (``registry.py``), run in the order listed there over
the batch's line table (see ``lines.py``), without its lines of white space alone; each
rule only claims lines no earlier rule removed. What
is left, whitespace-normalised, is the new ``text``; each run of removed lines becomes
one edit (start, end, reason) against ``input_text``. A record whose text is empty or
trivially short afterwards is rejected with the reason that emptied it.

A batch is repaired in a few polars queries: which texts ftfy may change, then (only if
one may) up to the lines ftfy must see, up to the rules' masks (the rules whose masks hold
nowhere are left out), up to the weights the low-content rule's runs are found from in
numpy, and the rest. A query has a fixed cost per step and
expression, which for one short record is most of the stage's time; so the expressions are
built once (module constants, or ``functools.cache`` per set of parameters), and rules that
do not depend on each other run side by side (``lines.apply_rules``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S
from crawlsift.errors import InputError
from crawlsift.reasons import BOILERPLATE_ONLY as REJECT_BOILERPLATE
from crawlsift.reasons import EMPTY_TEXT as REJECT_EMPTY
from crawlsift.reasons import ERROR_PAGE as REJECT_ERROR_PAGE
from crawlsift.reasons import REPAIR_UNICODE as UNICODE
from crawlsift.reasons import TOO_MANY_LINES as REJECT_TOO_MANY_LINES
from crawlsift.reasons import TOO_SHORT as REJECT_SHORT
from crawlsift.registry import register
from crawlsift.repair.error_banner import REASON as BANNER
from crawlsift.repair.lines import (
    CONTENT_CHAR,
    Rule,
    add_features,
    apply_rules,
    explode_lines,
    run,
)
from crawlsift.repair.registry import RepairRule, Step, repair_rules
from crawlsift.repair.title import REASON as TITLE
from crawlsift.repair.unicode import fix_unicode, suspect

STAGE = "repair"


@dataclass(frozen=True, kw_only=True)
class RepairOptions:
    """Options of the repair stage; the defaults are crawlsift's recipe."""

    error_banners: bool = True
    repeated_blocks: bool = True
    boilerplate: bool = True
    low_content: bool = True
    title: bool = True
    unicode: bool = True
    #: a record with fewer words than this left after repair is rejected
    min_words: int = 3
    #: a record of more lines is rejected as too_many_lines, unrepaired: the line table
    #: costs about 200 bytes a line, and a text of more lines than Gopher's upper bound
    #: of 100,000 words (Rae et al. 2021) is a dump, not a document
    max_lines: int = 200_000
    #: thresholds of single rules, each an instance of a rule's options class (see
    #: ``repair.registry``), e.g. ``rules=(LegalOptions(min_terms=4),)``; a rule given none
    #: here runs with its options' defaults
    rules: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        given = tuple(self.rules)
        object.__setattr__(self, "rules", given)  # a list would not hash
        known = {r.options for r in repair_rules()}
        for options in given:
            if type(options) not in known:
                names = ", ".join(sorted(o.__name__ for o in known))
                raise InputError(
                    f"repair option rules: {options!r} is not the options of a repair rule; "
                    f"use instances of {names}"
                )
        types = [type(o) for o in given]
        twice = sorted({t.__name__ for t in types if types.count(t) > 1})
        if twice:
            raise InputError(f"repair option rules: {', '.join(twice)} given twice")

    def options_of(self, rule: RepairRule) -> Any:
        """The options ``rule`` runs with: those given in ``rules``, or its defaults."""
        for options in self.rules:
            if type(options) is rule.options:
                return options
        return rule.options()


_NO_REASON = pl.lit(None, dtype=pl.String).alias("reason")


def repair_lines(lines: pl.LazyFrame, opts: RepairOptions, *, markup: bool) -> pl.LazyFrame:
    """Apply the rules to a line table with ``fixed`` (see ``unicode.py``); adds ``reason``
    (null = kept). ``markup``: the table has a ``from_markup`` column."""
    lines = add_features(lines).with_columns(_NO_REASON)
    for part in _plan(opts):
        lines = apply_rules(lines, part) if isinstance(part, tuple) else part(lines, markup=markup)
    return lines


@cache
def _plan(opts: RepairOptions) -> tuple[tuple[Rule, ...] | Step, ...]:
    """The rules ``opts`` turns on, in the order they claim lines: consecutive line rules as
    one tuple (their query parts run side by side), a step of its own alone, with its
    options bound."""
    plan: list[tuple[Rule, ...] | Step] = []
    group: list[Rule] = []
    for rule in repair_rules():
        if rule.switch is not None and not getattr(opts, rule.switch):
            continue
        options = opts.options_of(rule)
        if rule.line_rule is not None:
            group.append(rule.line_rule(options))
            continue
        assert rule.step is not None
        if group:
            plan.append(tuple(group))
            group = []
        plan.append(partial(rule.step, opts=options))
    if group:
        plan.append(tuple(group))
    return tuple(plan)


#: the line columns that assembling reads
_ASSEMBLED = ("doc", "start", "end", "shown", "nwords", "fixed", "blank", "reason")


_BLANK = ~pl.col("line").str.contains(CONTENT_CHAR)


def _drop_blank_rows(lines: pl.LazyFrame) -> pl.LazyFrame:
    """The rows of ``lines`` a rule can act on. A line of white space alone is ``blank`` to
    every rule, and such lines are a large share of the rows of extracted text: they are
    dropped before the rules' passes, which then do less work, and
    ``_dropped`` counts the rows dropped up to each row, which assembling reads to keep
    paragraph breaks. A C1 control counts as content, as ftfy may repair it into a
    character (U+0085 is white space to the regular expressions). A row is blank where
    ``_dropped`` steps up, which spares matching the pattern again."""
    return lines.with_columns(_DROPPED).filter(_NOT_STEPPED)


_DROPPED = _BLANK.cast(pl.Int32).cum_sum().alias("_dropped")
_NOT_STEPPED = pl.col("_dropped") == pl.col("_dropped").shift(1, fill_value=0)


_SUSPECT_TEXT = suspect(pl.col(S.TEXT))
_NO_FIX = pl.lit(None, dtype=pl.String).alias("fixed")


def _with_fixed(lines: pl.LazyFrame, todo: pl.DataFrame, opts: RepairOptions) -> pl.LazyFrame:
    """``lines`` with ``fixed``, the Unicode-repaired line or null. ftfy runs in Python, on
    the lines a vectorised check flags, so the query so far is run here.

    The check runs first on the whole texts of ``todo`` (one row per ``doc``): ``SUSPECT``
    matches within a line, so a flagged line is in a flagged text. Without a flagged text,
    as on most pages, ftfy has nothing to do and the query is not run here; otherwise only
    the lines of flagged texts are checked."""
    if not opts.unicode:
        return lines.with_columns(_NO_FIX)
    flagged = run(todo.lazy().select(_SUSPECT_TEXT)).to_series()
    if not np.any(flagged.to_numpy()):  # numpy, as a polars Series method runs a query
        return lines.with_columns(_NO_FIX)
    in_flagged = pl.lit(flagged).gather(pl.col("doc"))
    line = pl.when(in_flagged).then(pl.col("line")).otherwise(pl.lit(""))
    done = run(lines.with_columns(suspect(line).alias("_suspect")))
    changed = fix_unicode(done["line"], done["_suspect"])
    if not changed:
        return done.lazy().with_columns(_NO_FIX).drop("_suspect")
    fixed: list[str | None] = [None] * done.height
    for row, value in changed.items():  # scattered back by row, not joined on (doc, lineno)
        fixed[row] = value
    return done.hstack([pl.Series("fixed", fixed, dtype=pl.String)]).lazy().drop("_suspect")


# -- assembling: the expressions are built once, as in the rules (see ``lines.Steps``) ------

#: blank lines counted over the whole batch: only differences within a doc are used
_BLANKS = (pl.col("blank").cast(pl.Int32).cum_sum() + pl.col("_dropped")).alias("_blanks")
_KEPT = pl.col("reason").is_null()
#: a run: consecutive content lines of a doc with the same reason (null for kept lines);
#: each run of removed lines becomes one edit
_FIRST_IN_RUN = pl.col("reason").ne_missing(pl.col("reason").shift(1)) | pl.col("doc").ne_missing(
    pl.col("doc").shift(1)
)
_RUNS = (
    _KEPT.alias("_kept"),
    _FIRST_IN_RUN.alias("_first"),
    # the doc and blank count of the nearest kept line above
    pl.when(_KEPT).then(pl.col("doc")).shift(1).forward_fill().alias("_kept_doc"),
    pl.when(_KEPT).then(pl.col("_blanks")).shift(1).forward_fill().alias("_kept_blanks"),
)
#: a blank line between two kept lines in the input becomes one blank line
_GAP = (
    (pl.col("doc") == pl.col("_kept_doc")) & (pl.col("_blanks") > pl.col("_kept_blanks"))
).fill_null(False)
_RUN_END = pl.when(pl.col("_first").shift(-1).fill_null(True)).then(pl.col("end")).backward_fill()
#: per line: the edit it starts, if any (lines are in order, so a doc's edits are too)
_EDIT = (
    pl.when(pl.col("_first") & ~pl.col("_kept"))
    .then(
        pl.struct(
            pl.col("start"),
            _RUN_END.alias("end"),
            pl.col("reason"),
            pl.lit(None, dtype=pl.String).alias("replacement"),
        )
    )
    .when(pl.col("_kept") & pl.col("fixed").is_not_null())
    .then(
        pl.struct(
            pl.col("start"),
            pl.col("end"),
            pl.lit(UNICODE).alias("reason"),
            pl.col("shown").alias("replacement"),
        )
    )
)
_LINE_OUTPUTS = (
    pl.when(_GAP).then(pl.lit("\n") + pl.col("shown")).otherwise(pl.col("shown")).alias("out"),
    _EDIT.alias("edit"),
)
_DOC_OUTPUTS = (
    pl.col("out").filter(pl.col("_kept")).str.join("\n").alias("text"),
    pl.col("nwords").filter(pl.col("_kept")).sum().alias("words"),
    pl.col("shown").filter(pl.col("reason") == TITLE).first().alias("title"),
    pl.col("edit").drop_nulls().alias("edits"),
    (pl.col("reason") == BANNER).any().alias("banner"),
)
_NO_EDITS = pl.when(pl.col("edits").list.len() > 0).then(pl.col("edits")).alias("edits")


def _assemble(lines: pl.LazyFrame, docs: pl.LazyFrame) -> pl.LazyFrame:
    """Per document of ``docs`` (its ``doc`` column): text, title, edits, words kept and
    whether a banner was removed; one row per doc in order (null where a doc has no content
    lines, and null ``edits`` where it has none)."""
    # only the columns read below (a filter copies every column)
    per_doc = (
        lines.select(*_ASSEMBLED, _BLANKS)
        .filter(~pl.col("blank"))
        .with_columns(*_RUNS)
        .with_columns(*_LINE_OUTPUTS)
        .group_by("doc", maintain_order=True)
        .agg(*_DOC_OUTPUTS)
        .with_columns(_NO_EDITS)
    )
    return docs.join(per_doc, on="doc", how="left", maintain_order="left")


def _rejection(had_text: pl.Expr, words: pl.Expr, banner: pl.Expr, min_words: int) -> pl.Expr:
    return (
        pl.when(~had_text)
        .then(pl.lit(REJECT_EMPTY))
        .when(words.fill_null(0) >= min_words)
        .then(None)
        .when(banner.fill_null(False))
        .then(pl.lit(REJECT_ERROR_PAGE))
        .when(words.fill_null(0) == 0)
        .then(pl.lit(REJECT_BOILERPLATE))
        .otherwise(pl.lit(REJECT_SHORT))
    )


_ACTIVE = pl.col(S.REASON).is_null() & pl.col(S.TEXT).is_not_null()
_DOCS = (
    pl.int_range(pl.len()).alias("doc"),
    pl.when(_ACTIVE).then(pl.col(S.TEXT).cast(pl.String)).alias("line"),
    _ACTIVE.alias("_active"),
)
_PER_DOC = (
    pl.col("doc"),
    pl.col("_active"),
    pl.col("line").str.contains(r"\w").fill_null(False).alias("_had_text"),
    pl.col(S.REASON).alias("_prior"),
    pl.col(S.STAGE).alias("_prior_stage"),
    pl.col(S.TEXT).cast(pl.String).alias("_original"),
)


@cache
def _outputs(min_words: int) -> tuple[pl.Expr, tuple[pl.Expr, ...]]:
    """``_reject``, then the stage's output columns, from an assembled row."""
    rejection = _rejection(pl.col("_had_text"), pl.col("words"), pl.col("banner"), min_words)
    reject = pl.when(~pl.col("_active")).then(pl.col("_prior")).otherwise(rejection)
    text = (
        pl.when(pl.col("_active")).then(pl.col("text").fill_null("")).otherwise(pl.col("_original"))
    )
    stage = pl.when(pl.col("_active") & pl.col("_reject").is_not_null()).then(pl.lit(STAGE))
    return reject.alias("_reject"), (
        text.alias("text"),
        pl.col("title"),
        pl.col("edits"),
        pl.col("_reject"),
        pl.coalesce(pl.col("_prior_stage"), stage).alias("_stage"),
        pl.col("_reject").is_null().alias("_keep"),
    )


@register(
    STAGE,
    RepairOptions,
    columns=(S.INPUT_TEXT, S.TEXT, S.TITLE, S.EDITS, S.REASON, S.STAGE, S.KEEP),
)
def repair(table: pa.Table, *, opts: RepairOptions | None = None) -> pa.Table:
    """Repair record text in place: remove banners, repeats and boilerplate; log edits."""
    opts = opts or RepairOptions()
    table = _reject_too_many_lines(table, opts.max_lines)
    todo = pl.from_arrow(table.select([S.TEXT, S.REASON, S.STAGE]), rechunk=True)
    assert isinstance(todo, pl.DataFrame)
    # text an extractor took from HTML was chosen by the DOM already (see content_density)
    markup = S.HTML in table.column_names
    if markup:
        todo = todo.hstack([pl.Series("from_markup", table.column(S.HTML).is_valid())])
    docs = todo.lazy().with_columns(*_DOCS)
    lines = explode_lines(docs.select("doc", "line", *(["from_markup"] if markup else [])))
    lines = _with_fixed(_drop_blank_rows(lines), todo, opts)
    lines = repair_lines(lines, opts, markup=markup)
    reject, outputs = _outputs(opts.min_words)
    out = run(_assemble(lines, docs.select(*_PER_DOC)).with_columns(reject).select(*outputs))
    # column by column: one Arrow array each, and for a few rows several times quicker than
    # converting the frame into a table and combining its chunks
    arrays = {column.name: column.to_arrow() for column in out.get_columns()}
    title = _typed(arrays["title"], S.TITLE)
    if S.TITLE in table.column_names:  # a title the extractor found wins
        title = pc.coalesce(_typed(table.column(S.TITLE).combine_chunks(), S.TITLE), title)
    return S.with_columns(
        table,
        {
            S.INPUT_TEXT: _typed(table.column(S.TEXT).combine_chunks(), S.INPUT_TEXT),
            S.TEXT: _typed(arrays["text"], S.TEXT),
            S.TITLE: title,
            S.EDITS: S.edits_array(arrays["edits"]),
            S.REASON: _typed(arrays["_reject"], S.REASON),
            S.STAGE: _typed(arrays["_stage"], S.STAGE),
            S.KEEP: arrays["_keep"],
        },
    )


def _reject_too_many_lines(table: pa.Table, max_lines: int) -> pa.Table:
    """Reject records of more than ``max_lines`` lines before their lines are exploded."""
    text = table.column(S.TEXT)
    if text.nbytes < max_lines:  # fewer bytes than that in all texts: no record can be over
        return table
    newlines = pc.count_substring(text, "\n")
    over = pc.and_(
        pc.fill_null(pc.greater_equal(newlines, max_lines), False),
        pc.is_null(table.column(S.REASON)),
    )
    if not pc.any(over).as_py():
        return table
    return S.with_columns(
        table,
        {
            S.REASON: pc.if_else(over, pa.scalar(REJECT_TOO_MANY_LINES), table.column(S.REASON)),
            S.STAGE: pc.if_else(over, pa.scalar(STAGE), table.column(S.STAGE)),
        },
    )


def _typed(array: pa.Array, name: str) -> pa.Array:
    """``array`` as the type ``crawlsift.schema`` gives column ``name`` (cast only if not)."""
    type_ = S.COLUMN_TYPES[name]
    return array if array.type == type_ else array.cast(type_)
