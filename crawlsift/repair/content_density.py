"""Low-content lines around the main text: navigation, footers, teasers.

A text-only take on jusText's block classification (Pomikálek, 2011): text from a
naive crawler is the page's visible text, one block per line, and without the DOM
the only evidence is the block itself and its neighbours. Lines are classed

- ``good``: long prose (at least ``good_chars`` characters with a sentence ending),
- ``near``: medium lines (between ``short_chars`` and ``good_chars``) or long lines without
  any sentence punctuation,
- ``short``: everything shorter.

A short or near line is kept when the nearest content line on *both* sides is good
or near, and at least one of them is good (headings, captions, short paragraphs
inside the article); near lines directly touching a good line are kept. Everything
else outside the prose is removed as ``repair_low_content``. A document with no
good line at all (a listing, a forum of one-liners, a poem) is left alone: there is
no main text to measure against.

jusText itself needs HTML (its paragraphs come from the DOM and it uses link
density), so the idea is re-implemented here over the line table, vectorised.
"""

from __future__ import annotations

import polars as pl

REASON = "repair_low_content"

SENTENCE = r"[.!?…。！？][\"'”’»)\]]*(?:\s|$)"


def mark_low_content(
    lines: pl.DataFrame, *, good_chars: int = 120, short_chars: int = 40
) -> pl.DataFrame:
    """Set ``reason`` on content lines far from any prose."""
    alive = ~pl.col("blank") & pl.col("reason").is_null()
    has_sentence = pl.col("norm").str.contains(SENTENCE)
    cls = (
        pl.when(~alive)
        .then(None)
        .when((pl.col("nchars") >= good_chars) & has_sentence)
        .then(pl.lit(2))
        .when(pl.col("nchars") >= short_chars)
        .then(pl.lit(1))
        .otherwise(pl.lit(0))
    )
    lines = lines.with_columns(_cls=cls)
    # class of the nearest alive non-short line before / after (0 = document edge)
    anchor = pl.when(pl.col("_cls") >= 1).then(pl.col("_cls"))
    before = anchor.shift(1).forward_fill().over("doc").fill_null(0)
    after = anchor.shift(-1).backward_fill().over("doc").fill_null(0)
    # the adjacent alive line on each side, for near lines touching prose
    adjacent = pl.col("_cls")
    prev_adj = adjacent.shift(1).forward_fill().over("doc").fill_null(0)
    next_adj = adjacent.shift(-1).backward_fill().over("doc").fill_null(0)
    has_good = (pl.col("_cls") == 2).any().over("doc")
    keep = (
        (pl.col("_cls") == 2)
        | ((before >= 1) & (after >= 1) & ((before == 2) | (after == 2)))
        | ((pl.col("_cls") == 1) & ((prev_adj == 2) | (next_adj == 2)))
    )
    hit = alive & has_good & ~keep
    return lines.with_columns(
        reason=pl.when(hit.fill_null(False)).then(pl.lit(REASON)).otherwise(pl.col("reason"))
    ).drop("_cls")
