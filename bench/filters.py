"""Quality filters: datatrove's four filters against crawlsift's equivalent preset.

The corpus is the all-visible text (resiliparse, ``main_content=False``) of the WCXB dev pages
(``../shared/data/extraction/wcxb-dev``), repeated until it holds at least ``--docs`` documents.

* ``xxhash``     reading every text and hashing its UTF-8 bytes with xxh3-64: the
  physical-limit reference;
* ``crawlsift``  the stages ``quality_pipeline("crawlsift-default")`` names (gopher_quality,
  gopher_repetition, c4, fineweb, filter) over Arrow batches of ``--batch`` rows, one process,
  polars limited to ``--threads`` threads (1 by default: one core), on the whole corpus;
* ``datatrove``  GopherQualityFilter, GopherRepetitionFilter, C4QualityFilter and
  FineWebQualityFilter (defaults, spaCy tokeniser) chained as datatrove's pipeline chains them
  (a document rejected by one filter is not seen by the next; C4 rewrites the text it keeps),
  one process. At about 13 documents/s it is timed on the first ``--datatrove-docs`` documents
  (1,500 by default) and its docs/s reported from that subsample.

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


def time_xxhash(texts: Sequence[str]) -> float:
    """Seconds to encode and xxh3-hash every text (best of 3)."""
    import xxhash

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for t in texts:
            xxhash.xxh3_64_intdigest(t.encode("utf-8"))
        best = min(best, time.perf_counter() - start)
    return best


def run_crawlsift(texts: Sequence[str], batch: int) -> tuple[float, list[str | None]]:
    """Seconds for the crawlsift-default signal stages and filter; each document's reason."""
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
    start = time.perf_counter()
    for table in tables:
        for spec in stages:
            table = spec.fn(table, opts=spec.options())
        reasons.extend(table.column(S.REASON).to_pylist())
    return time.perf_counter() - start, reasons


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


def run_datatrove(texts: Sequence[str]) -> tuple[float, list[str | None]]:
    """Seconds for datatrove's chained filters; the reason of the filter that dropped each doc."""
    from datatrove.data import Document

    filters = datatrove_filters()
    reasons: list[str | None] = []
    start = time.perf_counter()
    for i, text in enumerate(texts):
        doc = Document(text=text, id=str(i))
        reason = None
        for family, flt in zip(FAMILIES, filters, strict=True):
            res = flt.filter(doc)
            if res is not True:
                reason = f"{family}:{res[1] if isinstance(res, tuple) else 'dropped'}"
                break
        reasons.append(reason)
    return time.perf_counter() - start, reasons


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


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--docs", type=int, default=20_000)
    p.add_argument("--datatrove-docs", type=int, default=1_500)
    p.add_argument("--threads", type=int, default=1, help="polars threads for crawlsift")
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
    os.environ["POLARS_MAX_THREADS"] = str(args.threads)  # before polars is imported
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    texts, unique = load_corpus(args.data, args.docs)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {len(texts):,} docs ({unique:,} unique pages repeated), {mb:.1f} MB")
    result: dict[str, Any] = {"docs": len(texts), "mb": mb}

    hash_s = time_xxhash(texts)
    result["xxhash_mb_s"] = mb / hash_s
    print(f"xxhash   read+hash          {mb / hash_s:10.1f} MB/s  (physical-limit reference)")

    cs_s, cs_reasons = run_crawlsift(texts, args.batch)
    result["crawlsift"] = {"seconds": cs_s, "docs_s": len(texts) / cs_s, "mb_s": mb / cs_s}
    print(
        f"crawlsift {len(texts):,} docs in {cs_s:.1f} s: {len(texts) / cs_s:10.1f} docs/s "
        f"{mb / cs_s:7.2f} MB/s  (polars threads: {args.threads})"
    )
    if not args.no_datatrove:
        sub = texts[: args.datatrove_docs]
        sub_mb = sum(len(t.encode("utf-8")) for t in sub) / 1e6
        dt_s, dt_reasons = run_datatrove(sub)
        dt_rate = len(sub) / dt_s
        result["datatrove"] = {
            "docs": len(sub),
            "seconds": dt_s,
            "docs_s": dt_rate,
            "mb_s": sub_mb / dt_s,
        }
        print(
            f"datatrove {len(sub):,} docs in {dt_s:.1f} s: {dt_rate:10.1f} docs/s "
            f"{sub_mb / dt_s:7.2f} MB/s  (timed on the first {len(sub):,} docs only)"
        )
        ratio = (len(texts) / cs_s) / dt_rate
        result["ratio"] = ratio
        print(f"ratio    crawlsift / datatrove docs/s: {ratio:.1f}x (target >= 50x)")
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
