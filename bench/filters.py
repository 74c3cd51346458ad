"""Quality filters: datatrove's four filters against crawlsift's equivalent preset.

The corpus is the all-visible text (resiliparse, ``main_content=False``) of the WCXB dev pages
(``../shared/data/extraction/wcxb-dev``), repeated until it holds at least ``--docs`` documents.

* ``xxhash``     reading every text and hashing its UTF-8 bytes with xxh3-64: the
  physical-limit reference;
* ``crawlsift``  the stages ``quality_pipeline("crawlsift-default")`` names (gopher_quality,
  gopher_repetition, c4_lines, fineweb, filter) over Arrow batches of ``--batch`` rows, one
  process, polars' and pyarrow's thread pools limited to ``--threads`` threads (1 by default:
  one core; the pool sizes in force are printed), on the whole corpus;
* ``datatrove``  GopherQualityFilter, GopherRepetitionFilter, C4QualityFilter and
  FineWebQualityFilter (defaults, spaCy tokeniser) chained as datatrove's pipeline chains them
  (a document rejected by one filter is not seen by the next; C4 rewrites the text it keeps),
  one process. At about 13 documents/s it is timed on the first ``--datatrove-docs`` documents
  (1,500 by default) and its docs/s reported from that subsample.

Each side is timed both by the wall clock and by the CPU time of the process (user + system,
all threads: ``time.process_time``), and both rates are printed: docs/s and docs per
CPU-second. On a shared machine the second is the fairer figure (a side that waits for a
core is not charged for it; one that used a second core would be).

Decisions on that subsample are compared too: the final keep/drop of the chain, and each
filter's own decision on the original text against the crawlsift rules of its family.

Usage::

    python bench/filters.py [--data DIR] [--docs N] [--datatrove-docs N] [--threads T]
                            [--batch ROWS] [--no-datatrove] [--no-family-parity] [--json OUT]

Skips (exit 0, with a note) when the shared data is absent; needs ``datatrove[processing]``
and ``spacy`` for the datatrove rows (the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "extraction" / "wcxb-dev"
FAMILIES = ("gopher_quality", "gopher_repetition", "c4", "fineweb")


def load_corpus(data: Path, docs: int) -> tuple[list[str], int]:
    """All-visible texts of the pages, repeated to at least ``docs``; and the unique count."""
    import anchors

    pages = sorted((data / "html").glob("*.html.gz"))
    texts = [anchors.visible_text(anchors.read_html(p)) for p in pages]
    reps = -(-docs // len(texts))
    return (texts * reps)[: max(docs, len(texts))], len(texts)


class Clock:
    """Wall-clock and process CPU seconds of a ``with`` block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def time_xxhash(texts: Sequence[str]) -> Clock:
    """Time to encode and xxh3-hash every text (the best of 3 by CPU time)."""
    import xxhash

    best: Clock | None = None
    for _ in range(3):
        with Clock() as clock:
            for t in texts:
                xxhash.xxh3_64_intdigest(t.encode("utf-8"))
        if best is None or clock.cpu < best.cpu:
            best = clock
    assert best is not None
    return best


def run_crawlsift(texts: Sequence[str], batch: int) -> tuple[Clock, list[str | None]]:
    """Time of the crawlsift-default signal stages and filter; each document's reason."""
    import pyarrow as pa

    from crawlsift import schema as S
    from crawlsift.registry import get_stage
    from crawlsift.signals import quality_pipeline

    stages = [get_stage(name) for name in quality_pipeline("crawlsift-default")]
    tables = []
    for lo in range(0, len(texts), batch):
        chunk = texts[lo : lo + batch]
        n = len(chunk)
        tables.append(
            pa.table(
                {
                    S.TEXT: pa.array(chunk, pa.large_string()),
                    S.REASON: pa.nulls(n, pa.string()),
                    S.STAGE: pa.nulls(n, pa.string()),
                }
            )
        )
    reasons: list[str | None] = []
    with Clock() as clock:
        for table in tables:
            for spec in stages:
                table = spec.fn(table, opts=spec.options())
            reasons.extend(table.column(S.REASON).to_pylist())
    return clock, reasons


def datatrove_filters() -> list[Any]:
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    return [
        GopherQualityFilter(),
        GopherRepetitionFilter(),
        C4QualityFilter(),
        FineWebQualityFilter(),
    ]


def run_datatrove(texts: Sequence[str]) -> tuple[Clock, list[str | None]]:
    """Time of datatrove's chained filters; the reason of the filter that dropped each doc."""
    from datatrove.data import Document

    filters = datatrove_filters()
    reasons: list[str | None] = []
    with Clock() as clock:
        for i, text in enumerate(texts):
            doc = Document(text=text, id=str(i))
            reason = None
            for family, flt in zip(FAMILIES, filters, strict=True):
                res = flt.filter(doc)
                if res is not True:
                    reason = f"{family}:{res[1] if isinstance(res, tuple) else 'dropped'}"
                    break
            reasons.append(reason)
    return clock, reasons


