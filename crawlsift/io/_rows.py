"""Shared helpers of the readers: row batching, Arrow conversion, value coercion.

Every reader appends one dict per record to a :class:`RowBuffer`, which fills in the
provenance columns (``source``, ``source_index``, ``source_format``, ``stage``),
derives missing ids, and turns the rows into an Arrow table whose first columns are
exactly :func:`crawlsift.schema.input_schema`.

Ids: a record keeps the id its input gives (a JSONL or Parquet ``id``, a WARC record's
``WARC-Record-ID``), which may repeat; a record without one gets ``<name>#<index>``
(:func:`derived_id`; a ``.txt`` file, one record, gets ``<name>``), where ``name`` is its
file's path relative to the run's inputs (:func:`id_name`) and ``index`` its position in
the file. Two files of a run never share a name, so derived ids are unique in a run.

Batches (:class:`ReadOptions`): a batch is closed when it holds ``batch_size`` rows or its
payloads (HTML bytes, or text in UTF-8) reach ``batch_bytes``; a record that would take a
batch past ``batch_bytes`` starts the next one, so a batch holds more than ``batch_bytes`` of
payload only when it is that one record. Memory per worker follows the batch's bytes (a
parsed page costs several times its HTML), so rows alone do not bound it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from crawlsift import schema as S
from crawlsift.errors import InputError
from crawlsift.io.discover import ReadTask
from crawlsift.io.passthrough import field_name, infer_array, string_array, without_surrogates

#: Input columns a JSONL/Parquet record may set itself; any other field named like one of
#: crawlsift's columns is passed through renamed (:func:`crawlsift.io.passthrough.field_name`).
GIVEN_COLUMNS: frozenset[str] = frozenset(S.INPUT_COLUMNS) - {
    S.SOURCE,
    S.SOURCE_INDEX,
    S.SOURCE_FORMAT,
    S.HTML,
    S.REASON,
    S.STAGE,
    S.SKIPPED_RECORDS,
    S.RECORD_BYTES,
}

READ_STAGE = "read"
_INT32_MAX = 2**31 - 1

#: rows of a batch, at most
BATCH_SIZE = 1000
#: payload bytes after which a batch is closed: bench/memory.py measures a worker's peak
#: RSS on real WARC pages at this size (docs/benchmarks.md)
BATCH_BYTES = 16 * 2**20
#: the largest payload a reader holds when no limit is given (a pipeline without the
#: guard stage, whose ``max_record_bytes`` is the limit in a run)
MAX_RECORD_BYTES = 64 * 2**20


@dataclass(frozen=True, kw_only=True)
class ReadOptions:
    """How a reader cuts a file's records into batches, and the largest record it reads."""

    batch_size: int = BATCH_SIZE
    batch_bytes: int = BATCH_BYTES
    #: a record whose payload is larger is a ``too_large`` row with its size in
    #: ``record_bytes``; where the format allows it, the payload is never held whole
    max_record_bytes: int = MAX_RECORD_BYTES

    def __post_init__(self) -> None:
        for name in ("batch_size", "batch_bytes", "max_record_bytes"):
            if getattr(self, name) < 1:
                raise InputError(f"{name} must be at least 1, got {getattr(self, name)}")


