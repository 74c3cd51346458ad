"""Processed records as a stream, under the record limits of a run.

``crawlsift clean --stdout`` and ``crawlsift explain`` show records as they are processed
instead of writing an output. They go through :func:`processed`, which applies what a run
applies to each record: the pipeline's guard stage (too large, binary) and the record
time limit with worker-death isolation (:mod:`crawlsift.watchdog`,
:mod:`crawlsift.engine.isolate`). The time limit is kept by the kernel ending the
process, so with a limit the records are processed in one child process, file by file;
when it dies, the record that ran out of time (or killed it) is logged, a new child
redoes the file and the records already yielded are skipped, so each record comes out
once, in input order. A consumer that stops early ends the child.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from crawlsift import watchdog
from crawlsift.engine import isolate
from crawlsift.engine.isolate import FAULTS
from crawlsift.engine.local import TIMEOUTS, RunOptions, batch_limits, read_batches
from crawlsift.engine.pipeline import Pipeline
from crawlsift.engine.startup import forking, start_worker, worker_context
from crawlsift.engine.tasks import Task, single
from crawlsift.errors import CrawlsiftError
from crawlsift.io import ReadTask

_DONE = "done"


def processed(
    files: Sequence[ReadTask],
    pipeline: Pipeline,
    *,
    batch_size: int = RunOptions.batch_size,
    batch_bytes: int = RunOptions.batch_bytes,
    record_timeout: float | None = RunOptions.record_timeout,
) -> Iterator[pa.Table]:
    """The pipeline's output for every record of ``files``, in input order, in tables of
    up to ``batch_size`` records and ``batch_bytes`` of payload; ``record_timeout``
    seconds per record (None: no limit) as in :class:`~crawlsift.engine.local.RunOptions`.
    A file that cannot be read raises its :class:`CrawlsiftError` when the stream
    reaches it."""
    batching = batch_limits(pipeline, batch_size, batch_bytes)
    with tempfile.TemporaryDirectory(prefix="crawlsift-stream-") as scratch:
        for file in files:
            task = single(file)
            if record_timeout is None:
                yield from _tables(task, pipeline, batching, Path(scratch))
            else:
                yield from _in_child(task, pipeline, batching, record_timeout, Path(scratch))


def _tables(
    task: Task, pipeline: Pipeline, batching: dict[str, Any], scratch: Path
) -> Iterator[pa.Table]:
    """``batching``: the keywords of :func:`read_batches`."""
    faults = scratch / FAULTS
    log = isolate.Log.load(faults, task.task_id)
    with isolate.Guard(faults, task.task_id) as guard:
        for table, keys in read_batches(task, {}, **batching):
            yield from isolate.process(pipeline, table, keys, log, guard)


def _in_child(
    task: Task, pipeline: Pipeline, batching: dict[str, Any], limit: float, scratch: Path
) -> Iterator[pa.Table]:
    faults, timeouts = scratch / FAULTS, scratch / TIMEOUTS
    sent = 0  # records of the task already yielded
    while True:
        ctx = worker_context()  # each attempt: the consumer may have run polars meanwhile
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=_child, args=(task, pipeline, batching, limit, scratch, send, sent)
        )
        with forking(ctx):
            child.start()
        send.close()
        try:
            while True:
                try:
                    message = receive.recv()
                except EOFError:  # the child died: a record ran out of time or killed it
                    break
                if message == _DONE:
                    return
                if isinstance(message, tuple):  # the error that stopped the child
                    raise _rebuilt(*message)
                sent += message.num_rows
                yield message
        finally:
            receive.close()
            if child.is_alive():  # the consumer stopped early, or an error
                child.kill()
            child.join()
        if task.task_id in watchdog.collect(timeouts, limit):
            isolate.discard(faults, task.task_id)
        elif isolate.collect(faults, task, alone=True) in (None, "task"):
            raise CrawlsiftError(
                f"{task.path}: the process reading it died outside the pipeline "
                "(out of memory, or killed)"
            )


def _child(
    task: Task,
    pipeline: Pipeline,
    batching: dict[str, Any],
    limit: float,
    scratch: Path,
    send: Any,
    skip: int,
) -> None:
    """Process ``task`` under the time limit, sending its tables after the first ``skip``
    records, then :data:`_DONE` (or the :class:`CrawlsiftError` that stopped it, as its
    class, message and attributes: errors whose ``__init__`` takes other arguments than
    the message do not unpickle whole)."""
    start_worker()
    try:
        with watchdog.enforce(limit, scratch / TIMEOUTS / f"{task.task_id}.jsonl"):
            for table in _tables(task, pipeline, batching, scratch):
                if skip >= table.num_rows:
                    skip -= table.num_rows
                    continue
                send.send(table.slice(skip))
                skip = 0
        send.send(_DONE)
    except CrawlsiftError as exc:
        send.send((type(exc), str(exc), vars(exc)))
    finally:
        send.close()


def _rebuilt(cls: type[CrawlsiftError], message: str, attributes: dict[str, Any]) -> CrawlsiftError:
    """The error a child sent, as it was raised there."""
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(attributes)
    return error
