"""Repeated blocks: a paragraph, or a run of them, that occurs again in the document.

Pages that render their body twice (print and screen versions, a broken template,
an AMP copy) are common in crawls. Gopher's and FineWeb's repetition rules reject
such a document whole; here the first copy is kept and each later copy is removed.
A line counts as a repeat when its normalised text occurred earlier in the same
document among the lines no earlier rule removed. A run of consecutive repeats is
removed only when it copies at least two distinct lines: a duplicated section, not one
paragraph said again (a pull quote, a refrain, a lorem-ipsum filler in a template, each
copy of which a reader sees). Short repeated lines ("Share", "Menu") are removed only
inside such a run, so a repeated table cell standing alone is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from crawlsift.repair.lines import Rule
from crawlsift.repair.registry import RepairRule

REASON = "repair_repeated_block"


@dataclass(frozen=True, kw_only=True)
class RepeatedBlockOptions:
    """Thresholds of the repeated-block rule."""

    #: a repeated line this long is a copy on its own
    min_chars: int = 30
    #: shorter ones count in runs copying this many distinct lines
    min_distinct: int = 2


@cache
def repeated_block_rule(opts: RepeatedBlockOptions) -> Rule:
    """The later copies of lines that occurred before in the doc, in runs that copy at least
    ``min_distinct`` distinct lines."""
    min_chars, min_distinct = opts.min_chars, opts.min_distinct
    alive = ~pl.col("blank") & pl.col("reason").is_null()
    # only lines still alive count as earlier copies: a menu item removed as navigation
    # must not make its copy in the article a repeat
    #
    # not the first row of its (doc, norm, alive) value: a hash pass, ~5x cheaper than
    # numbering the rows of each group with a window
    seen_before = ~pl.struct("doc", "norm", "_alive").is_first_distinct() & alive
    long_enough = pl.col("nchars") >= min_chars
    # neighbours are the nearest lines still alive, so the verdict does not change when a
    # removed line between them is gone (cleaning clean text changes nothing)
    rep_alive = pl.when(pl.col("_alive")).then(pl.col("_rep"))
    prev_rep = rep_alive.shift(1).forward_fill().over("doc").fill_null(False)
    next_rep = rep_alive.shift(-1).backward_fill().over("doc").fill_null(False)
    in_run = prev_rep & next_rep
    # a run: consecutive alive repeats; it counts when it copies enough distinct lines
    run = (pl.col("_alive") & ~pl.col("_rep")).cum_sum().over("doc")
    distinct = pl.col("norm").filter(pl.col("_rep")).n_unique().over(["doc", "_run"])
    hit = pl.col("_rep") & (long_enough | in_run) & (distinct >= min_distinct)
    return Rule(
        REASON,
        layers=((alive.alias("_alive"),), (seen_before.alias("_rep"),), (run.alias("_run"),)),
        hit=hit,
        reads_reason=True,
    )


RULES = (
    RepairRule(
        code=REASON,
        meaning="a second copy of a block of lines",
        options=RepeatedBlockOptions,
        switch="repeated_blocks",
        line_rule=repeated_block_rule,
    ),
)
