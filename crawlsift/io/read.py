"""Dispatch a :class:`ReadTask` to the reader of its format."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa

from crawlsift.errors import InputError, UnreadableFileError
from crawlsift.io._rows import BATCH_BYTES, BATCH_SIZE, MAX_RECORD_BYTES, ReadOptions
from crawlsift.io.arc import read_arc
from crawlsift.io.discover import ReadTask
from crawlsift.io.jsonl import read_jsonl
from crawlsift.io.parquet import read_parquet
from crawlsift.io.text_records import read_text
from crawlsift.io.warc import read_warc

Reader = Callable[[ReadTask, ReadOptions], Iterator[pa.Table]]

READERS: dict[str, Reader] = {
    "text": read_text,
    "jsonl": read_jsonl,
    "parquet": read_parquet,
    "warc": read_warc,
    "wet": read_warc,
    "arc": read_arc,
}


def read_task(
    task: ReadTask,
    batch_size: int = BATCH_SIZE,
    *,
    batch_bytes: int = BATCH_BYTES,
    max_record_bytes: int | None = None,
) -> Iterator[pa.Table]:
    """Yield the records of one input file as tables of at most ``batch_size`` rows.

    A table is also closed once its payloads (HTML bytes, or text in UTF-8) reach
    ``batch_bytes``; a record that would take it past ``batch_bytes`` starts the next
    table, so only a table of one record holds more. A record whose payload is larger
    than ``max_record_bytes`` (default 64 MiB; a run gives its guard stage's limit) is a
    ``too_large`` row saying its size in ``record_bytes``; text files and WARC/ARC payloads
    that large are never read whole.

    Every table starts with exactly the columns of :func:`crawlsift.schema.input_schema`;
    JSONL and Parquet inputs append their other fields. A record that cannot be used is
    a row with ``reason`` set and ``stage="read"``; a file that cannot be read at all
    raises :class:`~crawlsift.errors.UnreadableFileError`.
    """
    options = ReadOptions(
        batch_size=batch_size,
        batch_bytes=batch_bytes,
        max_record_bytes=MAX_RECORD_BYTES if max_record_bytes is None else max_record_bytes,
    )
    if task.problem is not None:
        raise UnreadableFileError(task.path, task.problem)
    reader = READERS.get(task.format)
    if reader is None:
        raise InputError(f"{task.path}: unknown input format {task.format!r}")
    return reader(task, options)