def utf8_length(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (lone surrogates counted as three bytes each)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def payload_length(row: Mapping[str, Any]) -> int:
    """Bytes of a row's payload: its HTML, else its text in UTF-8; 0 without either."""
    html = row.get(S.HTML)
    if html is not None:
        return len(html)
    text = row.get(S.TEXT)
    return utf8_length(text) if isinstance(text, str) else 0


def as_status(value: Any) -> int | None:
    """An HTTP status as an int32, or None if the value is not a plausible integer."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value <= _INT32_MAX:
        return value
    return None


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """Split a Content-Type header into (media type, charset), both lower-cased."""
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("'\"").strip().lower() or None
    return media.strip().lower() or None, charset


def id_name(task: ReadTask) -> str:
    """The text ids derived for a task's records start with: its ``name`` (the path
    relative to the run's inputs, see :func:`crawlsift.io.discover.discover`), with each
    byte that is not UTF-8 written ``\\xNN`` so that different names stay different."""
    if task.name.isascii():
        return task.name
    return os.fsencode(task.name).decode("utf-8", "backslashreplace")


def derived_id(name: str, index: int) -> str:
    """The id of the record at ``index`` (from 0) of a file whose :func:`id_name` is
    ``name`` and whose records carry no id: ``<name>#<index>``."""
    return f"{name}#{index}"


class RowBuffer:
    """Collects the rows of one input file and cuts them into Arrow tables (batches).

    :meth:`add` closes batches as :class:`ReadOptions` says; a reader hands them out with
    :meth:`batches` after each record and :meth:`finish` at the end of its file.
    """

    def __init__(
        self, task: ReadTask, options: ReadOptions | None = None, start_index: int = 0
    ) -> None:
        self.source = task.path
        self.source_format = task.format
        self.name = id_name(task)
        self.options = options or ReadOptions()
        self.next_index = start_index
        self._cols: dict[str, list[Any]] = {n: [] for n in S.INPUT_COLUMNS}
        self._extra: dict[str, list[Any]] = {}
        self._names: dict[str, str] = {}  # input field -> output column
        self._rows = 0
        self._bytes = 0  # payload bytes of the buffered rows
        self._full: list[pa.Table] = []

    def __len__(self) -> int:
        return self._rows

    def add(self, row: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        """Append one record; ``row`` holds input columns, ``extra`` pass-through fields."""
        size = payload_length(row)
        limit = self.options.batch_bytes
        if self._rows and self._bytes + size > limit:  # it starts the next batch
            self._full.append(self.flush())
        self._append(row, extra)
        self._bytes += size
        if self._rows >= self.options.batch_size or self._bytes >= limit:
            self._full.append(self.flush())

    def batches(self) -> list[pa.Table]:
        """The batches closed so far (each handed out once)."""
        full, self._full = self._full, []
        return full

    def finish(self) -> list[pa.Table]:
        """End of the file: the batches not yet handed out, the last one included."""
        return self.batches() + ([self.flush()] if self._rows else [])

    def _append(self, row: Mapping[str, Any], extra: Mapping[str, Any] | None) -> None:
        index = self.next_index
        self.next_index += 1
        reason = row.get(S.REASON)
        values = {
            **row,
            S.SOURCE: self.source,
            S.SOURCE_INDEX: index,
            S.SOURCE_FORMAT: self.source_format,
            S.STAGE: READ_STAGE if reason else None,
        }
        if values.get(S.ID) is None:
            values[S.ID] = derived_id(self.name, index)
        for name, column in self._cols.items():
            column.append(values.get(name))
        extra = extra or {}
        for key, value in extra.items():
            key = self._names.get(key) or self._name(key)
            col = self._extra.get(key)
            if col is None:
                col = self._extra[key] = [None] * self._rows
            if len(col) > self._rows:  # two keys that clean up to the same name
                col[-1] = value
            else:
                col.append(value)
        for col in self._extra.values():
            if len(col) == self._rows:
                col.append(None)
        self._rows += 1

    def _name(self, key: str) -> str:
        name = field_name(without_surrogates(key) if not key.isascii() else key)
        self._names[key] = name
        return name

    def reject(self, reason: str, **row: Any) -> None:
        """Append a row for a record that cannot be used (text null, ``stage="read"``)."""
        self.add({**row, S.TEXT: None, S.HTML: None, S.REASON: reason})

    def flush(self) -> pa.Table:
        """The buffered rows as a table; the buffer is emptied."""
        arrays = []
        for name, values in self._cols.items():
            type_ = S.COLUMN_TYPES[name]
            if pa.types.is_string(type_) or pa.types.is_large_string(type_):
                arrays.append(string_array(values, type_))
            else:
                arrays.append(pa.array(values, type=type_))
        extra_fields = []
        for key in dict.fromkeys(self._names.values()):  # every field seen so far, in order
            arr = infer_array(self._extra[key]) if key in self._extra else pa.nulls(self._rows)
            arrays.append(arr)
            extra_fields.append(pa.field(key, arr.type))
        table = pa.Table.from_arrays(arrays, schema=S.input_schema(extra_fields))
        self._cols = {n: [] for n in S.INPUT_COLUMNS}
        self._extra = {}
        self._rows = 0
        self._bytes = 0
        return table
