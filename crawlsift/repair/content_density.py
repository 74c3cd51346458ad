"""Low-content lines around the main text: navigation, footers, teasers.

Text from a naive crawler is a page's visible text, one block per line: menus and
footers are runs of short lines, the article a run of long ones. Following Finn et
al.'s Body Text Extraction (2001), each line gets a weight, ``len(line) - threshold``
(positive for prose, negative for menu items), and the main content is the
contiguous run of lines with the largest total weight: a maximum-sum subarray,
computed for all documents at once from running sums (no per-document loop).
Pages with several content areas (forum posts between long runs of user info) get
further runs, each disjoint from the earlier ones, while a run weighs at least
``min_share`` of the best one.

Short lines *inside* a run (headings, list items, code, captions) are kept; lines
outside are removed as ``repair_low_content``, except long prose lines with a
sentence ending, which are kept wherever they stand. A document with no prose line
at all (a listing, a forum of one-liners, a poem) is left alone: there is no main
text to measure against.

The DOM-based versions of this idea live in extractors (resiliparse, trafilatura);
none of them works on text without markup, hence this implementation.
"""

from __future__ import annotations

import polars as pl

REASON = "repair_low_content"

SENTENCE = r"[.!?…。！？][\"'”’»)\]]*(?:\s|$)"
_BARRIER = -(10**12)  # weight that keeps a later run from crossing an earlier one


def _best_run(weight: str) -> pl.Expr:
    """Per line: whether it lies in its document's maximum-sum run of ``weight``."""
    s = pl.col(weight).cum_sum().over("doc")
    # best run ending at each line = running sum minus the lowest running sum before it
    low = s.shift(1).fill_null(0).cum_min().over("doc").clip(upper_bound=0)
    gain = s - low
    end = pl.when(gain == gain.max().over("doc")).then(pl.col("lineno")).min().over("doc")
    low_at_end = pl.when(pl.col("lineno") == end).then(low).max().over("doc")
    # the run starts after the last line before its end whose running sum is that low
    after = (
        pl.when((pl.col("lineno") < end) & (s == low_at_end))
        .then(pl.col("lineno"))
        .max()
        .over("doc")
        .fill_null(-1)
    )
    return (pl.col("lineno") > after) & (pl.col("lineno") <= end)


def mark_low_content(
    lines: pl.DataFrame,
    *,
    threshold: int = 40,
    good_chars: int = 120,
    cap_chars: int = 1000,
    max_runs: int = 3,
    min_share: float = 0.5,
) -> pl.DataFrame:
    """Set ``reason`` on alive lines outside each document's main runs of prose."""
    alive = ~pl.col("blank") & pl.col("reason").is_null()
    good = alive & (pl.col("nchars") >= good_chars) & pl.col("norm").str.contains(SENTENCE)
    weight = pl.when(alive).then(pl.col("nchars").clip(upper_bound=cap_chars) - threshold)
    lines = lines.with_columns(_good=good, _w=weight.fill_null(0), _in=pl.lit(False))
    for i in range(max_runs):
        run = _best_run("_w")
        total = pl.when(run).then(pl.col("_w")).otherwise(0).sum().over("doc")
        lines = lines.with_columns(_run=run & (total > 0), _total=total)
        if i == 0:
            lines = lines.with_columns(_first=pl.col("_total"))
        else:
            big = pl.col("_total") >= min_share * pl.col("_first")
            lines = lines.with_columns(_run=pl.col("_run") & big)
        lines = lines.with_columns(
            _in=pl.col("_in") | pl.col("_run"),
            _w=pl.when(pl.col("_run")).then(pl.lit(_BARRIER)).otherwise(pl.col("_w")),
        )
    has_prose = pl.col("_good").any().over("doc")
    hit = alive & ~pl.col("_in") & ~pl.col("_good") & has_prose
    return lines.with_columns(
        reason=pl.when(hit).then(pl.lit(REASON)).otherwise(pl.col("reason"))
    ).drop("_good", "_w", "_in", "_run", "_total", "_first")
