"""Verification of candidate pairs by Jaccard similarity.

Pairs within a run are checked by exact Jaccard of their shingle sets, recomputed from
the stripped text in ``work/docs`` for the documents in some pair only (those sets are
the one per-document structure held in memory). A pair with an indexed document, whose
text the index does not keep, is checked by the agreement of the two signatures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather

from crawlsift import schema as S
from crawlsift.dedup import minhash
from crawlsift.dedup.tokens import words


def verify(
    pairs: pl.DataFrame,
    docs: pl.LazyFrame,
    indexed: pl.LazyFrame | None,
    first_new: int,
    work: Path,
    shingle_size: int,
    threshold: float,
    fold_digits: bool,
) -> pl.DataFrame:
    """``pairs`` (``rank, rep, exact``) without the near pairs below ``threshold``."""
    near = pairs.filter(~pl.col("exact"))
    ranks = np.unique(np.concatenate([near["rank"].to_numpy(), near["rep"].to_numpy()]))
    rows = docs.filter(pl.col("rank").is_in(ranks)).select("row", "rank").collect()
    row_of = dict(zip(rows["rank"].to_list(), rows["row"].to_list(), strict=True))
    sets = shingle_sets(work, set(row_of.values()), shingle_size, fold_digits)
    sigs = _signatures(near, row_of, indexed, first_new, work)
    keep = []
    for r, p in near.select("rank", "rep").iter_rows():
        if p >= first_new:
            sim = minhash.jaccard(sets[row_of[r]], sets[row_of[p]])
        else:
            sim = float(np.mean(sigs[r] == sigs[p]))
        keep.append(sim >= threshold)
    verified = near.filter(pl.Series(keep, dtype=pl.Boolean))
    return pl.concat([pairs.filter(pl.col("exact")), verified])


def shingle_sets(
    work: Path, wanted: set[int], shingle_size: int, fold_digits: bool
) -> dict[int, np.ndarray]:
    """Sorted unique shingle hashes of the documents (by row) in ``wanted``."""
    out: dict[int, np.ndarray] = {}
    if not wanted:
        return out
    want = pa.array(sorted(wanted), pa.int64())
    for path in sorted((work / "docs").glob("*.arrow")):
        table = feather.read_table(path, columns=[S.TEXT, "_row"], memory_map=True)
        table = table.filter(pc.is_in(table.column("_row"), value_set=want))
        if not table.num_rows:
            continue
        tokens = words(table.column(S.TEXT), fold_digits)
        hashes, offsets = minhash.shingle_hashes(tokens, shingle_size)
        for i, row in enumerate(table.column("_row").to_pylist()):
            out[row] = np.unique(hashes[offsets[i] : offsets[i + 1]])
    return out


def _signatures(
    near: pl.DataFrame,
    row_of: dict[int, int],
    indexed: pl.LazyFrame | None,
    first_new: int,
    work: Path,
) -> dict[int, np.ndarray]:
    """Signatures, by rank, of both sides of the pairs with an indexed document."""
    linked = near.filter(pl.col("rep") < first_new)
    if indexed is None or not linked.height:
        return {}
    old = indexed.filter(pl.col("rank").is_in(linked["rep"].implode())).select("rank", "sig")
    new_rows = [row_of[r] for r in linked["rank"].to_list()]
    new = (
        pl.scan_ipc(str(work / "sigs" / "*.arrow"))
        .filter(pl.col("row").is_in(new_rows))
        .join(pl.DataFrame({"row": new_rows, "rank": linked["rank"]}).lazy(), on="row")
        .select("rank", "sig")
    )
    both = pl.concat([old.collect(), new.collect()])
    return {r: np.frombuffer(s, np.uint32) for r, s in both.iter_rows()}
