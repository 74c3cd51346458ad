"""The record's title: a title-like first content line directly above the prose.

Text records from crawls usually start with the page headline. It is taken into the
``title`` column (and out of the body text, with reason ``repair_title``) when it is
the first line left after the other rules, is short, does not end like a sentence
(a question or exclamation may), and the next content line is a paragraph.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from crawlsift.repair.lines import Steps, apply_steps

REASON = "repair_title"


def mark_title(
    lines: pl.LazyFrame, *, max_words: int = 25, min_words: int = 2, body_chars: int = 60
) -> pl.LazyFrame:
    """Set ``reason`` on the title line of each document and return the frame."""
    return apply_steps(lines, _steps(max_words, min_words, body_chars))


@cache
def _steps(max_words: int, min_words: int, body_chars: int) -> Steps:
    alive = ~pl.col("blank") & pl.col("reason").is_null()
    rank = pl.when(alive).then(pl.lit(1)).otherwise(pl.lit(0)).cum_sum().over("doc")
    nxt = pl.when(pl.col("_rank") == 2).then(pl.col("nchars")).max().over("doc")
    title_like = (
        (pl.col("_rank") == 1)
        & pl.col("nwords").is_between(min_words, max_words)
        & ~pl.col("norm").str.contains(r"[.:;,]$")
        & (nxt >= body_chars)
    )
    reason = pl.when(title_like.fill_null(False)).then(pl.lit(REASON))
    return (
        (pl.when(alive).then(rank).alias("_rank"),),
        (reason.otherwise(pl.col("reason")).alias("reason"),),
        ("_rank",),
    )
