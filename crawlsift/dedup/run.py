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

In memory: the learned boilerplate (host, line) pairs, the candidate pairs with their
component labels, and the shingle sets of documents in candidate pairs (verification).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
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
from crawlsift.dedup.source import read_batches
from crawlsift.dedup.tokens import words as words_of
from crawlsift.dedup.verify import verify
from crawlsift.errors import InputError, OutputError
from crawlsift.report.html_report import build_report

_MARKER = "_dedup.json"


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
    """
    opts = DedupOptions.from_kwargs(options, **option_values)
    if batch_size < 1 or shard_rows < 1:
        raise InputError("batch_size and shard_rows must be at least 1")
    out = Path(output)
    index = Index.open(index_dir, opts) if index_dir else None
    work = _prepare(out, overwrite)
    run = _Run(source, out, work, opts, index, batch_size, max(workers or os.cpu_count() or 1, 1))
    summary = run.execute(format, shard_rows)
    if not keep_work:
        shutil.rmtree(work, ignore_errors=True)
    return summary


def _prepare(out: Path, overwrite: bool) -> Path:
    if out.exists() and any(out.iterdir()):
        if not (out / _MARKER).exists():
            raise InputError(f"{out} exists and is not a dedup output; choose an empty directory")
        if not overwrite:
            raise InputError(f"{out} holds a dedup output; use another directory or overwrite")
        shutil.rmtree(out)
    try:
        for sub in ("kept", "rejected", "_work"):
            (out / sub).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output directory {out}: {exc.strerror}") from exc
    (out / _MARKER).write_text("{}\n")
    return out / "_work"


class _Run:
    def __init__(
        self,
        source: str | Sequence[str],
        out: Path,
        work: Path,
        opts: DedupOptions,
        index: Index | None,
        batch_size: int,
        workers: int,
    ) -> None:
        self.source, self.out, self.work, self.opts = source, out, work, opts
        self.index, self.batch_size, self.workers = index, batch_size, workers
        self.mult = minhash.permutations(opts.permutations, opts.seed)
        self.summary = DedupSummary(output=str(out))
        self.boilerplate = pl.DataFrame(schema={"host": pl.String, "key": pl.UInt64})
        self.has_quality = False

    def _batches(self) -> Iterator[tuple[int, int, pa.Table]]:
        row = 0
        for k, table in enumerate(read_batches(self.source, self.batch_size)):
            yield k, row, table
            row += table.num_rows

    def _part(self, kind: str, k: int) -> str:
        (self.work / kind).mkdir(exist_ok=True)
        return str(self.work / kind / f"part-{k:06d}.arrow")

    def execute(self, fmt: str, shard_rows: int) -> DedupSummary:
        started = time.monotonic()
        phases = self.summary.phases
        if self.opts.boilerplate:
            self._learn_boilerplate()
            phases["boilerplate"] = time.monotonic() - started
        t = time.monotonic()
        self._hash_pass()
        phases["hash"] = time.monotonic() - t
        if (self.work / "meta").exists():  # else the input had no records: nothing to do
            t = time.monotonic()
            self._cluster()
            phases["cluster"] = time.monotonic() - t
            t = time.monotonic()
            self._write(fmt, shard_rows)
            if self.index is not None:
                self._append_index()
            phases["write"] = time.monotonic() - t
        self.summary.seconds = time.monotonic() - started
        stats = self.summary.to_dict()
        (self.out / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
        (self.out / _MARKER).write_text(json.dumps({"options": asdict(self.opts)}) + "\n")
        build_report(str(self.out))
        return self.summary

    # -- pass 1: site boilerplate -----------------------------------------------------
    def _learn_boilerplate(self) -> None:
        for k, row0, table in self._batches():
            if S.URL not in table.column_names:
                continue
            host = bp.hosts(table.column(S.URL))
            lines = bp.line_table(table.column(S.TEXT), host, self.opts.boilerplate_min_chars)
            _save(bp.doc_keys(lines, row0), self._part("keys", k))
            rows = pl.DataFrame(
                {"host": host, "row": pl.int_range(row0, row0 + len(host), eager=True)}
            )
            _save(rows.drop_nulls(), self._part("hosts", k))
        if not (self.work / "keys").exists():
            return
        learned = bp.learn(
            pl.scan_ipc(str(self.work / "keys" / "*.arrow")),
            pl.scan_ipc(str(self.work / "hosts" / "*.arrow")),
            self.opts.boilerplate_min_docs,
            self.opts.boilerplate_min_fraction,
        )
        self.boilerplate = learned.collect(engine=cluster.STREAMING)
        self.summary.boilerplate_rules = self.boilerplate.height

    # -- pass 2: strip, hash, sign ----------------------------------------------------
    def _hash_pass(self) -> None:
        if self.workers == 1:
            for item in self._batches():
                self.summary.boilerplate_lines_removed += self._hash_batch(*item)
            return
        with ThreadPoolExecutor(self.workers) as pool:
            pending: list[Any] = []
            for item in self._batches():
                pending.append(pool.submit(self._hash_batch, *item))
                if len(pending) >= 2 * self.workers:
                    self.summary.boilerplate_lines_removed += pending.pop(0).result()
            for fut in pending:
                self.summary.boilerplate_lines_removed += fut.result()

    def _hash_batch(self, k: int, row0: int, table: pa.Table) -> int:
        n = table.num_rows
        removed = 0
        if self.boilerplate.height and S.URL in table.column_names:
            host = bp.hosts(table.column(S.URL))
            learned = self.boilerplate["host"].unique()
            host = host.zip_with(
                host.is_in(learned).fill_null(False), pl.Series([None] * n, dtype=pl.String)
            )
            if host.null_count() < n:  # only documents of hosts with boilerplate are split
                lines = bp.line_table(table.column(S.TEXT), host, self.opts.boilerplate_min_chars)
                table, removed = bp.strip(table, lines, self.boilerplate)
        rows = pl.int_range(row0, row0 + n, eager=True, dtype=pl.Int64)
        tokens = words_of(table.column(S.TEXT))
        hashes, offsets = minhash.shingle_hashes(tokens, self.opts.shingle_size)
        sig = minhash.signatures(hashes, offsets, self.mult)
        words = tokens.counts
        ends, data = (tokens.offsets * 8).tolist(), memoryview(tokens.hashes.view(np.uint8))
        exact = [xxhash.xxh3_64_intdigest(data[a:b]) for a, b in itertools.pairwise(ends)]
        quality = self.opts.quality_column
        meta = pl.DataFrame(
            {
                "row": rows,
                "id": pl.Series(table.column(S.ID)).cast(pl.String),
                "date": _column(table, S.DATE, pl.String),
                "quality": _column(table, quality, pl.Float64),
                "length": pl.Series(table.column(S.TEXT)).cast(pl.String).str.len_chars(),
                "exact": pl.Series(exact, dtype=pl.UInt64),
                "words": pl.Series(words, dtype=pl.Int64),
            }
        )
        _save(meta, self._part("meta", k))
        live = np.flatnonzero(words > 0)
        keys = minhash.band_hashes(sig[live], self.opts.bands, self.opts.rows)
        bands = pl.DataFrame(
            {
                "row": np.repeat(live + row0, self.opts.bands),
                "band": np.tile(np.arange(self.opts.bands, dtype=np.int16), len(live)),
                "bucket": keys.reshape(-1),
            }
        )
        _save(bands, self._part("bands", k))
        width = sig.shape[1] * 4
        offsets = pa.py_buffer(np.arange(0, (n + 1) * width, width, dtype=np.int32).tobytes())
        sigs = pa.BinaryArray.from_buffers(pa.binary(), n, [None, offsets, pa.py_buffer(sig)])
        sig_table = pa.table({"row": rows.to_arrow(), "sig": sigs})
        _save(sig_table, self._part("sigs", k))
        table = table.append_column("_row", rows.to_arrow())
        _save(table, self._part("docs", k))
        return removed

    # -- corpus-wide: rank, candidate pairs, components --------------------------------
    def _cluster(self) -> None:
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
        self.summary.documents = docs.select(pl.len()).collect().item()
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
        self.summary.candidate_pairs = pairs.height
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
            self.summary.pairs_rejected_by_verification = pairs.height - checked.height
            pairs = checked
        nodes, roots = cluster.components(pairs["rank"].to_numpy(), pairs["rep"].to_numpy())
        self.summary.matched_index = int(np.sum((roots < offset) & (nodes != roots)))
        groups = pl.DataFrame(
            {"rank": nodes, "root": roots}, schema={"rank": pl.Int64, "root": pl.Int64}
        )
        pool = docs.select("rank", "id", "exact")
        if idx_docs is not None:
            pool = pl.concat([idx_docs.select("rank", "id", "exact"), pool])
        decided = cluster.decisions(docs, groups, pool)
        decided.sink_parquet(f"{w}/decisions.parquet")

    # -- pass 3: write ------------------------------------------------------------------
    def _write(self, fmt: str, shard_rows: int) -> None:
        counts = write_outputs(self.work, self.out, fmt, shard_rows)
        self.summary.kept, self.summary.clusters = counts.kept, counts.clusters
        self.summary.removed_exact = counts.removed_exact
        self.summary.removed_near = counts.removed_near

    def _append_index(self) -> None:
        assert self.index is not None
        w = str(self.work)
        decided = pl.scan_parquet(f"{w}/decisions.parquet")
        kept = (
            pl.scan_parquet(f"{w}/ranked.parquet")
            .join(decided.select("row", "dedup_reason"), on="row")
            .filter(pl.col("dedup_reason").is_null() & (pl.col("words") > 0))
        )
        sigs = pl.scan_ipc(f"{w}/sigs/*.arrow")
        docs = kept.join(sigs, on="row").select("rank", "id", "exact", "sig").sort("rank")
        bands = (
            pl.scan_ipc(f"{w}/bands/*.arrow")
            .join(kept.select("row", "rank"), on="row")
            .select("rank", "band", "bucket")
        )
        self.summary.index_batch = self.index.append(docs, bands, self.summary.documents)


def _save(frame: pa.Table | pl.DataFrame, path: str) -> None:
    """Write a work file: uncompressed Arrow IPC, read back once, soon (speed over size)."""
    table = frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame
    feather.write_feather(table, path, compression="uncompressed")


def _column(table: pa.Table, name: str, dtype: type[pl.DataType]) -> pl.Series:
    if name in table.column_names:
        return pl.Series(table.column(name)).cast(dtype, strict=False)
    return pl.Series([None] * table.num_rows, dtype=dtype)
