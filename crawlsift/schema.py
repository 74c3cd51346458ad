"""Every column crawlsift reads or writes, named once.

A record flows through the pipeline as one row of an Arrow table. Readers produce
the *input* columns; stages add or rewrite the *pipeline* columns; any other column
a JSONL or Parquet input carries is passed through untouched.

Edits are the audit trail: each is a span ``[start, end)`` in characters of
``input_text`` (the text the repair stage saw) with a ``reason`` code and, for a
rewrite rather than a removal, the ``replacement`` text.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

# -- input columns (set by readers) ---------------------------------------------------
# stable record id: the one the input gives (a JSONL/Parquet ``id``, a WARC-Record-ID), kept
# as given, so it may repeat; else derived, unique in a run: ``<path>#<position>`` (a .txt
# file: ``<path>``), the file's path relative to the deepest directory holding every input
# named, ``/``-separated, and the record's position in the file from 0
# (crawlsift.io._rows.derived_id, crawlsift.io.discover.discover)
ID = "id"
URL = "url"
DATE = "date"  # ISO 8601 string exactly as the source gave it (crawl or fetch date)
HTTP_STATUS = "http_status"
CONTENT_TYPE = "content_type"  # media type of the payload, e.g. text/html
CHARSET = "charset"  # charset declared by the HTTP headers, if any
SOURCE = "source"  # path of the input file
SOURCE_INDEX = "source_index"  # position of the record within its source file
SOURCE_FORMAT = "source_format"  # text | jsonl | parquet | warc | wet | arc
TEXT = "text"  # plain text; after repair, the cleaned text
HTML = "html"  # raw HTML payload (bytes) of WARC responses, consumed by extraction
#: types of the archive records that are not documents (WARC request, metadata, warcinfo,
#: ...) read before this row, or after it for a file's last row: counted, never written
SKIPPED_RECORDS = "skipped_records"
#: a ``too_large`` record's payload size in bytes (HTML, or text as stored; for a payload
#: whose Content-Encoding was undone only up to the limit, the bytes decoded by then, a
#: lower bound); null for every other record
RECORD_BYTES = "record_bytes"

# -- pipeline columns (set by stages) -------------------------------------------------
INPUT_TEXT = "input_text"  # the text as repair received it; edits index into it
TITLE = "title"
#: set when extraction had to deviate from its mode, e.g. ``dom_too_deep`` (all visible
#: text kept because main-content scoring is quadratic in DOM depth); null otherwise
EXTRACT_NOTE = "extract_note"
AUTHOR = "author"  # set by extraction from the page's markup (see crawlsift.extract.metadata)
PUBLISHED = "published"  # publication date the page declares, YYYY-MM-DD
SITE_NAME = "site_name"
HTML_LANG = "html_lang"  # language the page declares (<html lang>), e.g. en-US
EDITS = "edits"
KEEP = "keep"
REASON = "reason"  # why a record was rejected; null when kept
STAGE = "stage"  # which stage rejected the record; null when kept
#: the block-list entry a record's URL matched (a domain, a URL, words, a regex), set by the
#: ``url_filter`` stage on the records it rejects; null otherwise
URL_MATCH = "url_match"
#: the word tokens of ``text`` (each one's hash, length in characters and line number), left
#: by the signal stage that found them for the ones after it (crawlsift.signals._text); null
#: where not known. Replacing ``text`` through :func:`with_columns` clears it, so it never
#: describes another text.
WORD_TOKENS = "word_tokens"
#: the number of word tokens of ``text``, where a stage that rewrote the text knows it
#: without tokenising (``c4_lines``, from the tokens of the lines it keeps); cleared like
#: :data:`WORD_TOKENS`
WORD_TOKEN_COUNT = "word_token_count"

EDIT_TYPE = pa.struct(
    [
        pa.field("start", pa.int64()),
        pa.field("end", pa.int64()),
        pa.field("reason", pa.string()),
        pa.field("replacement", pa.string()),
    ]
)
EDITS_TYPE = pa.list_(EDIT_TYPE)

#: Types of the columns set by readers and by the extract, repair and filter stages.
_OWN_TYPES: dict[str, pa.DataType] = {
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
    SKIPPED_RECORDS: pa.list_(pa.string()),
    INPUT_TEXT: pa.large_string(),
    TITLE: pa.string(),
    EXTRACT_NOTE: pa.string(),
    AUTHOR: pa.string(),
    PUBLISHED: pa.string(),
    SITE_NAME: pa.string(),
    HTML_LANG: pa.string(),
    EDITS: EDITS_TYPE,
    KEEP: pa.bool_(),
    REASON: pa.string(),
    STAGE: pa.string(),
    URL_MATCH: pa.string(),
    RECORD_BYTES: pa.int64(),
    WORD_TOKENS: pa.list_(
        pa.struct([("h", pa.uint64()), ("len", pa.uint32()), ("line", pa.uint32())])
    ),
    WORD_TOKEN_COUNT: pa.int64(),
}

#: Columns every reader must emit (in this order, before any pass-through columns). The
#: page metadata (title ... html_lang) is null unless a JSONL or Parquet input gives it;
#: extraction fills it from HTML.
INPUT_COLUMNS: tuple[str, ...] = (
    ID,
    URL,
    DATE,
    HTTP_STATUS,
    CONTENT_TYPE,
    CHARSET,
    TITLE,
    AUTHOR,
    PUBLISHED,
    SITE_NAME,
    HTML_LANG,
    SOURCE,
    SOURCE_INDEX,
    SOURCE_FORMAT,
    TEXT,
    HTML,
    REASON,
    STAGE,
    SKIPPED_RECORDS,
    RECORD_BYTES,
)

#: Columns dropped from outputs (large intermediates, reader bookkeeping).
#: the columns a stage that rewrites ``text`` sets: the text, its edits, the text they index,
#: and the token columns (which describe the text before the rewrite)
TEXT_REWRITE_COLUMNS: tuple[str, ...] = (TEXT, EDITS, INPUT_TEXT, WORD_TOKENS, WORD_TOKEN_COUNT)
INTERNAL_COLUMNS: tuple[str, ...] = (HTML, SKIPPED_RECORDS, WORD_TOKENS, WORD_TOKEN_COUNT)


def field(name: str) -> pa.Field:
    """The Arrow field of a crawlsift-owned column."""
    return pa.field(name, column_types()[name])


def input_schema(extra: list[pa.Field] | None = None) -> pa.Schema:
    """Schema of a reader's output: the input columns, then pass-through fields."""
    return pa.schema([field(n) for n in INPUT_COLUMNS] + list(extra or []))