def family_parity(texts: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each datatrove filter alone on the original text against crawlsift's rules of its family."""
    import pyarrow as pa
    from datatrove.data import Document

    from crawlsift import schema as S
    from crawlsift.signals import PRESETS, RULES, FilterOptions, filter_stage
    from crawlsift.signals.c4 import c4
    from crawlsift.signals.fineweb import fineweb
    from crawlsift.signals.gopher_quality import gopher_quality
    from crawlsift.signals.gopher_repetition import gopher_repetition

    n = len(texts)
    table = pa.table(
        {
            S.TEXT: pa.array(texts, pa.large_string()),
            S.REASON: pa.nulls(n, pa.string()),
            S.STAGE: pa.nulls(n, pa.string()),
        }
    )
    for stage in (gopher_quality, gopher_repetition, c4, fineweb):
        table = stage(table)
    default = PRESETS["crawlsift-default"]
    out: dict[str, dict[str, Any]] = {}
    for family, flt in zip(FAMILIES, datatrove_filters(), strict=True):
        rules = tuple((r, v) for r, v in default.items() if RULES[r].stage == family)
        mine = filter_stage(table, opts=FilterOptions(preset=None, rules=rules))
        ours = mine.column(S.REASON).to_pylist()
        classes: Counter[str] = Counter()
        agree = 0
        for text, reason in zip(texts, ours, strict=True):
            res = flt.filter(Document(text=text, id="x"))
            theirs = None if res is True else str(res[1])
            if (theirs is None) == (reason is None):
                agree += 1
            else:
                classes[f"crawlsift {reason or 'keep'} / datatrove {theirs or 'keep'}"] += 1
        out[family] = {"agree": agree, "docs": n, "disagreements": dict(classes.most_common())}
    return out


def limit_threads(threads: int) -> dict[str, int]:
    """Cap polars' and pyarrow's thread pools (polars reads its cap when first imported)."""
    os.environ["POLARS_MAX_THREADS"] = str(threads)
    import polars as pl
    import pyarrow as pa

    pa.set_cpu_count(threads)
    return {"polars": pl.thread_pool_size(), "pyarrow": pa.cpu_count()}


def rates(clock: Clock, docs: int, mb: float) -> dict[str, float]:
    """Seconds and rates of one side, by wall clock and by process CPU time."""
    return {
        "docs": docs,
        "seconds": clock.wall,
        "cpu_seconds": clock.cpu,
        "docs_s": docs / clock.wall,
        "docs_cpu_s": docs / clock.cpu,
        "mb_s": mb / clock.wall,
        "mb_cpu_s": mb / clock.cpu,
    }


def describe(clock: Clock, docs: int, mb: float) -> str:
    return (
        f"{clock.wall:.1f} s wall, {clock.cpu:.1f} s CPU: {docs / clock.wall:8.1f} docs/s, "
        f"{docs / clock.cpu:8.1f} docs per CPU-s, {mb / clock.wall:6.2f} MB/s"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--docs", type=int, default=20_000)
    p.add_argument("--datatrove-docs", type=int, default=1_500)
    p.add_argument("--threads", type=int, default=1, help="polars/pyarrow threads")
    p.add_argument("--batch", type=int, default=1_000)
    p.add_argument("--no-datatrove", action="store_true", help="time crawlsift only")
    p.add_argument("--no-family-parity", action="store_true", help="skip per-filter parity")
    p.add_argument("--json", type=Path)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not (args.data / "html").is_dir():
        print(f"skipped: no shared data at {args.data}")
        return 0
    pools = limit_threads(args.threads)  # before anything imports polars
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    texts, unique = load_corpus(args.data, args.docs)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {len(texts):,} docs ({unique:,} unique pages repeated), {mb:.1f} MB")
    result: dict[str, Any] = {"docs": len(texts), "mb": mb, "threads": pools}
    print(f"threads  polars pool {pools['polars']}, pyarrow pool {pools['pyarrow']}")

    hashed = time_xxhash(texts)
    result["xxhash"] = rates(hashed, len(texts), mb)
    print(
        f"xxhash   read+hash          {mb / hashed.wall:10.1f} MB/s, "
        f"{mb / hashed.cpu:10.1f} MB per CPU-s  (physical-limit reference)"
    )

    cs, cs_reasons = run_crawlsift(texts, args.batch)
    result["crawlsift"] = rates(cs, len(texts), mb)
    print(f"crawlsift {len(texts):,} docs: {describe(cs, len(texts), mb)}")
    if not args.no_datatrove:
        sub = texts[: args.datatrove_docs]
        sub_mb = sum(len(t.encode("utf-8")) for t in sub) / 1e6
        dt, dt_reasons = run_datatrove(sub)
        result["datatrove"] = rates(dt, len(sub), sub_mb)
        print(f"datatrove {len(sub):,} docs: {describe(dt, len(sub), sub_mb)}")
        print(f"         (datatrove timed on the first {len(sub):,} docs only)")
        ratio = (len(texts) / cs.wall) / (len(sub) / dt.wall)
        cpu_ratio = (len(texts) / cs.cpu) / (len(sub) / dt.cpu)
        result["ratio"] = ratio
        result["cpu_ratio"] = cpu_ratio
        print(f"ratio    crawlsift / datatrove docs/s: {ratio:.1f}x (target >= 50x)")
        print(f"ratio    crawlsift / datatrove docs per CPU-s: {cpu_ratio:.1f}x")
        same = sum((a is None) == (b is None) for a, b in zip(cs_reasons, dt_reasons, strict=False))
        result["chain_agreement"] = same / len(sub)
        print(f"parity   final keep/drop agree on {same}/{len(sub)} = {same / len(sub):.2%}")
        fam = {} if args.no_family_parity else family_parity(sub[:unique])
        result["families"] = fam
        for family, f in fam.items():
            print(f"  {family:18s} {f['agree']}/{f['docs']} = {f['agree'] / f['docs']:.2%}")
            for cls, count in list(f["disagreements"].items())[:6]:
                print(f"      {count:4d}  {cls}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
