"""Atomic output shards (Parquet or JSONL) and reading them back.

A :class:`ShardWriter` writes to a hidden ``.tmp-<name>.<ext>`` file and only
:meth:`ShardWriter.commit` makes it visible as ``<name>.<ext>`` (fsync, then
``os.replace``), so a crashed run never leaves a partial shard that looks complete.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import decimal
import json
import os
import re
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from crawlsift import schema as S
from crawlsift.errors import InputError, OutputError
from crawlsift.io._rows import infer_array

ROW_GROUP_ROWS = 2000  # rows per Parquet row group (and per JSONL write) of a RollingWriter

FORMATS: tuple[str, ...] = ("parquet", "jsonl")
#: Parquet needs a column's type up front: tables whose columns are still all-null are
#: held back (up to this many bytes) until a later table reveals the type.
PENDING_BYTES = 32 << 20
_SHARD = re.compile(r"(?P<base>.+?)(?:~(?P<part>\d+))?\.(?P<ext>parquet|jsonl)")


def _json_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, (dt.timedelta, decimal.Decimal)):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _has_null(type_: pa.DataType | pa.Schema) -> bool:
    """Whether a type (or schema) contains the null type anywhere."""
    if isinstance(type_, pa.Schema):
        return any(_has_null(f.type) for f in type_)
    if pa.types.is_null(type_):
        return True
    if pa.types.is_struct(type_):
        return any(_has_null(f.type) for f in type_)
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return _has_null(type_.value_type)
    return False


def _unify(schemas: list[pa.Schema]) -> pa.Schema | None:
    try:
        return pa.unify_schemas(schemas, promote_options="permissive")
    except (pa.ArrowException, ValueError):
        return None


def _fit(table: pa.Table, schema: pa.Schema) -> pa.Table | None:
    """The table cast to ``schema`` (missing columns as nulls), or None if it will not fit."""
    if table.schema.equals(schema):
        return table
    if set(table.column_names) - set(schema.names):
        return None
    arrays = []
    for field in schema:
        if field.name not in table.column_names:
            arrays.append(pa.nulls(table.num_rows, field.type))
            continue
        col = table.column(field.name)
        try:
            arrays.append(col if col.type.equals(field.type) else col.cast(field.type))
        except (pa.ArrowException, ValueError):
            return None
    return pa.Table.from_arrays(arrays, schema=schema)


class ShardWriter:
    """Write one output shard atomically.

    Tables whose schema cannot be cast to the first one (new columns, incompatible
    types) start a further Parquet part ``<name>~<k>.parquet``; JSONL needs no parts.
    """

    def __init__(self, directory: str, name: str, fmt: str = "parquet") -> None:
        if fmt not in FORMATS:
            raise InputError(f"unknown output format {fmt!r} (expected one of: parquet, jsonl)")
        if not name or os.sep in name or name.startswith("."):
            raise InputError(f"invalid shard name {name!r}")
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {directory}: {exc.strerror or exc}") from exc
        self.directory = directory
        self.name = name
        self.fmt = fmt
        self._parts: list[tuple[str, str]] = []  # (tmp path, final path)
        self._fh: IO[bytes] | None = None
        self._pq: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._pending: list[pa.Table] = []
        self._pending_bytes = 0
        self._done = False

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self._done:
            self.abort()

    def _open_part(self) -> IO[bytes]:
        suffix = f"~{len(self._parts)}" if self._parts else ""
        stem = f"{self.name}{suffix}.{self.fmt}"
        tmp = os.path.join(self.directory, f".tmp-{stem}")
        self._parts.append((tmp, os.path.join(self.directory, stem)))
        self._fh = open(tmp, "wb")  # noqa: SIM115 - closed in commit/abort
        return self._fh

    def write(self, table: pa.Table) -> None:
        """Append a table's rows to the shard (empty tables are ignored)."""
        if self._done:
            raise RuntimeError("ShardWriter is already committed or aborted")
        if table.num_rows == 0:
            return
        try:
            if self.fmt == "jsonl":
                self._write_jsonl(table)
            else:
                self._write_parquet(table)
        except OSError as exc:
            raise OutputError(f"cannot write to {self.directory}: {exc.strerror or exc}") from exc

    def _write_jsonl(self, table: pa.Table) -> None:
        fh = self._fh or self._open_part()
        for batch in table.to_batches():
            lines = [
                json.dumps(row, ensure_ascii=False, default=_json_default) + "\n"
                for row in batch.to_pylist()
            ]
            fh.write("".join(lines).encode("utf-8"))

    def _write_parquet(self, table: pa.Table) -> None:
        if self._pq is None:  # hold the first tables until all-null columns get a type
            self._pending.append(table)
            self._pending_bytes += table.nbytes
            unified = _unify([t.schema for t in self._pending])
            if unified is None or not _has_null(unified) or self._pending_bytes > PENDING_BYTES:
                self._flush_pending()
            return
        self._write_part(table)

    def _flush_pending(self) -> None:
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        if not pending:
            return
        unified = _unify([t.schema for t in pending])
        if unified is not None:
            self._start_part(unified)
        for table in pending:
            self._write_part(table)

    def _start_part(self, schema: pa.Schema) -> None:
        self._close_parquet()
        self._schema = schema
        self._pq = pq.ParquetWriter(self._open_part(), schema, compression="zstd")

    def _write_part(self, table: pa.Table) -> None:
        fitted = _fit(table, self._schema) if self._schema is not None else None
        if fitted is None:
            self._start_part(table.schema)
            fitted = table
        assert self._pq is not None
        self._pq.write_table(fitted)

    def _close_parquet(self) -> None:
        if self._pq is not None:
            self._pq.close()
            self._pq = None
        self._close_file(sync=True)

    def _close_file(self, sync: bool) -> None:
        if self._fh is not None:
            fh, self._fh = self._fh, None
            try:
                if sync:
                    fh.flush()
                    os.fsync(fh.fileno())
            finally:
                fh.close()

    def commit(self) -> list[str]:
        """Make the shard visible; returns the committed paths ([] if nothing was written)."""
        if self._done:
            raise RuntimeError("ShardWriter is already committed or aborted")
        try:
            self._flush_pending()
            self._close_parquet()
            for tmp, final in self._parts:
                os.replace(tmp, final)
            if self._parts:
                _fsync_dir(self.directory)
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot commit {self.name}: {exc.strerror or exc}") from exc
        self._done = True
        return [final for _, final in self._parts]

    def abort(self) -> None:
        """Discard everything written; safe to call more than once."""
        if self._done:
            return
        self._done = True
        self._pending = []
        try:
            if self._pq is not None:
                self._pq.close()
        except (OSError, pa.ArrowException):
            pass
        self._pq = None
        with contextlib.suppress(OSError):
            self._close_file(sync=False)
        for tmp, _ in self._parts:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)


