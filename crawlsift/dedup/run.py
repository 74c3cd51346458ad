"""``dedup``: one corpus in, kept and rejected shards out, optionally against an index.

Passes (each streams the input batch by batch; corpus-wide steps are lazy polars
group-bys and joins over Parquet files in ``OUT/_work``)::

    1 lines     exact key of each text as read; distinct line keys -> _work/{read,keys,hosts}
                per (host, document)
      learn     group-by (host, key) over distinct documents:       -> in memory (small)
                site boilerplate
    2 hash      strip boilerplate; exact key, MinHash, band keys    -> _work/{docs,meta,bands,sigs}
      rank      sort by the keep order                              -> _work/ranked.parquet
      edges     group-bys on both exact keys and (band, bucket)     -> candidate pairs
      verify    exact Jaccard of candidate pairs (optional)
      cluster   connected components; decisions sorted by row       -> _work/decisions.parquet
    3 write     documents + decisions, in row order, one schema     -> OUT/kept, OUT/rejected

    4 index     kept documents, keys of every document, cluster     -> INDEX/*/batch-<k>
                sizes, line counts

A document is kept, removed as a duplicate (``dedup_exact``, ``dedup_near``), or rejected
for having no words (``dedup_empty_text``) or none left once site boilerplate was stripped
(``dedup_boilerplate_only``); rows that arrive already rejected (a reader's ``bad_json``,
say) go to ``rejected/`` with their own reason. A rejected row keeps the text dedup read.

In memory: the learned boilerplate (host, line) pairs, the candidate pairs with their
component labels, and the shingle sets of documents in candidate pairs (verification).
Each finished batch and pass is marked in ``_work/done`` (:mod:`~crawlsift.dedup.progress`):
the same command run again after an interruption picks up where it stopped.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather

from crawlsift import schema as S
from crawlsift.dedup import boilerplate as bp
from crawlsift.dedup import cluster, minhash
from crawlsift.dedup.index import Index
from crawlsift.dedup.options import DedupOptions, DedupRunOptions
from crawlsift.dedup.output import READ_EDITS, READ_TEXT, write_outputs
from crawlsift.dedup.progress import Progress
from crawlsift.dedup.ray_hash import ray_hash
from crawlsift.dedup.source import check_inputs, read_batches, resolve
from crawlsift.dedup.steps import OnStep, Steps
from crawlsift.dedup.tokens import words as words_of
from crawlsift.dedup.verify import verify
from crawlsift.engine.output import KINDS, STATS_FILE, read_json, write_json
from crawlsift.errors import InputError
from crawlsift.io import discover
from crawlsift.report.html_report import build_report

_FIGURES = ("documents", "candidate_pairs", "pairs_rejected_by_verification", "matched_index")


@dataclass
class DedupSummary:
    """What a dedup run did."""

    output: str
    documents: int = 0
    kept: int = 0
    removed_exact: int = 0
    removed_near: int = 0
    clusters: int = 0  # clusters of two or more documents
    candidate_pairs: int = 0
    pairs_rejected_by_verification: int = 0
    boilerplate_rules: int = 0  # (host, line) pairs learned
    boilerplate_lines_removed: int = 0
    boilerplate_only: int = 0  # documents with no words left after stripping (rejected)
    empty_text: int = 0  # documents with no words as read (rejected)
    rejected_before: int = 0  # rows that arrived rejected, passed on with their reason
    matched_index: int = 0  # documents removed as duplicates of indexed ones
    index_batch: str | None = None
    resumed: list[str] = field(default_factory=list)  # passes an earlier attempt finished
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["seconds"] = round(self.seconds, 3)
        out["phases"] = {k: round(v, 3) for k, v in self.phases.items()}
        return out


def dedup(
    source: str | Sequence[str],
    output: str,
    *,
    index_dir: str | None = None,
    options: DedupOptions | None = None,
    run: DedupRunOptions | None = None,
    progress: OnStep | None = None,
) -> DedupSummary:
    """Deduplicate ``source`` into the local directory ``output`` (``kept/``,
    ``rejected/``, ``stats.json``); :func:`crawlsift.dedup.dedup` also takes URLs.

    ``source`` is a ``crawlsift clean`` output (its ``kept/`` shards are read), a
    directory or file of Parquet/JSONL records with ``id`` and ``text`` (``url``,
    ``date`` and ``options.quality_column`` are used when present), or a list of those.
    ``options`` decide what is a duplicate and which copy is kept (:class:`DedupOptions`),
    ``run`` how the run is executed and written (:class:`DedupRunOptions`). With
    ``index_dir``, documents duplicating an indexed one are removed too, and this run's
    kept documents are added to the index. ``progress`` is called with a
    :class:`~crawlsift.dedup.steps.Step` as the passes go.

    Input without text (a raw WARC, or records holding HTML but no text) is refused with
    an :class:`InputError` naming ``crawlsift clean``, before anything is written.
    """
    opts = options or DedupOptions()
    run = run or DedupRunOptions()
    out = Path(output)
    with contextlib.ExitStack() as held:  # the locks of the index and the output
        index = Index.open(index_dir, opts) if index_dir else None
        if index is not None:
            held.callback(index.close)
        tasks = discover(resolve(source))
        total = check_inputs(tasks)
        manifest = {
            "inputs": [asdict(t) for t in tasks],
            "options": asdict(opts),
            "format": run.format,
            "batch_size": run.batch_size,
            "shard_rows": run.shard_rows,
            "index": os.path.abspath(index_dir) if index_dir else None,
        }
        marks = Progress(out, manifest, run.overwrite)
        held.callback(marks.close)
        if marks.complete:  # the same run finished before: nothing to redo
            stats = read_json(out / STATS_FILE)
            return DedupSummary(**{**stats, "resumed": ["all"]})
        passes = ["lines"] * opts.boilerplate + ["hash", "cluster", "write"]
        passes += ["index"] * bool(index)
        steps = Steps(passes, total, progress)
        try:
            summary = _Run(source, marks, opts, run, index, steps).execute()
        except InputError:  # bad input found while reading: leave no half-made output behind
            marks.discard()
            raise
        marks.complete_run(run.keep_work)
        return summary


class _Run:
    def __init__(
        self,
        source: str | Sequence[str],
        progress: Progress,
        opts: DedupOptions,
        run: DedupRunOptions,
        index: Index | None,
        steps: Steps,
    ) -> None:
        self.source, self.progress, self.opts, self.steps = source, progress, opts, steps
        self.out, self.work = progress.out, progress.work
        self.index, self.run = index, run
        self.workers = max(run.workers or os.cpu_count() or 1, 1)
        self.mult = minhash.permutations(opts.permutations, opts.seed)
        self.summary = DedupSummary(output=str(self.out))
        self.boilerplate = pl.DataFrame(schema={"host": pl.String, "key": pl.UInt64})
        self.has_quality = False

    def _batches(self, kind: str) -> Iterator[tuple[int, int, pa.Table]]:
        """Batches not yet done in pass ``kind`` (with their first row number); those an
        earlier attempt did are counted as done."""
        row = 0
        for k, table in enumerate(read_batches(self.source, self.run.batch_size)):
            if self.progress.done(f"{kind}-{k:06d}") is None:
                yield k, row, table
            else:
                self.steps.batch(table.num_rows)
            row += table.num_rows

    def _part(self, kind: str, k: int) -> str:
        (self.work / kind).mkdir(exist_ok=True)
        return str(self.work / kind / f"part-{k:06d}.arrow")

    def execute(self) -> DedupSummary:
        started = time.monotonic()
        phases = self.summary.phases
        progress, steps = self.progress, self.steps
        if self._index_grew():  # another run added to the index since: cluster again
            progress.undo("cluster", "write")
        if self.opts.boilerplate:
            steps.start("lines")
            steps.finish(self._learn_boilerplate())
            phases["boilerplate"] = time.monotonic() - started
        t = time.monotonic()
        steps.start("hash")
        steps.finish(self._hash_pass())
        phases["hash"] = time.monotonic() - t
        if (self.work / "meta").exists():  # else the input had no records: nothing to do
            t = time.monotonic()
            steps.start("cluster")
            if (figures := progress.reuse("cluster")) is None:
                figures = self._cluster()
                progress.finish("cluster", figures)
            for name in _FIGURES:
                setattr(self.summary, name, figures[name])
            steps.finish(figures["documents"])
            phases["cluster"] = time.monotonic() - t
            t = time.monotonic()
            steps.start("write")
            if (figures := progress.reuse("write")) is None:
                figures = self._write()
                progress.finish("write", figures)
            for name, value in figures.items():
                setattr(self.summary, name, value)
            steps.finish(self.summary.documents)
            if self.index is not None:
                steps.start("index")
                self._append_index()
                steps.finish(self.summary.documents)
            phases["write"] = time.monotonic() - t
        self.summary.seconds = time.monotonic() - started
        self.summary.resumed = progress.resumed
        write_json(self.out / STATS_FILE, self.summary.to_dict())
        build_report(str(self.out))
        return self.summary

    def _index_grew(self) -> bool:
        done = self.progress.done("cluster")
        if self.index is None or done is None:
            return False
        return done["index_batches"] != self.index.names(but_run=self.progress.run_id)

    # -- pass 1: site boilerplate -----------------------------------------------------
    def _learn_boilerplate(self) -> int:
        """Pass 1; returns the number of documents read."""
        learned = self.work / "boilerplate.arrow"
        if (figures := self.progress.reuse("boilerplate")) is None:
            for k, row0, table in self._batches("lines"):
                if S.URL in table.column_names:
                    self._count_lines(k, row0, table)
                self.progress.finish(f"lines-{k:06d}")
                self.steps.batch(table.num_rows)
            self._learn(learned)
            figures = {"documents": self.steps.documents}
            self.progress.finish("boilerplate", figures)
        self.boilerplate = pl.read_ipc(learned)
        self.summary.boilerplate_rules = self.boilerplate.height
        return int(figures["documents"])

    def _count_lines(self, k: int, row0: int, table: pa.Table) -> None:
        """Work files of one batch: read keys (``read``), distinct line keys per document
        (``keys``) and the host and read key of each document counted (``hosts``)."""
        n = table.num_rows
        rows = pl.int_range(row0, row0 + n, eager=True, dtype=pl.Int64)
        tokens = words_of(table.column(S.TEXT), self.opts.fold_digits)
        read = pl.Series(tokens.keys(), dtype=pl.UInt64)
        read_words = pl.Series(tokens.counts, dtype=pl.Int64)
        _save(
            pl.DataFrame({"row": rows, "read": read, "read_words": read_words}),
            self._part("read", k),
        )
        countable = (read_words > 0) & ~pl.Series(_upstream(table))
        host = bp.hosts(table.column(S.URL)).zip_with(
            countable, pl.Series([None] * n, dtype=pl.String)
        )
        lines = bp.line_table(table.column(S.TEXT), host, self.opts.boilerplate_min_chars)
        _save(bp.doc_keys(lines, row0), self._part("keys", k))
        docs = pl.DataFrame({"host": host, "row": rows, "read": read})
        _save(docs.filter(pl.col("host").is_not_null()), self._part("hosts", k))

    def _learn(self, learned: Path) -> None:
        """Line and host counts of this run (kept for the index), then the boilerplate."""
        w = self.work
        if (w / "keys").exists():
            scans = (
                pl.scan_ipc(str(w / "keys" / "*.arrow")),
                pl.scan_ipc(str(w / "hosts" / "*.arrow")),
            )
        else:
            scans = (
                pl.LazyFrame(schema={"host": pl.String, "key": pl.UInt64, "row": pl.Int64}),
                pl.LazyFrame(schema={"host": pl.String, "row": pl.Int64, "read": pl.UInt64}),
            )
        seen = self.index.seen_frame() if self.index is not None else None
        line_counts, host_counts, counted = bp.counts(*scans, seen)
        line_counts.sink_ipc(w / "line_counts.arrow")
        host_counts.sink_ipc(w / "host_counts.arrow")
        counted.sink_ipc(w / "counted.arrow")
        prior = None
        if self.index is not None and (lines := self.index.lines_frame()) is not None:
            # a batch writes its line and host counts together: with lines there are hosts
            prior = (lines, cast(pl.LazyFrame, self.index.hosts_frame()))
        _save(
            bp.learn(
                pl.scan_ipc(w / "line_counts.arrow"),
                pl.scan_ipc(w / "host_counts.arrow"),
                self.opts.boilerplate_min_docs,
                self.opts.boilerplate_min_fraction,
                prior,
            ).collect(engine=cluster.STREAMING),
            str(learned),
        )

    # -- pass 2: strip, hash, sign ----------------------------------------------------
    def _hash_pass(self) -> int:
        """Pass 2; returns the number of documents hashed."""
        if (figures := self.progress.reuse("hash")) is None:
            hasher = Hasher(self.opts, self.mult, self.boilerplate)
            batches = self._with_read_keys(self._batches("hash"))
            if self.run.engine == "ray":
                results = ray_hash(hasher, batches, self.run.address)
            elif self.workers == 1:
                results = (hasher(*item) for item in batches)
            else:
                results = _threaded(hasher, batches, self.workers)
            for k, parts, removed in results:
                for kind, frame in parts.items():
                    _save(frame, self._part(kind, k))
                self.progress.finish(f"hash-{k:06d}", {"removed": removed})
                self.steps.batch(parts["meta"].height)
            removed = sum(f["removed"] for f in self.progress.markers.all("hash-"))
            figures = {"boilerplate_lines_removed": removed, "documents": self.steps.documents}
            self.progress.finish("hash", figures)
        self.summary.boilerplate_lines_removed = figures["boilerplate_lines_removed"]
        return int(figures["documents"])

    def _with_read_keys(self, batches: Iterator[tuple[int, int, pa.Table]]) -> Iterator[HashArgs]:
        """Each batch with the read keys pass 1 saved for it (None when it saved none)."""
        for k, row0, table in batches:
            path = Path(self._part("read", k))
            read = feather.read_table(path) if path.exists() else None
            yield k, row0, table, read

    # -- corpus-wide: rank, candidate pairs, components --------------------------------
    def _cluster(self) -> dict[str, Any]:
        """Rank, pair, verify, cluster; returns the figures for the summary."""
        w = str(self.work)
        meta = pl.scan_ipc(f"{w}/meta/*.arrow")
        self.has_quality = bool(meta.select(pl.col("quality").is_not_null().any()).collect().item())
        offset = self.index.docs if self.index else 0
        cluster.ranked(meta, self.opts, offset, self.has_quality).sink_parquet(
            f"{w}/ranked.parquet"
        )
        docs = pl.scan_parquet(f"{w}/ranked.parquet")
        figures: dict[str, Any] = {"documents": docs.select(pl.len()).collect().item()}
        figures["index_batches"] = self.index.names() if self.index else []
        idx_docs = self.index.docs_frame() if self.index else None
        idx_bands = self.index.bands_frame() if self.index else None
        edges = []
        if self.opts.exact:
            edges.append(cluster.exact_edges(docs, self.index.keys_frame() if self.index else None))
        if self.opts.near:
            bands = pl.scan_ipc(f"{w}/bands/*.arrow").join(docs.select("row", "rank"), on="row")
            edges.append(
                cluster.near_edges(bands.select("rank", "band", "bucket"), idx_bands, offset)
            )
        pairs = (
            pl.concat(edges).group_by("rank", "rep").agg(pl.col("exact").any())
            if edges
            else pl.LazyFrame(schema={"rank": pl.Int64, "rep": pl.Int64, "exact": pl.Boolean})
        ).collect(engine=cluster.STREAMING)
        figures["candidate_pairs"] = pairs.height
        figures["pairs_rejected_by_verification"] = 0
        if self.opts.verify and pairs.height:
            checked = verify(
                pairs,
                docs,
                idx_docs,
                offset,
                self.work,
                self.opts.shingle_size,
                self.opts.jaccard_threshold,
                self.opts.fold_digits,
            )
            figures["pairs_rejected_by_verification"] = pairs.height - checked.height
            pairs = checked
        nodes, roots = cluster.components(pairs["rank"].to_numpy(), pairs["rep"].to_numpy())
        # new documents whose kept copy is an indexed one (indexed nodes are not counted)
        figures["matched_index"] = int(np.sum((roots < offset) & (nodes >= offset)))
        groups = pl.DataFrame(
            {"rank": nodes, "root": roots}, schema={"rank": pl.Int64, "root": pl.Int64}
        )
        sizes = cluster.cluster_sizes(groups, self.index.sizes_frame() if self.index else None)
        # the grown clusters of indexed documents, for the index
        sizes.filter(pl.col("root") < offset).rename({"root": "rank"}).write_parquet(
            f"{w}/index_sizes.parquet"
        )
        pool = docs.select("rank", "id", "exact", "read")
        if idx_docs is not None:
            pool = pl.concat([idx_docs.select("rank", "id", "exact", "read"), pool])
        decided = cluster.decisions(docs, groups, sizes, pool)
        decided.sink_parquet(f"{w}/decisions.parquet")
        return figures

    # -- pass 3: write ------------------------------------------------------------------
    def _write(self) -> dict[str, int]:
        for kind in KINDS:  # what an interrupted attempt left
            for path in (self.out / kind).iterdir():
                path.unlink()
        run = self.run
        counts = write_outputs(self.work, self.out, run.format, run.shard_rows, self.steps.batch)
        return {
            "kept": counts.kept,
            "clusters": counts.clusters,
            "removed_exact": counts.removed_exact,
            "removed_near": counts.removed_near,
            "boilerplate_only": counts.boilerplate_only,
            "empty_text": counts.empty_text,
            "rejected_before": counts.rejected_before,
        }

    # -- pass 4: index --------------------------------------------------------------------
    def _append_index(self) -> None:
        assert self.index is not None
        run = self.progress.run_id
        if (name := self.index.added_by(run)) is not None:  # an earlier attempt added it
            self.progress.resumed.append("index")
            self.summary.index_batch = name
            return
        w = self.work
        decided = pl.scan_parquet(w / "decisions.parquet").select(
            "row", "dedup_reason", "dedup_root", "dedup_cluster_size"
        )
        docs = pl.scan_parquet(w / "ranked.parquet").join(decided, on="row")
        kept = docs.filter(pl.col("dedup_root") == pl.col("rank"))
        sigs = pl.scan_ipc(w / "sigs" / "*.arrow")
        frames = {
            "docs": kept.join(sigs, on="row")
            .select("rank", "id", "exact", "read", "sig", size="dedup_cluster_size")
            .sort("rank"),
            "bands": pl.scan_ipc(w / "bands" / "*.arrow")
            .join(kept.select("row", "rank"), on="row")
            .select("rank", "band", "bucket"),
            "keys": docs.filter(pl.col("dedup_root").is_not_null())
            .select("exact", "read", root="dedup_root")
            .sort("root", "exact", "read"),
            "sizes": pl.scan_parquet(w / "index_sizes.parquet"),
        }
        if (w / "line_counts.arrow").exists():
            frames["lines"] = pl.scan_ipc(w / "line_counts.arrow")
            frames["hosts"] = pl.scan_ipc(w / "host_counts.arrow")
            frames["seen"] = pl.scan_ipc(w / "counted.arrow")
        else:  # boilerplate off: the batch adds no counts
            frames["lines"] = pl.LazyFrame(
                schema={"host": pl.String, "key": pl.UInt64, "n": pl.Int64}
            )
            frames["hosts"] = pl.LazyFrame(schema={"host": pl.String, "docs": pl.Int64})
            frames["seen"] = pl.LazyFrame(schema={"host": pl.String, "read": pl.UInt64})
        self.summary.index_batch = self.index.append(frames, self.summary.documents, run)


HashArgs = tuple[int, int, pa.Table, "pa.Table | None"]
HashResult = tuple[int, dict[str, Any], int]


@dataclass(frozen=True)
class Hasher:
    """Pass 2 for one batch: strip site boilerplate, then exact keys, MinHash, band keys.

    A pure function of its batch (it touches no file), so threads or Ray workers on
    other nodes can run it; the caller saves the parts it returns, in batch order.
    """

    opts: DedupOptions
    mult: np.ndarray
    boilerplate: pl.DataFrame

    def __call__(self, k: int, row0: int, table: pa.Table, read: pa.Table | None) -> HashResult:
        """``(k, {part kind: table}, boilerplate lines removed)`` of batch ``k``.

        ``read`` has the ``read`` key and ``read_words`` of each row's text as read (pass
        1's); None when pass 1 saved none for the batch, whose text is then never stripped.
        """
        opts = self.opts
        n = table.num_rows
        removed = 0
        upstream = _upstream(table)
        read_table = table
        changed = np.zeros(n, np.bool_)
        if self.boilerplate.height and S.URL in table.column_names:
            host = bp.hosts(table.column(S.URL))
            learned = self.boilerplate["host"].unique()
            host = host.zip_with(
                host.is_in(learned.implode()).fill_null(False) & ~pl.Series(upstream),
                pl.Series([None] * n, dtype=pl.String),
            )
            if host.null_count() < n:  # only documents of hosts with boilerplate are split
                lines = bp.line_table(table.column(S.TEXT), host, opts.boilerplate_min_chars)
                table, removed, changed = bp.strip(table, lines, self.boilerplate)
        rows = pl.int_range(row0, row0 + n, eager=True, dtype=pl.Int64)
        tokens = words_of(table.column(S.TEXT), opts.fold_digits)
        hashes, offsets = minhash.shingle_hashes(tokens, opts.shingle_size)
        sig = minhash.signatures(hashes, offsets, self.mult)
        words = tokens.counts
        exact = tokens.keys()
        if read is None:  # never stripped: the text as read is the text hashed
            read_keys, read_words = exact, words
        else:
            read_keys = read.column("read").to_numpy()
            read_words = read.column("read_words").to_numpy()
        meta = pl.DataFrame(
            {
                "row": rows,
                "id": pl.Series(table.column(S.ID)).cast(pl.String),
                "date": _column(table, S.DATE, pl.String),
                "quality": _column(table, opts.quality_column, pl.Float64),
                "length": pl.Series(table.column(S.TEXT)).cast(pl.String).str.len_chars(),
                "exact": pl.Series(exact, dtype=pl.UInt64),
                "read": pl.Series(read_keys, dtype=pl.UInt64),
                "words": pl.Series(words, dtype=pl.Int64),
                "read_words": pl.Series(read_words, dtype=pl.Int64),
                "upstream": pl.Series(upstream, dtype=pl.Boolean),
            }
        )
        live = np.flatnonzero((words > 0) & ~upstream)
        keys = minhash.band_hashes(sig[live], opts.bands, opts.rows)
        bands = pl.DataFrame(
            {
                "row": np.repeat(live + row0, opts.bands),
                "band": np.tile(np.arange(opts.bands, dtype=np.int16), len(live)),
                "bucket": keys.reshape(-1),
            }
        )
        width = sig.shape[1] * 4
        offsets = pa.py_buffer(np.arange(0, (n + 1) * width, width, dtype=np.int32).tobytes())
        sigs = pa.BinaryArray.from_buffers(pa.binary(), n, [None, offsets, pa.py_buffer(sig)])
        parts = {
            "meta": meta,
            "bands": bands,
            "sigs": pa.table({"row": rows.to_arrow(), "sig": sigs}),
            "docs": _with_read_text(table, read_table, changed).append_column(
                "_row", rows.to_arrow()
            ),
        }
        return k, parts, removed


def _upstream(table: pa.Table) -> np.ndarray:
    """Which rows arrived rejected (a reason set by an earlier stage or a reader)."""
    if S.REASON not in table.column_names:
        return np.zeros(table.num_rows, np.bool_)
    return pc.is_valid(table.column(S.REASON)).to_numpy(zero_copy_only=False)


def _with_read_text(table: pa.Table, read: pa.Table, changed: np.ndarray) -> pa.Table:
    """``table`` plus ``_read_text`` and ``_read_edits``: the text and edits as read, on
    the rows stripping changed (null elsewhere), for the rows that end up rejected."""
    mask = pa.array(changed)
    nulls_text = pa.nulls(table.num_rows, S.COLUMN_TYPES[S.TEXT])
    text = pc.if_else(mask, read.column(S.TEXT).cast(S.COLUMN_TYPES[S.TEXT]), nulls_text)
    edits = pc.if_else(mask, read.column(S.EDITS), pa.nulls(table.num_rows, S.EDITS_TYPE))
    return table.append_column(READ_TEXT, text).append_column(READ_EDITS, edits)


def _threaded(hasher: Hasher, batches: Iterator[HashArgs], workers: int) -> Iterator[HashResult]:
    """Hash batches on a thread pool (numpy and polars release the GIL), in order."""
    with ThreadPoolExecutor(workers) as pool:
        pending: list[Any] = []
        for item in batches:
            pending.append(pool.submit(hasher, *item))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for fut in pending:
            yield fut.result()


def _save(frame: pa.Table | pl.DataFrame, path: str) -> None:
    """Write a work file: uncompressed Arrow IPC, read back once, soon (speed over size)."""
    table = frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame
    feather.write_feather(table, path, compression="uncompressed")


def _column(table: pa.Table, name: str, dtype: type[pl.DataType]) -> pl.Series:
    if name in table.column_names:
        return pl.Series(table.column(name)).cast(dtype, strict=False)
    return pl.Series([None] * table.num_rows, dtype=dtype)
