"""Corpus-wide steps as lazy polars group-bys and joins, plus connected components.

Every document gets a *rank*: its position in the keep order (``keep_order`` keys, then
``id``, then its row: its position in the input, for ids that repeat), offset by the
number of documents already in the index, so indexed documents
always outrank new ones. Documents with no words left after boilerplate stripping, and
those rejected before dedup, rank after all others: they are never the copy kept. A
candidate pair joins a document to the best-ranked member of a group (same exact key, or
same LSH bucket in some band); components of the candidate graph are found by min-label
propagation, so a component's label is its best rank: the document kept. Documents are
told apart by row number, never by id (ids given by the input may repeat). None of this
depends on batching, nor on input order unless two copies tie on every key and the id.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from crawlsift.dedup.options import DedupOptions
from crawlsift.reasons import DEDUP_BOILERPLATE_ONLY as BOILERPLATE_ONLY
from crawlsift.reasons import DEDUP_EMPTY_TEXT as EMPTY
from crawlsift.reasons import DEDUP_EXACT as EXACT
from crawlsift.reasons import DEDUP_NEAR as NEAR

STREAMING: Final = "streaming"


def ranked(meta: pl.LazyFrame, opts: DedupOptions, offset: int, has_quality: bool) -> pl.LazyFrame:
    """``meta`` with a ``rank`` column: keep order, ties by id, then by row, starting at
    ``offset``."""
    by: list[str | pl.Expr] = [(pl.col("words") == 0) | pl.col("upstream")]
    desc: list[bool] = [False]
    for key in opts.keep_order:
        if key == "quality" and not has_quality:
            continue
        by.append(key)
        desc.append(key != "date")
    by.extend(("id", "row"))
    desc.extend((False, False))
    return (
        meta.sort(by, descending=desc, nulls_last=True)
        .with_row_index("rank", offset=0)
        .with_columns(pl.col("rank").cast(pl.Int64) + offset)
    )


def exact_edges(docs: pl.LazyFrame, indexed: pl.LazyFrame | None) -> pl.LazyFrame:
    """``(rank, rep)`` for each document whose exact key a better-ranked one shares.

    Two keys count: ``exact`` (of the text after boilerplate stripping) and ``read`` (of
    the text as read), so a copy is found whatever boilerplate each copy lost.
    ``indexed`` (``exact, read, root``) holds the keys of every indexed document; its
    ``root`` (the kept document) is the representative. A document that lost all its
    words to boilerplate stripping joins by its read key but never represents a group.
    """
    own = docs.filter(~pl.col("upstream"))
    live = own.filter(pl.col("words") > 0)
    edges = []
    for key, members in (("exact", live), ("read", own.filter(pl.col("read_words") > 0))):
        pool = live.select("rank", key)
        if indexed is not None:  # only the indexed keys this run has: a join, then a group-by
            known = indexed.select(rank="root", **{key: key}).join(
                members.select(key), on=key, how="semi"
            )
            pool = pl.concat([known, pool])
        reps = pool.group_by(key).agg(rep=pl.col("rank").min())
        edges.append(members.select("rank", key).join(reps, on=key).select("rank", "rep"))
    return (
        pl.concat(edges)
        .filter(pl.col("rank") != pl.col("rep"))
        .unique()
        .select("rank", "rep", exact=pl.lit(True))
    )


def near_edges(bands: pl.LazyFrame, indexed: pl.LazyFrame | None, first_new: int) -> pl.LazyFrame:
    """Candidate pairs of new documents sharing a band bucket.

    Each member of a bucket is paired with the bucket's best-ranked member and with the
    member ranked just before it, so that verification, which may drop the first pair,
    still sees a chain through the bucket.
    """
    pool = bands if indexed is None else pl.concat([indexed, bands])
    reps = (
        pool.group_by("band", "bucket")
        .agg(rep=pl.col("rank").min(), n=pl.len())
        .filter(pl.col("n") > 1)
        .select("band", "bucket", "rep")
    )
    members = pool.join(reps, on=["band", "bucket"]).sort("band", "bucket", "rank")
    same = (pl.col("band") == pl.col("band").shift(1)) & (
        pl.col("bucket") == pl.col("bucket").shift(1)
    )
    members = members.with_columns(prev=pl.when(same).then(pl.col("rank").shift(1)))
    star = members.select("rank", "rep")
    chain = members.filter(pl.col("prev").is_not_null()).select("rank", rep="prev")
    return (
        pl.concat([star, chain])
        .filter((pl.col("rank") != pl.col("rep")) & (pl.col("rank") >= first_new))
        .unique()
        .select("rank", "rep", exact=pl.lit(False))
    )


def components(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Connected components of the edges ``u[i] - v[i]``: ``(nodes, root)``, root = min node."""
    nodes, inv = np.unique(np.concatenate([u, v]), return_inverse=True)
    a, b = inv[: len(u)], inv[len(u) :]
    label = np.arange(len(nodes))
    while True:
        m = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, m)
        np.minimum.at(new, b, m)
        while True:  # pointer jumping: labels are node positions, never above their own
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            return nodes, nodes[label]
        label = new


