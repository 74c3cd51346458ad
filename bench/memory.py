"""Peak memory of a crawlsift worker, beside a one-page-at-a-time resiliparse loop.

Three measurements, each run in a fresh process and shown as the median of ``--runs``:

1. *Real pages as the input grows.* WARC files (one gzip member per response record) of
   the HTML pages of the shared extraction sets (``../shared/data/extraction``: WCXB dev,
   trafilatura-eval, Mozilla Readability, interleaved and repeated as needed, each record
   with its own URL) at 1x, 4x and 16x ``--pages`` pages, cleaned as a user runs it:
   ``crawlsift clean WARC -o OUT`` with default settings (all cores, ``--batch-size
   1000``, ``--batch-mb 16``).
2. *Memory against the batch's bytes* (``--batch-mb 4,16,64,rows``): the 4x file cleaned
   with each batch size in MiB (``--batch-size`` raised so that bytes close every batch);
   ``rows`` is the row limit alone (1,000 pages a batch). Prints the extra worker MiB per
   MiB of batch between the smallest and the largest batch.
3. *Text-dense pages* (``--dense 16``; needs no shared data): WARCs of 1, 4 and 16
   records of 5 MB of HTML whose extracted text is nearly as large as the HTML, the worst
   case per MiB of HTML; at the default 16 MiB a batch holds three of them.

The worker's peak RSS is read from ``/proc/<pid>/status`` (``VmHWM``) of every process
of the command every 20 ms (Linux only); the worker figure is the largest child's, the
parent (which plans tasks and builds the report) is shown beside it. The anchor is what
datatrove's WARC reader and a resiliparse extractor do, one record at a time: FastWARC's
``ArchiveIterator`` over the same file, each HTML payload decoded (``detect_encoding`` +
``bytes_to_str``) and extracted (``extract_plain_text``, ``main_content=True``); its peak
is the process's ``ru_maxrss``. "ratio" is crawlsift's worker over the anchor.

With ``--datatrove-python PATH`` (a Python with datatrove, e.g. the benches' anchor
environment; by default ``.bench-anchor/bin/python`` when it exists) each row also shows
datatrove's peak on the same WARC: ``WarcReader`` -> ``Trafilatura`` (its defaults) ->
``JsonlWriter``, one task and one worker (``LocalPipelineExecutor``), the peak RSS of the
largest process of its command.

    python bench/memory.py [--pages 300] [--runs 3] [--batch-mb 4,16,64,rows] [--dense 16]
                           [--datatrove-python PATH] [--markdown] [--smoke]

Parts 1 and 2 are skipped (one line) when the shared data is absent. ``--markdown`` writes
the tables between ``<!-- bench:memory -->`` and ``<!-- /bench:memory -->`` in
docs/benchmarks.md (appending the block if absent); ``--smoke`` runs one small row of each
part (20 pages, 2 dense records, one run) to check the bench works.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: ``shared/data/extraction`` beside the repository, or beside one of its parents (a git
#: worktree under the main checkout's parent)
DATA = next(
    (p / "shared" / "data" / "extraction" for p in REPO.parents
     if (p / "shared" / "data" / "extraction").is_dir()),
    REPO.parent / "shared" / "data" / "extraction",
)  # fmt: skip
DOC = REPO / "docs" / "benchmarks.md"
#: the benches' anchor environment (``bench/anchor.py``), if built
ANCHOR_PYTHON = Path(
    os.environ.get("CRAWLSIFT_BENCH_ANCHOR") or REPO / ".bench-anchor"
) / "bin" / "python"  # fmt: skip
SCALES = (1, 4, 16)
POLL_SECONDS = 0.02

ANCHOR = """
import resource, sys
from fastwarc.warc import ArchiveIterator, WarcRecordType
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding
chars = 0
with open(sys.argv[1], "rb") as fh:
    for record in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
        body = record.reader.read()
        html = bytes_to_str(body, detect_encoding(body))
        chars += len(extract_plain_text(html, main_content=True))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, chars)
