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
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from crawlsift import schema as S
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
}

READ_STAGE = "read"
_INT32_MAX = 2**31 - 1


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
    """Collects the rows of one input file and emits them as Arrow tables."""

    def __init__(self, task: ReadTask, start_index: int = 0) -> None:
        self.source = task.path
        self.source_format = task.format
        self.name = id_name(task)
        self.next_index = start_index
        self._cols: dict[str, list[Any]] = {n: [] for n in S.INPUT_COLUMNS}
        self._extra: dict[str, list[Any]] = {}
        self._names: dict[str, str] = {}  # input field -> output column
        self._rows = 0

    def __len__(self) -> int:
        return self._rows

    def add(self, row: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        """Append one record; ``row`` holds input columns, ``extra`` pass-through fields."""
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
        for name, col in self._cols.items():
            col.append(values.get(name))
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
        return table
