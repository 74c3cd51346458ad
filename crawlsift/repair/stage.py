"""The repair stage: from raw record text to clean text plus an audit trail of edits.

Rules run in a fixed order over the batch's line table (see ``lines.py``), without its
lines of white space alone; each rule only claims lines no earlier rule removed. What
is left, whitespace-normalised, is the new ``text``; each run of removed lines becomes
one edit (start, end, reason) against ``input_text``. A record whose text is empty or
trivially short afterwards is rejected with the reason that emptied it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S
from crawlsift.registry import register
from crawlsift.repair.boilerplate import (
    mark_calls_to_action,
    mark_credits,
    mark_legal,
    mark_link_lists,
    mark_widgets,
)
from crawlsift.repair.content_density import mark_low_content
from crawlsift.repair.error_banner import REASON as BANNER
from crawlsift.repair.error_banner import mark_error_banners
from crawlsift.repair.lines import CONTENT_CHAR, add_features, explode_lines, prev_in_doc
from crawlsift.repair.repeated_blocks import mark_repeated_blocks
from crawlsift.repair.title import REASON as TITLE
from crawlsift.repair.title import mark_title
from crawlsift.repair.unicode import REASON as UNICODE
from crawlsift.repair.unicode import fix_unicode

STAGE = "repair"
REJECT_ERROR_PAGE = "error_page"
REJECT_EMPTY = "empty_text"
REJECT_BOILERPLATE = "boilerplate_only"
REJECT_SHORT = "too_short"


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


def repair_lines(lines: pl.DataFrame, opts: RepairOptions) -> pl.DataFrame:
    """Apply the rules to a line table; adds ``reason`` (null = kept) and ``fixed``."""
    if opts.unicode:
        lines = fix_unicode(lines)
    else:
        lines = lines.with_columns(fixed=pl.lit(None, dtype=pl.String))
    lines = add_features(lines).with_columns(reason=pl.lit(None, dtype=pl.String))
    if opts.error_banners:
        lines = mark_error_banners(lines)
    if opts.boilerplate:
        lines = mark_legal(lines)
        lines = mark_widgets(lines)
        lines = mark_link_lists(lines)
        lines = mark_calls_to_action(lines)
        lines = mark_credits(lines)
    if opts.title:
        lines = mark_title(lines)
    if opts.low_content:
        lines = mark_low_content(lines)
    if opts.repeated_blocks:
        lines = mark_repeated_blocks(lines)
    return lines


#: the line columns that assembling reads
_ASSEMBLED = ("doc", "start", "end", "shown", "nwords", "fixed", "blank", "reason")


def _drop_blank_rows(lines: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``lines`` a rule can act on. A line of white space alone is ``blank`` to
    every rule, and such lines are 38-44% of the rows of the shared sets' extracted text:
    they are dropped before the rules' passes (the stage took 8-15% less time), and
    ``_dropped`` counts the rows dropped up to each row, which assembling reads to keep
    paragraph breaks. A C1 control counts as content, as ftfy may repair it into a
    character (U+0085 is white space to the regular expressions)."""
    blank = ~pl.col("line").str.contains(CONTENT_CHAR)
    return lines.with_columns(_dropped=blank.cast(pl.Int32).cum_sum()).filter(~blank)


