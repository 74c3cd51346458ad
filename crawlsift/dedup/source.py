"""Reading dedup input: a clean run's ``kept/`` shards, or any Parquet/JSONL records.

Parquet is read as stored (every column kept, so a clean output's ``source``,
``edits`` and the rest pass through unchanged); other formats go through crawlsift's
readers. Records need ``id`` and ``text``; an ``edits`` column is added when missing, and
crawlsift's own columns are cast to the types :mod:`crawlsift.schema` gives them.

Dedup compares text, so input that has none yet is refused with the advice to run
``crawlsift clean`` first: raw WARC and ARC files (their HTTP responses still need text
extraction), files without a ``text`` column, and records holding HTML but no text.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from crawlsift import schema as S
from crawlsift.errors import InputError, UnreadableFileError
from crawlsift.io import ReadTask, discover, read_task
from crawlsift.io.file_url import local_path
from crawlsift.reasons import MISSING_TEXT

_CLEAN_FIRST = "run `crawlsift clean` on it first and dedup the clean output"
_NEEDS_EXTRACTION = ("warc", "arc")  # formats whose records are HTML, not text
MISSING_TEXT = MISSING_TEXT  # the readers' reason for a record without text


def resolve(source: str | Sequence[str]) -> list[str]:
    """The inputs a source names: ``DIR/kept`` for a clean output, else the source itself."""
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    out = []
    for item in items:
        item = local_path(item)  # a file:// URL is the local path it names
        kept = os.path.join(item, "kept")
        out.append(kept if os.path.isdir(kept) else item)
    return out


def check_inputs(tasks: list[ReadTask]) -> int | None:
    """Refuse inputs without text (before any output is written); returns the number of
    records when every input is Parquet (from the file footers), else None."""
    total: int | None = 0
    for task in tasks:
        if task.problem is not None:  # a named pipe would block the footer read below
            raise UnreadableFileError(task.path, task.problem)
        if task.format in _NEEDS_EXTRACTION:
            raise InputError(
                f"{task.path}: a raw {task.format.upper()} file holds HTML, not text; "
                + _CLEAN_FIRST
            )
        if task.format != "parquet":
            total = None
            continue
        try:
            meta = pq.read_metadata(task.path)
        except (OSError, pa.ArrowException):
            total = None  # reading it will say what is wrong, as an unreadable file
            continue
        names = meta.schema.to_arrow_schema().names
        if S.TEXT not in names:
            raise InputError(f"{task.path}: no {S.TEXT!r} column; " + _CLEAN_FIRST)
        if total is not None:
            total += meta.num_rows
    return total


def read_batches(source: str | Sequence[str], batch_size: int) -> Iterator[pa.Table]:
    """Tables of at most ``batch_size`` rows, files in path order, text as large_string.

    A JSONL or text file none of whose records has a text (the reader said
    ``missing_text`` of them) is refused once read, like a Parquet file without the column.
    """
    for task in discover(resolve(source)):
        if task.format == "parquet":
            tables = _parquet(task.path, batch_size)
        else:
            tables = read_task(task, batch_size=batch_size)
        with_text = missing = 0
        for table in tables:
            if table.num_rows:
                table = _check(table, task.path)
                with_text += len(table) - table.column(S.TEXT).null_count
                if S.REASON in table.column_names:
                    missing += pc.sum(pc.equal(table.column(S.REASON), MISSING_TEXT)).as_py() or 0
                yield table
        if missing and not with_text:
            raise InputError(f"{task.path}: no record has a {S.TEXT!r} field; " + _CLEAN_FIRST)


def _parquet(path: str, batch_size: int) -> Iterator[pa.Table]:
    try:
        pf = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise UnreadableFileError(path, f"not a readable Parquet file: {exc}") from exc
    for batch in pf.iter_batches(batch_size=batch_size):
        yield pa.Table.from_batches([batch])


def _check(table: pa.Table, path: str) -> pa.Table:
    if S.TEXT not in table.column_names:
        raise InputError(f"{path}: no {S.TEXT!r} column; " + _CLEAN_FIRST)
    if S.ID not in table.column_names:
        raise InputError(f"{path}: dedup needs an {S.ID!r} column")
    if table.column(S.ID).null_count:
        raise InputError(f"{path}: dedup needs an id on every record")
    if S.HTML in table.column_names and table.column(S.TEXT).null_count:
        html_only = pc.and_(pc.is_null(table.column(S.TEXT)), pc.is_valid(table.column(S.HTML)))
        if S.REASON in table.column_names:  # rows rejected before are passed on as they are
            html_only = pc.and_(html_only, pc.is_null(table.column(S.REASON)))
        if pc.any(html_only).as_py():
            raise InputError(f"{path}: records with HTML but no text; " + _CLEAN_FIRST)
    columns = {}
    for name in table.column_names:
        if name in S.COLUMN_TYPES and not table.column(name).type.equals(S.COLUMN_TYPES[name]):
            try:
                columns[name] = table.column(name).cast(S.COLUMN_TYPES[name])
            except (pa.ArrowException, ValueError) as exc:
                raise InputError(
                    f"{path}: column {name!r} holds {table.column(name).type}, which crawlsift "
                    f"cannot read as {S.COLUMN_TYPES[name]}"
                ) from exc
    if S.EDITS in table.column_names:
        columns[S.EDITS] = table.column(S.EDITS).cast(S.EDITS_TYPE)
    else:  # every output row carries edits, so batches with and without them share a schema
        columns[S.EDITS] = pa.nulls(table.num_rows, S.EDITS_TYPE)
    return S.with_columns(table, columns)