"""


def page_files(root: Path) -> list[Path]:
    """The sets' HTML files, interleaved (one of each set in turn) so any prefix mixes them."""
    sets = [
        sorted((root / "wcxb-dev" / "html").glob("*.html.gz")),
        sorted((root / "trafilatura-eval" / "html").glob("*.gz")),
        sorted((root / "readability" / "pages").glob("*/source.html.gz")),
    ]
    mixed = itertools.zip_longest(*sets)
    return [path for group in mixed for path in group if path is not None]


def warc_record(
    n: int, html: bytes, url: str | None = None, payload_type: str | None = None
) -> bytes:
    """One gzip member: a WARC/1.0 response record carrying ``html`` as a 200 text/html body,
    with ``url`` as its target URI (``https://example.org/page/N`` when None) and, if given,
    a ``WARC-Identified-Payload-Type`` header (Common Crawl's records carry one)."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + html
    target = url or f"https://example.org/page/{n}"
    identified = f"WARC-Identified-Payload-Type: {payload_type}\r\n" if payload_type else ""
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\n{identified}"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
        f"WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Target-URI: {target}\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    )
    return gzip.compress(head.encode() + http + b"\r\n\r\n", compresslevel=1)


def write_warc(path: Path, files: list[Path], pages: int) -> int:
    """A WARC of ``pages`` records cycling through ``files``; returns its HTML bytes."""
    html_bytes = 0
    with path.open("wb") as out:
        for n, source in zip(range(pages), itertools.cycle(files), strict=False):
            html = gzip.decompress(source.read_bytes())
            html_bytes += len(html)
            out.write(warc_record(n, html))
    return html_bytes


def _status_mib(pid: int, key: str = "VmHWM") -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc, so this works on Linux only)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def crawlsift_peaks(warc: Path, out: Path, extra: list[str]) -> tuple[float, float, float]:
    """(worker peak MiB, parent peak MiB, seconds) of one ``crawlsift clean`` run."""
    cmd = [sys.executable, "-m", "crawlsift", "clean", str(warc), "-o", str(out),
           "--no-progress", "--overwrite", *extra]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()
    pid, peaks = tree_peaks(cmd, env)
    seconds = time.monotonic() - started
    parent = peaks.pop(pid, 0)
    # the busiest worker is the largest child (the others: idle workers, multiprocessing's
    # resource tracker)
    return float(max(peaks.values(), default=0)), float(parent), seconds


DATATROVE = """
import sys
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.readers import WarcReader
from datatrove.pipeline.writers import JsonlWriter
source, name, output = sys.argv[1:4]
pipeline = [WarcReader(source, glob_pattern=name), Trafilatura(), JsonlWriter(output + "/kept")]
LocalPipelineExecutor(pipeline, tasks=1, workers=1, logging_dir=output + "/logs").run()
"""


def tree_peaks(cmd: list[str], env: dict[str, str] | None = None) -> tuple[int, dict[int, int]]:
    """Run ``cmd`` (from the repository: ``python -m`` imports from the working directory
    first); its pid and the peak RSS (MiB) of each process of its tree, polled."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO
    )
    peaks: dict[int, int] = {}
    while proc.poll() is None:
        for pid in [proc.pid, *_children(proc.pid)]:
            peak = _status_mib(pid)
            if peak is not None:
                peaks[pid] = max(peaks.get(pid, 0), peak)
        time.sleep(POLL_SECONDS)
    if proc.returncode:
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{cmd[:3]} failed: {stderr[-800:]}")
    return proc.pid, peaks


def datatrove_peak(python: Path, warc: Path) -> tuple[float, float]:
    """(peak MiB of the largest process, seconds) of datatrove on ``warc``, writing into
    a new directory (datatrove skips the tasks its logging directory marks complete)."""
    with tempfile.TemporaryDirectory(dir=warc.parent) as out:
        started = time.monotonic()
        cmd = [str(python), "-c", DATATROVE, str(warc.parent), warc.name, out]
        _, peaks = tree_peaks(cmd)
        return float(max(peaks.values(), default=0)), time.monotonic() - started