class RollingWriter:
    """Shards of at most ``shard_rows`` rows named ``<prefix>-<k>``, committed together.

    Rows are written in row groups of exactly ``ROW_GROUP_ROWS`` (the last one of a shard
    may be shorter), so the bytes of a shard depend only on its rows, never on the sizes
    of the tables that brought them.
    """

    def __init__(self, directory: str, prefix: str, fmt: str, shard_rows: int) -> None:
        self.directory, self.prefix, self.fmt, self.shard_rows = directory, prefix, fmt, shard_rows
        self.index, self.rows = 0, 0
        self.current: ShardWriter | None = None
        self.finished: list[ShardWriter] = []
        self.buffer: list[pa.Table] = []
        self.buffered = 0

    def write(self, table: pa.Table) -> None:
        """Append rows; full row groups are written as they fill."""
        if table.num_rows:
            self.buffer.append(table)
            self.buffered += table.num_rows
        while self.buffered >= self._step():
            self._emit(self._step())

    def _step(self) -> int:
        return min(ROW_GROUP_ROWS, self.shard_rows - self.rows)

    def _emit(self, n: int) -> None:
        pending = pa.concat_tables(self.buffer, promote_options="permissive")
        head, rest = pending.slice(0, n), pending.slice(n)
        self.buffer, self.buffered = ([rest] if rest.num_rows else []), rest.num_rows
        if self.current is None:
            name = f"{self.prefix}-{self.index:05d}"
            self.current = ShardWriter(self.directory, name, self.fmt)
            self.index += 1
        self.current.write(head.combine_chunks())
        self.rows += head.num_rows
        if self.rows >= self.shard_rows:
            self.finished.append(self.current)
            self.current, self.rows = None, 0

    def commit(self) -> None:
        """Write what is buffered and make every shard visible."""
        while self.buffered:
            self._emit(min(self.buffered, self._step()))
        if self.current is not None:
            self.finished.append(self.current)
            self.current = None
        for w in self.finished:
            w.commit()

    def abort(self) -> None:
        """Discard every shard."""
        self.buffer, self.buffered = [], 0
        for w in [*self.finished, *([self.current] if self.current else [])]:
            w.abort()


def _fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _shard_key(name: str) -> tuple[str, int, str]:
    match = _SHARD.fullmatch(name)
    assert match is not None
    return match["base"], int(match["part"] or 0), match["ext"]


def _read_jsonl(path: str) -> pa.Table:
    columns: dict[str, list[Any]] = {}
    count = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            for key, value in row.items():
                col = columns.get(key)
                if col is None:
                    col = columns[key] = [None] * count
                col.append(value)
            count += 1
            for col in columns.values():
                if len(col) < count:
                    col.append(None)
    table = pa.table({k: infer_array(v) for k, v in columns.items()})
    fields = []
    for field in table.schema:  # restore crawlsift types JSON lost (html stays base64 text)
        known = S.COLUMN_TYPES.get(field.name)
        fields.append(pa.field(field.name, known) if known and field.name != S.HTML else field)
    try:
        return table.cast(pa.schema(fields))
    except (pa.ArrowException, ValueError):
        return table


def read_output(directory: str) -> pa.Table:
    """All committed shards of a directory (sorted by name, ``.tmp-*`` ignored) as one table."""
    if not os.path.isdir(directory):
        raise InputError(f"{directory}: no such output directory")
    names = sorted(
        (n for n in os.listdir(directory) if not n.startswith(".") and _SHARD.fullmatch(n)),
        key=_shard_key,
    )
    tables = []
    for name in names:
        path = os.path.join(directory, name)
        tables.append(pq.read_table(path) if name.endswith(".parquet") else _read_jsonl(path))
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="permissive")
