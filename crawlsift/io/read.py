"""Dispatch a :class:`ReadTask` to the reader of its format."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa

from crawlsift.errors import InputError, UnreadableFileError
from crawlsift.io.arc import read_arc
from crawlsift.io.discover import ReadTask
from crawlsift.io.jsonl import read_jsonl
from crawlsift.io.parquet import read_parquet
from crawlsift.io.text_records import read_text
from crawlsift.io.warc import read_warc

Reader = Callable[[ReadTask, int], Iterator[pa.Table]]

READERS: dict[str, Reader] = {
    "text": read_text,
    "jsonl": read_jsonl,
    "parquet": read_parquet,
    "warc": read_warc,
    "wet": read_warc,
    "arc": read_arc,
}


def read_task(task: ReadTask, batch_size: int = 1000) -> Iterator[pa.Table]:
    """Yield the records of one input file as tables of at most ``batch_size`` rows.

    Every table starts with exactly the columns of :func:`crawlsift.schema.input_schema`;
    JSONL and Parquet inputs append their other fields. A record that cannot be used is
    a row with ``reason`` set and ``stage="read"``; a file that cannot be read at all
    raises :class:`~crawlsift.errors.UnreadableFileError`.
    """
    if batch_size < 1:
        raise InputError(f"batch size must be at least 1, got {batch_size}")
    if task.problem is not None:
        raise UnreadableFileError(task.path, task.problem)
    reader = READERS.get(task.format)
    if reader is None:
        raise InputError(f"{task.path}: unknown input format {task.format!r}")
    return reader(task, batch_size)
