"""Tasks: the input files one worker reads, processes and commits as a unit.

Starting a task, writing its shards and its done marker cost tens of milliseconds, and
the pipeline has a fixed cost per batch: paid per file, that made 2,000 one-record files
slower than a million records in one file. So small files are grouped: consecutive
files (in input order) under :data:`SMALL_FILE` bytes form one task of at most
:data:`GROUP_FILES` files and :data:`GROUP_BYTES` bytes, whose records are processed in
batches that span files. A larger file is a task of its own, as is a small file with no
small neighbour. The grouping depends only on the list of files, never on workers or
batch size, so a task's id (the file's own id, or a hash of its files' ids) is the
same on every run and a rerun resumes where the last one stopped.

Within a task, a record is known by its *key*: its file's position in the task times
2**40 plus its ``source_index`` (the key of a record of a one-file task is its
``source_index``). The record time limit (:mod:`crawlsift.watchdog`) and the isolation
of records that kill their worker (:mod:`crawlsift.engine.isolate`) log keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from crawlsift import schema as S
from crawlsift.engine.pipeline import Pipeline
from crawlsift.io import ReadTask

#: files smaller than this are grouped with their neighbours
SMALL_FILE = 256 << 10
#: at most this many bytes of input files ...
GROUP_BYTES = 4 << 20
#: ... and this many files per grouped task
GROUP_FILES = 256
#: bits of a record key that hold its ``source_index``
_INDEX_BITS = 40


@dataclass(frozen=True)
class Task:
    """One unit of work: one input file, or a group of small consecutive ones."""

    task_id: str
    files: tuple[ReadTask, ...]

    @property
    def path(self) -> str:
        """The files, for messages: the path of the first (and how many more)."""
        first = self.files[0].path
        return first if len(self.files) == 1 else f"{first} (and {len(self.files) - 1} more)"

    @property
    def size(self) -> int:
        """Bytes of input."""
        return sum(f.size for f in self.files)


def plan(files: Sequence[ReadTask]) -> list[Task]:
    """Group ``files`` into tasks (see the module docstring); order is kept."""
    tasks: list[Task] = []
    group: list[ReadTask] = []
    group_bytes = 0

    def close() -> None:
        nonlocal group, group_bytes
        if group:
            tasks.append(_task(group))
        group, group_bytes = [], 0

    for f in files:
        if f.size >= SMALL_FILE:
            close()
            tasks.append(_task([f]))
            continue
        if len(group) == GROUP_FILES or group_bytes + f.size > GROUP_BYTES:
            close()
        group.append(f)
        group_bytes += f.size
    close()
    return tasks


def single(file: ReadTask) -> Task:
    """The task of one file on its own (a file of a group that could not be read is
    retried this way by the next run)."""
    return _task([file])


def _task(files: list[ReadTask]) -> Task:
    if len(files) == 1:
        return Task(files[0].task_id, (files[0],))
    ids = "\0".join(f.task_id for f in files).encode("ascii")
    return Task(f"g{xxhash.xxh64(ids).hexdigest()}", tuple(files))


def record_keys(table: pa.Table, member: int) -> pa.Array:
    """The keys of a table's records, all read from the task's ``member``-th file."""
    index = table.column(S.SOURCE_INDEX).combine_chunks().cast(pa.int64())
    return pc.add(index, member << _INDEX_BITS) if member else index


def key_name(task: Task, key: int) -> str:
    """A record key as its file and position, for messages and logs."""
    member, index = key >> _INDEX_BITS, key & ((1 << _INDEX_BITS) - 1)
    return f"{task.files[member].path} record {index}"


def keyed(pipeline: Pipeline, table: pa.Table, keys: pa.Array) -> pa.Table:
    """Run the pipeline with each record's key in ``source_index`` (the record time limit
    knows records by it), and the read ``source_index`` back in the output."""
    at = table.schema.get_field_index(S.SOURCE_INDEX)
    original = table.column(at)
    if pc.all(pc.equal(original, keys)).as_py() is not False:  # a one-file task's keys
        return pipeline(table)
    result = pipeline(table.set_column(at, table.field(at), keys))
    out_at = result.schema.get_field_index(S.SOURCE_INDEX)
    return result.set_column(out_at, result.field(out_at), original)