def input_table(**columns: Any) -> pa.Table:
    """A table of the input schema: the given columns (lists or arrays, equal lengths), every
    other input column null. What a reader would give; handy for the API, tests and benches."""
    n = len(next(iter(columns.values()))) if columns else 0
    unknown = set(columns) - set(INPUT_COLUMNS)
    if unknown:
        raise KeyError(f"not input columns: {', '.join(sorted(unknown))}")
    schema = input_schema()

    def column(f: pa.Field) -> pa.Array | pa.ChunkedArray:
        value = columns.get(f.name)
        if value is None:
            return pa.nulls(n, f.type)
        if isinstance(value, pa.Array | pa.ChunkedArray):
            return value.cast(f.type)
        return pa.array(value, f.type)

    arrays = [column(f) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def edits_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """An edits list (polars gives a large_list) cast to ``EDITS_TYPE``."""
    if pa.types.is_large_list(arr.type):
        arr = arr.cast(pa.list_(arr.type.value_type))
    return arr.cast(EDITS_TYPE)


def rewritten_text(
    table: pa.Table, text: list[str | None], edits: list[Any], original: list[str | None]
) -> dict[str, Any]:
    """The columns a stage that rewrote ``table``'s text sets: the new ``text`` and
    ``edits``, null tokens (those found before describe the old text), and ``original`` as
    the ``input_text`` of a table that has none yet."""
    columns: dict[str, Any] = {
        TEXT: pa.array(text, pa.large_string()),
        EDITS: edits_array(pa.array(edits, EDITS_TYPE)),
    }
    for name in (WORD_TOKENS, WORD_TOKEN_COUNT):
        columns[name] = pa.nulls(table.num_rows, field(name).type)
    if INPUT_TEXT not in table.column_names:
        columns[INPUT_TEXT] = pa.array(original, pa.large_string())
    return columns


def with_rewrite_columns(table: pa.Table, columns: dict[str, Any]) -> dict[str, Any]:
    """``columns`` with every column a text change sets (:data:`TEXT_REWRITE_COLUMNS`) it
    lacks: the table's own (the same arrays, not copies), ``text`` as the ``input_text`` a
    table without one has, nulls for the rest. A stage that may rewrite text sets them on
    every batch, so that its batches have one set of columns whether it changed any or not."""
    filled = dict(columns)
    for name in TEXT_REWRITE_COLUMNS:
        if name in filled:
            continue
        if name in table.column_names:
            filled[name] = table.column(name)
        elif name == INPUT_TEXT:
            filled[name] = table.column(TEXT)
        else:
            filled[name] = pa.nulls(table.num_rows, field(name).type)
    return filled


def with_columns(table: pa.Table, columns: dict[str, pa.Array]) -> pa.Table:
    """Replace or append crawlsift-owned columns, typed as this module says.

    Replacing ``text`` clears :data:`WORD_TOKENS` and :data:`WORD_TOKEN_COUNT` unless they
    are given too."""
    if TEXT in columns:
        for name in (WORD_TOKENS, WORD_TOKEN_COUNT):
            if name not in columns and name in table.column_names:
                columns = {**columns, name: pa.nulls(table.num_rows, column_types()[name])}
    for name, arr in columns.items():
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), field(name), arr)
        else:
            table = table.append_column(field(name), arr)
    return table


