"""End to end, whole commands: WARC -> filtered text with crawlsift, datatrove and a bare floor.

The input is one gzipped WARC of HTTP response records whose bodies are the first ``--pages``
WCXB dev pages (``../shared/data/extraction/wcxb-dev/html``, cycled when more are asked for).
Every system reads that file and writes its texts:

* ``crawlsift clean``: ``crawlsift clean PAGES.warc.gz -o OUT --preset crawlsift-default``,
  defaults otherwise (all cores, fast extraction, repair, Parquet output, the report);
  variants: no ``--preset`` (extraction and repair only) and ``--workers 1``;
* ``datatrove``: ``bench/anchor/warc_pipeline.py`` in the anchor environment: WarcReader ->
  Trafilatura -> GopherQuality -> GopherRepetition -> C4Quality -> FineWebQuality ->
  JsonlWriter, one task, one worker;
* ``resiliparse floor``: ``bench/anchor/resiliparse_floor.py`` with crawlsift's Python: FastWARC
  read, resiliparse ``extract_plain_text(main_content=True)``, one JSON line a page; no
  filters. The least a WARC -> text command can cost.

Timing by ``bench/harness.py`` (alternated runs, CPU seconds of the whole process tree,
medians; the ratio column is each system's CPU seconds over crawlsift's headline command).

Usage::

    python bench/end_to_end.py [--pages 1000] [--runs 3] [--smoke] [--markdown] [--no-anchor]

Skips (exit 0, with a note) when the shared data is absent.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import anchor, harness
from bench.memory import warc_record

DATA = harness.SHARED / "extraction" / "wcxb-dev" / "html"


def write_warc(path: Path, sources: list[Path], pages: int) -> float:
    """A WARC of ``pages`` records cycling through ``sources``; returns its HTML megabytes."""
    size = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for n, source in zip(range(pages), itertools.cycle(sources), strict=False):
            html = gzip.decompress(source.read_bytes())
            size += len(html)
            out.write(warc_record(n, html))
    return size / 1e6


def systems(work: Path, anchor_dir: Path | None, with_anchor: bool) -> list[harness.System]:
    """The commands, crawlsift's headline first."""
    source = str(work / "in" / "pages.warc.gz")
    clean = ("clean", source, "-o")
    preset = ("--preset", "crawlsift-default")
    found = [
        harness.System(
            "crawlsift clean --preset crawlsift-default",
            harness.crawlsift_cli(*clean, str(work / "cs"), *preset),
            work / "cs",
            note="defaults otherwise: all cores, fast extraction, repair, Parquet, report",
        ),
        harness.System(
            "… without --preset",
            harness.crawlsift_cli(*clean, str(work / "cs-np")),
            work / "cs-np",
        ),
        harness.System(
            "… --workers 1",
            harness.crawlsift_cli(*clean, str(work / "cs1"), *preset, "--workers", "1"),
            work / "cs1",
        ),
    ]
    if with_anchor:
        found.append(
            harness.System(
                "datatrove, Trafilatura + 4 filters",
                [
                    str(anchor.python(anchor_dir)),
                    str(anchor.script("warc_pipeline")),
                    str(work / "in"),
                    str(work / "dt"),
                ],
                work / "dt",
                env={},
                note="WarcReader → Trafilatura → Gopher ×2, C4, FineWeb → JsonlWriter; 1 task",
            )
        )
    found.append(
        harness.System(
            "resiliparse floor",
            [
                sys.executable,
                str(anchor.script("resiliparse_floor")),
                str(work / "in"),
                str(work / "floor"),
            ],
            work / "floor",
            note="FastWARC + `extract_plain_text(main_content=True)`, no filters, 1 process",
        )
    )
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--pages", type=int, default=1_000)
    harness.add_arguments(parser)
    args = parser.parse_args(argv)
    sources = sorted(args.data.glob("*.html.gz")) if args.data.is_dir() else []
    if not sources:
        print(f"skipped: no shared data at {args.data}")
        return 0
    pages, runs = (20, 1) if args.smoke else (args.pages, args.runs)
    missing = anchor.skipped(args)
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        work = Path(tmp)
        mb = write_warc(work / "in" / "pages.warc.gz", sources, pages)
        print(f"input: one WARC of {pages:,} WCXB pages, {mb:.1f} MB of HTML")
        timings = harness.measure(systems(work, args.anchor_dir, not missing), runs)
        harness.print_summary(timings, pages)
    head = timings[0]
    floor = timings[-1]
    line = (
        f"{pages:,} pages, {mb:.1f} MB of HTML in one WARC. crawlsift's headline command uses "
        f"{head.cpu / floor.cpu:.2f}× the floor's CPU seconds "
        f"({1000 * head.cpu / pages:.1f} against {1000 * floor.cpu / pages:.1f} ms a page)."
    )
    print(line)
    if args.markdown and not args.smoke:
        command = ["bench/end_to_end.py", *(argv if argv is not None else sys.argv[1:])]
        harness.write_markdown("end_to_end", harness.table(timings, pages) + "\n\n" + line, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