def anchor_peak(warc: Path) -> tuple[float, float]:
    """(peak MiB, seconds) of the resiliparse loop over ``warc``."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", ANCHOR, str(warc)], check=True, capture_output=True, text=True
    )
    return int(done.stdout.split()[0]) / 1024, time.monotonic() - started


def median_of(runs: int, measure: Callable[[], Sequence[float]]) -> list[float]:
    results = [measure() for _ in range(runs)]
    return [statistics.median(values) for values in zip(*results, strict=True)]


DENSE_PARAGRAPH = (
    "<p>"
    + "The harbour authority confirmed on Monday that the old ferry terminal will be rebuilt. " * 20
    + "</p>\n"
)
DENSE_MB = 5


def write_dense_warc(path: Path, records: int) -> int:
    """A WARC of ``records`` pages of ``DENSE_MB`` MB of paragraphs; returns its HTML bytes."""
    body = DENSE_PARAGRAPH * int(DENSE_MB * 1e6 / len(DENSE_PARAGRAPH))
    html = f"<html><body><article>{body}</article></body></html>".encode()
    with path.open("wb") as out:
        for n in range(records):
            out.write(warc_record(n, html))
    return records * len(html)


COLUMNS = ("input", "crawlsift worker", "parent", "resiliparse loop", "ratio", "datatrove",
           "crawlsift s", "loop s", "datatrove s")  # fmt: skip


class Table:
    """Rows printed as they are measured and kept for ``--markdown``."""

    def __init__(self, title: str, columns: tuple[str, ...]) -> None:
        self.title, self.columns = title, columns
        self.rows: list[list[str]] = []
        print(title)
        print("  ".join(f"{c:>{_width(c)}}" for c in columns))

    def add(self, *cells: str) -> None:
        self.rows.append(list(cells))
        print("  ".join(f"{v:>{_width(c)}}" for c, v in zip(self.columns, cells, strict=True)))

    def markdown(self) -> list[str]:
        aligns = ["---", *("--:" for _ in self.columns[1:])]
        return [
            f"{self.title}:",
            "",
            "| " + " | ".join(self.columns) + " |",
            "|" + "|".join(aligns) + "|",
            *("| " + " | ".join(row) + " |" for row in self.rows),
        ]


def _width(column: str) -> int:
    return 30 if column == "input" else max(len(column), 6)


def compare(
    table: Table, label: str, warc: Path, out: Path, args: argparse.Namespace
) -> tuple[float, float]:
    """One row: crawlsift at default settings beside the anchors on ``warc``."""
    worker, parent, secs = median_of(args.runs, lambda: crawlsift_peaks(warc, out, []))
    anchor, anchor_secs = median_of(args.runs, lambda: anchor_peak(warc))
    dt, dt_secs = "-", "-"
    if args.datatrove_python is not None:
        dt_mib, dt_s = median_of(args.runs, lambda: datatrove_peak(args.datatrove_python, warc))
        dt, dt_secs = f"{dt_mib:,.0f}", f"{dt_s:.1f}"
    ratio = f"{worker / anchor:.1f}x"
    cells = (f"{worker:,.0f}", f"{parent:,.0f}", f"{anchor:,.0f}", ratio, dt)
    table.add(label, *cells, f"{secs:.1f}", f"{anchor_secs:.1f}", dt_secs)
    return worker, anchor


def real_pages(files: list[Path], root: Path, args: argparse.Namespace) -> list[Table]:
    warcs: dict[int, Path] = {}
    sizes: dict[int, float] = {}
    for scale in SCALES:
        warcs[scale] = root / f"pages-{scale}x.warc.gz"
        sizes[scale] = write_warc(warcs[scale], files, args.pages * scale) / 2**20
    table = Table(
        f"Real pages ({len(files):,} distinct pages; peak MiB, medians of {args.runs})", COLUMNS
    )
    floor = root / "one-page.warc.gz"
    write_warc(floor, files, 1)
    compare(table, "1 page (fixed cost)", floor, root / "out-floor", args)
    rows = {}
    for scale in SCALES:
        label = f"{scale}x: {args.pages * scale:,} pages, {sizes[scale]:,.0f} MiB"
        rows[scale] = compare(table, label, warcs[scale], root / f"out-{scale}", args)
    first, last = rows[SCALES[0]], rows[SCALES[-1]]
    print(f"growth {SCALES[-1]}x/{SCALES[0]}x: crawlsift worker {last[0] / first[0]:.2f}x, "
          f"anchor {last[1] / first[1]:.2f}x")  # fmt: skip
    sweep = [s.strip() for s in args.batch_mb.split(",") if s.strip()]
    if not sweep:
        return [table]
    print()
    by_batch = Table(
        f"crawlsift worker by batch bytes, 4x input ({args.pages * 4:,} pages)",
        ("batch", "worker MiB", "parent", "s"),
    )
    points = []
    for value in sweep:
        extra = (["--batch-mb", "1000000"] if value == "rows"
                 else ["--batch-mb", value, "--batch-size", "1000000"])  # fmt: skip
        worker, parent, secs = median_of(
            args.runs, lambda e=extra: crawlsift_peaks(warcs[4], root / "out-sweep", e)
        )
        if value != "rows":
            points.append((float(value), worker))
        label = "1000 rows" if value == "rows" else f"{value} MiB"
        by_batch.add(label, f"{worker:,.0f}", f"{parent:,.0f}", f"{secs:.1f}")
    if len(points) > 1:
        (x0, y0), (x1, y1) = min(points), max(points)
        print(f"slope: {(y1 - y0) / (x1 - x0):.1f} worker MiB per MiB of batch")
    return [table, by_batch]


def dense_pages(root: Path, args: argparse.Namespace) -> Table:
    table = Table(f"Text-dense pages of {DENSE_MB} MB (peak MiB, medians of {args.runs})", COLUMNS)
    for count in sorted({1, max(1, args.dense // 4), args.dense}):
        warc = root / f"dense-{count}.warc.gz"
        html = write_dense_warc(warc, count) / 2**20
        label = f"{count} records, {html:,.0f} MiB"
        compare(table, label, warc, root / f"out-dense-{count}", args)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="real pages at size 1x")
    parser.add_argument("--runs", type=int, default=3, help="runs per cell; medians are shown")
    parser.add_argument(
        "--batch-mb", default="", help="comma-separated batch MiB (or 'rows') to sweep at 4x"
    )
    parser.add_argument(
        "--dense", type=int, default=16, help="text-dense 5 MB records at most (0: none)"
    )
    parser.add_argument("--data", type=Path, default=DATA, help="shared extraction directory")
    parser.add_argument(
        "--datatrove-python",
        type=Path,
        default=ANCHOR_PYTHON if ANCHOR_PYTHON.exists() else None,
        help="a Python with datatrove, to measure it beside crawlsift",
    )
    parser.add_argument("--markdown", action="store_true", help=f"write the tables into {DOC}")
    parser.add_argument("--smoke", action="store_true", help="one small row of each part")
    args = parser.parse_args(argv)
    if args.smoke:
        args.pages, args.runs, args.batch_mb, args.dense = 20, 1, "", min(args.dense, 2)
    files = page_files(args.data) if args.data.is_dir() else []
    tables: list[Table] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if files:
            tables += real_pages(files, root, args)
        else:
            print(f"skip: no extraction pages under {args.data}")
        if args.dense:
            print()
            tables.append(dense_pages(root, args))
    if args.markdown and not args.smoke:
        write_markdown(tables, argv if argv is not None else sys.argv[1:])
    return 0


def write_markdown(tables: list[Table], argv: list[str]) -> None:
    sys.path.insert(0, str(REPO))
    from bench.startup import write_block

    lines = [
        "## Memory per worker on real pages",
        "",
        "```",
        " ".join(["python bench/memory.py", *(a for a in argv if a != "--markdown")]),
        "```",
        "",
        f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores. `crawlsift clean WARC -o OUT` "
        'with default settings (`--batch-size 1000 --batch-mb 16`, all cores); "crawlsift '
        'worker" is the largest child\'s peak RSS (VmHWM), "parent" the main process\'s. '
        "The resiliparse loop is FastWARC + resiliparse main-content extraction one record at "
        "a time; datatrove is `WarcReader -> Trafilatura -> JsonlWriter`, one task, one "
        "worker. Times are wall seconds on a shared machine.",
    ]
    for table in tables:
        lines += ["", *table.markdown()]
    write_block(DOC, "memory", lines)
    print(f"wrote the memory block of {DOC}")


if __name__ == "__main__":
    sys.exit(main())
