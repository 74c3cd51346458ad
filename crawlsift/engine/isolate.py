"""Records that exhaust memory or kill their worker: rejected one by one, the run goes on.

A record can end its worker in two ways. A ``MemoryError`` (or pyarrow's
``ArrowMemoryError``) raised in Python is caught around the batch, and the batch is
done again one record at a time: a record that raises it again alone is rejected as
``out_of_memory``. A worker killed without a Python exception (the kernel's OOM killer,
SIGKILL, a crash in C code) leaves only what it wrote beforehand, so before the
pipeline runs on a batch the worker writes the batch's first and last record keys
(:mod:`crawlsift.engine.tasks`) to its task's *in-flight* file, and before a record
processed alone, that record's key too (one ``pwrite`` of 24 bytes each; cleared after).

When a worker dies, the engine reads the in-flight file of its task (:func:`collect`):

- a batch in flight is logged as *suspect*; on the next attempt the records of a
  suspect batch are processed one at a time;
- a record in flight alone, when the worker that died was the only one running
  (the local engine redoes tasks with suspect batches in a pool of one worker; on Ray
  every batch has an in-flight file of its own), is logged as the culprit and the next
  attempt rejects it as ``worker_died`` without processing it;
- nothing in flight (the worker died while reading or writing, outside the pipeline):
  the task is redone alone, and if that worker dies the same way its files are
  reported as failed, as unreadable files are.

Time is bounded the same way, for every stage: within the run's record time limit
(:func:`crawlsift.watchdog.enforce`), a batch may run for the limit once per
``RECORDS_PER_LIMIT`` records and a record processed alone for the limit, after which
the kernel ends the worker (:func:`crawlsift.watchdog.deadline`); the deadline is in
the in-flight file, so a batch past its own is suspect and a record past its own is
rejected as ``record_timeout``, whichever other workers were running.

Each death logs one more suspect batch, one more record or one failed task, so a run
always ends; records of a batch that is merely suspect come out exactly as they would
have (stages are row-wise: outputs never depend on batch boundaries).
"""

from __future__ import annotations

import gc
import json
import os
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from crawlsift import watchdog
from crawlsift.engine.pipeline import Pipeline
from crawlsift.engine.tasks import Task, key_name, keyed
from crawlsift.reasons import OUT_OF_MEMORY, RECORD_TIMEOUT, WORKER_DIED

FAULTS = "_faults"  # per task: the in-flight file and the log of what killed workers
STAGE = "engine"
#: a batch may take the record time limit once per this many records (at least once):
#: pages take milliseconds each, so only a batch holding a runaway record gets near it
RECORDS_PER_LIMIT = 100
_MEMORY_ERRORS = (MemoryError, pa.ArrowMemoryError)
# first key, last key of the batch in flight; the record alone; the deadline (time.time)
_SLOT = struct.Struct("<qqqd")
_IDLE = _SLOT.pack(-1, -1, -1, 0.0)


def inflight_path(directory: Path, task_id: str, tag: str | None = None) -> Path:
    """``<task>.inflight``, or ``<task>.<tag>.inflight`` for one of several pieces of a
    task run at once (Ray processes a task's batches in parallel)."""
    return directory / (f"{task_id}.{tag}.inflight" if tag else f"{task_id}.inflight")


def log_path(directory: Path, task_id: str) -> Path:
    return directory / f"{task_id}.jsonl"


@dataclass
class Log:
    """What earlier attempts at a task found: suspect batches and culprit records."""

    suspects: list[tuple[int, int]] = field(default_factory=list)
    rejected: dict[int, str] = field(default_factory=dict)  # key -> reason

    @classmethod
    def load(cls, directory: Path, task_id: str) -> Log:
        log = cls()
        path = log_path(directory, task_id)
        if not path.exists():
            return log
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            if "key" in entry:
                log.rejected[int(entry["key"])] = entry["reason"]
            else:
                log.suspects.append((int(entry["first"]), int(entry["last"])))
        return log

    def suspect(self, key: int) -> bool:
        return any(lo <= key <= hi for lo, hi in self.suspects)


def has_suspects(directory: Path, task_id: str) -> bool:
    """Whether a worker already died on this task (it is then redone alone)."""
    return log_path(directory, task_id).exists()


