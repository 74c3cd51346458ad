"""The incremental dedup index: what earlier runs kept and saw, stored as Parquet.

Layout of an index directory::

    index.json                 format version, hashing options, documents ranked so far,
                               batches (name and the run that added it)
    docs/batch-<k>.parquet     rank, id, exact and read keys, signature, cluster size of
                               each kept document
    bands/batch-<k>.parquet    rank, band, bucket of each kept document
    keys/batch-<k>.parquet     exact, read, root: both exact keys of every document the
                               batch kept or removed as a duplicate, and the rank of the
                               kept document it went to
    sizes/batch-<k>.parquet    rank, size: new cluster sizes of documents indexed earlier
    lines/batch-<k>.parquet    host, key, n: documents of the batch holding each line (boilerplate)
    hosts/batch-<k>.parquet    host, docs: documents of the batch per host
    seen/batch-<k>.parquet     host, read: the documents those counts counted

``exact`` is the exact key of a document's text after site boilerplate was stripped,
``read`` that of the text as dedup read it. A run that uses an index ranks its documents
after every indexed one, so a new document that duplicates an indexed one is always the
copy removed, and the indexed document's cluster grows. A new document with either key
of an indexed document (kept or removed) is removed as a copy of the document kept for
it, whatever boilerplate was learned since. Site boilerplate is learned from the line
counts of every batch so far plus the run's own, where a document (host and read key)
an earlier batch counted is not counted again. Batches are written under temporary names
and ``index.json`` is replaced last, so an interrupted append leaves the index as it was; a
batch records the run that added it, so a resumed run never adds its batch twice. A run
holds the index's lock (:mod:`crawlsift.engine.lock`) from :meth:`Index.open` until
:meth:`Index.close`: two runs adding to one index would both write the same batch name.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from crawlsift.dedup.options import DedupOptions
from crawlsift.engine.lock import DirectoryLock, is_empty
from crawlsift.engine.output import write_json
from crawlsift.errors import InputError

#: 3: exact and read keys of every indexed document, kept or removed (keys), the documents
#: counted for boilerplate (seen), fold_digits among the hashing options
VERSION = 3
KINDS = ("docs", "bands", "keys", "sizes", "lines", "hosts", "seen")


@dataclass
class Index:
    """An index directory's manifest."""

    path: Path
    hashing: dict[str, Any]
    docs: int = 0  # ranks handed out so far: new documents start here
    batches: list[dict[str, str]] = field(default_factory=list)  # name, run
    lock: DirectoryLock | None = field(default=None, repr=False, compare=False)

    @classmethod
    def open(cls, path: str, opts: DedupOptions) -> Index:
        """Open (or start) an index, locked until :meth:`close`; its hashing options must
        equal ``opts``'s."""
        root = Path(path)
        manifest = root / "index.json"
        if root.is_dir() and not manifest.exists() and not is_empty(root):
            raise InputError(f"{root} exists and is not a crawlsift dedup index")
        lock = DirectoryLock(root, "index").acquire()
        try:
            index = cls._read(root, opts)
        except BaseException:
            lock.release()
            raise
        index.lock = lock
        return index

    def close(self) -> None:
        """Release the index's lock (the run has ended)."""
        if self.lock is not None:
            self.lock.release()

    @classmethod
    def _read(cls, root: Path, opts: DedupOptions) -> Index:
        manifest = root / "index.json"
        if not manifest.exists():
            return cls(path=root, hashing=opts.hashing())
        data = json.loads(manifest.read_text())
        version = data.get("version")
        if isinstance(version, int) and version < VERSION:
            raise InputError(
                f"{root}: index version {version} was written by an older crawlsift, which did "
                f"not record the exact keys of removed documents; this crawlsift reads version "
                f"{VERSION}. Build a new index: run `crawlsift dedup --index NEW_INDEX` over "
                "the earlier batches' inputs, oldest first"
            )
        if version != VERSION:
            raise InputError(
                f"{root}: index version {version}, this crawlsift reads {VERSION}; "
                "use the crawlsift that wrote it"
            )
        if data["hashing"] != opts.hashing():
            raise InputError(
                f"{root} was built with {data['hashing']}; this run uses {opts.hashing()}"
            )
        return cls(path=root, hashing=data["hashing"], docs=data["docs"], batches=data["batches"])

    def names(self, but_run: str | None = None) -> list[str]:
        """Batch names, oldest first (but those added by run ``but_run``)."""
        return [b["name"] for b in self.batches if b["run"] != but_run]

    def added_by(self, run: str) -> str | None:
        """The batch a run added, if it did."""
        return next((b["name"] for b in self.batches if b["run"] == run), None)

    def _scan(self, kind: str) -> pl.LazyFrame | None:
        frames = [
            pl.scan_parquet(self.path / kind / f"{name}.parquet").with_columns(seq=pl.lit(i))
            for i, name in enumerate(self.names())
            if (self.path / kind / f"{name}.parquet").exists()
        ]
        return pl.concat(frames) if frames else None

    def docs_frame(self) -> pl.LazyFrame | None:
        """``rank, id, exact, read, sig, size`` of every kept indexed document (None for an
        empty index)."""
        frame = self._scan("docs")
        return None if frame is None else frame.select("rank", "id", "exact", "read", "sig", "size")

    def keys_frame(self) -> pl.LazyFrame | None:
        """``exact, read, root`` of every indexed document, kept or removed."""
        frame = self._scan("keys")
        return None if frame is None else frame.select("exact", "read", "root")

    def bands_frame(self) -> pl.LazyFrame | None:
        """``rank, band, bucket`` of every indexed document (None for an empty index)."""
        frame = self._scan("bands")
        return None if frame is None else frame.select("rank", "band", "bucket")

    def sizes_frame(self) -> pl.LazyFrame | None:
        """``rank, size``: the latest cluster size of every indexed document."""
        docs, updates = self._scan("docs"), self._scan("sizes")
        if docs is None:
            return None
        parts = [docs.select("rank", "size", "seq")]
        if updates is not None:
            parts.append(updates.select("rank", "size", "seq"))
        return (
            pl.concat(parts)
            .group_by("rank")
            .agg(pl.col("size").sort_by("seq").last())
            .select("rank", pl.col("size").cast(pl.Int64))
        )

    def lines_frame(self) -> pl.LazyFrame | None:
        """``host, key, n``: line counts of every batch so far (one row per batch)."""
        frame = self._scan("lines")
        return None if frame is None else frame.select("host", "key", "n")

    def hosts_frame(self) -> pl.LazyFrame | None:
        """``host, docs``: documents per host of every batch so far (one row per batch)."""
        frame = self._scan("hosts")
        return None if frame is None else frame.select("host", "docs")

    def seen_frame(self) -> pl.LazyFrame | None:
        """``host, read``: every document the line counts have counted (None when none)."""
        frame = self._scan("seen")
        return None if frame is None else frame.select("host", "read")

    def append(self, frames: dict[str, pl.LazyFrame], ranks_used: int, run: str) -> str:
        """Add a batch (a frame per kind of :data:`KINDS`), then commit the manifest."""
        name = f"batch-{len(self.batches):05d}"
        for kind in KINDS:
            (self.path / kind).mkdir(parents=True, exist_ok=True)
            tmp = self.path / kind / f".tmp-{name}.parquet"
            frames[kind].sink_parquet(tmp, compression="zstd")
            os.replace(tmp, self.path / kind / f"{name}.parquet")
        self.batches.append({"name": name, "run": run})
        self.docs += ranks_used
        data = {"version": VERSION, "hashing": self.hashing, "docs": self.docs}
        data["batches"] = self.batches
        write_json(self.path / "index.json", data)
        return name
