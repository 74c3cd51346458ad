"""The incremental dedup index: what earlier runs kept, stored as Parquet.

Layout of an index directory::

    index.json                 format version, hashing options, documents ranked so far
    docs/batch-<k>.parquet     rank, id, exact hash, signature of each kept document
    bands/batch-<k>.parquet    rank, band, bucket of each kept document

A run that uses an index ranks its documents after every indexed one, so a new document
that duplicates an indexed one is always the copy removed. Batches are written with
polars' streaming sink under temporary names and ``index.json`` is replaced last, so an
interrupted append leaves the index as it was (a half-written batch is ignored).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from crawlsift.dedup.options import DedupOptions
from crawlsift.errors import InputError

VERSION = 2  # 2: words hashed by crawlsift.dedup.tokens, 32-bit permutations


@dataclass
class Index:
    """An index directory's manifest."""

    path: Path
    hashing: dict[str, Any]
    docs: int = 0  # ranks handed out so far: new documents start here
    batches: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, path: str, opts: DedupOptions) -> Index:
        """Open (or start) an index; its hashing options must equal ``opts``'s."""
        root = Path(path)
        manifest = root / "index.json"
        if not manifest.exists():
            if root.exists() and any(root.iterdir()):
                raise InputError(f"{root} exists and is not a crawlsift dedup index")
            return cls(path=root, hashing=opts.hashing())
        data = json.loads(manifest.read_text())
        if data.get("version") != VERSION:
            raise InputError(f"{root}: unsupported index version {data.get('version')}")
        if data["hashing"] != opts.hashing():
            raise InputError(
                f"{root} was built with {data['hashing']}; this run uses {opts.hashing()}"
            )
        return cls(path=root, hashing=data["hashing"], docs=data["docs"], batches=data["batches"])

    def _scan(self, kind: str) -> pl.LazyFrame | None:
        files = [self.path / kind / f"{b}.parquet" for b in self.batches]
        files = [str(f) for f in files if f.exists()]
        return pl.scan_parquet(files) if files else None

    def docs_frame(self) -> pl.LazyFrame | None:
        """``rank, id, exact, sig`` of every indexed document (None for an empty index)."""
        return self._scan("docs")

    def bands_frame(self) -> pl.LazyFrame | None:
        """``rank, band, bucket`` of every indexed document (None for an empty index)."""
        return self._scan("bands")

    def append(self, docs: pl.LazyFrame, bands: pl.LazyFrame, ranks_used: int) -> str:
        """Add a batch (documents and their bands), then commit the manifest."""
        name = f"batch-{len(self.batches):05d}"
        for kind, frame in (("docs", docs), ("bands", bands)):
            (self.path / kind).mkdir(parents=True, exist_ok=True)
            tmp = self.path / kind / f".tmp-{name}.parquet"
            frame.sink_parquet(tmp, compression="zstd")
            os.replace(tmp, self.path / kind / f"{name}.parquet")
        self.batches.append(name)
        self.docs += ranks_used
        data = {"version": VERSION, "hashing": self.hashing, "docs": self.docs}
        data["batches"] = self.batches
        tmp = self.path / ".tmp-index.json"
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        os.replace(tmp, self.path / "index.json")
        return name
