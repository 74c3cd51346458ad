"""Atomic output shards (Parquet or JSONL) and reading them back.

A :class:`ShardWriter` writes to hidden ``.tmp-<name>.<ext>`` files and only
:meth:`ShardWriter.commit` makes the shard visible as ``<name>.<ext>`` (fsync, then
``os.replace``), so a crashed run never leaves a partial shard that looks complete. A
committed shard is one file with one schema, whatever the tables written to it held
(see :mod:`crawlsift.io.passthrough` for how their fields and types are unified).

Commit has two steps, so that several shards can become visible together:
:meth:`~ShardWriter.prepare` writes and fsyncs the final temporary file (where a full
disk shows), :meth:`~ShardWriter.publish` renames it into place (which allocates
nothing); :meth:`~ShardWriter.unpublish` takes a published shard back.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from crawlsift import schema as S
from crawlsift.errors import InputError, OutputError
from crawlsift.io.passthrough import conform, infer_array, unify_schemas
from crawlsift.io.unify_shards import ROW_GROUP_ROWS, json_lines, write_parts

OUTPUT_FORMATS: tuple[str, ...] = ("parquet", "jsonl")
#: Parquet needs a column's type up front: tables whose columns are still all-null are
#: held back (up to this many bytes) until a later table reveals the type.
PENDING_BYTES = 32 << 20
_SHARD = re.compile(r"(?P<base>.+?)\.(?P<ext>parquet|jsonl)")


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


class ShardWriter:
    """Write one output shard atomically.

    Tables are conformed to the schema unified so far; a table that widens it (a new
    field, a type that unifies to another) starts a new temporary part, and ``commit``
    rewrites the parts as one file of the final schema.
    """

    def __init__(self, directory: str, name: str, fmt: str = "parquet") -> None:
        if fmt not in OUTPUT_FORMATS:
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
        self.path = os.path.join(directory, f"{name}.{fmt}")
        self._parts: list[tuple[str, pa.Schema]] = []  # temporary files and their schemas
        self._fh: IO[bytes] | None = None
        self._pq: pq.ParquetWriter | None = None
        self._pending: list[pa.Table] = []
        self._pending_bytes = 0
        self._done = False
        self._ready: str | None = None  # the prepared file ("" when there was nothing)
        self._published = False

    @property
    def schema(self) -> pa.Schema | None:
        """The schema of what was written so far (None before the first part)."""
        return self._parts[-1][1] if self._parts else None

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self._done:
            self.abort()

    def write(self, table: pa.Table) -> None:
        """Append a table's rows to the shard (empty tables are ignored)."""
        if self._done:
            raise RuntimeError("ShardWriter is already committed or aborted")
        if table.num_rows == 0:
            return
        try:
            if self.fmt == "parquet" and not self._parts:
                self._hold(table)
            else:
                self._write(table)
        except OSError as exc:
            raise OutputError(f"cannot write to {self.directory}: {exc.strerror or exc}") from exc

    def _hold(self, table: pa.Table) -> None:
        """Hold the first tables until all-null columns get a type (Parquet only)."""
        self._pending.append(table)
        self._pending_bytes += table.nbytes
        unified = unify_schemas(t.schema for t in self._pending)
        if not _has_null(unified) or self._pending_bytes > PENDING_BYTES:
            self._flush_pending()

    def _flush_pending(self) -> None:
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        for table in pending:
            self._write(table)

    def _write(self, table: pa.Table) -> None:
        current = self.schema
        schema = table.schema if current is None else unify_schemas([current, table.schema])
        if current is None or not schema.equals(current):
            self._start_part(schema)
        table = conform(table, schema)
        if self._pq is not None:
            self._pq.write_table(table, row_group_size=ROW_GROUP_ROWS)
        else:
            assert self._fh is not None
            for chunk in json_lines(table):
                self._fh.write(chunk)

    def _start_part(self, schema: pa.Schema) -> None:
        self._close_part()
        tmp = self._tmp(f"~{len(self._parts)}" if self._parts else "")
        self._parts.append((tmp, schema))
        self._fh = open(tmp, "wb")  # noqa: SIM115 - closed in commit/abort
        if self.fmt == "parquet":
            self._pq = pq.ParquetWriter(self._fh, schema, compression="zstd")

    def _close_part(self, sync: bool = True) -> None:
        if self._pq is not None:
            writer, self._pq = self._pq, None
            writer.close()
        if self._fh is not None:
            fh, self._fh = self._fh, None
            try:
                if sync:
                    fh.flush()
                    os.fsync(fh.fileno())
            finally:
                fh.close()

    def commit(self) -> list[str]:
        """Make the shard visible; returns its path ([] if nothing was written)."""
        self.prepare()
        published = self.publish()
        try:
            _fsync_dir(self.directory)
        except OSError as exc:
            raise OutputError(f"cannot commit {self.name}: {exc.strerror or exc}") from exc
        return published

    def prepare(self) -> None:
        """Write the shard, as one file of its final schema, under its temporary name and
        fsync it; on failure everything is discarded and :class:`OutputError` raised."""
        if self._done or self._ready is not None:
            raise RuntimeError("ShardWriter is already committed or aborted")
        try:
            self._flush_pending()
            self._close_part()
            if not self._parts:
                self._ready = ""
                return
            source = self._parts[0][0]
            if len(self._parts) > 1:  # one file of the final schema
                source = self._tmp("~all")
                write_parts(self._parts, self._parts[-1][1], source)  # fsynced
                for tmp, _ in self._parts:
                    os.remove(tmp)
                self._parts = [(source, self._parts[-1][1])]
            self._ready = source
        except (OSError, pa.ArrowException) as exc:
            self.abort()
            raise OutputError(f"cannot commit {self.name}: {_why(exc)}") from exc

    def publish(self) -> list[str]:
        """Rename the prepared shard into place; returns its path ([] if empty). The
        caller fsyncs the directory."""
        if self._ready is None:
            self.prepare()
        ready, self._ready = self._ready, None
        self._done = True
        if not ready:
            return []
        try:
            os.replace(ready, self.path)
        except OSError as exc:
            self._done = False
            self._ready = ready
            self.abort()
            raise OutputError(f"cannot commit {self.name}: {exc.strerror or exc}") from exc
        self._published = True
        return [self.path]

    def unpublish(self) -> None:
        """Remove the shard this writer published (its task failed to commit as a whole)."""
        if self._published:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path)
            self._published = False

    def abort(self) -> None:
        """Discard everything written; safe to call more than once."""
        if self._done:
            return
        self._done = True
        self._pending, self._ready = [], None
        with contextlib.suppress(OSError, pa.ArrowException):
            self._close_part(sync=False)
        for tmp, _ in self._parts:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._tmp("~all"))

    def _tmp(self, suffix: str) -> str:
        return os.path.join(self.directory, f".tmp-{self.name}{suffix}.{self.fmt}")


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
        schema = unify_schemas(t.schema for t in self.buffer)
        pending = pa.concat_tables([conform(t, schema) for t in self.buffer])
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

    def commit(self) -> list[tuple[str, pa.Schema]]:
        """Write what is buffered and make every shard visible; returns each shard's path
        and schema."""
        self.prepare()
        return self.publish()

    def prepare(self) -> None:
        """Write what is buffered and every shard under its temporary name, fsynced."""
        try:
            while self.buffered:
                self._emit(min(self.buffered, self._step()))
        except (OSError, pa.ArrowException) as exc:
            self.abort()
            raise OutputError(f"cannot write to {self.directory}: {_why(exc)}") from exc
        if self.current is not None:
            self.finished.append(self.current)
            self.current = None
        try:
            for w in self.finished:
                w.prepare()
        except OutputError:
            self.abort()
            raise

    def publish(self) -> list[tuple[str, pa.Schema]]:
        """Rename the prepared shards into place and fsync their directory; returns each
        one's path and schema. If this fails, the shards already renamed are removed."""
        committed = []
        try:
            for w in self.finished:
                for path in w.publish():
                    assert w.schema is not None
                    committed.append((path, w.schema))
            if committed:
                _fsync_dir(self.directory)
        except (OSError, OutputError) as exc:
            self.abort()
            raise OutputError(f"cannot commit {self.prefix}: {_why(exc)}") from exc
        return committed

    def abort(self) -> None:
        """Discard every shard, published ones included."""
        self.buffer, self.buffered = [], 0
        for w in [*self.finished, *([self.current] if self.current else [])]:
            w.abort()
            w.unpublish()


def _why(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def _fsync_dir(directory: str) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    )
    tables = []
    for name in names:
        path = os.path.join(directory, name)
        tables.append(pq.read_table(path) if name.endswith(".parquet") else _read_jsonl(path))
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="permissive")
