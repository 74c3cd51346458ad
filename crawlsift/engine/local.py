"""The local engine: all cores of one machine, streaming, resumable.

Each read task (one input file) is processed by one worker process, batch by batch,
so memory is bounded by the batch (``batch_size`` rows or ``batch_bytes`` of payload,
whichever comes first) x ``workers``, not by the input. A task's
outputs are written under temporary names and renamed into place when complete;
only then is its done marker (holding the task's counts) written. A rerun with the
same arguments skips tasks that have a marker and redoes the others from scratch, so
an interrupted run never loses or duplicates a record.

Output layout::

    OUT/kept/part-<task>-<k>.parquet      kept records
    OUT/rejected/part-<task>-<k>.parquet  rejected records, each with reason + stage
    OUT/_samples/part-<task>-<k>.parquet  a few kept records per edit reason, with input text
    OUT/_done/<task>.json                 per-task counts, written last
    OUT/_timeouts/<task>.jsonl            records that ran past record_timeout (if any)
    OUT/_run.json                         inputs, pipeline and options of the run
    OUT/stats.json                        counts for the whole output
    OUT/report.html                       funnel, charts and examples (crawlsift report OUT)
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S
from crawlsift import watchdog
from crawlsift.engine.pipeline import Pipeline
from crawlsift.engine.remote import RemoteOutput, open_remote
from crawlsift.engine.unify import SHARDS, marker_path, shard_entries, unify_outputs
from crawlsift.errors import CrawlsiftError, InputError, OutputError
from crawlsift.io import ReadTask, read_task
from crawlsift.io._rows import BATCH_BYTES
from crawlsift.io.guard import read_limit
from crawlsift.io.writers import RollingWriter
from crawlsift.report.html_report import build_report
from crawlsift.report.samples import SampleCollector
from crawlsift.report.stats import RunStats, payload_bytes

FORMATS = ("parquet", "jsonl")
TIMEOUTS = "_timeouts"  # per task: records that ran past the time limit (crawlsift.watchdog)
SAMPLES = "_samples"  # a few kept records per edit reason, with input text, for the report
OUTPUT_KINDS = ("kept", "rejected", SAMPLES)


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
    #: seconds one record may spend in a parsing step before it is rejected as
    #: parse_timeout (enforced by ending the worker, see crawlsift.watchdog); None = off
    record_timeout: float | None = 30.0

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise InputError(
                f"unknown output format {self.format!r}; use one of {', '.join(FORMATS)}"
            )
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


def run_local(tasks: Sequence[ReadTask], pipeline: Pipeline, opts: RunOptions) -> RunSummary:
    """Run ``pipeline`` over ``tasks`` and write outputs under ``opts.output``."""
    run = start_run(tasks, pipeline, opts)
    workers = min(opts.workers or os.cpu_count() or 1, max(len(run.todo), 1))
    with _Progress(run.todo, opts.progress) as progress:
        for task, result in _execute(run.todo, pipeline, run.opts, workers, progress.update):
            progress.task_done()
            run.task_finished(task, result)
    return run.finish()


class Run:
    """The bookkeeping of a run shared by the engines: manifest, resume, counts, summary.

    ``opts.output`` is where tasks write: the output directory, or for a URL output the
    local staging directory that ``remote`` mirrors (see :mod:`crawlsift.engine.remote`).
    """

    def __init__(
        self,
        tasks: Sequence[ReadTask],
        opts: RunOptions,
        todo: list[ReadTask],
        remote: RemoteOutput | None = None,
    ) -> None:
        self.tasks, self.opts, self.todo, self.remote = tasks, opts, todo, remote
        self.out = Path(opts.output)
        self.stats = RunStats()
        self.failed: list[str] = []
        self.started = time.monotonic()

    def task_finished(self, task: ReadTask, result: RunStats | str) -> None:
        """Count a finished task (uploading it for a URL output), or report a file that
        could not be read."""
        if isinstance(result, str):
            self.failed.append(result)
            print(f"Error: {result}", file=sys.stderr)
        else:
            self.stats.merge(result)
            if self.remote is not None:
                self.remote.task_committed(task.task_id)

    def finish(self) -> RunSummary:
        """Give every shard the run's schema, write stats.json and report.html; return the
        summary."""
        fetch = self.remote.fetch if self.remote is not None else None
        ids = [t.task_id for t in self.tasks if marker_path(self.out, t.task_id).exists()]
        for task_id in unify_outputs(self.out, ids, _write_json, fetch):
            if self.remote is not None:
                self.remote.task_committed(task_id)
        summary = RunSummary(
            output=self.remote.url if self.remote is not None else str(self.out),
            stats=self.stats,
            tasks_total=len(self.tasks),
            tasks_skipped=len(self.tasks) - len(self.todo),
            seconds=time.monotonic() - self.started,
            failed_files=self.failed,
        )
        _write_json(self.out / "stats.json", summary.to_dict())
        build_report(str(self.out))
        if self.remote is not None:
            self.remote.finished()
        return summary


def start_run(tasks: Sequence[ReadTask], pipeline: Pipeline, opts: RunOptions) -> Run:
    """Prepare the output directory and find the tasks a previous attempt left undone."""
    remote = open_remote(opts.output, opts.overwrite)
    if remote is not None:  # tasks write to the staging directory, which is mirrored
        opts = replace(opts, output=str(remote.staging), overwrite=False)
    out = Path(opts.output)
    manifest = {
        "inputs": [asdict(t) for t in tasks],
        "pipeline": pipeline.describe(),
        "format": opts.format,
        "keep_input_text": opts.keep_input_text,
    }
    _prepare_output(out, manifest, opts.overwrite)
    todo: list[ReadTask] = []
    finished = RunStats()
    for task in tasks:
        marker = marker_path(out, task.task_id)
        if marker.exists():
            finished.merge(RunStats.from_dict(json.loads(marker.read_text())))
        else:
            todo.append(task)
    for stale in (out / TIMEOUTS).glob("*.inflight"):  # left by a run that was killed
        stale.unlink()
    run = Run(tasks, opts, todo, remote)
    run.stats = finished
    if remote is not None:
        remote.started()
    return run


class TaskOutput:
    """Everything one task writes: kept, rejected and sample shards, counts, done marker.

    Both engines feed it processed tables in record order; ``commit`` makes the shards
    visible (atomic renames) and writes the done marker last.
    """

    def __init__(self, opts: RunOptions, task: ReadTask) -> None:
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

    def commit(self) -> RunStats:
        committed = [shard for w in self.writers.values() for shard in w.commit()]
        marker = {**self.stats.to_dict(), SHARDS: shard_entries(self.out, committed)}
        _write_json(marker_path(self.out, self.task.task_id), marker)
        return self.stats

    def abort(self) -> None:
        for w in self.writers.values():
            w.abort()


def process_task(
    task: ReadTask,
    pipeline: Pipeline,
    opts: RunOptions,
    report: Callable[[int, int], None] | None = None,
) -> RunStats:
    """Read, process and write one task; returns its counts after writing its marker."""
    output = TaskOutput(opts, task)
    try:
        record_limit = read_limit(pipeline.stages, pipeline.options)
        for batch in read_task(
            task,
            batch_size=opts.batch_size,
            batch_bytes=opts.batch_bytes,
            max_record_bytes=record_limit,
        ):
            size = payload_bytes(batch)
            table = pipeline(batch)
            output.add(table)
            if report:
                report(table.num_rows, size)
        return output.commit()
    except BaseException:
        output.abort()
        raise


def _output_columns(table: pa.Table, opts: RunOptions, *, kept: bool) -> pa.Table:
    drop = [c for c in S.INTERNAL_COLUMNS if c in table.column_names]
    if kept and not opts.keep_input_text and S.INPUT_TEXT in table.column_names:
        drop.append(S.INPUT_TEXT)
    return table.drop_columns(drop)


def _execute(
    tasks: Sequence[ReadTask],
    pipeline: Pipeline,
    opts: RunOptions,
    workers: int,
    report: Callable[[int, int], None],
) -> Iterator[tuple[ReadTask, RunStats | str]]:
    """Yield (task, stats) as tasks finish; a file that cannot be read yields its message.

    Tasks run in worker processes, except with one worker and no record time limit. A
    worker ended by the watchdog breaks the pool: the unfinished tasks run again in a
    new pool, where the record that ran out of time is rejected instead of parsed.
    """
    if workers <= 1 and opts.record_timeout is None:
        for task in tasks:
            yield task, _guarded(task, pipeline, opts, report)
        return
    ctx = mp.get_context("spawn")  # polars and Arrow thread pools are not fork-safe
    with ctx.Manager() as manager:
        queue = manager.Queue()
        pump = threading.Thread(target=_pump, args=(queue, report), daemon=True)
        pump.start()
        timeouts = Path(opts.output) / TIMEOUTS
        todo = list(tasks)
        while todo:
            todo = yield from _pool_pass(todo, pipeline, opts, workers, ctx, queue)
            if todo and not watchdog.collect(timeouts, opts.record_timeout or 0.0):
                names = ", ".join(t.path for t in todo[:3])
                raise CrawlsiftError(
                    f"a worker process died while reading {names}; rerun the same command to resume"
                )
        queue.put(None)
        pump.join()


def _pool_pass(
    tasks: list[ReadTask],
    pipeline: Pipeline,
    opts: RunOptions,
    workers: int,
    ctx: Any,
    queue: Any,
) -> Generator[tuple[ReadTask, RunStats | str], None, list[ReadTask]]:
    """Run tasks in one process pool; return those left undone when the pool broke."""
    undone: list[ReadTask] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        parent = os.getpid()
        pending = {pool.submit(_guarded_queue, t, pipeline, opts, queue, parent): t for t in tasks}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                task = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    undone.append(task)
                    continue
                yield task, result
    left = {t.task_id for t in undone}
    return [t for t in tasks if t.task_id in left]


def _guarded(
    task: ReadTask, pipeline: Pipeline, opts: RunOptions, report: Callable[[int, int], None] | None
) -> RunStats | str:
    try:
        return process_task(task, pipeline, opts, report)
    except CrawlsiftError as exc:
        return str(exc)


def _guarded_queue(
    task: ReadTask, pipeline: Pipeline, opts: RunOptions, queue: Any, parent: int
) -> RunStats | str:
    def report(records: int, nbytes: int) -> None:
        if os.getppid() != parent:  # the run was killed: stop before writing anything more
            os._exit(1)
        queue.put((records, nbytes))

    log = Path(opts.output) / TIMEOUTS / f"{task.task_id}.jsonl"
    with watchdog.enforce(opts.record_timeout, log):
        return _guarded(task, pipeline, opts, report)


def _pump(queue: Any, report: Callable[[int, int], None]) -> None:
    while (item := queue.get()) is not None:
        report(*item)


def _prepare_output(out: Path, manifest: dict[str, Any], overwrite: bool) -> None:
    run_file = out / "_run.json"
    if overwrite and run_file.exists():  # only ever delete what crawlsift wrote
        shutil.rmtree(out)
    if run_file.exists():
        previous = json.loads(run_file.read_text())
        if previous != json.loads(json.dumps(manifest)):
            raise InputError(
                f"{out} holds a run with other inputs or options; "
                "use another output directory or --overwrite"
            )
    elif out.exists() and any(out.iterdir()):
        raise InputError(f"{out} exists and is not a crawlsift output; choose an empty directory")
    try:
        for sub in (*OUTPUT_KINDS, "_done"):
            (out / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output directory {out}: {exc.strerror}") from exc
    if not run_file.exists():
        _write_json(run_file, manifest)


def _remove_partial(out: Path, task_id: str) -> None:
    """Delete what an interrupted attempt at this task left behind."""
    for kind in OUTPUT_KINDS:
        for path in (out / kind).glob(f"*part-{task_id}-*"):
            path.unlink()


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    os.replace(tmp, path)


class _Progress:
    """A tqdm counter of records with input MB/s and finished files; silent when not wanted."""

    def __init__(self, tasks: Sequence[ReadTask], enabled: bool | None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.files_total = len(tasks)
        self.files_done = 0
        self.nbytes = 0
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.bar: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(unit=" records", desc="clean", file=sys.stderr, dynamic_ncols=True)
        return self

    def update(self, records: int, nbytes: int) -> None:
        if self.bar is None:
            return
        with self.lock:
            self.nbytes += nbytes
            self.bar.update(records)
            self._postfix()

    def task_done(self) -> None:
        if self.bar is None:
            return
        with self.lock:
            self.files_done += 1
            self._postfix()

    def _postfix(self) -> None:
        rate = self.nbytes / max(time.monotonic() - self.started, 1e-9) / 1e6
        self.bar.set_postfix_str(f"{rate:.1f} MB/s, files {self.files_done}/{self.files_total}")

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()
