"""Throughput of the local engine and the Ray engine at 1 and 2 workers, same input.

Input: the all-visible text of the WCXB dev pages (or, without ../shared/data, the bundled
demo sample's texts) written as 4 JSONL files, repeated to about ``--mb`` MB. Each
configuration runs the default pipeline end to end (read, repair, write, report) into a
fresh directory; the median of ``--runs`` runs is printed as docs/s and MB/s of input.

    python bench/scale.py [--mb 60] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import crawlsift

ROOT = Path(__file__).resolve().parents[1]
WCXB = ROOT.parent / "shared" / "data" / "extraction" / "wcxb-dev"


def source_texts() -> tuple[list[str], str]:
    if WCXB.exists():
        sys.path.insert(0, str(ROOT / "bench"))
        import anchors

        pages = sorted((WCXB / "html").glob("*.html.gz"))
        return [anchors.visible_text(anchors.read_html(p)) for p in pages], "WCXB dev visible text"
    from memory import sample_texts  # the demo sample, as bench/memory.py builds it

    return sample_texts(), "bundled demo sample"


def write_inputs(
    root: Path, texts: list[str], megabytes: float, files: int = 4
) -> tuple[list[str], int, int]:
    target = megabytes * 1e6
    paths = [root / f"part-{i}.jsonl" for i in range(files)]
    handles = [p.open("w", encoding="utf-8") for p in paths]
    written = docs = 0
    while written < target:
        text = texts[docs % len(texts)]
        handles[docs % files].write(json.dumps({"id": str(docs), "text": text}) + "\n")
        written += len(text.encode())
        docs += 1
    for h in handles:
        h.close()
    return [str(p) for p in paths], docs, written


def run_once(inputs: list[str], out: Path, engine: str, workers: int) -> float:
    start = time.perf_counter()
    if engine == "ray":
        import ray

        ray.init(num_cpus=workers, include_dashboard=False, logging_level="ERROR",
                 log_to_driver=False)  # fmt: skip
        try:
            crawlsift.clean(inputs, str(out), engine="ray")
        finally:
            ray.shutdown()
    else:
        crawlsift.clean(inputs, str(out), workers=workers)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=60.0, help="MB of input text")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    texts, origin = source_texts()
    configs = [("local", 1), ("local", 2)]
    try:
        import ray  # noqa: F401

        configs += [("ray", 1), ("ray", 2)]
    except ImportError:
        print("Ray is not installed (pip install 'crawlsift[ray]'): local engine only")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        inputs, docs, size = write_inputs(root, texts, args.mb)
        print(f"input: {docs:,} docs, {size / 1e6:.1f} MB of {origin}, {len(inputs)} files; "
              f"median of {args.runs} runs (Ray time includes starting it)")  # fmt: skip
        print(f"{'engine':<8} {'workers':>7} {'seconds':>8} {'docs/s':>8} {'MB/s':>6}")
        base = None
        for engine, workers in configs:
            times = [
                run_once(inputs, root / f"out-{engine}-{workers}-{r}", engine, workers)
                for r in range(args.runs)
            ]
            t = statistics.median(times)
            base = base or t
            print(f"{engine:<8} {workers:>7} {t:>8.1f} {docs / t:>8.0f} {size / t / 1e6:>6.1f}"
                  f"   ({base / t:.2f}x local-1)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