def cluster_sizes(clusters: pl.DataFrame, prior: pl.LazyFrame | None) -> pl.DataFrame:
    """``root, size`` of each component: its new documents plus its indexed ones' clusters.

    ``clusters`` maps ``rank`` to ``root``; ``prior`` (``rank, size``) has the cluster
    size recorded in the index for each indexed document (one when absent).
    """
    weights = clusters.with_columns(size=pl.lit(1, pl.Int64))
    if prior is not None:
        known = prior.join(clusters.lazy().select("rank"), on="rank").collect()
        weights = weights.join(known, on="rank", how="left", suffix="_prior").select(
            "rank", "root", size=pl.coalesce("size_prior", "size")
        )
    return weights.group_by("root").agg(pl.col("size").sum())


def decisions(
    docs: pl.LazyFrame, clusters: pl.DataFrame, sizes: pl.DataFrame, pool: pl.LazyFrame
) -> pl.LazyFrame:
    """Per document: cluster id and size, and for duplicates the reason and the kept id.

    ``clusters`` maps ``rank`` to ``root`` for documents in some candidate pair, ``sizes``
    is :func:`cluster_sizes`; ``pool`` has ``rank, id, exact, read`` of every document a
    root can be (this run's and the index's).

    A document that is no duplicate but has no words is rejected too: ``dedup_empty_text``
    when its text as read had none, ``dedup_boilerplate_only`` when site boilerplate
    stripping took them all. Documents rejected before dedup (``upstream``) get no
    decision: they keep their own reason.
    """
    roots = pool.select(root="rank", root_id="id", root_exact="exact", root_read="read")
    joined = (
        docs.join(clusters.lazy(), on="rank", how="left")
        .join(sizes.lazy(), on="root", how="left")
        .join(roots, on="root", how="left")
    )
    dup = pl.col("root").is_not_null() & (pl.col("root") != pl.col("rank"))
    same = (pl.col("root_exact") == pl.col("exact")) | (pl.col("root_read") == pl.col("read"))
    empty = ~dup & (pl.col("words") == 0)
    no_decision = pl.col("upstream") | empty
    return joined.select(
        "row",
        dedup_cluster=pl.when(~no_decision).then(pl.coalesce("root_id", "id")),
        dedup_cluster_size=pl.when(~no_decision).then(pl.col("size").fill_null(1).cast(pl.Int64)),
        dedup_duplicate_of=pl.when(dup).then(pl.col("root_id")),
        dedup_root=pl.when(~no_decision).then(pl.coalesce("root", "rank")),
        dedup_reason=pl.when(pl.col("upstream"))
        .then(pl.lit(None, pl.String))
        .when(dup)
        .then(pl.when(same).then(pl.lit(EXACT)).otherwise(pl.lit(NEAR)))
        .when(empty & (pl.col("read_words") == 0))
        .then(pl.lit(EMPTY))
        .when(empty)
        .then(pl.lit(BOILERPLATE_ONLY)),
    ).sort("row")
