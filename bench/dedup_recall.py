"""Dedup recall on planted near-copies: crawlsift's dedup beside datatrove's MinHash.

Truth is *which documents are copies*, not which pairs clear a Jaccard line. The corpus is
built from WCXB dev's hand-checked page texts (``ground_truth.main_content``, pages of at
least 50 words; of any two pages whose word 5-gram Jaccard is 0.5 or more only the first is
used, so the originals are unrelated to each other):

* pages are split by URL host into two fixed halves (``crc32(host) % 2``): *tune* (0), on
  which crawlsift's default thresholds were chosen, and *report* (1), on which they are
  reported (the default ``--split``);
* within a half, three in four pages are *sources*; each gets one planted *copy*, dated
  after it on another host, made by one edit kind (in turn): as is, 0.5%, 1%, 2% or 5% of
  its words replaced by random words of the corpus, 1-3 sentences of another page
  inserted, 1-3 of its sentences deleted, or 40-150 words of real site chrome (WCXB's
  ``ground_truth.without`` snippets of other pages) added at the top or at the bottom;
* the other pages give *distractors*: groups of 2-6 unrelated excerpts (40-150 words of
  different pages) on one host, all wrapped in the same 60-200 words of chrome, as on a small
  site whose pages share their header and footer. They are no copies of anything.

A source and its copy form a true cluster; every other document is alone. Reported:

* recall per edit kind: the share of planted (source, copy) pairs that a system puts in one
  cluster, one of the two removed as a duplicate;
* precision: of the documents a system removes as duplicates, the share whose true cluster
  holds a document the system kept in the same cluster.

Systems: crawlsift's ``dedup`` (in process, one worker) with its default options, then
documented variants; datatrove's ``MinhashDedupSignature/Buckets/Cluster/Filter`` with its
default ``MinhashConfig()`` (5-grams, 14 buckets x 8 hashes), run with
``LocalPipelineExecutor`` in a subprocess of a Python that has datatrove. datatrove pins
``xxhash<4`` (xxhash 4 rejects its str input), so it runs from its own environment: the
first of ``--datatrove-python``, ``$CRAWLSIFT_ANCHOR_PYTHON``, ``bench/anchor/*/bin/python``,
or this Python when it imports datatrove with xxhash < 4; without any, datatrove is left
out with a note. One can be made with::

    python -m venv /tmp/dtvenv && /tmp/dtvenv/bin/pip install "datatrove==0.10.1" \\
        "xxhash<4" regex nltk tokenizers fasteners tldextract spacy

Usage::

    python bench/dedup_recall.py [--split report|tune] [--rounds 3] [--seed 0]
                                 [--datatrove-python PY] [--markdown] [--smoke] [--json OUT]

``--rounds`` builds that many corpora (seeds ``seed`` .. ``seed + rounds - 1``: other
sources, kinds and edits) and adds their counts up. ``--markdown`` writes the table between
the ``bench:dedup_recall`` markers of docs/benchmarks.md (appending them when absent).
``--smoke`` runs one small corpus (60 sources). Skips (exit 0, with a note) when
``../shared/data`` is absent.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness

REPO_ROOT = Path(__file__).resolve().parents[1]
_WCXB = "shared/data/extraction/wcxb-dev/ground-truth"
# ../shared/data of the checkout, or of the folder holding it (a git worktree's)
DATA = next(
    (d for p in REPO_ROOT.parents[:2] if (d := p / _WCXB).is_dir()), REPO_ROOT.parent / _WCXB
)
DOCS_MD = REPO_ROOT / "docs" / "benchmarks.md"

KINDS = (
    "as is",
    "0.5% words",
    "1% words",
    "2% words",
    "5% words",
    "sentences inserted",
    "sentences deleted",
    "chrome on top",
    "chrome at bottom",
)
WORD_RATES = {"0.5% words": 0.005, "1% words": 0.01, "2% words": 0.02, "5% words": 0.05}
MIN_WORDS = 50
ORIGINALS_MAX_JACCARD = 0.5
SPLITS = {"tune": 0, "report": 1}
_WORD = re.compile(r"\w+")
_BOUNDARY = re.compile(r"(?<=[.!?])[ \t]+|\n+")

# crawlsift settings: (name, DedupOptions keywords); the first is the default
VARIANTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("crawlsift (default)", {}),
    ("crawlsift --no-boilerplate", {"boilerplate": False}),
    ("crawlsift --no-verify", {"verify": False}),
    ("crawlsift --threshold 0.8", {"jaccard_threshold": 0.8}),
    ("crawlsift --rows 8 --threshold 0.8 (before #23)", {"rows": 8, "jaccard_threshold": 0.8}),
)
DATATROVE = "datatrove MinHash (default config)"


# -- the corpus ------------------------------------------------------------------------
def load_pages() -> list[dict[str, Any]]:
    """WCXB dev pages of at least ``MIN_WORDS`` words: host, url, text, chrome snippets."""
    pages = []
    for path in sorted(DATA.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        truth = doc.get("ground_truth") or {}
        text = (truth.get("main_content") or "").strip()
        host = urlparse(doc.get("url") or "").hostname
        if not host or len(_WORD.findall(text)) < MIN_WORDS:
            continue
        chrome = [s.strip() for s in truth.get("without") or [] if 0 < len(s.strip()) < 300]
        pages.append({"host": host, "url": doc["url"], "text": text, "chrome": chrome})
    return _unrelated(pages)


def _shingles(text: str) -> set[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {" ".join(words[k : k + 5]) for k in range(max(len(words) - 4, 1))}


def _unrelated(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pages in order, without any whose 5-gram Jaccard with an earlier one is >= 0.5."""
    import numpy as np
    from scipy import sparse

    vocab: dict[str, int] = {}
    rows, cols = [], []
    sizes = []
    for i, page in enumerate(pages):
        grams = _shingles(page["text"])
        sizes.append(len(grams))
        for g in grams:
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    m = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)))
    inter = sparse.triu(m @ m.T, k=1).tocoo()
    size = np.array(sizes, np.float64)
    jac = inter.data / (size[inter.row] + size[inter.col] - inter.data)
    dropped = set(inter.col[jac >= ORIGINALS_MAX_JACCARD].tolist())
    return [p for i, p in enumerate(pages) if i not in dropped]