def _assemble(lines: pl.DataFrame, n_docs: int) -> pl.DataFrame:
    """Per document: text, title, edits, removed reasons; one row per doc in order."""
    # only the columns read below (a filter copies every column), kept lines still in order;
    # blank lines counted over the whole batch: only differences within a doc are used
    blanks = pl.col("blank").cast(pl.Int32).cum_sum() + pl.col("_dropped")
    lines = lines.select(*_ASSEMBLED, _blanks=blanks)
    content = lines.filter(~pl.col("blank"))
    kept = content.filter(pl.col("reason").is_null())
    # a blank line between two kept lines in the input becomes one blank line
    gap = (pl.col("_blanks") - prev_in_doc(pl.col("_blanks"))).fill_null(0) > 0
    shown = pl.col("shown")
    kept = kept.with_columns(out=pl.when(gap).then(pl.lit("\n") + shown).otherwise(shown))
    texts = kept.group_by("doc").agg(
        text=pl.col("out").str.join("\n"), words=pl.col("nwords").sum()
    )
    titles = (
        content.filter(pl.col("reason") == TITLE).group_by("doc").agg(title=pl.col("shown").first())
    )
    # runs of consecutive removed content lines with the same reason become one edit (run
    # numbers over the whole batch: grouped with doc, they part each doc's lines the same)
    removed = content.with_columns(
        _run=(pl.col("reason").ne_missing(pl.col("reason").shift(1))).cum_sum()
    ).filter(pl.col("reason").is_not_null())
    spans = removed.group_by("doc", "_run").agg(
        start=pl.col("start").min(),
        end=pl.col("end").max(),
        reason=pl.col("reason").first(),
        replacement=pl.lit(None, dtype=pl.String),
    )
    fixes = kept.filter(pl.col("fixed").is_not_null()).select(
        "doc",
        "start",
        "end",
        reason=pl.lit(UNICODE),
        replacement="shown",
    )
    edits = (
        pl.concat([spans.drop("_run"), fixes])
        .sort("doc", "start", "end", maintain_order=True)  # a total order: same bytes every run
        .group_by("doc", maintain_order=True)
        .agg(
            edits=pl.struct("start", "end", "reason", "replacement"),
            banner=(pl.col("reason") == BANNER).any(),
        )
    )
    docs = pl.DataFrame({"doc": pl.int_range(n_docs, eager=True)})
    return (
        docs.join(texts, on="doc", how="left")
        .join(titles, on="doc", how="left")
        .join(edits, on="doc", how="left")
        .sort("doc")
    )


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


@register(
    STAGE,
    RepairOptions,
    columns=(S.INPUT_TEXT, S.TEXT, S.TITLE, S.EDITS, S.REASON, S.STAGE, S.KEEP),
)
def repair(table: pa.Table, *, opts: RepairOptions | None = None) -> pa.Table:
    """Repair record text in place: remove banners, repeats and boilerplate; log edits."""
    opts = opts or RepairOptions()
    n = table.num_rows
    todo = pl.from_arrow(table.select([S.TEXT, S.REASON, S.STAGE]), rechunk=True)
    assert isinstance(todo, pl.DataFrame)
    active = todo[S.REASON].is_null() & todo[S.TEXT].is_not_null()
    texts = todo[S.TEXT].cast(pl.String).zip_with(active, pl.Series([None] * n, dtype=pl.String))
    lines = _drop_blank_rows(explode_lines(texts))
    # text an extractor took from HTML was chosen by the DOM already (see content_density)
    if S.HTML in table.column_names:
        from_markup = pl.Series(table.column(S.HTML).is_valid())
        lines = lines.with_columns(from_markup=from_markup.gather(lines["doc"]))
    lines = repair_lines(lines, opts)
    original = todo[S.TEXT].cast(pl.String)
    out = _assemble(lines, n).with_columns(
        _active=active,
        _had_text=pl.Series(texts).str.contains(r"\w").fill_null(False),
        _prior=todo[S.REASON],
        _prior_stage=todo[S.STAGE],
    )
    out = out.with_columns(
        _reject=pl.when(~pl.col("_active"))
        .then(pl.col("_prior"))
        .otherwise(
            _rejection(pl.col("_had_text"), pl.col("words"), pl.col("banner"), opts.min_words)
        )
    )
    stage = pl.when(pl.col("_active") & pl.col("_reject").is_not_null()).then(pl.lit(STAGE))
    out = out.with_columns(_stage=pl.coalesce(pl.col("_prior_stage"), stage))
    title = out["title"].to_arrow().cast(pa.string())
    if S.TITLE in table.column_names:  # a title the extractor found wins
        title = pc.coalesce(table.column(S.TITLE).combine_chunks().cast(pa.string()), title)
    return S.with_columns(
        table,
        {
            S.INPUT_TEXT: table.column(S.TEXT).combine_chunks().cast(pa.large_string()),
            S.TEXT: out.select(
                pl.when(pl.col("_active")).then(pl.col("text").fill_null("")).otherwise(original)
            )
            .to_series()
            .to_arrow()
            .cast(pa.large_string()),
            S.TITLE: title,
            S.EDITS: S.edits_array(out["edits"].to_arrow()),
            S.REASON: out["_reject"].to_arrow().cast(pa.string()),
            S.STAGE: out["_stage"].to_arrow().cast(pa.string()),
            S.KEEP: out["_reject"].is_null().to_arrow(),
        },
    )
