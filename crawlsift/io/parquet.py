"""Parquet input: the same columns as JSONL, streamed row group by row group.

Row groups are read independently: a row group that cannot be decoded (a damaged column
chunk, say) becomes one ``corrupt_row_group`` row for each record it held that was not
read, with its position (``source_index``) and, where those columns can still be read, its
``id`` and ``url``; the row groups after it are read as usual. So kept + rejected rows
always add up to the file's row count.

Batches follow :class:`~crawlsift.io._rows.ReadOptions`: each row group is read in slices of
as many rows as its ``text`` column's size per row (from the file's metadata) lets fit in
``batch_bytes``, and each slice is cut again where its texts reach ``batch_bytes``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from crawlsift import schema as S
from crawlsift.errors import UnreadableFileError
from crawlsift.io._rows import (
    GIVEN_COLUMNS,
    READ_STAGE,
    ReadOptions,
    as_status,
    derived_id,
    id_name,
)
from crawlsift.io.discover import ReadTask
from crawlsift.io.passthrough import as_text, field_name, string_array, without_surrogates
from crawlsift.reasons import CORRUPT_ROW_GROUP, MISSING_TEXT

#: the reason of each record of a row group that cannot be decoded


def _is_text_type(type_: pa.DataType) -> bool:
    if pa.types.is_dictionary(type_):
        type_ = type_.value_type
    return (
        pa.types.is_string(type_)
        or pa.types.is_large_string(type_)
        or (pa.types.is_string_view(type_))
    )


def _column(batch: pa.RecordBatch, name: str) -> pa.Array:
    """A crawlsift-owned column cast to its type; values that will not cast are coerced."""
    type_ = S.COLUMN_TYPES[name]
    if name not in batch.schema.names:
        return pa.nulls(batch.num_rows, type_)
    arr = batch.column(name)
    try:
        return arr.cast(type_)
    except (pa.ArrowException, ValueError):
        convert: Callable[[Any], Any] = as_status if name == S.HTTP_STATUS else as_text
        values = [convert(v) for v in arr.to_pylist()]
        if name == S.HTTP_STATUS:
            return pa.array(values, type=type_)
        return string_array(values, type_)


def convert_batch(batch: pa.RecordBatch, task: ReadTask, start: int) -> pa.Table:
    """One Parquet record batch as a reader table (input columns, then pass-through)."""
    n = batch.num_rows
    cols: dict[str, pa.Array] = {name: _column(batch, name) for name in GIVEN_COLUMNS}
    ids = cols[S.ID]
    if ids.null_count:
        name = id_name(task)
        fallback = pa.array([derived_id(name, i) for i in range(start, start + n)], pa.string())
        cols[S.ID] = pc.coalesce(ids, fallback)
    missing = cols[S.TEXT].is_null()
    cols[S.REASON] = pc.if_else(missing, pa.scalar(MISSING_TEXT), pa.scalar(None, pa.string()))
    cols[S.STAGE] = pc.if_else(missing, pa.scalar(READ_STAGE), pa.scalar(None, pa.string()))
    cols[S.SOURCE] = pa.array([without_surrogates(task.path)] * n, pa.string())
    cols[S.SOURCE_INDEX] = pa.array(range(start, start + n), pa.int64())
    cols[S.SOURCE_FORMAT] = pa.array([task.format] * n, pa.string())
    cols[S.HTML] = pa.nulls(n, S.COLUMN_TYPES[S.HTML])
    cols[S.SKIPPED_RECORDS] = pa.nulls(n, S.COLUMN_TYPES[S.SKIPPED_RECORDS])
    cols[S.RECORD_BYTES] = pa.nulls(n, S.COLUMN_TYPES[S.RECORD_BYTES])
    arrays = [cols[name] for name in S.INPUT_COLUMNS]
    extra_fields = []
    for i, field in enumerate(batch.schema):
        if field.name not in GIVEN_COLUMNS:
            arrays.append(batch.column(i))
            extra_fields.append(field.with_name(field_name(field.name)))
    return pa.Table.from_arrays(arrays, schema=S.input_schema(extra_fields))


def _lost_rows(
    pf: pq.ParquetFile,
    group: int,
    task: ReadTask,
    start: int,
    done: int,
    held: int,
    batch_size: int,
) -> Iterator[pa.Table]:
    """A ``corrupt_row_group`` row for each record of a row group from the ``done``-th on,
    in tables of at most ``batch_size`` rows, with its id and URL when those columns of the
    row group can still be read (a damaged column chunk spoils only its own column)."""
    known: dict[str, pa.Array] = {}
    for name in (S.ID, S.URL):
        if name in pf.schema_arrow.names:
            try:
                table = pf.read_row_group(group, columns=[name])
            except (OSError, pa.ArrowException):
                continue
            if table.num_rows == held:
                known[name] = _column(table.combine_chunks().to_batches()[0], name)
    name = id_name(task)
    source = without_surrogates(task.path)
    for first in range(done, held, batch_size):
        n = min(batch_size, held - first)
        index = range(start + first, start + first + n)
        ids = pa.array([derived_id(name, i) for i in index], pa.string())
        if S.ID in known:
            ids = pc.coalesce(known[S.ID].slice(first, n), ids)
        yield S.input_table(
            id=ids,
            url=known[S.URL].slice(first, n) if S.URL in known else None,
            reason=[CORRUPT_ROW_GROUP] * n,
            stage=[READ_STAGE] * n,
            source=[source] * n,
            source_index=index,
            source_format=[task.format] * n,
        )


def _open(path: str) -> str | BinaryIO:
    """What pyarrow opens: the path, or for a name that is not valid UTF-8 (which pyarrow
    cannot encode) the file opened by Python, which is slower to read through."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return open(path, "rb")  # closed by read_parquet
    return path