def split_of(host: str) -> int:
    return zlib.crc32(host.encode("utf-8")) % 2


def _sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences (and lines) of ``text``."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _chrome(rng: random.Random, snippets: list[str], low: int, high: int) -> list[str]:
    """Lines of real site chrome, ``low``-``high`` words in all."""
    want, lines, words = rng.randint(low, high), [], 0
    while words < want:
        line = rng.choice(snippets)
        lines.append(line)
        words += len(line.split())
    return lines


def _excerpt(rng: random.Random, text: str, low: int, high: int) -> str:
    """Consecutive sentences of ``text``, about ``low``-``high`` words."""
    spans = _sentences(text)
    i = rng.randrange(len(spans))
    want, out = rng.randint(low, high), []
    while i < len(spans) and sum(len(s.split()) for s in out) < want:
        out.append(text[spans[i][0] : spans[i][1]])
        i += 1
    return " ".join(out)


def edit(kind: str, text: str, rng: random.Random, vocab: list[str], others: list[str]) -> str:
    """``text`` changed by one edit kind (``others``: texts to take sentences from)."""
    if kind == "as is":
        return text
    if kind in WORD_RATES:
        spans = [m.span() for m in _WORD.finditer(text)]
        k = max(1, round(WORD_RATES[kind] * len(spans)))
        out, last = [], 0
        for a, b in sorted(rng.sample(spans, k)):
            word = rng.choice(vocab)
            while word == text[a:b].lower():
                word = rng.choice(vocab)
            out += [text[last:a], word]
            last = b
        return "".join([*out, text[last:]])
    spans = _sentences(text)
    n = rng.randint(1, 3)
    if kind == "sentences inserted":
        donor = rng.choice(others)
        extra = " ".join(donor[a:b] for a, b in rng.sample(_sentences(donor), 1))
        for _ in range(n - 1):
            extra += " " + _excerpt(rng, rng.choice(others), 1, 1)
        at = rng.choice([s for s, _ in spans])
        return text[:at] + extra + " " + text[at:]
    if kind == "sentences deleted":
        gone = set(rng.sample(range(len(spans)), min(n, len(spans) - 1)))
        parts, last = [], 0
        for i, (a, b) in enumerate(spans):
            if i in gone:
                parts.append(text[last:a])
                last = b
        return "".join([*parts, text[last:]])
    raise ValueError(kind)


