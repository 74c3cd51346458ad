"""Low-content lines around the main text: navigation, footers, teasers.

Text from a naive crawler is a page's visible text, one block per line: menus and
footers are runs of short lines, the article a run of long ones. Following Finn et
al.'s Body Text Extraction (2001), each line gets a weight, ``len(line) - threshold``
(positive for prose, negative for menu items), and the main content is the
contiguous run of lines with the largest total weight: a maximum-sum subarray,
computed for all documents at once from segmented running sums in numpy (no
per-document loop).
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

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from crawlsift.repair.lines import matches_where, run
from crawlsift.repair.registry import RepairRule

REASON = "repair_low_content"

_MADE = ("_good", "_w", "_in")

SENTENCE = r"[.!?…。！？][\"'”’»)\]]*(?:\s|$)"


def best_runs(
    doc: np.ndarray, weight: np.ndarray, *, max_runs: int, min_share: float
) -> np.ndarray:
    """Per line: whether it lies in one of its document's heaviest runs.

    ``doc`` must be sorted (lines of a document are contiguous). Segmented running sums
    and minima are computed for all documents at once: a running minimum restarts at
    each document because every document's values are shifted below all earlier ones.
    """
    n = len(doc)
    inside = np.zeros(n, dtype=bool)
    if n == 0:
        return inside
    idx = np.arange(n)
    # np.concatenate and np.cumsum, not np.r_ and np.repeat: on one page's few lines the
    # cost of a numpy call is most of the time
    first = np.concatenate(([True], doc[1:] != doc[:-1]))
    starts = np.flatnonzero(first)
    seg = np.cumsum(first) - 1
    w = weight.astype(np.int64)
    barrier = -(int(np.abs(w).sum()) + 1)  # a later run cannot cross an earlier one
    first_total = None
    for i in range(max_runs):
        cs = np.cumsum(w)
        s = cs - (cs[starts] - w[starts])[seg]
        prev = np.empty_like(s)
        prev[1:] = s[:-1]
        prev[starts] = 0
        big = 2 * int(np.abs(s).max()) + 1
        shift = seg.astype(np.int64) * big
        # lowest running sum before each line (0 when none is lower): best run ending here
        low = np.minimum(np.minimum.accumulate(prev - shift) + shift, 0)
        gain = s - low
        best = np.maximum.reduceat(gain, starts)
        end = np.minimum.reduceat(np.where(gain == best[seg], idx, n), starts)
        low_at_end = low[end]
        after = np.maximum.reduceat(
            np.where((idx < end[seg]) & (s == low_at_end[seg]), idx, -1), starts
        )
        after = np.where(after < 0, starts - 1, after)
        run = (idx > after[seg]) & (idx <= end[seg])
        total = np.add.reduceat(np.where(run, w, 0), starts)
        if first_total is None:
            first_total = total
            accept = total > 0
        else:
            accept = (total > 0) & (total >= min_share * first_total)
        run &= accept[seg]
        inside |= run
        w = np.where(run, barrier, w)
        if not run.any() or i == max_runs - 1:
            break
    return inside


@dataclass(frozen=True, kw_only=True)
class LowContentOptions:
    """Thresholds of the low-content rule (see :func:`mark_low_content`)."""

    #: a line weighs its length in characters less this (prose positive, menus negative)
    threshold: int = 40
    #: the same for lines an extractor took from HTML as main content
    markup_threshold: int = 30
    #: a line with a sentence and at least this many characters is good prose
    good_chars: int = 100
    #: a line's weight counts at most this many characters
    cap_chars: int = 1000
    #: main runs found per document at most
    max_runs: int = 3
    #: a further run weighs at least this share of the best one
    min_share: float = 0.5
    #: a list item from markup weighs at least this
    list_floor: int = 5


def mark_low_content(lines: pl.LazyFrame, *, markup: bool, opts: LowContentOptions) -> pl.LazyFrame:
    """Set ``reason`` on alive lines outside each document's main runs of prose.

    With ``markup``, the line table has a ``from_markup`` column, true on lines of text an
    extractor took from HTML as main content. Those are judged more leniently, since the DOM
    rules chose them already: they are weighed against ``markup_threshold``, and a list item
    among them (a line starting with a bullet or ``1.``) weighs at least ``list_floor``:
    there a list is a recipe's ingredients or a product's specs, in all visible text of a
    page mostly its menus. The defaults are chosen on the shared extraction sets, scored as
    docs/benchmarks.md describes.

    The runs are found in numpy, so the query so far is run here, and the rest of the
    stage starts a new one from its result.
    """
    o = opts
    weights, mark = _steps(
        markup, o.threshold, o.markup_threshold, o.good_chars, o.cap_chars, o.list_floor
    )
    done = run(lines.with_columns(*weights))
    inside = best_runs(
        done["doc"].to_numpy(), done["_w"].to_numpy(), max_runs=o.max_runs, min_share=o.min_share
    )
    return done.hstack([pl.Series("_in", inside)]).lazy().with_columns(mark).drop(_MADE)


@cache
def _steps(
    markup: bool,
    threshold: int,
    markup_threshold: int,
    good_chars: int,
    cap_chars: int,
    list_floor: int,
) -> tuple[tuple[pl.Expr, pl.Expr], pl.Expr]:
    """The columns the runs are found from (``_good``, ``_w``), and ``reason`` after."""
    alive = ~pl.col("blank") & pl.col("reason").is_null()
    good = matches_where(SENTENCE, alive & (pl.col("nchars") >= good_chars))
    cut: pl.Expr = pl.lit(threshold)
    if markup:
        cut = pl.when(pl.col("from_markup")).then(markup_threshold).otherwise(threshold)
    weight: pl.Expr = pl.when(alive).then(pl.col("nchars").clip(upper_bound=cap_chars) - cut)
    if markup:
        item = pl.col("from_markup") & pl.col("norm").str.contains(r"^(?:•|\d+\.)\s")
        weight = pl.when(item).then(pl.max_horizontal(weight, list_floor)).otherwise(weight)
    has_prose = pl.col("_good").any().over("doc")
    hit = alive & ~pl.col("_in") & ~pl.col("_good") & has_prose
    reason = pl.when(hit).then(pl.lit(REASON)).otherwise(pl.col("reason"))
    return (good.alias("_good"), weight.fill_null(0).alias("_w")), reason.alias("reason")


RULES = (
    RepairRule(
        code=REASON,
        meaning="menus, footers, teasers around the main text",
        options=LowContentOptions,
        switch="low_content",
        step=mark_low_content,
    ),
)
