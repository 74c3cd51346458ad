"""The record's title: a title-like first content line directly above the prose.

Text records from crawls usually start with the page headline. It is taken into the
``title`` column (and out of the body text, with reason ``repair_title``) when it is
the first line left after the other rules, is short, does not end like a sentence
(a question or exclamation may), and the next content line is a paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from crawlsift.repair.lines import Rule
from crawlsift.repair.registry import RepairRule

REASON = "repair_title"


@dataclass(frozen=True, kw_only=True)
class TitleOptions:
    """Thresholds of the title rule."""

    #: a title has at most this many words
    max_words: int = 25
    #: and at least this many
    min_words: int = 2
    #: the next content line, a paragraph, has at least this many characters
    body_chars: int = 60


@cache
def title_rule(opts: TitleOptions) -> Rule:
    """The title line of each document."""
    max_words, min_words, body_chars = opts.max_words, opts.min_words, opts.body_chars
    alive = ~pl.col("blank") & pl.col("reason").is_null()
    rank = pl.when(alive).then(pl.lit(1)).otherwise(pl.lit(0)).cum_sum().over("doc")
    nxt = pl.when(pl.col("_rank") == 2).then(pl.col("nchars")).max().over("doc")
    title_like = (
        (pl.col("_rank") == 1)
        & pl.col("nwords").is_between(min_words, max_words)
        & ~pl.col("norm").str.contains(r"[.:;,]$")
        & (nxt >= body_chars)
    )
    return Rule(
        REASON,
        layers=((pl.when(alive).then(rank).alias("_rank"),),),
        hit=title_like,
        reads_reason=True,
    )


RULES = (
    RepairRule(
        code=REASON,
        meaning="the headline, moved from the text to `title`",
        options=TitleOptions,
        switch="title",
        line_rule=title_rule,
    ),
)