def build_corpus(pages: list[dict[str, Any]], seed: int, limit: int | None) -> dict[str, Any]:
    """Documents (id, url, date, text) with the truth: kind of each copy, source of each."""
    rng = random.Random(seed)
    pages = pages[:]
    rng.shuffle(pages)
    n_sources = len(pages) * 3 // 4 if limit is None else min(limit, len(pages) * 3 // 4)
    sources, pool = pages[:n_sources], pages[n_sources:]
    if limit is not None:
        pool = pool[: max(limit // 3, 12)]
    vocab = sorted({w.lower() for p in pages for w in _WORD.findall(p["text"]) if w.isalpha()})
    snippets = [s for p in pages for s in p["chrome"]]
    texts = [p["text"] for p in pages]
    docs: list[dict[str, Any]] = []
    copy_of: dict[str, str] = {}
    kind_of: dict[str, str] = {}
    for i, page in enumerate(sources):
        sid = f"src-{i:05d}"
        docs.append({"id": sid, "url": page["url"], "date": "2025-01-01", "text": page["text"]})
        kind = KINDS[i % len(KINDS)]
        text = page["text"]
        if kind.startswith("chrome"):
            lines = _chrome(rng, snippets, 40, 150)
            text = "\n".join([*lines, text] if kind == "chrome on top" else [text, *lines])
        else:
            text = edit(kind, text, rng, vocab, texts)
        cid = f"copy-{i:05d}"
        url = f"https://mirror-{seed}-{i}.example.org/copy/{i}"
        docs.append({"id": cid, "url": url, "date": "2025-06-01", "text": text})
        copy_of[cid], kind_of[cid] = sid, kind
    group = 0
    while len(pool) >= 2:
        size = min(rng.randint(2, 6), len(pool))
        members, pool = pool[:size], pool[size:]
        header = _chrome(rng, snippets, 30, 100)
        footer = _chrome(rng, snippets, 30, 100)
        for j, page in enumerate(members):
            body = _excerpt(rng, page["text"], 40, 150)
            docs.append(
                {
                    "id": f"other-{group:04d}-{j}",
                    "url": f"https://site-{seed}-{group}.example.net/page/{j}",
                    "date": "2025-03-01",
                    "text": "\n".join([*header, body, *footer]),
                }
            )
        group += 1
    return {"docs": docs, "copy_of": copy_of, "kind_of": kind_of, "groups": group}


# -- the systems -----------------------------------------------------------------------
def run_crawlsift(docs: list[dict[str, Any]], work: Path, options: dict[str, Any]) -> dict:
    """Cluster label (id of the kept copy) of each document, and the ids removed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from crawlsift.dedup import dedup
    from crawlsift.io import read_output

    src, out = work / "docs.parquet", work / f"out-{time.monotonic_ns()}"
    if not src.exists():
        pq.write_table(pa.Table.from_pylist(docs), src)
    cpu = time.process_time()
    dedup(str(src), str(out), workers=1, **options)
    cpu = time.process_time() - cpu
    labels: dict[str, str] = {}
    removed = set()
    for kind in ("kept", "rejected"):
        table = read_output(str(out / kind))
        cols = table.select(["id", "dedup_cluster", "reason"]).to_pydict()
        for i, label, reason in zip(*cols.values(), strict=True):
            labels[i] = label if label is not None else i
            if reason in ("dedup_exact", "dedup_near"):
                removed.add(i)
    return {"labels": labels, "removed": removed, "cpu": cpu}


def datatrove_python(given: str | None) -> str | None:
    """The Python to run datatrove with (see the module docstring), or None."""
    candidates = [given, os.environ.get("CRAWLSIFT_ANCHOR_PYTHON")]
    candidates += sorted(glob.glob(str(REPO_ROOT / "bench" / "anchor" / "*" / "bin" / "python")))
    candidates.append(sys.executable)
    probe = (
        "import xxhash, datatrove.pipeline.dedup.minhash as m; "
        "assert int(xxhash.VERSION.split('.')[0]) < 4; "
        "m.MinhashDedupSignature('/tmp/_probe', config=m.MinhashConfig()).get_shingles('a b c d e')"
    )
    for python in candidates:
        if python and subprocess.run([python, "-c", probe], capture_output=True).returncode == 0:
            return python
    return None


def run_datatrove(docs: list[dict[str, Any]], work: Path, python: str) -> dict:
    """datatrove's four MinHash stages in a subprocess of ``python``."""
    src = work / "docs.jsonl"
    src.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs))
    out = work / "datatrove.json"
    cmd = [python, str(Path(__file__).resolve()), "--datatrove-worker", str(src), str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"datatrove failed:\n{done.stderr[-3000:]}")
    found = json.loads(out.read_text())
    ids = [d["id"] for d in docs]
    clusters = {ids[int(i)]: f"cluster {c}" for i, c in found["cluster"].items()}
    labels = {i: clusters.get(i, i) for i in ids}
    removed = {ids[i] for i in found["removed"]}
    return {
        "labels": labels,
        "removed": removed,
        "cpu": found["cpu"],
        "versions": found["versions"],
    }


