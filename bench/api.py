"""The one-document API beside its anchors: one ``clean_html`` / ``clean_text`` call, the batch
API per document, ``trafilatura.extract`` and resiliparse's ``extract_plain_text``.

Pages: ``--pages`` pages of each shared extraction set (``../shared/data/extraction``: WCXB dev,
trafilatura's evaluation set, Mozilla Readability's pages), evenly spaced over the set; a set
that is absent is skipped with a note. Every system gets the same decoded page.

Systems, per page (``--runs`` calls each, the median kept, then the median over pages):

* ``clean_html``: ``crawlsift.clean_html(page)``, one call, the default pipeline (guard,
  extract, repair);
* ``trafilatura``: ``trafilatura.extract(page)`` with its defaults (skipped with a note when
  trafilatura is not installed: ``pip install -e '.[bench]'``);
* ``resiliparse``: ``extract_plain_text(page, main_content=True)``;
* ``clean_text``: ``crawlsift.clean_text(text)`` on the page's all-visible text (resiliparse,
  ``main_content=False``) cut at a line end to at most ``--text-bytes`` UTF-8 bytes (4 kB), the
  text a crawl record of a typical page holds;
* ``clean_html batch`` / ``clean_text batch``: ``crawlsift.clean_batch`` over all the pages of
  the run at once (one call, the same inputs), the median of ``--runs`` calls divided by the
  page count: a mean per page, compared with the single calls' mean.

On each page every per-page system runs in turn, so that a shared machine's drifting load
weighs on all alike. crawlsift is given the page's UTF-8 bytes; the anchors get a new copy of
the decoded page each call (``fresh_copy``), as a reader hands a page over. Timing runs in this
process, with polars' default thread pool (the API's users get the same). Each system's
median wall-clock time is printed with its median CPU time (this process's threads, which
leaves out the time it waited for a core): on a shared machine the load stretches the wall
times of all systems, single calls more than batches, so quote medians of several runs of
this script and read the ratios.

``--digest`` prints instead the sha256 of the default pipeline's outputs on all pages of the
shared sets (no ``--pages`` limit), in 1,000-row batches, once for the pages' all-visible
text (the repair stage alone) and once for their HTML (extract, then repair): per row the
``id``, ``text``, ``title``, ``edits``, ``keep``, ``reason``, ``stage`` and ``input_text``
columns as canonical JSON. It uses only ``make_pipeline`` and ``schema.input_table``, so the
same script digests an older checkout's outputs (run a copy of it from that checkout's
``bench/``): equal digests show that a change left every output byte-identical.

Usage::

    python bench/api.py [--data DIR] [--pages N] [--runs K] [--text-bytes B] [--json OUT]
    python bench/api.py --digest [--data DIR] [--save DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anchors

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from crawlsift import schema as S  # noqa: E402
from crawlsift.api import make_pipeline  # noqa: E402

DATA = REPO_ROOT.parent / "shared" / "data" / "extraction"
BATCH_ROWS = 1000
#: the columns a digest covers
DIGESTED = (S.ID, S.TEXT, S.TITLE, S.EDITS, S.KEEP, S.REASON, S.STAGE, S.INPUT_TEXT)


@dataclass(frozen=True)
class Page:
    """One page of a shared set: its id (set-qualified) and decoded HTML."""

    page_id: str
    html: str


# -- loading --------------------------------------------------------------------------------


def _spaced(items: list[Path], limit: int | None) -> list[Path]:
    if limit is None or limit >= len(items):
        return items
    return [items[i * len(items) // limit] for i in range(limit)]


def page_files(data: Path) -> dict[str, list[Path]]:
    """The HTML files of each shared set found under ``data``, sorted."""
    found = {
        "wcxb": sorted((data / "wcxb-dev" / "html").glob("*.html.gz")),
        "trafilatura": sorted((data / "trafilatura-eval" / "html").glob("*.html.gz")),
        "readability": sorted((data / "readability" / "pages").glob("*/source.html.gz")),
    }
    return {name: files for name, files in found.items() if files}


def load_pages(data: Path, limit: int | None) -> tuple[list[Page], list[str]]:
    """``limit`` pages of each set (all when ``None``), and notes on the sets not found."""
    files = page_files(data)
    notes = [
        f"skip: {name} not found under {data}"
        for name in ("wcxb", "trafilatura", "readability")
        if name not in files
    ]
    pages = []
    for name, paths in files.items():
        for path in _spaced(paths, limit):
            page_id = f"{name}/{path.relative_to(data).as_posix()}"
            pages.append(Page(page_id, anchors.read_html(path)))
    return pages, notes


# -- digest ---------------------------------------------------------------------------------


def run_default(table: pa.Table) -> pa.Table:
    """The default pipeline over ``table`` in ``BATCH_ROWS``-row batches."""
    pipeline = make_pipeline()
    outs = [pipeline(table.slice(i, BATCH_ROWS)) for i in range(0, table.num_rows, BATCH_ROWS)]
    return pa.concat_tables(outs) if outs else table


def digest(table: pa.Table) -> str:
    """sha256 of the digested columns of ``table``, row by row as canonical JSON."""
    h = hashlib.sha256()
    for row in table.select(list(DIGESTED)).to_pylist():
        h.update(json.dumps(row, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def run_digest(data: Path, save: Path | None) -> int:
    """Print the digests of the default pipeline's outputs on the shared sets' pages."""
    pages, notes = load_pages(data, None)
    for note in notes:
        print(note)
    if not pages:
        print("no pages: nothing to digest")
        return 0
    ids = [p.page_id for p in pages]
    inputs = {
        "visible_text": S.input_table(id=ids, text=[anchors.visible_text(p.html) for p in pages]),
        "html": S.input_table(
            id=ids,
            html=[p.html.encode("utf-8") for p in pages],
            charset=["utf-8"] * len(pages),
            content_type=["text/html"] * len(pages),
            source_format=["html"] * len(pages),
        ),
    }
    for name, table in inputs.items():
        out = run_default(table)
        print(f"{name}: {out.num_rows} rows, sha256 {digest(out)}")
        if save is not None:
            save.mkdir(parents=True, exist_ok=True)
            pq.write_table(out.select(list(DIGESTED)), save / f"{name}.parquet")
    return 0


# -- timing ---------------------------------------------------------------------------------


def fresh_copy(value: str) -> str:
    """A new ``str`` equal to ``value``: CPython keeps a string's UTF-8 form once a call asked
    for it, so a repeated call on one object would be timed warm (see bench/extraction.py)."""
    return value.encode("utf-8").decode("utf-8")


def cut_text(text: str, max_bytes: int) -> str:
    """``text`` cut at a line end to at most ``max_bytes`` UTF-8 bytes (whole if shorter)."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    head = data[:max_bytes].decode("utf-8", "ignore")
    return head.rsplit("\n", 1)[0] if "\n" in head else head