class Guard:
    """The in-flight file of one attempt at a task (or at one batch of it, on Ray)."""

    def __init__(self, directory: Path, task_id: str, tag: str | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = inflight_path(directory, task_id, tag)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        os.pwrite(self.fd, _IDLE, 0)

    def mark(self, first: int, last: int, alone: int = -1, deadline: float = 0.0) -> None:
        os.pwrite(self.fd, _SLOT.pack(first, last, alone, deadline), 0)

    def clear(self) -> None:
        os.pwrite(self.fd, _IDLE, 0)

    def close(self) -> None:
        os.close(self.fd)
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Guard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def collect(directory: Path, task: Task, *, alone: bool, tag: str | None = None) -> str | None:
    """After the worker of ``task`` died, log what its in-flight file shows; return
    ``"record"``, ``"batch"`` or ``"task"`` (nothing was in the pipeline), or None when
    the task had not started. ``alone``: no other worker could have caused the death."""
    inflight = inflight_path(directory, task.task_id, tag)
    if not inflight.exists():
        return None
    data = inflight.read_bytes()
    inflight.unlink()
    first, last, key, deadline = (
        _SLOT.unpack(data) if len(data) == _SLOT.size else (-1, -1, -1, 0.0)
    )
    late = 0 < deadline <= time.time()  # its own time limit ended it
    if key >= 0 and (alone or late):
        reason = RECORD_TIMEOUT if late else WORKER_DIED
        entry = {"key": key, "reason": reason, "record": key_name(task, key)}
        what = "record"
    elif first >= 0:
        entry, what = {"first": first, "last": last}, "batch"
    else:
        return "task"
    with open(log_path(directory, task.task_id), "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")  # O_APPEND: one write
    return what


def discard(directory: Path, task_id: str) -> None:
    """Forget a dead worker's in-flight file (its death is explained otherwise)."""
    inflight_path(directory, task_id).unlink(missing_ok=True)


def process(
    pipeline: Pipeline, table: pa.Table, keys: pa.Array, log: Log, guard: Guard
) -> Iterator[pa.Table]:
    """The pipeline's output for a batch, in row order, in one or more tables: records
    the log names are rejected unprocessed, those of suspect batches processed one at a
    time, the others together."""
    values = keys.to_pylist()
    kinds = [
        log.rejected.get(k) or ("alone" if log.suspect(k) else "batch") for k in values
    ]  # a reason, "alone" or "batch"
    start = 0
    for end in range(1, len(values) + 1):
        if end < len(values) and kinds[end] == kinds[start]:
            continue
        piece, piece_keys, kind = table.slice(start, end - start), keys[start:end], kinds[start]
        if kind == "batch":
            yield from _together(pipeline, piece, piece_keys, guard)
        elif kind == "alone":
            yield from _one_by_one(pipeline, piece, piece_keys, guard)
        else:
            yield pipeline.reject(piece, kind, STAGE)
        start = end


def _seconds(records: int) -> float:
    """The time a batch of ``records`` may take under the run's record limit (0: none)."""
    limit = watchdog.limit()
    return limit * max(1.0, records / RECORDS_PER_LIMIT) if limit is not None else 0.0


def _together(
    pipeline: Pipeline, table: pa.Table, keys: pa.Array, guard: Guard
) -> Iterator[pa.Table]:
    try:
        with watchdog.deadline(_seconds(table.num_rows)) as deadline:
            guard.mark(keys[0].as_py(), keys[-1].as_py(), deadline=deadline)
            result = keyed(pipeline, table, keys)
    except _MEMORY_ERRORS:
        result = None
    finally:
        guard.clear()
    if result is not None:
        yield result
        return
    gc.collect()
    yield from _one_by_one(pipeline, table, keys, guard)


def _one_by_one(
    pipeline: Pipeline, table: pa.Table, keys: pa.Array, guard: Guard
) -> Iterator[pa.Table]:
    first, last = keys[0].as_py(), keys[-1].as_py()
    for i in range(table.num_rows):
        row, key = table.slice(i, 1), keys[i : i + 1]
        try:
            with watchdog.deadline(_seconds(1)) as deadline:
                guard.mark(first, last, key[0].as_py(), deadline)
                result = keyed(pipeline, row, key)
        except _MEMORY_ERRORS:
            result = pipeline.reject(row, OUT_OF_MEMORY, STAGE)
            gc.collect()
        finally:
            guard.clear()
        yield result