def datatrove_worker(src: str, out: str) -> None:
    """In datatrove's environment: its MinHash stages on ``src`` (JSONL), results to ``out``."""
    import numpy as np
    from datatrove.data import Document
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )

    config = MinhashConfig()
    base = Path(out).parent / "datatrove"
    rows = [json.loads(line) for line in Path(src).read_text().splitlines()]
    documents = [Document(text=r["text"], id=r["id"]) for r in rows]
    stages = [
        ([documents, MinhashDedupSignature(str(base / "sigs"), config=config)], 1),
        (
            [MinhashDedupBuckets(str(base / "sigs"), str(base / "buckets"), config=config)],
            config.num_buckets,
        ),
        (
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
            [
                documents,
                MinhashDedupFilter(str(base / "clusters"), load_cluster_ids=True),
            ],
            1,
        ),
    ]
    cpu = time.process_time()
    for k, (pipeline, tasks) in enumerate(stages):
        LocalPipelineExecutor(
            pipeline=pipeline, tasks=tasks, workers=1, logging_dir=str(base / f"logs-{k}"),
            skip_completed=False,
        ).run()  # fmt: skip
    cpu = time.process_time() - cpu
    raw = (base / "clusters" / "000000.clusters").read_bytes()
    pairs = np.frombuffer(raw, np.uint32).reshape(-1, 2).tolist()
    removed = np.frombuffer((base / "clusters" / "000000.remove").read_bytes(), np.uint32)
    from importlib.metadata import version

    import xxhash

    result = {"cluster": dict(pairs), "removed": removed.tolist(), "cpu": cpu}
    result["versions"] = f"datatrove {version('datatrove')}, xxhash {xxhash.VERSION}"
    Path(out).write_text(json.dumps(result))


