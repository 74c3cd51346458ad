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
)

#: Columns dropped from outputs (large intermediates, reader bookkeeping).
INTERNAL_COLUMNS: tuple[str, ...] = (HTML, SKIPPED_RECORDS)


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


def with_columns(table: pa.Table, columns: dict[str, pa.Array]) -> pa.Table:
    """Replace or append crawlsift-owned columns, typed as this module says."""
    for name, arr in columns.items():
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), field(name), arr)
        else:
            table = table.append_column(field(name), arr)
    return table


# -- quality signals (set by crawlsift.signals; null on rows rejected before scoring) ---------
GOPHER_WORD_COUNT = "gopher_word_count"  # words with a non-punctuation character
GOPHER_MEAN_WORD_LENGTH = "gopher_mean_word_length"
GOPHER_HASH_RATIO = "gopher_hash_ratio"  # '#' per token
GOPHER_ELLIPSIS_RATIO = "gopher_ellipsis_ratio"  # '...' and '…' per token
GOPHER_BULLET_LINES_RATIO = "gopher_bullet_lines_ratio"
GOPHER_END_ELLIPSIS_LINES_RATIO = "gopher_end_ellipsis_lines_ratio"
GOPHER_ALPHA_WORDS_RATIO = "gopher_alpha_words_ratio"  # tokens with a letter
GOPHER_STOP_WORDS = "gopher_stop_words"  # distinct stop words present
GOPHER_DUP_PARA_FRAC = "gopher_dup_para_frac"
GOPHER_DUP_PARA_CHAR_FRAC = "gopher_dup_para_char_frac"
GOPHER_DUP_LINE_FRAC = "gopher_dup_line_frac"
GOPHER_DUP_LINE_CHAR_FRAC = "gopher_dup_line_char_frac"
GOPHER_TOP_NGRAM_CHAR_FRAC = {n: f"gopher_top_{n}_gram_char_frac" for n in (2, 3, 4)}
GOPHER_DUP_NGRAM_CHAR_FRAC = {n: f"gopher_dup_{n}_gram_char_frac" for n in range(5, 11)}
C4_SENTENCES = "c4_sentences"  # sentences on the lines C4's line rules keep
C4_LINES_REMOVED = "c4_lines_removed"  # lines C4's line rules would remove
C4_LOREM_IPSUM = "c4_lorem_ipsum"
C4_CURLY_BRACKET = "c4_curly_bracket"
FINEWEB_LINE_PUNCT_RATIO = "fineweb_line_punct_ratio"
FINEWEB_SHORT_LINE_RATIO = "fineweb_short_line_ratio"
FINEWEB_CHAR_DUP_RATIO = "fineweb_char_dup_ratio"
FINEWEB_NEWLINE_RATIO = "fineweb_newline_ratio"  # newlines per token
LANGUAGE = "language"  # ISO 639 code of the most likely language
LANGUAGE_SCORE = "language_score"  # its probability

COLUMN_TYPES.update(
    {
        GOPHER_WORD_COUNT: pa.int64(),
        GOPHER_STOP_WORDS: pa.int32(),
        C4_SENTENCES: pa.int64(),
        C4_LINES_REMOVED: pa.int64(),
        C4_LOREM_IPSUM: pa.bool_(),
        C4_CURLY_BRACKET: pa.bool_(),
        LANGUAGE: pa.string(),
    }
)
for _name in (
    GOPHER_MEAN_WORD_LENGTH,
    GOPHER_HASH_RATIO,
    GOPHER_ELLIPSIS_RATIO,
    GOPHER_BULLET_LINES_RATIO,
    GOPHER_END_ELLIPSIS_LINES_RATIO,
    GOPHER_ALPHA_WORDS_RATIO,
    GOPHER_DUP_PARA_FRAC,
    GOPHER_DUP_PARA_CHAR_FRAC,
    GOPHER_DUP_LINE_FRAC,
    GOPHER_DUP_LINE_CHAR_FRAC,
    *GOPHER_TOP_NGRAM_CHAR_FRAC.values(),
    *GOPHER_DUP_NGRAM_CHAR_FRAC.values(),
    FINEWEB_LINE_PUNCT_RATIO,
    FINEWEB_SHORT_LINE_RATIO,
    FINEWEB_CHAR_DUP_RATIO,
    FINEWEB_NEWLINE_RATIO,
    LANGUAGE_SCORE,
):
    COLUMN_TYPES[_name] = pa.float64()
# -- end of quality signals --------------------------------------------------------------------

# -- dedup columns (set by crawlsift.dedup) ---------------------------------------------
DEDUP_CLUSTER = "dedup_cluster"  # id of the copy kept from this document's cluster
DEDUP_CLUSTER_SIZE = "dedup_cluster_size"  # documents in the cluster (1 = no duplicate)
DEDUP_DUPLICATE_OF = "dedup_duplicate_of"  # on removed duplicates: id of the copy kept

COLUMN_TYPES.update(
    {
        DEDUP_CLUSTER: pa.string(),
        DEDUP_CLUSTER_SIZE: pa.int64(),
        DEDUP_DUPLICATE_OF: pa.string(),
    }
)
# -- end of dedup columns ---------------------------------------------------------------
