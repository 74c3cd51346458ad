"""The Ray engine: the same pipeline object on a Ray cluster, through Ray Data.

Each task (an input file, or a group of small ones: :mod:`crawlsift.engine.tasks`) is
one Ray Data read task (crawlsift's own readers), the pipeline runs as
``map_batches(pipeline, batch_format="pyarrow")`` on the cluster's workers, and the
driver writes the processed batches with the local engine's ``TaskOutput``: the same
shard names, atomic renames, done markers and resume. Order is preserved, so a task's
batches arrive together and in order, and outputs are byte-identical to the local
engine's.

The driver writes every shard; that suits a cluster writing to shared or object
storage up to the driver's bandwidth (docs/scaling.md). The per-record time limit is
enforced on the workers as in the local engine, and records that kill their worker are
isolated the same way (:class:`WatchedPipeline`). Ray is an
optional extra (``crawlsift[ray]``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from crawlsift import schema as S
from crawlsift import watchdog
from crawlsift.engine import isolate
from crawlsift.engine.isolate import FAULTS
from crawlsift.engine.local import (
    TIMEOUTS,
    Run,
    RunOptions,
    RunSummary,
    TaskOutput,
    TaskResult,
    batch_limits,
    read_batches,
    start_run,
)
from crawlsift.engine.pipeline import Pipeline
from crawlsift.engine.ray_start import ray_module, start_ray
from crawlsift.engine.startup import import_stages
from crawlsift.engine.tasks import Task, record_keys, single
from crawlsift.errors import CrawlsiftError, InputError
from crawlsift.io import ReadTask
from crawlsift.io.passthrough import without_surrogates


def _ray() -> Any:
    return ray_module(data=True)


def _datasource(tasks: Sequence[Task], batching: dict[str, Any], faults: Path) -> Any:
    ray = _ray()
    from ray.data.block import BlockMetadata

    # typed Any: Datasource.get_read_tasks's signature differs between the Ray versions
    # crawlsift supports, and this class reads only ``parallelism``
    datasource: Any = ray.data.Datasource

    class CrawlsiftDatasource(datasource):
        """One Ray read task per crawlsift task, yielding its input batches."""

        def estimate_inmemory_data_size(self) -> int:
            return sum(t.size for t in tasks)

        def get_read_tasks(self, parallelism: int, **_: Any) -> list[Any]:
            def reader(task: Task) -> Any:
                return lambda: _read(task, batching, faults)

            return [
                ray.data.ReadTask(
                    reader(t),
                    BlockMetadata(
                        num_rows=None,
                        size_bytes=t.size,
                        exec_stats=None,
                        input_files=tuple(f.path for f in t.files),
                    ),
                )
                for t in tasks
            ]

    return CrawlsiftDatasource()


def _read(task: Task, batching: dict[str, Any], faults: Path) -> Iterator[pa.Table]:
    """A task's input batches (``batching``: the keywords of :func:`read_batches`). The
    files that could not be read are written to the task's unread file (for the driver)
    before the last batch is yielded, so it is there when the driver commits the task."""
    unread: dict[str, str] = {}
    last = None
    try:
        for table, _ in read_batches(task, unread, **batching):
            if last is not None:
                yield last
            last = table
    except CrawlsiftError as exc:  # a task of one file that cannot be read
        unread[task.files[0].task_id] = str(exc)
    if unread:
        faults.mkdir(parents=True, exist_ok=True)
        _unread_path(faults, task.task_id).write_text(json.dumps(unread))
    if last is not None:
        yield last


def _unread_path(faults: Path, task_id: str) -> Path:
    return faults / f"{task_id}.unread.json"


def _take_unread(faults: Path, task_id: str) -> dict[str, str]:
    path = _unread_path(faults, task_id)
    if not path.exists():
        return {}
    unread: dict[str, str] = json.loads(path.read_text())
    path.unlink()
    return unread


class WatchedPipeline:
    """The pipeline as a Ray worker runs it: under the per-record time limit, with each
    batch's in-flight file (:mod:`crawlsift.engine.isolate`).

    Each batch runs under :func:`crawlsift.watchdog.enforce` with its task's timeout log
    and an in-flight slot of its own, and with an in-flight file of its own. A worker that
    dies (the watchdog's doing, the OOM killer's, a crash) is retried by Ray; the retry
    finds the record that ran out of time in the timeout log, or logs what the in-flight
    file shows (a suspect batch, then done one record at a time; a record that killed
    its worker alone, then rejected). The output directory must be storage the workers
    share (always true on one machine; a shared file system on a cluster).
    """

    def __init__(self, pipeline: Pipeline, out: str, tasks: Sequence[Task], limit: float | None):
        self.pipeline, self.out, self.limit = pipeline, Path(out), limit
        # keyed as the readers write a file's path into the source column (see source_keys)
        self.members = {
            without_surrogates(f.path): (t, m) for t in tasks for m, f in enumerate(t.files)
        }

    def __call__(self, table: pa.Table) -> pa.Table:
        import_stages()  # in a new worker, before the time limit starts (then a no-op)
        if table.num_rows == 0:
            return self.pipeline(table)
        task, _ = self.members[table.column(S.SOURCE)[0].as_py()]
        keys = pa.concat_arrays(
            [record_keys(rows, self.members[source][1]) for source, rows in _runs_by_source(table)]
        )
        tag = str(keys[0].as_py())
        faults = self.out / FAULTS
        timeouts = self.out / TIMEOUTS / f"{task.task_id}.jsonl"
        if self.limit is not None and watchdog.collect_stale(timeouts, self.limit, tag):
            isolate.inflight_path(faults, task.task_id, tag).unlink(missing_ok=True)
        else:  # an earlier attempt at this batch died for another reason than time
            isolate.collect(faults, task, alone=True, tag=tag)
        log = isolate.Log.load(faults, task.task_id)
        with (
            watchdog.enforce(self.limit, timeouts, tag=tag),
            isolate.Guard(faults, task.task_id, tag) as guard,
        ):
            return pa.concat_tables(list(isolate.process(self.pipeline, table, keys, log, guard)))


def source_keys(todo: Sequence[Task]) -> dict[str, int]:
    """The task of each file, by its path as the readers write it into the source column
    (a name that is not UTF-8 has its undecodable bytes replaced there, so that the column
    is valid UTF-8). Rows reach the driver from Ray with that column as their only link to
    their file: two names that differ only in such bytes are an InputError, not a mix-up."""
    index: dict[str, int] = {}
    paths: dict[str, str] = {}
    for i, task in enumerate(todo):
        for f in task.files:
            key = without_surrogates(f.path)
            if key in paths:
                raise InputError(
                    f"{paths[key]!r} and {f.path!r} differ only in bytes that are not UTF-8, "
                    "which the Ray engine cannot tell apart: rename one, or use the local engine"
                )
            paths[key], index[key] = f.path, i
    return index


def _runs_by_source(table: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    """Contiguous runs of rows from one source file."""
    sources = table.column(S.SOURCE).to_pylist()
    start = 0
    for i in range(1, len(sources) + 1):
        if i == len(sources) or sources[i] != sources[start]:
            yield sources[start], table.slice(start, i - start)
            start = i


def run_ray(
    files: Sequence[ReadTask], pipeline: Pipeline, opts: RunOptions, address: str | None = None
) -> RunSummary:
    """Run ``pipeline`` over the input ``files`` on Ray and write outputs as the local
    engine does."""
    ray = _ray()
    source_keys([single(f) for f in files])  # names Ray cannot tell apart: before any output
    with start_run(files, pipeline, opts) as run:
        return _run_ray(ray, run, pipeline, opts, address)


def _run_ray(
    ray: Any, run: Run, pipeline: Pipeline, opts: RunOptions, address: str | None
) -> RunSummary:
    start_ray(address, data=True)
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = bool(opts.progress)
    index = source_keys(run.todo)
    outputs: dict[int, TaskOutput] = {}
    next_task = 0  # tasks before this one are committed
    faults = run.out / FAULTS

    def close_until(limit: int) -> None:
        nonlocal next_task
        while next_task < limit:
            task = run.todo[next_task]
            output = outputs.pop(next_task, None) or TaskOutput(run.opts, task)
            unread = _take_unread(faults, task.task_id)
            if len(task.files) == 1 and unread:  # as the local engine: the task failed
                output.abort()
                result = TaskResult(None, list(unread.values()))
            else:
                try:
                    result = TaskResult(output.commit(unread), list(unread.values()))
                except CrawlsiftError as exc:  # a full disk: the task is redone by the next run
                    result = TaskResult(None, [str(exc)])
            run.task_finished(task, result)
            next_task += 1

    batch_fn = WatchedPipeline(pipeline, str(run.out), run.todo, opts.record_timeout)
    if run.todo:
        batching = batch_limits(pipeline, opts.batch_size, opts.batch_bytes)
        ds = ray.data.read_datasource(_datasource(run.todo, batching, faults))
        # Ray Data retries a task whose worker died without limit; each retry after a
        # death logs one more suspect batch or record, so it ends
        ds = ds.map_batches(batch_fn, batch_format="pyarrow", batch_size=None)
        try:
            for table in ds.iter_batches(batch_format="pyarrow", batch_size=None):
                for source, rows in _runs_by_source(table):
                    i = index[source]
                    close_until(i)  # order is preserved: earlier tasks are complete
                    outputs.setdefault(i, TaskOutput(run.opts, run.todo[i])).add(rows)
            close_until(len(run.todo))
        except Exception as exc:
            for output in outputs.values():
                output.abort()
            cause: BaseException | None = exc
            while cause is not None and not isinstance(cause, CrawlsiftError):
                cause = cause.__cause__ or cause.__context__
            if isinstance(cause, CrawlsiftError):
                raise CrawlsiftError(f"ray run failed: {cause}") from exc
            raise
    return run.finish()
