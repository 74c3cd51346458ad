"""``dedup``: one corpus in, kept and rejected shards out, optionally against an index.

Passes (each streams the input batch by batch; corpus-wide steps are lazy polars
group-bys and joins over Parquet files in ``OUT/_work``)::

    1 lines     distinct line keys per (host, document)            -> _work/keys, _work/hosts
      learn     group-by (host, key): site boilerplate              -> in memory (small)
    2 hash      strip boilerplate; exact hash, MinHash, band keys  -> _work/{docs,meta,bands,sigs}
      rank      sort by the keep order                             -> _work/ranked.parquet
      edges     group-bys on exact hash and (band, bucket)         -> candidate pairs
      verify    exact Jaccard of candidate pairs (optional)
      cluster   connected components; decisions sorted by row      -> _work/decisions.parquet
    3 write     documents + decisions, in row order                -> OUT/kept, OUT/rejected

    4 index     kept documents, cluster sizes, line counts          -> INDEX/*/batch-<k>

In memory: the learned boilerplate (host, line) pairs, the candidate pairs with their
component labels, and the shingle sets of documents in candidate pairs (verification).
Each finished batch and pass is marked in ``_work/done`` (:mod:`~crawlsift.dedup.progress`):
the same command run again after an interruption picks up where it stopped.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.feather as feather
import xxhash

from crawlsift import schema as S
from crawlsift.dedup import boilerplate as bp
from crawlsift.dedup import cluster, minhash
from crawlsift.dedup.index import Index
from crawlsift.dedup.options import DedupOptions
from crawlsift.dedup.output import write_outputs
from crawlsift.dedup.progress import Progress
from crawlsift.dedup.ray_hash import ray_hash
from crawlsift.dedup.source import read_batches, resolve
from crawlsift.dedup.tokens import words as words_of
from crawlsift.dedup.verify import verify
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
    format: str = "parquet",
    batch_size: int = 4096,
    shard_rows: int = 100_000,
    workers: int = 0,
    overwrite: bool = False,
    keep_work: bool = False,
    engine: str = "local",
    address: str | None = None,
    **option_values: Any,
) -> DedupSummary:
    """Deduplicate ``source`` into ``output``/kept and ``output``/rejected, plus stats.json.

    ``source`` is a ``crawlsift clean`` output (its ``kept/`` shards are read), a
    directory or file of Parquet/JSONL records with ``id`` and ``text`` (``url``,
    ``date`` and ``options.quality_column`` are used when present), or a list of those.
    ``option_values`` override fields of ``options`` (see :class:`DedupOptions`). With
    ``index_dir``, documents duplicating an indexed one are removed too, and this run's
    kept documents are added to the index. ``workers`` (0 = all cores) threads hash
    batches; results never depend on it, on ``batch_size`` or on input order.
    ``engine="ray"`` hashes the batches on Ray workers (the cluster at ``address``, or
    a local Ray instance) with the same result; see :mod:`crawlsift.dedup.ray_hash`.
    """
    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine {engine!r}; use local or ray")
    opts = DedupOptions.from_kwargs(options, **option_values)
    if batch_size < 1 or shard_rows < 1:
        raise InputError("batch_size and shard_rows must be at least 1")
    out = Path(output)
    index = Index.open(index_dir, opts) if index_dir else None
    manifest = {
        "inputs": [asdict(t) for t in discover(resolve(source))],
        "options": asdict(opts),
        "format": format,
        "batch_size": batch_size,
        "shard_rows": shard_rows,
        "index": os.path.abspath(index_dir) if index_dir else None,
    }
    progress = Progress(out, manifest, overwrite)
    if progress.complete:  # the same run finished before: nothing to redo
        stats = json.loads((out / "stats.json").read_text())
        return DedupSummary(**{**stats, "resumed": ["all"]})
    workers = max(workers or os.cpu_count() or 1, 1)
    run = _Run(source, progress, opts, index, batch_size, workers)
    run.engine, run.address = engine, address
    summary = run.execute(format, shard_rows)
    progress.complete_run(keep_work)
    return summary


class _Run:
    def __init__(
        self,
        source: str | Sequence[str],
        progress: Progress,
        opts: DedupOptions,
        index: Index | None,
        batch_size: int,
        workers: int,
    ) -> None:
        self.source, self.progress, self.opts = source, progress, opts
        self.out, self.work = progress.out, progress.work
        self.index, self.batch_size, self.workers = index, batch_size, workers
        self.engine: str = "local"
        self.address: str | None = None
        self.mult = minhash.permutations(opts.permutations, opts.seed)
        self.summary = DedupSummary(output=str(self.out))
        self.boilerplate = pl.DataFrame(schema={"host": pl.String, "key": pl.UInt64})
        self.has_quality = False

    def _batches(self, kind: str) -> Iterator[tuple[int, int, pa.Table]]:
        """Batches not yet done in pass ``kind`` (with their first row number)."""
        row = 0
        for k, table in enumerate(read_batches(self.source, self.batch_size)):
            if self.progress.done(f"{kind}-{k:06d}") is None:
                yield k, row, table
            row += table.num_rows

    def _part(self, kind: str, k: int) -> str:
        (self.work / kind).mkdir(exist_ok=True)
        return str(self.work / kind / f"part-{k:06d}.arrow")

    def execute(self, fmt: str, shard_rows: int) -> DedupSummary:
        started = time.monotonic()
        phases = self.summary.phases
        progress = self.progress
        if self._index_grew():  # another run added to the index since: cluster again
            progress.undo("cluster", "write")
        if self.opts.boilerplate:
            self._learn_boilerplate()
            phases["boilerplate"] = time.monotonic() - started
        t = time.monotonic()
        self._hash_pass()
        phases["hash"] = time.monotonic() - t
        if (self.work / "meta").exists():  # else the input had no records: nothing to do
            t = time.monotonic()
            if (figures := progress.reuse("cluster")) is None:
                figures = self._cluster()
                progress.finish("cluster", figures)
            for name in _FIGURES:
                setattr(self.summary, name, figures[name])
            phases["cluster"] = time.monotonic() - t
            t = time.monotonic()
            if (figures := progress.reuse("write")) is None:
                figures = self._write(fmt, shard_rows)
                progress.finish("write", figures)
            for name, value in figures.items():
                setattr(self.summary, name, value)
            if self.index is not None:
                self._append_index()
            phases["write"] = time.monotonic() - t
        self.summary.seconds = time.monotonic() - started
        self.summary.resumed = progress.resumed
        stats = self.summary.to_dict()
        (self.out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
        build_report(str(self.out))
        return self.summary

    def _index_grew(self) -> bool:
        done = self.progress.done("cluster")
        if self.index is None or done is None:
            return False
        return done["index_batches"] != self.index.names(but_run=self.progress.run_id)

    # -- pass 1: site boilerplate -----------------------------------------------------
    def _learn_boilerplate(self) -> None:
        learned = self.work / "boilerplate.arrow"
        if self.progress.reuse("boilerplate") is None:
            for k, row0, table in self._batches("lines"):
                if S.URL in table.column_names:
                    host = bp.hosts(table.column(S.URL))
                    min_chars = self.opts.boilerplate_min_chars
                    lines = bp.line_table(table.column(S.TEXT), host, min_chars)
                    _save(bp.doc_keys(lines, row0), self._part("keys", k))
                    rows = pl.DataFrame(
                        {"host": host, "row": pl.int_range(row0, row0 + len(host), eager=True)}
                    )
                    _save(rows.drop_nulls(), self._part("hosts", k))
                self.progress.finish(f"lines-{k:06d}")
            self._learn(learned)
            self.progress.finish("boilerplate")
        self.boilerplate = pl.read_ipc(learned)
        self.summary.boilerplate_rules = self.boilerplate.height

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
                pl.LazyFrame(schema={"host": pl.String, "row": pl.Int64}),
            )
        line_counts, host_counts = bp.counts(*scans)
        line_counts.sink_ipc(w / "line_counts.arrow")
        host_counts.sink_ipc(w / "host_counts.arrow")
        prior = None
        if self.index is not None and (lines := self.index.lines_frame()) is not None:
            prior = (lines, self.index.hosts_frame())
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
    def _hash_pass(self) -> None:
        if (figures := self.progress.reuse("hash")) is None:
            hasher = Hasher(self.opts, self.mult, self.boilerplate)
            if self.engine == "ray":
                results = ray_hash(hasher, self._batches("hash"), self.address)
            elif self.workers == 1:
                results = (hasher(*item) for item in self._batches("hash"))
            else:
                results = _threaded(hasher, self._batches("hash"), self.workers)
            for k, parts, removed in results:
                for kind, frame in parts.items():
                    _save(frame, self._part(kind, k))
                self.progress.finish(f"hash-{k:06d}", {"removed": removed})
            done = sorted((self.work / "done").glob("hash-*.json"))
            removed = sum(json.loads(p.read_text())["removed"] for p in done)
            figures = {"boilerplate_lines_removed": removed}
            self.progress.finish("hash", figures)
        self.summary.boilerplate_lines_removed = figures["boilerplate_lines_removed"]

    # -- corpus-wide: rank, candidate pairs, components --------------------------------
    def _cluster(self) -> dict[str, Any]:
        """Rank, pair, verify, cluster; returns the figures for the summary."""
        w = str(self.work)
        meta = pl.scan_ipc(f"{w}/meta/*.arrow")
        self.has_quality = bool(meta.select(pl.col("quality").is_not_null().any()).collect().item())
        dupes = meta.group_by("id").agg(n=pl.len()).filter(pl.col("n") > 1).head(3).collect()
        if dupes.height:
            raise InputError(f"ids must be unique; repeated: {', '.join(dupes['id'].to_list())}")
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
            edges.append(cluster.exact_edges(docs, idx_docs))
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
            )
            figures["pairs_rejected_by_verification"] = pairs.height - checked.height
            pairs = checked
        nodes, roots = cluster.components(pairs["rank"].to_numpy(), pairs["rep"].to_numpy())
        figures["matched_index"] = int(np.sum((roots < offset) & (nodes != roots)))
        groups = pl.DataFrame(
            {"rank": nodes, "root": roots}, schema={"rank": pl.Int64, "root": pl.Int64}
        )
        sizes = cluster.cluster_sizes(groups, self.index.sizes_frame() if self.index else None)
        # the grown clusters of indexed documents, for the index
        sizes.filter(pl.col("root") < offset).rename({"root": "rank"}).write_parquet(
            f"{w}/index_sizes.parquet"
        )
        pool = docs.select("rank", "id", "exact")
        if idx_docs is not None:
            pool = pl.concat([idx_docs.select("rank", "id", "exact"), pool])
        decided = cluster.decisions(docs, groups, sizes, pool)
        decided.sink_parquet(f"{w}/decisions.parquet")
        return figures

    # -- pass 3: write ------------------------------------------------------------------
    def _write(self, fmt: str, shard_rows: int) -> dict[str, int]:
        for kind in ("kept", "rejected"):  # what an interrupted attempt left
            for path in (self.out / kind).iterdir():
                path.unlink()
        counts = write_outputs(self.work, self.out, fmt, shard_rows)
        return {
            "kept": counts.kept,
            "clusters": counts.clusters,
            "removed_exact": counts.removed_exact,
            "removed_near": counts.removed_near,
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
        decided = pl.scan_parquet(w / "decisions.parquet")
        kept = (
            pl.scan_parquet(w / "ranked.parquet")
            .join(decided.select("row", "dedup_reason", "dedup_cluster_size"), on="row")
            .filter(pl.col("dedup_reason").is_null() & (pl.col("words") > 0))
        )
        sigs = pl.scan_ipc(w / "sigs" / "*.arrow")
        frames = {
            "docs": kept.join(sigs, on="row")
            .select("rank", "id", "exact", "sig", size="dedup_cluster_size")
            .sort("rank"),
            "bands": pl.scan_ipc(w / "bands" / "*.arrow")
            .join(kept.select("row", "rank"), on="row")
            .select("rank", "band", "bucket"),
            "sizes": pl.scan_parquet(w / "index_sizes.parquet"),
        }
        if (w / "line_counts.arrow").exists():
            frames["lines"] = pl.scan_ipc(w / "line_counts.arrow")
            frames["hosts"] = pl.scan_ipc(w / "host_counts.arrow")
        else:  # boilerplate off: the batch adds no counts
            frames["lines"] = pl.LazyFrame(
                schema={"host": pl.String, "key": pl.UInt64, "n": pl.Int64}
            )
            frames["hosts"] = pl.LazyFrame(schema={"host": pl.String, "docs": pl.Int64})
        self.summary.index_batch = self.index.append(frames, self.summary.documents, run)


HashResult = tuple[int, dict[str, Any], int]


@dataclass(frozen=True)
class Hasher:
    """Pass 2 for one batch: strip site boilerplate, then exact hash, MinHash, band keys.

    A pure function of its batch (it touches no file), so threads or Ray workers on
    other nodes can run it; the caller saves the parts it returns, in batch order.
    """

    opts: DedupOptions
    mult: np.ndarray
    boilerplate: pl.DataFrame

    def __call__(self, k: int, row0: int, table: pa.Table) -> HashResult:
        """``(k, {part kind: table}, boilerplate lines removed)`` of batch ``k``."""
        opts = self.opts
        n = table.num_rows
        removed = 0
        if self.boilerplate.height and S.URL in table.column_names:
            host = bp.hosts(table.column(S.URL))
            learned = self.boilerplate["host"].unique()
            host = host.zip_with(
                host.is_in(learned.implode()).fill_null(False),
                pl.Series([None] * n, dtype=pl.String),
            )
            if host.null_count() < n:  # only documents of hosts with boilerplate are split
                lines = bp.line_table(table.column(S.TEXT), host, opts.boilerplate_min_chars)
                table, removed = bp.strip(table, lines, self.boilerplate)
        rows = pl.int_range(row0, row0 + n, eager=True, dtype=pl.Int64)
        tokens = words_of(table.column(S.TEXT))
        hashes, offsets = minhash.shingle_hashes(tokens, opts.shingle_size)
        sig = minhash.signatures(hashes, offsets, self.mult)
        words = tokens.counts
        ends, data = (tokens.offsets * 8).tolist(), memoryview(tokens.hashes.view(np.uint8))
        exact = [xxhash.xxh3_64_intdigest(data[a:b]) for a, b in itertools.pairwise(ends)]
        meta = pl.DataFrame(
            {
                "row": rows,
                "id": pl.Series(table.column(S.ID)).cast(pl.String),
                "date": _column(table, S.DATE, pl.String),
                "quality": _column(table, opts.quality_column, pl.Float64),
                "length": pl.Series(table.column(S.TEXT)).cast(pl.String).str.len_chars(),
                "exact": pl.Series(exact, dtype=pl.UInt64),
                "words": pl.Series(words, dtype=pl.Int64),
            }
        )
        live = np.flatnonzero(words > 0)
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
            "docs": table.append_column("_row", rows.to_arrow()),
        }
        return k, parts, removed


def _threaded(
    hasher: Hasher, batches: Iterator[tuple[int, int, pa.Table]], workers: int
) -> Iterator[HashResult]:
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
