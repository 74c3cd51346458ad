"""Site boilerplate: lines that recur across many documents of one host.

Learning is a group-by over ``(host, line key)`` of the distinct lines of every
document (with an index, added to the counts of every earlier batch); a line is
boilerplate for a host when it occurs in at least ``boilerplate_min_docs`` of the host's
documents and in at least ``boilerplate_min_fraction`` of them. A syndicated article
copied to a few hosts never reaches either floor on any one of them, so its lines stay.

Documents are counted once per distinct text: copies of one page on a host (same exact
key of the text as read: a page crawled twice, a batch indexed again) count as one
document, within a run and against the documents an index has counted before. Otherwise
an article copied a few times on a small site, or any page of a batch seen again, would
count its own lines several times and lose them as boilerplate.

Removing a line appends an edit with reason ``site_boilerplate`` to ``edits``. Its span
is in characters of the ``text`` column dedup *read* (the output of earlier stages),
not of ``input_text``: edits are patches applied stage by stage, so the earlier edits
turn ``input_text`` into that text and the ``site_boilerplate`` edits turn it into the
final ``text``.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.dedup.tokens import hash_strings
from crawlsift.reasons import SITE_BOILERPLATE as REASON

_HOST = r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/?#]*@)?([^/:?#]+)"


def hosts(urls: pa.Array | pa.ChunkedArray) -> pl.Series:
    """Lowercased URL hosts without a leading ``www.`` (null when there is none)."""
    s = pl.Series(urls).cast(pl.String)
    return s.str.extract(_HOST, 1).str.to_lowercase().str.strip_prefix("www.")


def line_table(texts: pa.Array | pa.ChunkedArray, host: pl.Series, min_chars: int) -> pl.DataFrame:
    """One row per line of each document that has a host.

    Columns: ``doc`` (row in the batch), ``host``, ``line``, ``start``/``end`` (character
    span of the line in the text), ``key`` (hash of the normalised line, null when the
    line is shorter than ``min_chars``).
    """
    df = pl.DataFrame({"text": pl.Series(texts).cast(pl.String), "host": host})
    df = df.with_row_index("doc").filter(
        pl.col("host").is_not_null() & pl.col("text").is_not_null()
    )
    lines = (
        df.select("doc", "host", pl.col("text").str.split("\n").alias("line"))
        .explode("line")
        .with_columns(length=pl.col("line").str.len_chars().cast(pl.Int64))
        .with_columns(
            start=(pl.col("length") + 1).cum_sum().over("doc") - pl.col("length") - 1,
            norm=pl.col("line").str.strip_chars().str.to_lowercase(),
        )
    )
    keys = pl.Series(hash_strings(lines["norm"].to_arrow()), dtype=pl.UInt64)
    key = pl.when(pl.col("norm").str.len_chars() >= max(min_chars, 1)).then(keys)
    return lines.select(
        "doc",
        "host",
        "line",
        "start",
        end=pl.col("start") + pl.col("length"),
        key=key,
    )


def doc_keys(lines: pl.DataFrame, row0: int) -> pl.DataFrame:
    """The distinct ``(host, key)`` of each document, with global row numbers."""
    return (
        lines.filter(pl.col("key").is_not_null())
        .select("host", "key", row=pl.col("doc").cast(pl.Int64) + row0)
        .unique()
    )


def counts(
    keys: pl.LazyFrame, docs: pl.LazyFrame, seen: pl.LazyFrame | None = None
) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """Line and host counts over distinct documents not ``seen`` before.

    ``keys`` is :func:`doc_keys` (``host, key, row``), ``docs`` has ``host, row, read``
    (``read``: the exact key of the text as read), ``seen`` the ``host, read`` pairs an
    index counted already. Returns ``(host, key, n)`` distinct documents per line,
    ``(host, docs)`` distinct documents per host, and the ``(host, read)`` pairs counted.
    """
    if seen is not None:
        docs = docs.join(seen, on=["host", "read"], how="anti")
    counted = docs.select("host", "read").unique()
    lines = (
        keys.join(docs.select("row", "read"), on="row")
        .select("host", "key", "read")
        .unique()
        .group_by("host", "key")
        .agg(n=pl.len().cast(pl.Int64))
    )
    hosts = counted.group_by("host").agg(docs=pl.len().cast(pl.Int64))
    return lines, hosts, counted


def learn(
    lines: pl.LazyFrame,
    hosts: pl.LazyFrame,
    min_docs: int,
    min_fraction: float,
    prior: tuple[pl.LazyFrame, pl.LazyFrame] | None = None,
) -> pl.LazyFrame:
    """Boilerplate ``(host, key)`` pairs from :func:`counts`, plus an index's ``prior`` ones."""
    if prior is not None:
        lines = pl.concat([lines, prior[0]]).group_by("host", "key").agg(pl.col("n").sum())
        hosts = pl.concat([hosts, prior[1]]).group_by("host").agg(pl.col("docs").sum())
    return (
        lines.filter(pl.col("n") >= min_docs)
        .join(hosts, on="host")
        .filter(pl.col("n") >= pl.col("docs") * min_fraction)
        .select("host", "key")
    )


