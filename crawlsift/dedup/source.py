"""Reading dedup input: a clean run's ``kept/`` shards, or any Parquet/JSONL records.

Parquet is read as stored (every column kept, so a clean output's ``source``,
``edits`` and the rest pass through unchanged); other formats go through crawlsift's
readers. Records need ``id`` and ``text``; an ``edits`` column is added when missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from crawlsift import schema as S
from crawlsift.errors import InputError, UnreadableFileError
from crawlsift.io import discover, read_task
from crawlsift.io.file_url import local_path


def resolve(source: str | Sequence[str]) -> list[str]:
    """The inputs a source names: ``DIR/kept`` for a clean output, else the source itself."""
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    out = []
    for item in items:
        item = local_path(item)  # a file:// URL is the local path it names
        kept = os.path.join(item, "kept")
        out.append(kept if os.path.isdir(kept) else item)
    return out


def read_batches(source: str | Sequence[str], batch_size: int) -> Iterator[pa.Table]:
    """Tables of at most ``batch_size`` rows, files in path order, text as large_string."""
    for task in discover(resolve(source)):
        if task.format == "parquet":
            tables = _parquet(task.path, batch_size)
        else:
            tables = read_task(task, batch_size=batch_size)
        for table in tables:
            if table.num_rows:
                yield _check(table, task.path)


def _parquet(path: str, batch_size: int) -> Iterator[pa.Table]:
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise UnreadableFileError(path, f"not a readable Parquet file: {exc}") from exc
    for batch in pf.iter_batches(batch_size=batch_size):
        yield pa.Table.from_batches([batch])


def _check(table: pa.Table, path: str) -> pa.Table:
    for name in (S.ID, S.TEXT):
        if name not in table.column_names:
            raise InputError(f"{path}: dedup needs an {name!r} column")
    if table.column(S.ID).null_count:
        raise InputError(f"{path}: dedup needs an id on every record")
    columns = {S.TEXT: table.column(S.TEXT).cast(S.COLUMN_TYPES[S.TEXT])}
    if S.EDITS in table.column_names:
        columns[S.EDITS] = table.column(S.EDITS).cast(S.EDITS_TYPE)
    else:  # every output row carries edits, so batches with and without them share a schema
        columns[S.EDITS] = pa.nulls(table.num_rows, S.EDITS_TYPE)
    return S.with_columns(table, columns)
