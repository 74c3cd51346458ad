"""FineWeb quality signals (Penedo et al. 2024; datatrove's ``FineWebQualityFilter``).

Over the non-blank lines: the fraction ending in terminal punctuation (any script), the
fraction at most 30 characters long, and the characters of duplicated lines over the text's
characters other than newlines; and newlines per word token.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.registry import (
    DEFAULT_PRESET,
    FINEWEB2_RECIPE,
    FINEWEB_RECIPE,
    Rule,
    Signals,
    in_presets,
    register,
)
from crawlsift.signals._charsets import TERMINAL_PUNCTUATION, char_class
from crawlsift.signals._text import (
    TextBatch,
    active_texts,
    duplicates,
    per_doc,
    split_parts,
    text_batch,
    to_arrow,
)

STAGE = "fineweb"
LINE_PUNCT_RATIO = "fineweb_line_punct_ratio"
SHORT_LINE_RATIO = "fineweb_short_line_ratio"
CHAR_DUP_RATIO = "fineweb_char_dup_ratio"
NEWLINE_RATIO = "fineweb_newline_ratio"  # newlines per token
_PRESETS = ("fineweb-quality", FINEWEB_RECIPE, DEFAULT_PRESET)

SIGNALS = Signals(
    stage=STAGE,
    columns=dict.fromkeys(
        (LINE_PUNCT_RATIO, SHORT_LINE_RATIO, CHAR_DUP_RATIO, NEWLINE_RATIO), pa.float64()
    ),
    rules=(
        Rule(
            "fineweb_empty",
            LINE_PUNCT_RATIO,
            "null",
            "no non-blank line to measure",
            in_presets(True, FINEWEB2_RECIPE, *_PRESETS),
        ),
        Rule(
            "fineweb_line_punct_ratio",
            LINE_PUNCT_RATIO,
            "min",
            "too few lines end in terminal punctuation",
            in_presets(0.12, FINEWEB2_RECIPE, *_PRESETS),
        ),
        Rule(
            "fineweb_short_line_ratio",
            SHORT_LINE_RATIO,
            "max",
            "too many short lines",
            in_presets(0.67, *_PRESETS),
        ),
        Rule(
            "fineweb_char_dup_ratio",
            CHAR_DUP_RATIO,
            "max",
            "too many characters in duplicate lines",
            # FineWeb-2 raised it from FineWeb's 0.01
            {**in_presets(0.01, *_PRESETS), FINEWEB2_RECIPE: 0.1},
        ),
        Rule(
            "fineweb_list_ratio",
            NEWLINE_RATIO,
            "max",
            "too many newlines per word (a list)",
            in_presets(0.3, FINEWEB2_RECIPE, *_PRESETS),
        ),
    ),
)


@dataclass(frozen=True, kw_only=True)
class FineWebOptions:
    """Options of the FineWeb signals; the defaults are the published recipe."""

    short_line_length: int = 30
    stop_chars: str = TERMINAL_PUNCTUATION
    #: newlines per segmented word for languages written without spaces (``gopher_quality``'s)
    segment: bool = False


def fineweb_signals(
    texts: pl.Series, opts: FineWebOptions, batch: TextBatch | None = None
) -> pl.DataFrame:
    """The FineWeb signal columns for ``texts`` (one row per text); ``batch`` is their
    ``TextBatch`` when the caller has one."""
    batch = batch or TextBatch(texts)
    lines = split_parts(texts, "\n", batch=batch).filter(pl.col("part").str.strip_chars() != "")
    stop = char_class(opts.stop_chars) + "$"
    agg = lines.group_by("doc").agg(
        punct=pl.col("part").str.contains(stop).mean(),
        short=(pl.col("part").str.len_chars() <= opts.short_line_length).mean(),
    )
    dups = duplicates(lines)
    body = texts.str.len_chars() - texts.str.count_matches("\n", literal=True)
    newlines = texts.str.count_matches("\n", literal=True)
    frame = agg.join(dups, on="doc", how="left").join(
        pl.DataFrame(
            {"doc": pl.int_range(len(texts), eager=True, dtype=pl.UInt32), "body": body}
        ).with_columns(newlines=newlines, ntok=pl.Series(batch.token_counts())),
        on="doc",
    )
    return per_doc(
        len(texts),
        frame,
        {
            LINE_PUNCT_RATIO: pl.col("punct"),
            SHORT_LINE_RATIO: pl.col("short"),
            CHAR_DUP_RATIO: pl.col("dup_chars") / pl.col("body").replace(0, None),
            NEWLINE_RATIO: pl.col("newlines") / pl.col("ntok").replace(0, None),
        },
    )


@register(STAGE, FineWebOptions, columns=tuple(SIGNALS.columns))
def fineweb(table: pa.Table, *, opts: FineWebOptions | None = None) -> pa.Table:
    """FineWeb line signals as columns (null on rows already rejected)."""
    opts = opts or FineWebOptions()
    texts = active_texts(table)
    signals = fineweb_signals(texts, opts, text_batch(table, texts, segment=opts.segment))
    return S.with_columns(table, to_arrow(signals, texts))
