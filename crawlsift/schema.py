"""Every column crawlsift reads or writes, named once.

A record flows through the pipeline as one row of an Arrow table. Readers produce
the *input* columns; stages add or rewrite the *pipeline* columns; any other column
a JSONL or Parquet input carries is passed through untouched.

Edits are the audit trail: each is a span ``[start, end)`` in characters of
``input_text`` (the text the repair stage saw) with a ``reason`` code and, for a
rewrite rather than a removal, the ``replacement`` text.
"""

from __future__ import annotations

import pyarrow as pa

# -- input columns (set by readers) ---------------------------------------------------
ID = "id"  # stable record id: given by the input, or derived from source + position
URL = "url"
DATE = "date"  # ISO 8601 string exactly as the source gave it (crawl or fetch date)
HTTP_STATUS = "http_status"
CONTENT_TYPE = "content_type"  # media type of the payload, e.g. text/html
CHARSET = "charset"  # charset declared by the HTTP headers, if any
SOURCE = "source"  # path of the input file
SOURCE_INDEX = "source_index"  # position of the record within its source file
SOURCE_FORMAT = "source_format"  # text | jsonl | parquet | warc | wet
TEXT = "text"  # plain text; after repair, the cleaned text
HTML = "html"  # raw HTML payload (bytes) of WARC responses, consumed by extraction

# -- pipeline columns (set by stages) -------------------------------------------------
INPUT_TEXT = "input_text"  # the text as repair received it; edits index into it
TITLE = "title"
EDITS = "edits"
KEEP = "keep"
REASON = "reason"  # why a record was rejected; null when kept
STAGE = "stage"  # which stage rejected the record; null when kept

EDIT_TYPE = pa.struct(
    [
        pa.field("start", pa.int64()),
        pa.field("end", pa.int64()),
        pa.field("reason", pa.string()),
        pa.field("replacement", pa.string()),
    ]
)
EDITS_TYPE = pa.list_(EDIT_TYPE)

#: Types of the columns crawlsift owns. Pass-through columns keep their own types.
COLUMN_TYPES: dict[str, pa.DataType] = {
    ID: pa.string(),
    URL: pa.string(),
    DATE: pa.string(),
    HTTP_STATUS: pa.int32(),
    CONTENT_TYPE: pa.string(),
    CHARSET: pa.string(),
    SOURCE: pa.string(),
    SOURCE_INDEX: pa.int64(),
    SOURCE_FORMAT: pa.string(),
    TEXT: pa.large_string(),
    HTML: pa.large_binary(),
    INPUT_TEXT: pa.large_string(),
    TITLE: pa.string(),
    EDITS: EDITS_TYPE,
    KEEP: pa.bool_(),
    REASON: pa.string(),
    STAGE: pa.string(),
}

#: Columns every reader must emit (in this order, before any pass-through columns).
INPUT_COLUMNS: tuple[str, ...] = (
    ID,
    URL,
    DATE,
    HTTP_STATUS,
    CONTENT_TYPE,
    CHARSET,
    SOURCE,
    SOURCE_INDEX,
    SOURCE_FORMAT,
    TEXT,
    HTML,
    REASON,
    STAGE,
)

#: Columns dropped from outputs (large intermediates).
INTERNAL_COLUMNS: tuple[str, ...] = (HTML,)


def field(name: str) -> pa.Field:
    """The Arrow field of a crawlsift-owned column."""
    return pa.field(name, COLUMN_TYPES[name])


def input_schema(extra: list[pa.Field] | None = None) -> pa.Schema:
    """Schema of a reader's output: the input columns, then pass-through fields."""
    return pa.schema([field(n) for n in INPUT_COLUMNS] + list(extra or []))


def conform(table: pa.Table) -> pa.Table:
    """Cast crawlsift-owned columns to their canonical types, leaving others alone."""
    fields = []
    for f in table.schema:
        fields.append(field(f.name) if f.name in COLUMN_TYPES else f)
    return table.cast(pa.schema(fields))


def with_columns(table: pa.Table, columns: dict[str, pa.Array]) -> pa.Table:
    """Replace or append crawlsift-owned columns, typed as this module says."""
    for name, arr in columns.items():
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), field(name), arr)
        else:
            table = table.append_column(field(name), arr)
    return table
