"""Throughput of the local engine and the Ray engine at 1 and 2 workers, same input.

Input, ``--input text`` (default): the all-visible text of the WCXB dev pages (or, without
../shared/data, the bundled demo sample's texts) written as 4 JSONL files, repeated to about
``--mb`` MB. ``--input warc``: the WCXB dev pages' HTML as HTTP response records in 4
``.warc.gz`` files (one gzip member per record, as Common Crawl writes them), repeated to
about ``--mb`` MB of HTML: what a Common Crawl run reads, with extraction included. Each
configuration runs the default pipeline end to end (read, extract, repair, write, report)
into a fresh directory; the median of ``--runs`` runs is printed as docs/s and MB/s of
input, and for the local engine also CPU-seconds per 1,000 documents (this process plus its
workers), the figure that carries over to other machines.

    python bench/scale.py [--input text|warc] [--mb 60] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import resource
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
    return sample_texts(), "bundled demo sample"


def sample_texts() -> list[str]:
    """Texts of the bundled demo sample, after reading (HTML pages extracted)."""
    from crawlsift.io import discover, read_task

    demo = Path(crawlsift.__file__).parent / "data" / "demo"
    pipeline = crawlsift.Pipeline(stages=("extract",))
    texts = []
    for task in discover([str(demo)]):
        for batch in read_task(task):
            texts += [t for t in pipeline(batch).column("text").to_pylist() if t]
    return texts


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


def write_warcs(root: Path, megabytes: float, files: int = 4) -> tuple[list[str], int, int]:
    """WCXB dev HTML as gzip-per-record WARC response files of about ``megabytes`` MB."""
    import gzip

    pages = [gzip.decompress(p.read_bytes()) for p in sorted((WCXB / "html").glob("*.html.gz"))]
    paths = [root / f"part-{i}.warc.gz" for i in range(files)]
    handles = [p.open("wb") for p in paths]
    written = docs = 0
    while written < megabytes * 1e6:
        html = pages[docs % len(pages)]
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
        head = (
            f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{docs:036d}>\r\n"
            f"WARC-Date: 2025-06-02T10:00:00Z\r\nWARC-Target-URI: https://example.org/{docs}\r\n"
            f"Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n"
        ).encode()
        handles[docs % files].write(gzip.compress(head + http + b"\r\n\r\n", compresslevel=6))
        written += len(html)
        docs += 1
    for h in handles:
        h.close()
    return [str(p) for p in paths], docs, written


def _cpu_seconds() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_once(inputs: list[str], out: Path, engine: str, workers: int) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process and its finished workers) of one run."""
    start, cpu = time.perf_counter(), _cpu_seconds()
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
    return time.perf_counter() - start, _cpu_seconds() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=60.0, help="MB of input text")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--input", choices=["text", "warc"], default="text")
    args = parser.parse_args(argv)
    if args.input == "warc" and not WCXB.exists():
        print(f"skipped: --input warc needs the WCXB pages at {WCXB}")
        return 0
    configs = [("local", 1), ("local", 2)]
    try:
        import ray  # noqa: F401

        configs += [("ray", 1), ("ray", 2)]
    except ImportError:
        print("Ray is not installed (pip install 'crawlsift[ray]'): local engine only")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.input == "warc":
            inputs, docs, size = write_warcs(root, args.mb)
            origin = "WCXB dev HTML in WARC response records"
        else:
            texts, origin = source_texts()
            inputs, docs, size = write_inputs(root, texts, args.mb)
        print(f"input: {docs:,} docs, {size / 1e6:.1f} MB of {origin}, {len(inputs)} files; "
              f"median of {args.runs} runs (Ray time includes starting it)")  # fmt: skip
        print(f"{'engine':<8} {'workers':>7} {'seconds':>8} {'docs/s':>8} {'MB/s':>6} "
              f"{'CPU-s/1k docs':>14}")  # fmt: skip
        base = None
        for engine, workers in configs:
            runs = [
                run_once(inputs, root / f"out-{engine}-{workers}-{r}", engine, workers)
                for r in range(args.runs)
            ]
            t = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs) * 1000 / docs
            base = base or t
            cpu_text = f"{cpu:>14.2f}" if engine == "local" else f"{'n/a':>14}"
            print(f"{engine:<8} {workers:>7} {t:>8.1f} {docs / t:>8.0f} {size / t / 1e6:>6.1f} "
                  f"{cpu_text}   ({base / t:.2f}x local-1)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
