"""The local engine: all cores of one machine, streaming, resumable.

Each task (one input file, or a group of small ones: :mod:`crawlsift.engine.tasks`) is
processed by one worker process, batch by batch, so memory is bounded by the batch
(``batch_size`` rows or ``batch_bytes`` of payload, whichever comes first) x ``workers``,
not by the input. A task's outputs are written under temporary names and
renamed into place together when complete; only then is its done marker (holding the
task's counts) written. A rerun with the same arguments skips tasks that have a marker
and redoes the others from scratch, so an interrupted run never loses or duplicates a
record. A record that exhausts memory or kills its worker is rejected and the run goes
on (:mod:`crawlsift.engine.isolate`).

Output layout::

    OUT/kept/part-<task>-<k>.parquet      kept records
    OUT/rejected/part-<task>-<k>.parquet  rejected records, each with reason + stage
    OUT/_samples/part-<task>-<k>.parquet  a few kept records per edit reason, with input text
    OUT/_done/<task>.json                 per-task counts, written last
    OUT/_timeouts/<task>.jsonl            records that ran past record_timeout (if any)
    OUT/_faults/<task>.jsonl              batches and records during which a worker died
    OUT/_run.json                         inputs, pipeline and options of the run
    OUT/stats.json                        counts for the whole output
    OUT/report.html                       funnel, charts and examples (crawlsift report OUT)
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S
from crawlsift import watchdog
from crawlsift.engine import isolate
from crawlsift.engine.isolate import FAULTS
from crawlsift.engine.lock import DirectoryLock
from crawlsift.engine.output import (
    DONE,
    KINDS,
    RUN_FILE,
    SAMPLES,
    check_format,
    check_manifest,
    claim,
    make_dirs,
    refuse_foreign,
    write_json,
)
from crawlsift.engine.pipeline import Pipeline
from crawlsift.engine.remote import RemoteOutput, is_url, open_remote, staging_dir
from crawlsift.engine.startup import forking, start_worker, worker_context
from crawlsift.engine.tasks import Task, plan, record_keys, single
from crawlsift.engine.unify import SHARDS, marker_path, shard_entries, unify_outputs
from crawlsift.errors import CrawlsiftError, InputError, OutputError
from crawlsift.io import ReadTask, read_task
from crawlsift.io._rows import BATCH_BYTES
from crawlsift.io.guard import read_limit
from crawlsift.io.writers import RollingWriter
from crawlsift.report.samples import SampleCollector
from crawlsift.report.stats import RunStats, payload_bytes
from crawlsift.settings import check_types

TIMEOUTS = "_timeouts"  # per task: records that ran past the time limit (crawlsift.watchdog)
OUTPUT_KINDS = (*KINDS, SAMPLES)  # the shard directories of a clean output
#: key of a group's done marker naming its files that could not be read (retried alone)
FAILED = "failed"
#: bytes of Arrow tables a file of a group may expand to and still be held whole
HELD_BYTES = 64 << 20
#: the names of shards and of their temporary files
_SHARD_FILE = re.compile(r"(\.tmp-)?part-.+\.(parquet|jsonl)")
#: files that could not be read are logged as they are found (the CLI prints them as
#: ``Error: ...`` lines) and listed in ``RunSummary.failed_files``
_log = logging.getLogger("crawlsift")


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """How a run is executed and written; none of these change its results."""

    output: str
    format: str = "parquet"
    workers: int = 0  # 0 = all cores
    batch_size: int = 1000
    #: a batch is also closed once its payloads (HTML, or text in UTF-8) reach this size
    batch_bytes: int = BATCH_BYTES
    shard_rows: int = 100_000
    keep_input_text: bool = False
    overwrite: bool = False
    progress: bool | None = None  # None = when stderr is a terminal
    #: seconds one record may spend in a parsing step (else parse_timeout) or in the
    #: pipeline as a whole (else record_timeout); enforced by ending the worker, see
    #: crawlsift.watchdog and crawlsift.engine.isolate; None = off
    record_timeout: float | None = 30.0

    def __post_init__(self) -> None:
        check_types(self, "run")
        check_format(self.format)
        for name, low in (("workers", 0), ("batch_size", 1), ("batch_bytes", 1), ("shard_rows", 1)):
            if getattr(self, name) < low:
                raise InputError(f"{name} must be at least {low}, not {getattr(self, name)}")
        if self.record_timeout is not None and not self.record_timeout > 0:
            raise InputError(f"record_timeout must be positive, not {self.record_timeout}")


@dataclass
class RunSummary:
    """What a run did: counts, files that could not be read, where outputs are."""

    output: str
    stats: RunStats
    tasks_total: int
    tasks_skipped: int
    seconds: float
    failed_files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "tasks_total": self.tasks_total,
            "tasks_skipped": self.tasks_skipped,
            "seconds": round(self.seconds, 3),
            "failed_files": self.failed_files,
            **self.stats.to_dict(),
        }


@dataclass
class TaskResult:
    """What became of a task: its counts once committed (None if it was not), and one
    message per file that could not be read."""

    stats: RunStats | None
    errors: list[str] = field(default_factory=list)


def run_local(files: Sequence[ReadTask], pipeline: Pipeline, opts: RunOptions) -> RunSummary:
    """Run ``pipeline`` over the input ``files`` and write outputs under ``opts.output``."""
    with start_run(files, pipeline, opts) as run:
        workers = min(opts.workers or os.cpu_count() or 1, max(len(run.todo), 1))
        with _Progress(run.todo, opts.progress) as progress:
            report = progress.update if progress.enabled else None
            for task, result in _execute(run.todo, pipeline, run.opts, workers, report):
                progress.task_done(task)
                run.task_finished(task, result)
        return run.finish()


class Run:
    """The bookkeeping of a run shared by the engines: manifest, resume, counts, summary.

    ``opts.output`` is where tasks write: the output directory, or for a URL output the
    local staging directory that ``remote`` mirrors (see :mod:`crawlsift.engine.remote`).
    The run holds ``lock`` until it leaves its ``with`` block.
    """

    def __init__(
        self,
        files: Sequence[ReadTask],
        tasks: list[Task],
        opts: RunOptions,
        todo: list[Task],
        lock: DirectoryLock,
        remote: RemoteOutput | None = None,
    ) -> None:
        self.files, self.tasks, self.opts, self.todo = files, tasks, opts, todo
        self.lock, self.remote = lock, remote
        self.out = Path(opts.output)
        self.stats = RunStats()
        self.failed: list[str] = []
        self.started = time.monotonic()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()

    def task_finished(self, task: Task, result: TaskResult) -> None:
        """Count a finished task (uploading it for a URL output) and log each file that
        could not be read."""
        for message in result.errors:
            self.failed.append(message)
            _log.error(message)
        if result.stats is not None:
            self.stats.merge(result.stats)
            if self.remote is not None:
                self.remote.task_committed(task.task_id)

    def finish(self) -> RunSummary:
        """Give every shard the run's schema, write stats.json and report.html; return the
        summary. Counts and report cover exactly the committed tasks."""
        try:
            return self._finish()
        except OSError as exc:  # a full disk: the tasks stay committed, the rerun finishes
            raise OutputError(
                f"cannot finish the run in {self.out}: {exc.strerror or exc}; "
                "run the same command again to finish it"
            ) from exc

    def _finish(self) -> RunSummary:
        fetch = self.remote.fetch if self.remote is not None else None
        ids = [t.task_id for t in self.tasks if marker_path(self.out, t.task_id).exists()]
        for task_id in unify_outputs(self.out, ids, write_json, fetch):
            if self.remote is not None:
                self.remote.task_committed(task_id)
        summary = RunSummary(
            output=self.remote.url if self.remote is not None else str(self.out),
            stats=self.stats,
            tasks_total=len(self.files),
            tasks_skipped=len(self.files) - sum(len(t.files) for t in self.todo),
            seconds=time.monotonic() - self.started,
            failed_files=self.failed,
        )
        write_json(self.out / "stats.json", summary.to_dict())
        from crawlsift.report.html_report import build_report  # its charts need polars

        build_report(str(self.out))
        if self.remote is not None:
            self.remote.finished()
        return summary


def start_run(files: Sequence[ReadTask], pipeline: Pipeline, opts: RunOptions) -> Run:
    """Lock and prepare the output directory and find the tasks a previous attempt left
    undone; use the run as a context manager, which releases the lock."""
    if is_url(opts.output):  # one run at a time per URL, on this machine
        lock = DirectoryLock(staging_dir(opts.output), "output location").acquire()
    else:
        refuse_foreign(Path(opts.output), RUN_FILE, "crawlsift")
        lock = DirectoryLock(Path(opts.output)).acquire()
    try:
        return _start_run(files, pipeline, opts, lock)
    except BaseException:
        lock.release()
        raise


def _start_run(
    files: Sequence[ReadTask], pipeline: Pipeline, opts: RunOptions, lock: DirectoryLock
) -> Run:
    remote = open_remote(opts.output, opts.overwrite)
    if remote is not None:  # tasks write to the staging directory, which is mirrored
        opts = replace(opts, output=str(remote.staging), overwrite=False)
    out = Path(opts.output)
    manifest = {
        "inputs": [asdict(f) for f in files],
        "pipeline": pipeline.describe(),
        "format": opts.format,
        "keep_input_text": opts.keep_input_text,
    }
    _prepare_output(out, manifest, opts.overwrite)
    tasks: list[Task] = []  # those of the plan, and files of groups to retry alone
    todo: list[Task] = []
    finished = RunStats()
    listed: set[str] = set()  # shards of the committed tasks
    pending = list(reversed(plan(files)))
    while pending:
        task = pending.pop()
        tasks.append(task)
        marker = marker_path(out, task.task_id)
        if not marker.exists():
            todo.append(task)
            continue
        data = json.loads(marker.read_text())
        finished.merge(RunStats.from_dict(data))
        listed.update(data.get(SHARDS, {}))
        unread = data.get(FAILED, {})  # files of a group that could not be read
        pending.extend(reversed([single(f) for f in task.files if f.task_id in unread]))
    _remove_uncommitted(out, listed)
    for directory in (TIMEOUTS, FAULTS):  # in-flight files left by a run that was killed
        for stale in (out / directory).glob("*.inflight"):
            stale.unlink()
    for stale in (out / FAULTS).glob("*.unread.json"):  # the Ray engine's, likewise
        stale.unlink()
    run = Run(files, tasks, opts, todo, lock, remote)
    run.stats = finished
    if remote is not None:
        remote.started()
    return run


class TaskOutput:
    """Everything one task writes: kept, rejected and sample shards, counts, done marker.

    Both engines feed it processed tables in record order; ``commit`` makes the shards
    visible (atomic renames) and writes the done marker last.
    """

    def __init__(self, opts: RunOptions, task: Task) -> None:
        self.out, self.task, self.opts = Path(opts.output), task, opts
        _remove_partial(self.out, task.task_id)
        self.stats = RunStats()
        self.samples = SampleCollector()
        self.writers = {
            k: RollingWriter(
                str(self.out / k), f"part-{task.task_id}", opts.format, opts.shard_rows
            )
            for k in OUTPUT_KINDS
        }

    def add(self, table: pa.Table) -> None:
        """Count and write a processed table."""
        self.stats.add_batch(table)
        keep = table.column(S.KEEP).fill_null(False)
        kept = table.filter(keep)
        sample = self.samples.take(kept)
        if sample is not None:
            self.writers[SAMPLES].write(sample)
        self.writers["kept"].write(_output_columns(kept, self.opts, kept=True))
        self.writers["rejected"].write(
            _output_columns(table.filter(pc.invert(keep)), self.opts, kept=False)
        )

    def commit(self, unread: dict[str, str] | None = None) -> RunStats:
        """Make the task's shards visible together, then write its done marker, which
        names the files of the task that could not be read (``unread``: file task id to
        message; the next run retries each alone). If any step fails (a full disk), none
        of the task's shards stays visible and :class:`OutputError` is raised: the task
        is redone by the next run."""
        writers = list(self.writers.values())
        try:
            for w in writers:  # every shard written and fsynced before any is renamed
                w.prepare()
            committed = [shard for w in writers for shard in w.publish()]
            marker = {**self.stats.to_dict(), SHARDS: shard_entries(self.out, committed)}
            if unread:
                marker[FAILED] = unread
            write_json(marker_path(self.out, self.task.task_id), marker)
        except (OSError, OutputError) as exc:
            self.abort()
            raise OutputError(f"{self.task.path}: cannot write its output: {_why(exc)}") from exc
        return self.stats

    def abort(self) -> None:
        for w in self.writers.values():
            w.abort()


def process_task(
    task: Task,
    pipeline: Pipeline,
    opts: RunOptions,
    report: Callable[[int, int], None] | None = None,
) -> TaskResult:
    """Read, process and write one task; returns its counts after writing its marker.

    The files of a group are each read whole before their records are processed (they
    are small), so that a file that cannot be read is left out of the task's output
    without a trace and reported; a task of one such file fails as a whole.
    """
    output = TaskOutput(opts, task)
    faults = Path(opts.output) / FAULTS
    log = isolate.Log.load(faults, task.task_id)
    unread: dict[str, str] = {}
    try:
        with isolate.Guard(faults, task.task_id) as guard:  # until committed
            batching = batch_limits(pipeline, opts.batch_size, opts.batch_bytes)
            for table, keys in read_batches(task, unread, **batching):
                size = payload_bytes(table)
                for processed in isolate.process(pipeline, table, keys, log, guard):
                    output.add(processed)
                if report:
                    report(table.num_rows, size)
            return TaskResult(output.commit(unread), list(unread.values()))
    except BaseException:
        output.abort()
        raise


def batch_limits(pipeline: Pipeline, batch_size: int, batch_bytes: int) -> dict[str, Any]:
    """The keywords of :func:`read_batches` for a run of ``pipeline``: its batch bounds, and
    the record size its guard stage allows (the readers reject larger records unread)."""
    return {
        "batch_size": batch_size,
        "batch_bytes": batch_bytes,
        "max_record_bytes": read_limit(pipeline.stages, pipeline.options),
    }


def read_batches(
    task: Task,
    unread: dict[str, str],
    *,
    batch_size: int,
    batch_bytes: int = BATCH_BYTES,
    max_record_bytes: int | None = None,
) -> Iterator[tuple[pa.Table, pa.Array]]:
    """A task's input records in batches of up to ``batch_size`` rows and ``batch_bytes``
    of payload (spanning the files of a group whose fields agree), each with its records'
    keys; files of a group that cannot be read go to ``unread``. Only a batch of one
    record holds more than ``batch_bytes``."""
    read = functools.partial(
        read_task, batch_size=batch_size, batch_bytes=batch_bytes, max_record_bytes=max_record_bytes
    )
    pending: list[tuple[pa.Table, pa.Array]] = []
    rows = nbytes = 0
    for member, file in enumerate(task.files):
        tables = read(file) if len(task.files) == 1 else _held(read, file, unread)
        if tables is None:
            continue
        for table in tables:
            if not table.num_rows:
                continue
            size = payload_bytes(table)
            if pending and (
                rows + table.num_rows > batch_size
                or nbytes + size > batch_bytes
                or not table.schema.equals(pending[0][0].schema, check_metadata=False)
            ):
                yield _concat(pending)
                pending, rows, nbytes = [], 0, 0
            pending.append((table, record_keys(table, member)))
            rows += table.num_rows
            nbytes += size
            if rows >= batch_size or nbytes >= batch_bytes:
                yield _concat(pending)
                pending, rows, nbytes = [], 0, 0
    if pending:
        yield _concat(pending)


def _held(
    read: Callable[[ReadTask], Iterable[pa.Table]], file: ReadTask, unread: dict[str, str]
) -> Iterable[pa.Table] | None:
    """The tables of a file of a group, read whole so that a file that cannot be read
    leaves no rows behind (None, with its message in ``unread``). A file that expands
    past :data:`HELD_BYTES` (a small compressed file) is streamed from there on; if it
    fails after that, its task fails."""
    held: list[pa.Table] = []
    nbytes = 0
    try:
        tables = iter(read(file))
        for table in tables:
            held.append(table)
            nbytes += table.nbytes
            if nbytes > HELD_BYTES:
                return itertools.chain(held, tables)
    except CrawlsiftError as exc:
        unread[file.task_id] = str(exc)
        return None
    return held


def _concat(parts: list[tuple[pa.Table, pa.Array]]) -> tuple[pa.Table, pa.Array]:
    if len(parts) == 1:
        return parts[0]
    table = pa.concat_tables([t for t, _ in parts])
    return table, pa.concat_arrays([k for _, k in parts])


def _output_columns(table: pa.Table, opts: RunOptions, *, kept: bool) -> pa.Table:
    drop = [c for c in S.INTERNAL_COLUMNS if c in table.column_names]
    if kept and not opts.keep_input_text and S.INPUT_TEXT in table.column_names:
        drop.append(S.INPUT_TEXT)
    return table.drop_columns(drop)


def _execute(
    tasks: Sequence[Task],
    pipeline: Pipeline,
    opts: RunOptions,
    workers: int,
    report: Callable[[int, int], None] | None,
) -> Iterator[tuple[Task, TaskResult]]:
    """Yield (task, result) as tasks finish; ``report`` (records, bytes), if given, is
    called as batches are read (workers send their counts through a queue).

    Tasks run in worker processes, except with one worker and no record time limit. A
    worker that dies breaks the pool; the unfinished tasks run again in a new pool. The
    death is explained by the record time limit (the record that ran out of time is
    rejected on the next attempt) or by the task's in-flight file
    (:mod:`crawlsift.engine.isolate`): a task that was in the pipeline when a worker
    died is redone in a pool of one worker, where the batch it was processing is done
    one record at a time, so that the record that kills a worker is known for sure.
    """
    if workers <= 1 and opts.record_timeout is None:
        for task in tasks:
            yield task, _guarded(task, pipeline, opts, report)
        return
    out = Path(opts.output)
    faults, timeouts = out / FAULTS, out / TIMEOUTS
    with _counts_queue(report) as counts:
        shared = [t for t in tasks if not isolate.has_suspects(faults, t.task_id)]
        alone = [t for t in tasks if isolate.has_suspects(faults, t.task_id)]
        while shared or alone:
            solo = not shared
            undone = yield from _pool_pass(
                alone if solo else shared, pipeline, opts, 1 if solo else workers, counts
            )
            timed_out = watchdog.collect(timeouts, opts.record_timeout or 0.0)
            found: dict[str, str | None] = {}
            for task in undone:
                if task.task_id in timed_out:  # the time limit explains the death
                    isolate.discard(faults, task.task_id)
                else:
                    found[task.task_id] = isolate.collect(faults, task, alone=solo)
            if solo:
                culprit = next((t for t in undone if found.get(t.task_id) == "task"), None)
                if culprit is None and undone and not timed_out and not any(found.values()):
                    culprit = undone[0]  # died before it wrote anything: the first one ran
                if culprit is not None:
                    undone.remove(culprit)
                    yield culprit, TaskResult(None, [_died(culprit)])
                alone = undone
            else:
                moved = [t for t in undone if found.get(t.task_id)]
                if undone and not moved and not timed_out:  # nothing was in flight: each alone
                    moved = undone
                alone += moved
                shared = [t for t in undone if t not in moved]


class _Counts:
    """A queue workers put their (records, bytes) counts on, read into ``report`` by a
    thread (:meth:`pump`). It is a manager's queue (a server process each worker talks to
    over its own connection), so that a worker the kernel ends while it sends cannot
    leave a shared pipe locked or half-written. The thread starts once the first pool's
    workers have started, so that they may be forked (:func:`worker_context`)."""

    def __init__(self, queue: Any, report: Callable[[int, int], None]) -> None:
        self.queue, self.report = queue, report
        self.thread: threading.Thread | None = None

    def pump(self) -> None:
        """Start reading the queue into ``report`` (once)."""
        if self.thread is None:
            self.thread = threading.Thread(target=_pump, args=(self.queue, self.report))
            self.thread.daemon = True
            self.thread.start()


@contextmanager
def _counts_queue(report: Callable[[int, int], None] | None) -> Iterator[_Counts | None]:
    """The :class:`_Counts` of a run; None when nothing reports."""
    if report is None:
        yield None
        return
    ctx = worker_context()
    with forking(ctx):
        manager = ctx.Manager()  # its server process starts here
    with manager:
        counts = _Counts(manager.Queue(), report)
        try:
            yield counts
        finally:
            counts.pump()  # reads what is left, up to the end mark
            counts.queue.put(None)
            assert counts.thread is not None
            counts.thread.join()


def _died(task: Task) -> str:
    return (
        f"{task.path}: a worker process died while reading it or writing its output "
        "(out of memory, or killed); run the same command again to retry it"
    )


def _pool_pass(
    tasks: list[Task],
    pipeline: Pipeline,
    opts: RunOptions,
    workers: int,
    counts: _Counts | None,
) -> Generator[tuple[Task, TaskResult], None, list[Task]]:
    """Run tasks in one process pool; return those left undone when the pool broke."""
    undone: set[str] = set()
    ctx = worker_context()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=start_worker)
    try:
        parent = os.getpid()
        queue = counts.queue if counts is not None else None
        with forking(ctx):  # a forking pool starts its workers at the first submit
            pending = {
                pool.submit(_guarded_queue, t, pipeline, opts, queue, parent): t for t in tasks
            }
        if counts is not None:
            counts.pump()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                task = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    undone.add(task.task_id)
                    continue
                yield task, result
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    # when every task has its result, the run goes on (unifying, the report) while the
    # workers exit, and the interpreter waits for them before it ends; after a worker
    # died, the others are ended before their in-flight files are read
    pool.shutdown(wait=bool(undone))
    return [t for t in tasks if t.task_id in undone]


def _guarded(
    task: Task, pipeline: Pipeline, opts: RunOptions, report: Callable[[int, int], None] | None
) -> TaskResult:
    try:
        return process_task(task, pipeline, opts, report)
    except CrawlsiftError as exc:
        return TaskResult(None, [str(exc)])
    except (MemoryError, pa.ArrowMemoryError):  # reading or writing: records are isolated
        return TaskResult(None, [f"{task.path}: out of memory while reading or writing it"])


def _guarded_queue(
    task: Task, pipeline: Pipeline, opts: RunOptions, queue: Any, parent: int
) -> TaskResult:
    def report(records: int, nbytes: int) -> None:
        if os.getppid() != parent:  # the run was killed: stop before writing anything more
            os._exit(1)
        if queue is not None:
            queue.put((records, nbytes))

    log = Path(opts.output) / TIMEOUTS / f"{task.task_id}.jsonl"
    with watchdog.enforce(opts.record_timeout, log):
        return _guarded(task, pipeline, opts, report)


def _pump(queue: Any, report: Callable[[int, int], None]) -> None:
    while (item := queue.get()) is not None:
        report(*item)


def _prepare_output(out: Path, manifest: dict[str, Any], overwrite: bool) -> None:
    """Check (or clear, on overwrite) a locked output directory and write the manifest."""
    previous = claim(out, RUN_FILE, "crawlsift", overwrite)
    if previous is not None:
        check_manifest(out, previous, manifest, "crawlsift")
    try:  # the manifest first: a directory holding only a lock file is still empty
        if previous is None:
            write_json(out / RUN_FILE, manifest)
    except OSError as exc:
        raise OutputError(f"cannot create output directory {out}: {exc.strerror}") from exc
    make_dirs(out, (*OUTPUT_KINDS, DONE))


def _remove_uncommitted(out: Path, listed: set[str]) -> None:
    """Delete the shards and temporary files no done marker lists (``listed``, paths
    relative to ``out``): what a task that failed or was killed while committing left
    behind. Only names crawlsift writes are touched."""
    for kind in OUTPUT_KINDS:
        directory = out / kind
        for path in directory.iterdir() if directory.is_dir() else ():
            if _SHARD_FILE.fullmatch(path.name) and f"{kind}/{path.name}" not in listed:
                path.unlink()
    for tmp in (out / DONE).glob(".tmp-*.json"):
        tmp.unlink()


def _remove_partial(out: Path, task_id: str) -> None:
    """Delete what an interrupted attempt at this task left behind."""
    for kind in OUTPUT_KINDS:
        for path in (out / kind).glob(f"*part-{task_id}-*"):
            path.unlink()


def _why(exc: BaseException) -> str:
    """The system's words for the error at the root of ``exc`` (e.g. a full disk)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
        cause = cause.__cause__
    return str(exc)


class _Progress:
    """A tqdm counter of records with input MB/s and finished files; silent when not wanted."""

    def __init__(self, tasks: Sequence[Task], enabled: bool | None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.files_total = sum(len(t.files) for t in tasks)
        self.files_done = 0
        self.nbytes = 0
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.bar: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from tqdm import tqdm

            class Bar(tqdm):
                #: no monitor thread (it only tunes how often an idle bar redraws), so
                #: that the workers may be forked (worker_context)
                monitor_interval = 0

            self.bar = Bar(unit=" records", desc="clean", file=sys.stderr, dynamic_ncols=True)
        return self

    def update(self, records: int, nbytes: int) -> None:
        if self.bar is None:
            return
        with self.lock:
            self.nbytes += nbytes
            self.bar.update(records)
            self._postfix()

    def task_done(self, task: Task) -> None:
        if self.bar is None:
            return
        with self.lock:
            self.files_done += len(task.files)
            self._postfix()

    def _postfix(self) -> None:
        rate = self.nbytes / max(time.monotonic() - self.started, 1e-9) / 1e6
        self.bar.set_postfix_str(f"{rate:.1f} MB/s, files {self.files_done}/{self.files_total}")

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()
