"""The Ray engine: the same pipeline object on a Ray cluster, through Ray Data.

Each input file is one Ray Data read task (crawlsift's own readers), the pipeline runs
as ``map_batches(pipeline, batch_format="pyarrow")`` on the cluster's workers, and the
driver writes the processed batches with the local engine's ``TaskOutput``: the same
shard names, atomic renames, done markers and resume. Order is preserved, so a file's
batches arrive together and in order, and outputs are byte-identical to the local
engine's.

The driver writes every shard; that suits a cluster writing to shared or object
storage up to the driver's bandwidth (docs/scaling.md). The per-record time limit is
enforced on the workers as in the local engine (:class:`WatchedPipeline`). Ray is an
optional extra (``crawlsift[ray]``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from crawlsift import schema as S
from crawlsift import watchdog
from crawlsift.engine.local import TIMEOUTS, RunOptions, RunSummary, TaskOutput, start_run
from crawlsift.engine.pipeline import Pipeline
from crawlsift.errors import CrawlsiftError, MissingExtraError
from crawlsift.io import ReadTask, read_task
from crawlsift.io.guard import read_limit


def _ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise MissingExtraError("ray", "ray") from None
    return ray


def _datasource(tasks: Sequence[ReadTask], opts: RunOptions, record_limit: int | None) -> Any:
    ray = _ray()
    from ray.data.block import BlockMetadata

    class CrawlsiftDatasource(ray.data.Datasource):  # type: ignore[misc]
        """One Ray read task per input file, yielding crawlsift's input tables."""

        def estimate_inmemory_data_size(self) -> int:
            return sum(t.size for t in tasks)

        def get_read_tasks(self, parallelism: int, **_: Any) -> list[Any]:
            def reader(task: ReadTask) -> Any:
                return lambda: read_task(
                    task,
                    batch_size=opts.batch_size,
                    batch_bytes=opts.batch_bytes,
                    max_record_bytes=record_limit,
                )

            return [
                ray.data.ReadTask(
                    reader(t),
                    BlockMetadata(
                        num_rows=None, size_bytes=t.size, exec_stats=None, input_files=(t.path,)
                    ),
                )
                for t in tasks
            ]

    return CrawlsiftDatasource()


class WatchedPipeline:
    """The pipeline under the per-record time limit, as a Ray worker runs it.

    Each batch runs under :func:`crawlsift.watchdog.enforce` with its file's timeout log and an
    in-flight slot of its own; a worker the watchdog ends is retried by Ray, and the
    retry finds the record in the log. The output directory must be storage the workers
    share (always true on one machine; a shared file system on a cluster).
    """

    def __init__(self, pipeline: Pipeline, timeouts: str, task_ids: dict[str, str], limit: float):
        self.pipeline, self.timeouts, self.task_ids, self.limit = (
            pipeline, timeouts, task_ids, limit
        )  # fmt: skip

    def __call__(self, table: pa.Table) -> pa.Table:
        if table.num_rows == 0:
            return self.pipeline(table)
        source = table.column(S.SOURCE)[0].as_py()
        first = table.column(S.SOURCE_INDEX)[0].as_py()
        log = Path(self.timeouts) / f"{self.task_ids[source]}.jsonl"
        with watchdog.enforce(self.limit, log, tag=str(first)):
            return self.pipeline(table)


def _runs_by_source(table: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    """Contiguous runs of rows from one source file."""
    sources = table.column(S.SOURCE).to_pylist()
    start = 0
    for i in range(1, len(sources) + 1):
        if i == len(sources) or sources[i] != sources[start]:
            yield sources[start], table.slice(start, i - start)
            start = i


def run_ray(
    tasks: Sequence[ReadTask], pipeline: Pipeline, opts: RunOptions, address: str | None = None
) -> RunSummary:
    """Run ``pipeline`` over ``tasks`` on Ray and write outputs as the local engine does."""
    ray = _ray()
    run = start_run(tasks, pipeline, opts)
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, logging_level="ERROR",
                 log_to_driver=False)  # fmt: skip
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ctx.enable_progress_bars = bool(opts.progress)
    index = {t.path: i for i, t in enumerate(run.todo)}
    outputs: dict[int, TaskOutput] = {}
    next_task = 0  # tasks before this one are committed

    def close_until(limit: int) -> None:
        nonlocal next_task
        while next_task < limit:
            task = run.todo[next_task]
            output = outputs.pop(next_task, None) or TaskOutput(run.opts, task)
            run.task_finished(task, output.commit())
            next_task += 1

    batch_fn: Any = pipeline
    if opts.record_timeout is not None:
        timeouts = run.out / TIMEOUTS
        task_ids = {t.path: t.task_id for t in run.todo}
        batch_fn = WatchedPipeline(pipeline, str(timeouts), task_ids, opts.record_timeout)
    if run.todo:
        limit = read_limit(pipeline.stages, pipeline.options)
        ds = ray.data.read_datasource(_datasource(run.todo, opts, limit))
        # Ray Data retries a task whose worker died (the watchdog's doing, or a lost node)
        # without limit; each watchdog retry skips one more record, so it ends
        ds = ds.map_batches(batch_fn, batch_format="pyarrow", batch_size=None)
        try:
            for table in ds.iter_batches(batch_format="pyarrow", batch_size=None):
                for source, rows in _runs_by_source(table):
                    i = index[source]
                    close_until(i)  # order is preserved: earlier files are complete
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