@dataclass
class Inputs:
    """What each system is given for one page."""

    html: str
    payload: bytes  # the page's UTF-8 bytes, as crawlsift's callers hand a page over
    text: str  # its all-visible text, cut to ``--text-bytes``


def median_ms(call: Callable[[], Any], runs: int) -> tuple[float, float]:
    """The median wall-clock time and the median CPU time (this process, all its threads)
    in ms of ``runs`` calls."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def per_page_systems() -> tuple[dict[str, Callable[[Inputs], Any]], list[str]]:
    """The per-page systems that can run here, and notes on those that cannot."""
    from resiliparse.extract.html2text import extract_plain_text

    import crawlsift

    systems: dict[str, Callable[[Inputs], Any]] = {
        "clean_html": lambda p: crawlsift.clean_html(p.payload),
        "resiliparse": lambda p: extract_plain_text(fresh_copy(p.html), main_content=True),
        "clean_text": lambda p: crawlsift.clean_text(fresh_copy(p.text)),
    }
    notes = []
    try:
        import trafilatura
    except ImportError:
        notes.append("trafilatura skipped: not installed (pip install -e '.[bench]')")
    else:
        systems["trafilatura"] = lambda p: trafilatura.extract(fresh_copy(p.html))
    return systems, notes


def run_timing(data: Path, pages_per_set: int, runs: int, text_bytes: int) -> dict[str, Any]:
    """Time every system on every page and print the medians and their ratios."""
    import crawlsift

    pages, notes = load_pages(data, pages_per_set)
    systems, more = per_page_systems()
    for note in notes + more:
        print(note)
    if not pages:
        print("no pages: nothing to time")
        return {}
    inputs = [
        Inputs(p.html, p.html.encode("utf-8"), cut_text(anchors.visible_text(p.html), text_bytes))
        for p in pages
    ]
    for call in systems.values():  # warm-up: imports, compiled patterns, thread pools
        call(inputs[0])
    # on each page every system in turn, so that the machine's drifting load weighs on all
    ms: dict[str, list[float]] = {name: [] for name in systems}
    cpu: dict[str, list[float]] = {name: [] for name in systems}
    for page in inputs:
        for name, call in systems.items():
            wall_ms, cpu_ms = median_ms(lambda call=call, page=page: call(page), runs)
            ms[name].append(wall_ms)
            cpu[name].append(cpu_ms)
    n = len(pages)
    payloads = [p.payload for p in inputs]
    texts = [p.text for p in inputs]
    batch_html = median_ms(lambda: crawlsift.clean_batch(payloads), runs)
    batch_text = median_ms(lambda: crawlsift.clean_batch(texts), runs)
    batch = {"clean_html batch": batch_html[0] / n, "clean_text batch": batch_text[0] / n}
    batch_cpu = {"clean_html batch": batch_html[1] / n, "clean_text batch": batch_text[1] / n}
    figures: dict[str, Any] = {
        "pages": n,
        "runs": runs,
        "text_bytes_median": statistics.median(len(t.encode("utf-8")) for t in texts),
        "ms_median": {name: statistics.median(v) for name, v in ms.items()} | batch,
        "ms_mean": {name: statistics.fmean(v) for name, v in ms.items()} | batch,
        "cpu_ms_median": {name: statistics.median(v) for name, v in cpu.items()} | batch_cpu,
    }
    print_timing(figures)
    return figures


def print_timing(figures: dict[str, Any]) -> None:
    """The table of medians and means, and the ratios the one-document API is held to."""
    med, mean, cpu = figures["ms_median"], figures["ms_mean"], figures["cpu_ms_median"]
    print(
        f"{figures['pages']} pages, {figures['runs']} calls each (median kept), all-visible "
        f"text cut to a median {figures['text_bytes_median']:.0f} bytes for clean_text"
    )
    print(f"{'system':<18} {'median ms/page':>15} {'mean ms/page':>13} {'median CPU ms':>14}")
    for name in med:
        print(f"{name:<18} {med[name]:>15.2f} {mean[name]:>13.2f} {cpu[name]:>14.2f}")
    print(
        "(a batch's time is one call over all pages: its ms/page is a mean, not a median; CPU\n"
        " time counts all of this process's threads, and none of the time it waited for a core)"
    )
    if "trafilatura" in med:
        ratio = med["clean_html"] / med["trafilatura"]
        verdict = "faster" if ratio < 1 else "NOT faster"
        print(f"clean_html / trafilatura.extract, medians: {ratio:.2f} ({verdict})")
        text_ratio = med["clean_text"] / med["trafilatura"]
        print(f"clean_text / trafilatura.extract, medians: {text_ratio:.2f}")
    print(f"clean_html / resiliparse, medians: {med['clean_html'] / med['resiliparse']:.2f}")
    under = "under" if med["clean_text"] < 5 else "NOT under"
    print(f"clean_text: {med['clean_text']:.2f} ms median ({under} 5 ms)")
    for name in ("clean_html", "clean_text"):
        print(f"{name} single call / batch, means: {mean[name] / mean[f'{name} batch']:.2f}")


# -- main -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="shared extraction directory")
    parser.add_argument("--pages", type=int, default=30, help="pages of each set, evenly spaced")
    parser.add_argument("--runs", type=int, default=7, help="calls per page and system (median)")
    parser.add_argument(
        "--text-bytes", type=int, default=4096, help="clean_text's input: visible text cut to this"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--digest", action="store_true", help="print output digests instead")
    parser.add_argument("--save", type=Path, help="with --digest: also write the outputs here")
    args = parser.parse_args(argv)
    if args.pages < 1 or args.runs < 1 or args.text_bytes < 1:
        parser.error("--pages, --runs and --text-bytes must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the timing, or the digest."""
    args = parse_args(argv)
    if args.digest:
        return run_digest(args.data, args.save)
    figures = run_timing(args.data, args.pages, args.runs, args.text_bytes)
    if args.json and figures:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
