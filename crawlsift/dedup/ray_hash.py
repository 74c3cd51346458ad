"""Dedup's hashing pass on Ray: the per-document work, spread over a cluster.

Stripping site boilerplate, tokenising, MinHash signatures and band keys are about 95% of
dedup's CPU time and depend on nothing but their batch, so each batch is one Ray task
running the same :class:`~crawlsift.dedup.run.Hasher` the local engine runs on threads.
The driver reads the batches (numbering rows as the local run does), keeps at most
``2 x`` the cluster's CPUs in flight, and saves the returned parts in batch order, so
the work files, and everything after them, are byte-identical to a local run's. A lost
worker's task is retried by Ray; a batch's parts are saved only once it returns.

The corpus-wide steps stay on the driver as polars streaming group-bys and joins over the
work files, out of core: bounded by the driver's disk, not its memory (band keys take
about 160 bytes per document; docs/scaling.md works through a Common Crawl dump).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from crawlsift.engine.ray_start import start_ray

if TYPE_CHECKING:
    from crawlsift.dedup.run import HashArgs, Hasher, HashResult


def ray_hash(
    hasher: Hasher, batches: Iterator[HashArgs], address: str | None
) -> Iterator[HashResult]:
    """Yield ``hasher(k, row0, table, read)`` for each batch, computed on Ray, in batch order."""
    ray = start_ray(address)
    remote = ray.remote(max_retries=3)(_run_hasher)
    shared = ray.put(hasher)
    in_flight = max(2 * int(ray.cluster_resources().get("CPU", 1)), 2)
    pending: list[Any] = []
    for item in batches:
        pending.append(remote.remote(shared, *item))
        if len(pending) >= in_flight:
            yield ray.get(pending.pop(0))
    for ref in pending:
        yield ray.get(ref)


def _run_hasher(
    hasher: Hasher, k: int, row0: int, table: pa.Table, read: pa.Table | None
) -> HashResult:
    return hasher(k, row0, table, read)
