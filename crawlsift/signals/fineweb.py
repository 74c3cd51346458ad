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
from crawlsift.registry import register
from crawlsift.signals._charsets import TERMINAL_PUNCTUATION, char_class
from crawlsift.signals._text import (
    active_texts,
    duplicates,
    per_doc,
    split_parts,
    text_batch,
    to_arrow,
)

STAGE = "fineweb"
#: the signal columns this stage sets
SIGNALS: tuple[str, ...] = (
    S.FINEWEB_LINE_PUNCT_RATIO,
    S.FINEWEB_SHORT_LINE_RATIO,
    S.FINEWEB_CHAR_DUP_RATIO,
    S.FINEWEB_NEWLINE_RATIO,
)


@dataclass(frozen=True, kw_only=True)
class FineWebOptions:
    """Options of the FineWeb signals; the defaults are the published recipe."""

    short_line_length: int = 30
    stop_chars: str = TERMINAL_PUNCTUATION


def fineweb_signals(texts: pl.Series, opts: FineWebOptions) -> pl.DataFrame:
    """The FineWeb signal columns for ``texts`` (one row per text)."""
    lines = split_parts(texts, "\n").filter(pl.col("part").str.strip_chars() != "")
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
        ).with_columns(newlines=newlines, ntok=pl.Series(text_batch(texts).token_counts())),
        on="doc",
    )
    return per_doc(
        len(texts),
        frame,
        {
            S.FINEWEB_LINE_PUNCT_RATIO: pl.col("punct"),
            S.FINEWEB_SHORT_LINE_RATIO: pl.col("short"),
            S.FINEWEB_CHAR_DUP_RATIO: pl.col("dup_chars") / pl.col("body").replace(0, None),
            S.FINEWEB_NEWLINE_RATIO: pl.col("newlines") / pl.col("ntok").replace(0, None),
        },
    )


@register(STAGE, FineWebOptions, columns=SIGNALS)
def fineweb(table: pa.Table, *, opts: FineWebOptions | None = None) -> pa.Table:
    """FineWeb line signals as columns (null on rows already rejected)."""
    texts = active_texts(table)
    return S.with_columns(table, to_arrow(fineweb_signals(texts, opts or FineWebOptions()), texts))