# -- scoring ---------------------------------------------------------------------------
def score(corpus: dict[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    """Counts: per kind (found, planted); removed, removed correctly."""
    labels, removed = found["labels"], found["removed"]
    copy_of = corpus["copy_of"]
    truth = {c: s for c, s in copy_of.items()} | {s: c for c, s in copy_of.items()}
    per_kind: dict[str, list[int]] = {k: [0, 0] for k in KINDS}
    for copy, source in copy_of.items():
        hit = labels[copy] == labels[source] and (copy in removed or source in removed)
        per_kind[corpus["kind_of"][copy]][0] += hit
        per_kind[corpus["kind_of"][copy]][1] += 1
    correct = sum(
        1
        for d in removed
        if d in truth and truth[d] not in removed and labels[truth[d]] == labels[d]
    )
    counts = {"kinds": per_kind, "removed": len(removed), "correct": correct, "cpu": found["cpu"]}
    return counts | ({"versions": found["versions"]} if "versions" in found else {})


def add(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    if not total:
        return json.loads(json.dumps(part))
    for k, (hit, n) in part["kinds"].items():
        total["kinds"][k][0] += hit
        total["kinds"][k][1] += n
    for key in ("removed", "correct", "cpu"):
        total[key] += part[key]
    return total


def recall(counts: dict[str, Any], kind: str | None = None) -> float:
    pairs = [counts["kinds"][kind]] if kind else list(counts["kinds"].values())
    return sum(h for h, _ in pairs) / max(sum(n for _, n in pairs), 1)


def precision(counts: dict[str, Any]) -> float:
    return counts["correct"] / counts["removed"] if counts["removed"] else 1.0


def table(results: dict[str, dict[str, Any]]) -> str:
    """The results as a Markdown table: one column per system."""
    names = list(results)
    first = next(iter(results.values()))
    lines = [
        "| planted copies | " + " | ".join(names) + " |",
        "|---|" + "--:|" * len(names),
    ]
    for kind in KINDS:
        n = first["kinds"][kind][1]
        cells = [f"{recall(results[s], kind):.3f}" for s in names]
        lines.append(f"| recall, {kind} ({n}) | " + " | ".join(cells) + " |")
    lines.append("| recall, all | " + " | ".join(f"{recall(results[s]):.3f}" for s in names) + " |")
    lines.append(
        "| precision (removed) | "
        + " | ".join(f"{precision(results[s]):.3f} ({results[s]['removed']})" for s in names)
        + " |"
    )
    return "\n".join(lines)


def _commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() or "unknown"


def write_markdown(text: str) -> None:
    """Put ``text`` between the ``bench:dedup_recall`` markers of docs/benchmarks.md."""
    DOCS_MD.write_text(harness.replace_section(DOCS_MD.read_text(), "dedup_recall", text))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=sorted(SPLITS), default="report")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--datatrove-python")
    ap.add_argument("--no-datatrove", action="store_true")
    ap.add_argument("--variants", action="store_true", help="also crawlsift's other settings")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--datatrove-worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.datatrove_worker:
        datatrove_worker(*args.datatrove_worker)
        return 0
    if not DATA.is_dir():
        print(f"skipped: {DATA} not found (the shared data is not on this machine)")
        return 0
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    limit, rounds = (60, 1) if args.smoke else (None, args.rounds)
    python = None if args.no_datatrove else datatrove_python(args.datatrove_python)
    pages = [p for p in load_pages() if split_of(p["host"]) == SPLITS[args.split]]
    systems = list(VARIANTS if args.variants else VARIANTS[:1])
    results: dict[str, dict[str, Any]] = {}
    for r in range(rounds):
        corpus = build_corpus(pages, args.seed + r, limit)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            for name, options in systems:
                counts = score(corpus, run_crawlsift(corpus["docs"], work, options))
                results[name] = add(results.get(name, {}), counts)
            if python:
                counts = score(corpus, run_datatrove(corpus["docs"], work, python))
                results[DATATROVE] = add(results.get(DATATROVE, {}), counts)
        print(
            f"round {r + 1}/{rounds} (seed {args.seed + r}): {len(corpus['docs'])} docs, "
            f"{len(corpus['copy_of'])} planted copies, {corpus['groups']} distractor groups",
            file=sys.stderr,
        )
    head = (
        f"Split `{args.split}` ({len(pages)} WCXB dev pages, hosts with crc32 % 2 == "
        f"{SPLITS[args.split]}; crawlsift's default thresholds were chosen on split `tune`), "
        f"{rounds} corpus round(s) from seed {args.seed}. Command: `python bench/dedup_recall.py"
        f"{' --smoke' if args.smoke else ''}{' --variants' if args.variants else ''}"
        f" --split {args.split} --rounds {rounds}`"
    )
    if not python:
        head += ". datatrove: not run (no Python with datatrove and xxhash < 4 found)"
    else:
        head += f". {results[DATATROVE]['versions']} in `{python}` (a subprocess)"
    head += (
        f"; commit {_commit()}, {time.strftime('%Y-%m-%d', time.gmtime())}.\n\n"
        "Recall: the share of planted (source, copy) pairs a system puts in one cluster "
        "(copies per kind in brackets). Precision: of the documents removed as duplicates "
        "(count in brackets), the share whose true cluster holds a document kept in the "
        "same cluster; the distractors are unrelated excerpts sharing a header and footer "
        "on small sites"
    )
    text = head + ".\n\n" + table(results)
    print(text)
    if args.markdown:
        write_markdown(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