def strip(
    table: pa.Table, lines: pl.DataFrame, boilerplate: pl.DataFrame
) -> tuple[pa.Table, int, np.ndarray]:
    """Remove boilerplate lines from ``table``'s text, appending edits.

    Returns the table, the number of lines removed and which rows lost a line (bool).
    """
    changed = np.zeros(table.num_rows, np.bool_)
    marked = lines.join(
        boilerplate.with_columns(bp=pl.lit(True)), on=["host", "key"], how="left"
    ).with_columns(bp=pl.col("bp").fill_null(False))
    hit = marked.filter(pl.col("bp").any().over("doc"))
    if hit.height == 0:
        return table, 0, changed
    kept = (~pl.col("bp")).cast(pl.Int64)
    hit = hit.with_columns(
        kept_after=(kept.cum_sum(reverse=True).over("doc") - kept) > 0,
        next_start=pl.col("start").shift(-1).over("doc"),
        first=pl.col("start") == 0,
    )
    span_start = (
        pl.when(pl.col("kept_after") | pl.col("first"))
        .then(pl.col("start"))
        .otherwise(pl.col("start") - 1)
    )
    span_end = pl.when(pl.col("kept_after")).then(pl.col("next_start")).otherwise(pl.col("end"))
    edit = pl.struct(
        start=span_start,
        end=span_end,
        reason=pl.lit(REASON),
        replacement=pl.lit(None, pl.String),
    )
    per_doc = hit.group_by("doc", maintain_order=True).agg(
        text=pl.col("line").filter(~pl.col("bp")).str.join("\n"),
        new_edits=edit.filter(pl.col("bp")),
        removed=pl.col("bp").sum(),
    )
    edit_type = pl.Series(pa.nulls(0, S.EDITS_TYPE)).dtype
    base = pl.DataFrame(
        {
            "doc": pl.int_range(table.num_rows, eager=True, dtype=pl.UInt32),
            "old_text": pl.Series(table.column(S.TEXT)).cast(pl.String),
            "old": (
                pl.Series(table.column(S.EDITS)).cast(edit_type)
                if S.EDITS in table.column_names
                else pl.Series([None] * table.num_rows, dtype=edit_type)
            ),
        }
    )
    out = base.join(per_doc, on="doc", how="left", maintain_order="left").select(
        text=pl.coalesce("text", "old_text"),
        edits=pl.when(pl.col("new_edits").is_null())
        .then(pl.col("old"))
        .otherwise(pl.concat_list(pl.col("old").fill_null([]), pl.col("new_edits"))),
    )
    table = S.with_columns(
        table,
        {
            S.TEXT: out["text"].to_arrow().cast(S.COLUMN_TYPES[S.TEXT]),
            S.EDITS: out["edits"].to_arrow().cast(S.EDITS_TYPE),
        },
    )
    changed[per_doc["doc"].to_numpy()] = True
    return table, int(per_doc["removed"].sum()), changed