# -- dedup columns (set by crawlsift.dedup) ---------------------------------------------
DEDUP_CLUSTER = "dedup_cluster"  # id of the copy kept from this document's cluster
DEDUP_CLUSTER_SIZE = "dedup_cluster_size"  # documents in the cluster (1 = no duplicate)
DEDUP_DUPLICATE_OF = "dedup_duplicate_of"  # on removed duplicates: id of the copy kept

_DEDUP_TYPES: dict[str, pa.DataType] = {
    DEDUP_CLUSTER: pa.string(),
    DEDUP_CLUSTER_SIZE: pa.int64(),
    DEDUP_DUPLICATE_OF: pa.string(),
}
# -- end of dedup columns ---------------------------------------------------------------

#: Types of the columns crawlsift owns, in output order: the columns above, the quality
#: signals (declared by the signal modules, ``crawlsift.registry.SIGNAL_MODULES``), then the
#: dedup columns. Pass-through columns keep their own types. Built on first use (module
#: ``__getattr__``), because the signal modules import this module.
COLUMN_TYPES: dict[str, pa.DataType]


def _signal_types() -> dict[str, pa.DataType]:
    """The signal columns the signal modules declare: counts, flags and codes first, then
    the float ratios and scores, each group in module order (the outputs' column layout)."""
    from crawlsift.registry import signals

    declared = {name: t for module in signals() for name, t in module.columns.items()}
    exact = {n: t for n, t in declared.items() if not pa.types.is_floating(t)}
    return exact | {n: t for n, t in declared.items() if pa.types.is_floating(t)}


def column_types() -> dict[str, pa.DataType]:
    """:data:`COLUMN_TYPES` (built on the first call)."""
    types = globals().get("COLUMN_TYPES")
    if types is None:
        types = {**_OWN_TYPES, **_signal_types(), **_DEDUP_TYPES}
        globals()["COLUMN_TYPES"] = types
    return types


def __getattr__(name: str) -> Any:
    if name == "COLUMN_TYPES":
        return column_types()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
