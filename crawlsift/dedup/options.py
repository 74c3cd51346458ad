"""The options of a dedup run: what it decides (:class:`DedupOptions`) and how it runs
and writes (:class:`DedupRunOptions`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from crawlsift.errors import InputError
from crawlsift.settings import check_types

KEEP_KEYS: tuple[str, ...] = ("date", "quality", "length")


@dataclass(frozen=True, kw_only=True)
class DedupOptions:
    """What counts as a duplicate, which copy is kept, and what is site boilerplate.

    ``keep_order`` ranks the copies of a cluster: ``date`` (earliest first, ISO 8601
    strings compared as text, missing last), ``quality`` (highest ``quality_column``
    first, when that column exists), ``length`` (longest text first); ties are broken
    by ``id``, so the kept copy never depends on input order or batching, and copies that
    share their id too (an input read twice) by their order in the input.

    ``fold_digits`` makes every run of digits the one word character ``0`` before the
    exact key and the MinHash shingles are computed, so pages differing only in their
    numbers become duplicates. It is off by default: lottery results, prices, scores and
    timetables differ only in their numbers and are different documents. Turn it on for
    corpora where numbers are noise (page counters, timestamps in otherwise equal pages).

    Near duplicates are found in two steps. MinHash LSH over word ``shingle_size``-grams
    (``bands`` x ``rows``) proposes candidate pairs: a pair of shingle-set Jaccard J shares
    a band with probability ``1 - (1 - J**rows)**bands``. With ``verify`` each candidate
    pair is then kept only when the exact Jaccard of the two shingle sets is at least
    ``jaccard_threshold`` (a pair with an indexed document: the share of equal signature
    values); without it every candidate pair is a duplicate, as in datatrove. The defaults
    (14 x 4, 0.6) find copies with up to about 5% of their words changed, a few sentences
    added or removed, or a header or footer added (such copies have a 5-gram Jaccard of
    0.6-0.95; one changed word breaks five shingles), while unrelated pages that share
    their site's header and footer stay apart: under 0.6 unless the shared lines are most
    of both texts (site boilerplate stripping removes those lines first when the host has
    enough documents). ``bench/dedup_recall.py`` measures both on planted copies; 0.6 was
    chosen on one half of its pages (grouped by host) and is reported on the other.
    """

    exact: bool = True
    near: bool = True
    fold_digits: bool = False  # every digit run is "0" in exact keys and shingles
    shingle_size: int = 5
    bands: int = 14
    rows: int = 4
    num_perm: int = 0  # 0 = bands x rows; more permutations are only used for verification
    seed: int = 1
    verify: bool = True  # keep a candidate pair only at exact Jaccard >= jaccard_threshold
    jaccard_threshold: float = 0.6
    keep_order: tuple[str, ...] = KEEP_KEYS
    quality_column: str = "quality_score"
    boilerplate: bool = True
    boilerplate_min_docs: int = 4  # a line is boilerplate if >= this many docs of a host ...
    boilerplate_min_fraction: float = 0.3  # ... and >= this fraction of the host's docs
    boilerplate_min_chars: int = 1  # shorter (normalised) lines are never counted

    def __post_init__(self) -> None:
        check_types(self, "dedup")
        for name in ("shingle_size", "bands", "rows", "boilerplate_min_docs"):
            if getattr(self, name) < 1:
                raise InputError(f"dedup option {name} must be at least 1")
        if self.num_perm and self.num_perm < self.bands * self.rows:
            raise InputError("num_perm must be 0 or at least bands x rows")
        if not 0.0 <= self.jaccard_threshold <= 1.0:
            raise InputError("jaccard_threshold must lie in [0, 1]")
        if not 0.0 <= self.boilerplate_min_fraction <= 1.0:
            raise InputError("boilerplate_min_fraction must lie in [0, 1]")
        unknown = [k for k in self.keep_order if k not in KEEP_KEYS]
        if unknown:
            raise InputError(f"unknown keep_order key(s) {unknown}; use {', '.join(KEEP_KEYS)}")
        object.__setattr__(self, "keep_order", tuple(self.keep_order))

    @property
    def permutations(self) -> int:
        """Number of hash permutations in a signature."""
        return self.num_perm or self.bands * self.rows

    def hashing(self) -> dict[str, Any]:
        """The options an index must share with every batch added to it."""
        return {k: v for k, v in asdict(self).items() if k in _HASHING}


ENGINES: tuple[str, ...] = ("local", "ray")


@dataclass(frozen=True, kw_only=True)
class DedupRunOptions:
    """How a dedup run is executed and written; none of these change which documents
    are kept (results never depend on ``workers``, ``batch_size`` or ``engine``).

    ``workers`` (0 = all cores) threads hash batches; ``engine="ray"`` hashes them on
    Ray workers instead, on the cluster at ``address`` or a local Ray instance.
    ``keep_work`` keeps the ``_work`` files of a finished run (for inspection).
    """

    format: str = "parquet"
    batch_size: int = 4096
    shard_rows: int = 100_000
    workers: int = 0
    overwrite: bool = False
    keep_work: bool = False
    engine: str = "local"
    address: str | None = None

    def __post_init__(self) -> None:
        from crawlsift.engine.output import check_format

        check_types(self, "dedup run")
        check_format(self.format)
        if self.engine not in ENGINES:
            raise InputError(f"unknown engine {self.engine!r}; use {' or '.join(ENGINES)}")
        for name, low in (("batch_size", 1), ("shard_rows", 1), ("workers", 0)):
            if getattr(self, name) < low:
                raise InputError(f"{name} must be at least {low}, not {getattr(self, name)}")


_HASHING = ("shingle_size", "bands", "rows", "num_perm", "seed", "fold_digits")