def read_parquet(task: ReadTask, options: ReadOptions | None = None) -> Iterator[pa.Table]:
    """Stream a Parquet file as tables (batches, see :class:`~crawlsift.io._rows.ReadOptions`).

    A file without a string ``text`` column raises :class:`UnreadableFileError`; the
    records of a row group that fails to decode are ``corrupt_row_group`` rows (see the
    module docstring).
    """
    try:
        source = _open(task.path)
    except OSError as exc:
        raise UnreadableFileError(task.path, exc.strerror or str(exc)) from exc
    try:
        yield from _read(task, source, options or ReadOptions())
    finally:
        if not isinstance(source, str):
            source.close()


def rows_per_read(pf: pq.ParquetFile, group: int, options: ReadOptions) -> int:
    """Rows of a row group to read at a time: as many as its ``text`` column's uncompressed
    size per row lets fit in ``batch_bytes`` (at least 1, at most ``batch_size``)."""
    meta = pf.metadata.row_group(group)
    text_bytes = sum(
        meta.column(i).total_uncompressed_size
        for i in range(meta.num_columns)
        if meta.column(i).path_in_schema == S.TEXT
    )
    if not text_bytes or not meta.num_rows:
        return options.batch_size
    fit = options.batch_bytes * meta.num_rows // text_bytes
    return max(1, min(options.batch_size, fit))


def cut_by_bytes(table: pa.Table, batch_bytes: int) -> Iterator[pa.Table]:
    """``table`` in slices whose texts (UTF-8 bytes) stay within ``batch_bytes``, each closed
    once they reach it; a text larger than ``batch_bytes`` is a slice of its own."""
    sizes = pc.fill_null(pc.binary_length(table.column(S.TEXT)), 0).to_pylist()
    start, held = 0, 0
    for i, size in enumerate(sizes):
        if i > start and held + size > batch_bytes:
            yield table.slice(start, i - start)
            start, held = i, 0
        held += size
        if held >= batch_bytes:
            yield table.slice(start, i + 1 - start)
            start, held = i + 1, 0
    if start < len(sizes):
        yield table.slice(start)


def _read(task: ReadTask, source: str | BinaryIO, options: ReadOptions) -> Iterator[pa.Table]:
    try:
        pf = pq.ParquetFile(source)
    except (OSError, pa.ArrowException) as exc:
        raise UnreadableFileError(task.path, f"not a readable Parquet file: {exc}") from exc
    try:
        arrow_schema = pf.schema_arrow
        repeated = sorted({n for n in arrow_schema.names if arrow_schema.names.count(n) > 1})
        if repeated:
            raise UnreadableFileError(task.path, f"repeated column names: {', '.join(repeated)}")
        if S.TEXT not in arrow_schema.names:
            raise UnreadableFileError(task.path, "no 'text' column")
        text_type = arrow_schema.field(S.TEXT).type
        if not _is_text_type(text_type):
            raise UnreadableFileError(task.path, f"column 'text' is {text_type}, not a string")
        start = 0
        for group in range(pf.num_row_groups):
            held = pf.metadata.row_group(group).num_rows
            done = 0
            batches = pf.iter_batches(
                batch_size=rows_per_read(pf, group, options), row_groups=[group]
            )
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    break
                except (OSError, pa.ArrowException):  # damaged data
                    break
                if batch.num_rows:
                    table = convert_batch(batch, task, start + done)
                    done += batch.num_rows
                    yield from cut_by_bytes(table, options.batch_bytes)
            if done < held:  # the rest of the row group cannot be decoded
                yield from _lost_rows(pf, group, task, start, done, held, options.batch_size)
            start += max(held, done)
    finally:
        pf.close()
