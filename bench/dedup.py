"""Dedup benchmark: crawlsift's dedup beside datatrove's four MinHash stages.

The corpus is built from WCXB dev's hand-checked texts (``ground_truth.main_content``):

* a *site* is one WCXB page: its URL host, and its ``ground_truth.without`` snippets (the
  page's own boilerplate) as chrome, the first half above the body and the rest below;
* a *base* document is 3-12 paragraphs (lines of at least 8 words) drawn at random from all
  pages, wrapped in a random site's chrome;
* a *planted copy* (``--copy-rate`` of all documents) is a base document's body wrapped in
  another site's chrome, kept as is or lightly edited (one sentence rewritten, the ending
  cut, or both: a quarter each), dated after its source.

Measured, in one run and one process:

* wall and CPU time of datatrove's MinhashDedupSignature, Buckets, Cluster and Filter
  stages (5-gram shingles, 14 x 8 bands) run with ``LocalPipelineExecutor`` (1 task per
  stage, 14 for Buckets as datatrove requires, 1 worker) on the ``--sample``-document
  subsample (``--datatrove-full``: on the whole corpus too; it runs at ~150 docs/s);
* crawlsift's ``dedup`` (reading Parquet, exact + near dedup with verification, writing
  kept/rejected) on the whole corpus and on the subsample, with ``POLARS_MAX_THREADS=
  --threads`` (default 1: per core) and one hashing worker, in two settings:
  *like for like* (the headline: same shingles and bands as datatrove, site boilerplate
  off, so both see the same raw text) and *default* (site boilerplate stripped first);
* precision and recall of duplicate pairs (two documents in one cluster) on the subsample,
  against every pair whose exact Jaccard of word 5-gram sets (lowercased ``\\w+`` words of the
  raw text) is >= 0.8, found by brute force (a sparse product of the document-shingle matrix);
  also the share of planted copies each system removed;
* all of it for each of ``--hash-seeds`` (the MinHash seed of both systems): which pairs
  near the threshold LSH misses depends on the seed, so recall is reported as the mean
  over seeds, and speed as the median over the runs.

Usage::

    python bench/dedup.py [--docs 50000] [--sample 5000] [--copy-rate 0.1] [--threads 1]
                          [--hash-seeds 1,2,3,4,5] [--no-datatrove] [--datatrove-full]
                          [--json OUT]
    python bench/dedup.py --speed-only [--speed-docs 20000] [--runs 3] [--smoke] [--markdown]

Speed, whole commands (the headline, by ``bench/harness.py``): ``crawlsift dedup DOCS.jsonl
-o OUT`` with its defaults (variants ``--no-boilerplate`` and ``--workers 1``) beside
``bench/anchor/minhash.py``, datatrove's four MinHash stages run by the anchor environment's
Python (``bench/anchor.py``), on the same ``--speed-docs``-document corpus written as JSONL;
alternated runs, CPU seconds of the whole process tree, medians. ``--speed-only`` skips the
in-process part above; that part's datatrove side runs only where datatrove is importable.

Skips (exit 0, with a note) when ``../shared/data`` is absent.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path.insert(0, str(REPO_ROOT))


def _threads() -> str:
    """``--threads`` must reach polars before it is imported."""
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


os.environ.setdefault("POLARS_MAX_THREADS", _threads())

import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import xxhash  # noqa: E402

from bench import anchor, harness  # noqa: E402
from crawlsift.dedup import dedup  # noqa: E402
from crawlsift.io import read_output  # noqa: E402

DATA = harness.SHARED / "extraction" / "wcxb-dev" / "ground-truth"
EDITS = ("as_is", "changed_sentence", "truncated", "changed_and_truncated")
THRESHOLD = 0.8


def load_sources() -> tuple[list[str], list[tuple[str, list[str], list[str]]]]:
    """Paragraphs of all pages, and sites as (host, header lines, footer lines)."""
    paragraphs, sites = [], []
    for path in sorted(DATA.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        truth = doc.get("ground_truth") or {}
        text = truth.get("main_content") or ""
        paragraphs += [p.strip() for p in text.split("\n") if len(p.split()) >= 8]
        chrome = [s.strip() for s in truth.get("without") or [] if 0 < len(s.strip()) < 200]
        host = urlparse(doc.get("url") or "").hostname
        if host and len(chrome) >= 2:
            half = len(chrome) // 2
            sites.append((host, chrome[:half], chrome[half:]))
    return paragraphs, sites


def _edit(body: list[str], kind: str, rng: random.Random, paragraphs: list[str]) -> list[str]:
    body = body[:]
    if kind in ("changed_sentence", "changed_and_truncated"):
        i = rng.randrange(len(body))
        sentences = re.split(r"(?<=[.!?])\s+", body[i])
        j = rng.randrange(len(sentences))
        sentences[j] = rng.choice(paragraphs).split(". ")[0].rstrip(".") + "."
        body[i] = " ".join(sentences)
    if kind in ("truncated", "changed_and_truncated") and len(body) > 1:
        words = body[-1].split()
        body[-1] = " ".join(words[: max(1, len(words) // 3)])
    return body


def build_corpus(n_docs: int, copy_rate: float, seed: int) -> tuple[list[dict[str, Any]], dict]:
    """Documents (id, url, date, text) and the planted truth: copy id -> (source id, kind)."""
    rng = random.Random(seed)
    paragraphs, sites = load_sources()
    n_copies = int(n_docs * copy_rate)
    docs, bodies, planted = [], [], {}

    def wrap(i: int, site: int, body: list[str], day: int) -> dict[str, Any]:
        host, header, footer = sites[site]
        return {
            "id": f"doc-{i:06d}",
            "url": f"https://{host}/article/{i}",
            "date": f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}",
            "text": "\n".join([*header, *body, *footer]),
        }

    for i in range(n_docs - n_copies):
        body = rng.sample(paragraphs, rng.randint(3, 12))
        bodies.append(body)
        docs.append(wrap(i, rng.randrange(len(sites)), body, rng.randrange(200)))
    for k in range(n_copies):
        i = n_docs - n_copies + k
        src = rng.randrange(len(bodies))
        kind = EDITS[k % len(EDITS)]
        body = _edit(bodies[src], kind, rng, paragraphs)
        day = int(docs[src]["date"][5:7]) * 28 + rng.randrange(30, 60)
        docs.append(wrap(i, rng.randrange(len(sites)), body, min(day, 335)))
        planted[docs[-1]["id"]] = (docs[src]["id"], kind)
    return docs, planted


def subsample(docs: list[dict[str, Any]], planted: dict, size: int, seed: int) -> list[dict]:
    """``size`` documents taken whole groups at a time (a source with all its copies)."""
    copies: dict[str, list[str]] = {}
    for copy, (src, _) in planted.items():
        copies.setdefault(src, []).append(copy)
    by_id = {d["id"]: d for d in docs}
    sources = [d["id"] for d in docs if d["id"] not in planted]
    random.Random(seed).shuffle(sources)
    chosen: list[str] = []
    for src in sources:
        if len(chosen) >= size:
            break
        chosen += [src, *copies.get(src, [])]
    return [by_id[i] for i in sorted(chosen[:size])]


def true_pairs(docs: list[dict[str, Any]]) -> set[tuple[int, int]]:
    """Pairs (i < j) with exact word 5-gram Jaccard >= 0.8, by brute force over all pairs."""
    from scipy import sparse

    rows, cols, sizes = [], [], []
    for i, doc in enumerate(docs):
        words = re.findall(r"\w+", doc["text"].lower())
        grams = {" ".join(words[k : k + 5]) for k in range(max(len(words) - 4, 1))}
        hashed = np.unique([xxhash.xxh3_64_intdigest(g.encode("utf-8")) for g in grams]).astype(
            np.uint64
        )
        rows.append(np.full(len(hashed), i))
        cols.append(hashed)
        sizes.append(len(hashed))
    all_cols = np.concatenate(cols)
    _, col_ids = np.unique(all_cols, return_inverse=True)
    data = np.ones(len(all_cols), np.float32)
    m = sparse.csr_matrix((data, (np.concatenate(rows), col_ids)))
    inter = sparse.triu(m @ m.T, k=1).tocoo()
    size = np.array(sizes, np.float64)
    jac = inter.data / (size[inter.row] + size[inter.col] - inter.data)
    keep = jac >= THRESHOLD
    return set(zip(inter.row[keep].tolist(), inter.col[keep].tolist(), strict=True))


def cluster_pairs(labels: dict[int, Any]) -> set[tuple[int, int]]:
    """All pairs of documents sharing a cluster label."""
    groups: dict[Any, list[int]] = {}
    for doc, label in labels.items():
        groups.setdefault(label, []).append(doc)
    pairs = set()
    for members in groups.values():
        members.sort()
        pairs |= {(a, b) for i, a in enumerate(members) for b in members[i + 1 :]}
    return pairs


def run_crawlsift(docs: list[dict], work: Path, name: str, **options: Any) -> dict[str, Any]:
    src = work / f"{name}.parquet"
    pq.write_table(pa.Table.from_pylist(docs), src)
    started, cpu = time.perf_counter(), time.process_time()
    summary = dedup(str(src), str(work / f"{name}-out"), workers=1, **options)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    out = work / f"{name}-out"
    table = pa.concat_tables(
        [read_output(str(out / k)).select(["id", "dedup_cluster"]) for k in ("kept", "rejected")]
    )
    position = {d["id"]: i for i, d in enumerate(docs)}
    labels = {position[i]: c for i, c in zip(*table.to_pydict().values(), strict=True)}
    removed = set(read_output(str(out / "rejected")).column("id").to_pylist())
    return {
        "seconds": seconds,
        "cpu": cpu,
        "labels": labels,
        "removed": removed,
        "summary": summary,
    }


def run_datatrove(docs: list[dict], work: Path, seed: int) -> dict[str, Any]:
    from datatrove.data import Document
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.writers import JsonlWriter

    config = MinhashConfig(n_grams=5, num_buckets=14, hashes_per_bucket=8, seed=seed)
    base = work / f"datatrove-{seed}-{len(docs)}"
    documents = [Document(text=d["text"], id=d["id"]) for d in docs]
    stages = [
        ("signature", [documents, MinhashDedupSignature(str(base / "sigs"), config=config)], 1),
        (
            "buckets",
            [MinhashDedupBuckets(str(base / "sigs"), str(base / "buckets"), config=config)],
            config.num_buckets,
        ),
        (
            "cluster",
            [
                MinhashDedupCluster(
                    str(base / "buckets"),
                    str(base / "clusters"),
                    config=config,
                    save_cluster_id=True,
                )
            ],
            1,
        ),
        (
            "filter",
            [
                documents,
                MinhashDedupFilter(
                    str(base / "clusters"),
                    load_cluster_ids=True,
                    exclusion_writer=JsonlWriter(str(base / "removed")),
                ),
                JsonlWriter(str(base / "kept")),
            ],
            1,
        ),
    ]
    times = {}
    cpu = time.process_time()
    for name, pipeline, tasks in stages:
        executor = LocalPipelineExecutor(
            pipeline=pipeline,
            tasks=tasks,
            workers=1,
            logging_dir=str(base / f"logs-{name}"),
            skip_completed=False,
        )
        started = time.perf_counter()
        executor.run()
        times[name] = time.perf_counter() - started
    cpu = time.process_time() - cpu
    labels = {}
    raw = (base / "clusters" / "000000.clusters").read_bytes()
    for doc, cluster in np.frombuffer(raw, np.uint32).reshape(-1, 2).tolist():
        labels[doc] = ("c", cluster)
    for i in range(len(docs)):
        labels.setdefault(i, ("s", i))
    removed_raw = (base / "clusters" / "000000.remove").read_bytes()
    removed = {docs[i]["id"] for i in np.frombuffer(removed_raw, np.uint32).tolist()}
    seconds = sum(times.values())
    return {"seconds": seconds, "cpu": cpu, "stages": times, "labels": labels, "removed": removed}


def expected_band_recall(docs: list[dict], truth: set, work: Path) -> dict[str, float]:
    """Share of true pairs expected to share a band, from each system's own shingle Jaccard.

    ``1 - (1 - J**8)**14`` averaged over the true pairs, with ``J`` the exact Jaccard of
    the two documents' shingle sets as each system normalises and shingles them: the
    recall LSH alone gives on average over hash seeds, before clusters join pairs.
    """
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature

    from crawlsift.dedup import minhash, tokens

    ids = sorted({i for pair in truth for i in pair})
    words = tokens.words(pa.array([docs[i]["text"] for i in ids], pa.large_string()))
    hashes, offsets = minhash.shingle_hashes(words, 5)
    ours = {i: np.unique(hashes[offsets[k] : offsets[k + 1]]) for k, i in enumerate(ids)}
    config = MinhashConfig(n_grams=5, num_buckets=14, hashes_per_bucket=8)
    signer = MinhashDedupSignature(str(work / "expected"), config=config)
    theirs = {i: np.unique(signer.get_shingles(docs[i]["text"])) for i in ids}
    out = {}
    for name, sets in (("crawlsift", ours), ("datatrove", theirs)):
        js = [minhash.jaccard(sets[a], sets[b]) for a, b in sorted(truth)]
        out[name] = statistics.mean(1 - (1 - j**8) ** 14 for j in js)
        out[f"{name}_min_jaccard"] = min(js)
    return out


def score(found: set, truth: set) -> tuple[float, float]:
    hits = len(found & truth)
    return hits / max(len(found), 1), hits / max(len(truth), 1)


SYSTEMS = {  # name -> crawlsift options (None: datatrove)
    "crawlsift, like for like": {"boilerplate": False},
    "crawlsift, default": {},
    "datatrove": None,
}
HEADLINE = "crawlsift, like for like"


def run_system(name: str, docs: list[dict], work: Path, seed: int) -> dict[str, Any]:
    """One system on ``docs`` with hash seed ``seed``: times and what it found."""
    options = SYSTEMS[name]
    if options is None:
        return run_datatrove(docs, work, seed)
    tag = f"{name.split(', ')[-1].replace(' ', '-')}-{seed}-{len(docs)}"
    return run_crawlsift(docs, work, tag, seed=seed, **options)


def measure(res: dict[str, Any], n: int, truth: set, planted: set) -> dict[str, Any]:
    p, r = score(cluster_pairs(res["labels"]), truth)
    return {
        "seconds": res["seconds"],
        "docs_per_s": n / res["seconds"],
        "cpu_seconds": res["cpu"],
        "docs_per_cpu_s": n / res["cpu"],
        "precision": p,
        "recall": r,
        "missed_pairs": len(truth - cluster_pairs(res["labels"])),
        "planted_removed": len(planted & res["removed"]) / max(len(planted), 1),
        **res.get("stages", {}),
    }


def time_whole(args: argparse.Namespace) -> None:
    """Whole-command speed: ``crawlsift dedup`` beside datatrove's MinHash stages."""
    n, runs = (200, 1) if args.smoke else (args.speed_docs, args.runs)
    missing = anchor.skipped(args)
    docs, _ = build_corpus(n, args.copy_rate, args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        source = work / "in" / "docs.jsonl"
        with source.open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(d) + "\n" for d in docs)
        mb = source.stat().st_size / 1e6
        print(f"whole commands: {n:,} docs, {mb:.1f} MB of JSONL, {args.copy_rate:.0%} copies")
        cli = ("dedup", str(source), "-o")
        systems = [
            harness.System(
                "crawlsift dedup",
                harness.crawlsift_cli(*cli, str(work / "cs")),
                work / "cs",
                note="defaults: all cores, site boilerplate removed, exact Jaccard verification",
            ),
            harness.System(
                "… --no-boilerplate",
                harness.crawlsift_cli(*cli, str(work / "cs-nb"), "--no-boilerplate"),
                work / "cs-nb",
            ),
            harness.System(
                "… --workers 1",
                harness.crawlsift_cli(*cli, str(work / "cs1"), "--workers", "1"),
                work / "cs1",
            ),
        ]
        if not missing:
            systems.append(
                harness.System(
                    "datatrove MinHash, 4 stages",
                    [
                        str(anchor.python(args.anchor_dir)),
                        str(anchor.script("minhash")),
                        str(work / "in"),
                        str(work / "dt"),
                    ],
                    work / "dt",
                    env={},
                    note="signature, buckets (14 tasks), cluster, filter; 5-grams, 14 × 8",
                )
            )
        timings = harness.measure(systems, runs)
        harness.print_summary(timings, n)
    if args.markdown and not args.smoke:
        body = harness.table(timings, n) + (
            f"\n\n{n:,} documents ({args.copy_rate:.0%} planted copies), {mb:.1f} MB of JSONL; "
            "recall is measured by `bench/dedup_recall.py`."
        )
        harness.write_markdown("dedup_speed", body, ["bench/dedup.py", *sys.argv[1:]])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=50_000)
    ap.add_argument("--sample", type=int, default=5_000)
    ap.add_argument("--copy-rate", type=float, default=0.1)
    ap.add_argument("--threads", default="1", help="POLARS_MAX_THREADS for crawlsift")
    ap.add_argument("--seed", type=int, default=0, help="corpus seed")
    ap.add_argument("--hash-seeds", default="1,2,3,4,5", help="MinHash seeds, both systems")
    ap.add_argument("--no-datatrove", action="store_true")
    ap.add_argument("--datatrove-full", action="store_true", help="datatrove on all docs too")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--speed-docs", type=int, default=20_000, help="documents, whole commands")
    ap.add_argument("--speed-only", action="store_true", help="whole-command speed only")
    harness.add_arguments(ap)
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"skipped: {DATA} not found (the shared data is not on this machine)")
        return 0
    time_whole(args)
    if args.speed_only or args.smoke:
        return 0
    if importlib.util.find_spec("datatrove") is None and not args.no_datatrove:
        print("datatrove is not importable here: the in-process part runs crawlsift only")
        args.no_datatrove = True
    seeds = [int(x) for x in args.hash_seeds.split(",")]
    names = [n for n in SYSTEMS if not (args.no_datatrove and n == "datatrove")]
    docs, planted = build_corpus(args.docs, args.copy_rate, args.seed)
    sample = subsample(docs, planted, args.sample, args.seed)
    mb = sum(len(d["text"].encode()) for d in docs) / 1e6
    started = time.perf_counter()
    for d in docs:
        xxhash.xxh3_64_intdigest(d["text"].encode())
    xxh_mbs = mb / (time.perf_counter() - started)
    truth = true_pairs(sample)
    in_sample = {d["id"] for d in sample}
    planted_in_sample = {c for c, (s, _) in planted.items() if c in in_sample and s in in_sample}
    print(
        f"corpus: {len(docs):,} docs, {mb:.1f} MB, {len(planted):,} planted copies "
        f"({args.copy_rate:.0%}; {', '.join(EDITS)} a quarter each); sample {len(sample):,} docs "
        f"with {len(planted_in_sample)} planted copies, {len(truth)} pairs with J >= 0.8"
    )
    print(
        f"xxh3 over the same bytes: {xxh_mbs:,.0f} MB/s; polars threads: "
        f"{os.environ['POLARS_MAX_THREADS']}; 14 bands x 8 rows, 5-gram shingles; "
        f"hash seeds {seeds}; load average {os.getloadavg()[0]:.1f}"
    )
    results: dict[str, Any] = {"docs": len(docs), "mb": mb, "sample": len(sample)}
    results["truth_pairs"], results["runs"], results["full"] = len(truth), [], {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        full_names = [n for n in names if n != "datatrove" or args.datatrove_full]
        for name in full_names:
            res = run_system(name, docs, work, seeds[0])
            results["full"][name] = {
                "seconds": res["seconds"],
                "cpu_seconds": res["cpu"],
                "docs_per_s": len(docs) / res["seconds"],
                "docs_per_cpu_s": len(docs) / res["cpu"],
                **({"phases": res["summary"].phases} if "summary" in res else {}),
                **res.get("stages", {}),
            }
        if "datatrove" in names:
            results["expected_band_recall"] = expected_band_recall(sample, truth, work)
        for seed in seeds:
            for name in names:
                res = run_system(name, sample, work, seed)
                row = measure(res, len(sample), truth, planted_in_sample)
                results["runs"].append({"system": name, "seed": seed, **row})
    _print(results, names, seeds, len(docs))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def _print(results: dict[str, Any], names: list[str], seeds: list[int], n_docs: int) -> None:
    print(f"\nall {n_docs:,} documents (hash seed {seeds[0]}):")
    for name, full in results["full"].items():
        phases = {k: round(v, 2) for k, v in full.get("phases", {}).items()}
        print(
            f"  {name:26} {full['seconds']:7.1f} s wall {full['docs_per_s']:9,.0f} docs/s "
            f"{full['cpu_seconds']:7.1f} s CPU {full['docs_per_cpu_s']:9,.0f} docs/cpu-s {phases}"
        )
    print(f"\nthe {results['sample']:,}-doc sample, per hash seed:")
    head = ("seed", "system", "wall s", "docs/s", "docs/cpu-s", "pair P", "pair R", "missed")
    print("{:>4} {:26} {:>8} {:>9} {:>10} {:>7} {:>7} {:>6} {:>8}".format(*head, "planted"))
    for r in results["runs"]:
        print(
            f"{r['seed']:4} {r['system']:26} {r['seconds']:8.2f} {r['docs_per_s']:9,.0f} "
            f"{r['docs_per_cpu_s']:10,.0f} {r['precision']:7.3f} {r['recall']:7.3f} "
            f"{r['missed_pairs']:6} {r['planted_removed']:8.1%}"
        )
    summary = {}
    for name in names:
        runs = [r for r in results["runs"] if r["system"] == name]
        summary[name] = {
            "median_docs_per_s": statistics.median(r["docs_per_s"] for r in runs),
            "median_docs_per_cpu_s": statistics.median(r["docs_per_cpu_s"] for r in runs),
            "mean_precision": statistics.mean(r["precision"] for r in runs),
            "mean_recall": statistics.mean(r["recall"] for r in runs),
            "min_recall": min(r["recall"] for r in runs),
            "max_recall": max(r["recall"] for r in runs),
            "mean_planted_removed": statistics.mean(r["planted_removed"] for r in runs),
        }
    results["summary"] = summary
    print(f"\nover {len(seeds)} hash seeds (median speed, mean P/R):")
    for name, m in summary.items():
        print(
            f"  {name:26} {m['median_docs_per_s']:9,.0f} docs/s {m['median_docs_per_cpu_s']:9,.0f}"
            f" docs/cpu-s  P {m['mean_precision']:.3f}  R {m['mean_recall']:.3f} "
            f"({m['min_recall']:.3f}-{m['max_recall']:.3f})  "
            f"planted {m['mean_planted_removed']:.1%}"
        )
    if "datatrove" not in summary:
        return
    e = results["expected_band_recall"]
    print(
        "expected share of true pairs sharing a band (1-(1-J^8)^14 over each system's own "
        f"shingle Jaccard): crawlsift {e['crawlsift']:.3f}, datatrove {e['datatrove']:.3f}"
    )
    dt = summary["datatrove"]
    stages = [r for r in results["runs"] if r["system"] == "datatrove"]
    print(
        "datatrove stages (median s): "
        + ", ".join(
            f"{k} {statistics.median(r[k] for r in stages):.1f}"
            for k in ("signature", "buckets", "cluster", "filter")
        )
    )
    ratios = {}
    for name in names[:-1]:
        ours = summary[name]
        ratios[name] = {
            "docs_per_s": ours["median_docs_per_s"] / dt["median_docs_per_s"],
            "docs_per_cpu_s": ours["median_docs_per_cpu_s"] / dt["median_docs_per_cpu_s"],
        }
        print(
            f"ratio {name} / datatrove, sample: docs/s {ratios[name]['docs_per_s']:.0f}x, "
            f"docs/cpu-s {ratios[name]['docs_per_cpu_s']:.0f}x"
        )
    full = results["full"]
    dt_full = full.get("datatrove")
    base, where = (dt_full, "all docs") if dt_full else (dt, "the sample (median)")
    for name in names[:-1]:
        ours = full[name]
        key = "docs_per_cpu_s" if dt_full else "median_docs_per_cpu_s"
        ratios[f"{name}, all docs"] = {"docs_per_cpu_s": ours["docs_per_cpu_s"] / base[key]}
        print(
            f"ratio {name} on all docs / datatrove on {where}: "
            f"docs/cpu-s {ours['docs_per_cpu_s'] / base[key]:.0f}x"
        )
    results["ratios"] = ratios
    head = summary[HEADLINE]
    print(
        f"\nheadline ({HEADLINE}, same shingles and bands): "
        f"{ratios[HEADLINE]['docs_per_cpu_s']:.0f}x datatrove's docs per CPU-second "
        f"(target 50x); recall {head['mean_recall']:.3f} vs {dt['mean_recall']:.3f}, "
        f"precision {head['mean_precision']:.3f} vs {dt['mean_precision']:.3f}"
    )


if __name__ == "__main__":
    sys.exit(main())
