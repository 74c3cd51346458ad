"""Text-only repair benchmark on WCXB dev: how close does repairing crawl text get to the truth?

For each page the all-visible text (resiliparse, ``main_content=False``: what a naive crawler
produces) is computed once. These systems are then scored against WCXB's hand-checked main
content (``ground_truth.main_content``), with the measure of ``bench/scoring.py``:

* ``unrepaired``        the all-visible text as it is;
* ``datatrove_c4``      datatrove's ``C4QualityFilter`` (defaults) on that text; a rejected
  document is an empty output;
* ``resiliparse_main``  resiliparse's DOM-based main-content extraction from the HTML: the
  reference a text-only repair aims for (it sees the DOM, the others do not);
* ``crawlsift``         crawlsift run the way users run it: ``crawlsift.make_pipeline()`` (the
  default pipeline) over an Arrow table of ``crawlsift.schema.input_schema()`` whose ``text`` is
  the all-visible text (``id`` set, every other column null), in batches of 1,000 rows in this
  process; the output is ``text`` where ``keep`` is true, else empty (skipped, with a note,
  while crawlsift cannot be imported or has no ``make_pipeline``);
* ``crawlsift+title``   the same output with the title put back in front of it: the result's
  ``title`` if it has one, else the page's ``<title>``.

Timing: for the per-page systems, ms/page is the time of a system's own step on one page, the
minimum over ``--runs`` repetitions, then the median over pages; decoding is never included.
For ``unrepaired`` it is the HTML-to-visible-text step; the text-only systems (``datatrove_c4``,
``crawlsift``) start from that text, so add the ``unrepaired`` figure for their cost from HTML.
For ``crawlsift`` (and ``crawlsift+title``, the same run) ms/page is batch-amortised: the
pipeline calls over all pages are timed together (building the input table and reading the
output are not included), the minimum over ``--runs`` repetitions is kept, and divided by the
number of pages; crawlsift's docs/s and MB/s (UTF-8 bytes of input text, 10^6 bytes a MB) are
printed from the same time. crawlsift always runs in the main process, whatever ``--workers``
says (its polars engine may use several threads). Time with ``--workers 1`` on a quiet machine;
parallel workers share the cores and inflate the per-page figures.

Usage::

    python bench/repair.py [--data DIR] [--limit N] [--runs K] [--workers W] [--json OUT]
                           [--no-crawlsift]

The datatrove anchor needs spaCy besides ``datatrove[processing]`` (``pip install spacy``);
without it that row is skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anchors
import scoring

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "extraction" / "wcxb-dev"
TYPE_ORDER = ("article", "forum", "product", "collection", "listing", "documentation", "service")
UNREPAIRED = "unrepaired"
BATCH_ROWS = 1000  # rows per pipeline call for crawlsift


@dataclass(frozen=True)
class Page:
    """One benchmark page, decoded once and kept in memory for every system."""

    page_id: str
    page_type: str
    truth: str
    title: str  # ground-truth title
    html: str
    html_title: str
    visible: str
    visible_ms: float


@dataclass(frozen=True)
class System:
    """A system under test: a name and what it makes of a page."""

    name: str
    run: Callable[[Page], anchors.AnchorOutput]


@dataclass(frozen=True)
class PageScore:
    """What one system scored on one page."""

    shingle: scoring.TpFpFn
    word: scoring.TpFpFn
    ms: float
    dropped: str | None


@dataclass(frozen=True)
class BatchRun:
    """The timed part of a batch system's run: best total seconds and the input it covered."""

    seconds: float
    pages: int
    input_bytes: int

    @property
    def ms_per_page(self) -> float:
        """Batch-amortised milliseconds a page."""
        return self.seconds / self.pages * 1000 if self.pages else 0.0

    @property
    def docs_per_s(self) -> float:
        """Pages a second."""
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def mb_per_s(self) -> float:
        """Megabytes (10^6 bytes of UTF-8 input text) a second."""
        return self.input_bytes / 1e6 / self.seconds if self.seconds else 0.0


@dataclass
class SystemResult:
    """Per-page scores of one system, in page order; ``batch`` is set for batch systems."""

    name: str
    scores: list[PageScore] = field(default_factory=list)
    batch: BatchRun | None = None

    def summary(self, indices: Sequence[int] | None = None) -> dict[str, Any]:
        """Overall figures over all pages, or over the pages at ``indices``.

        ``ms_median`` is the median per-page time, except for a batch system, where it is the
        batch-amortised time a page (the same for every subset of pages).
        """
        picked = self.scores if indices is None else [self.scores[i] for i in indices]
        sh = [s.shingle for s in picked]
        wd = [s.word for s in picked]
        shingle = scoring.macro_prf(sh)
        word = scoring.macro_prf(wd)
        return {
            "pages": len(picked),
            "shingle": shingle,
            "word": word,
            "shingle_f1_aeb": scoring.macro_prf(sh, "aeb")["f1"],
            "word_f1_wcxb": scoring.mean_page_f1(wd),
            "ms_median": statistics.median(s.ms for s in picked) if picked else 0.0,
            "ms_mean": statistics.fmean(s.ms for s in picked) if picked else 0.0,
            "ms_kind": "batch_amortised" if self.batch else "per_page_median",
            "empty": sum(1 for s in picked if s.shingle[0] + s.shingle[1] == 0),
            "dropped": dict(Counter(s.dropped for s in picked if s.dropped).most_common()),
        }


# -- loading --------------------------------------------------------------------------------


def page_type(record: dict[str, Any]) -> str:
    """WCXB's primary page type of a ground-truth record ('category' reads as 'collection')."""
    pt = (record.get("_internal") or {}).get("page_type", "article")
    if isinstance(pt, dict):
        pt = pt.get("primary", "article")
    return "collection" if pt == "category" else str(pt)


def select_ids(data: Path, limit: int | None) -> list[str]:
    """Page ids to run: all, or ``limit`` of them evenly spaced over the sorted ids.

    Ids are grouped by page type, so the first N would be nearly all articles.
    """
    ids = sorted(p.name.removesuffix(".json") for p in (data / "ground-truth").glob("*.json"))
    if limit is None or limit >= len(ids):
        return ids
    return [ids[i * len(ids) // limit] for i in range(limit)]


def load_page(data: Path, page_id: str, runs: int) -> Page:
    """Read one page and its truth; compute (and time) its all-visible text."""
    record = json.loads((data / "ground-truth" / f"{page_id}.json").read_text(encoding="utf-8"))
    truth = record.get("ground_truth") or {}
    html = anchors.read_html(data / "html" / f"{page_id}.html.gz")
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        tree = anchors.parse_html(html)
        visible = anchors.visible_text(tree)
        best = min(best, time.perf_counter() - start)
    return Page(
        page_id=page_id,
        page_type=page_type(record),
        truth=truth.get("main_content") or "",
        title=truth.get("title") or "",
        html=html,
        html_title=anchors.html_title(tree),
        visible=visible,
        visible_ms=best * 1000,
    )


# -- systems --------------------------------------------------------------------------------

_C4: anchors.C4Anchor | None = None


def _run_c4(page: Page) -> anchors.AnchorOutput:
    global _C4
    if _C4 is None:
        _C4 = anchors.C4Anchor()
    return _C4(page.visible)


def load_crawlsift() -> tuple[Callable[[], Callable[[Any], Any]] | None, str]:
    """``crawlsift.make_pipeline`` from this working tree, or ``None`` and why not."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    try:
        import crawlsift
        from crawlsift import schema
    except Exception as exc:  # the package is being written concurrently: anything may fail
        return None, f"import crawlsift failed ({type(exc).__name__}: {exc})"
    make_pipeline = getattr(crawlsift, "make_pipeline", None)
    if not callable(make_pipeline):
        return None, "crawlsift has no make_pipeline yet"
    if not callable(getattr(schema, "input_schema", None)):
        return None, "crawlsift.schema has no input_schema yet"
    return make_pipeline, f"crawlsift from {Path(crawlsift.__file__).parent}"


@dataclass(frozen=True)
class CrawlsiftBatch:
    """``crawlsift`` and ``crawlsift+title``: one run of the default pipeline over all pages."""

    make_pipeline: Callable[[], Callable[[Any], Any]]
    names: tuple[str, str] = ("crawlsift", "crawlsift+title")

    def input_tables(self, pages: Sequence[Page]) -> list[Any]:
        """The input, as readers give it: ``id`` and ``text`` set, other columns null."""

        from crawlsift import schema

        table = schema.input_table(id=[p.page_id for p in pages], text=[p.visible for p in pages])
        return [table.slice(i, BATCH_ROWS) for i in range(0, table.num_rows, BATCH_ROWS)]

    def run(
        self, pages: Sequence[Page], runs: int
    ) -> tuple[dict[str, list[anchors.AnchorOutput]], BatchRun, list[str]]:
        """Outputs of both systems, page by page, the best timed run, and notes.

        A batch whose pipeline call raises counts as predicting nothing for its pages.
        """
        from crawlsift import schema

        pipeline = self.make_pipeline()
        batches = self.input_tables(pages)
        notes: list[str] = []
        if batches:  # warm-up on one row: imports, regex compilation, thread pools
            _ = pipeline(batches[0].slice(0, 1))
        best, outs = float("inf"), []
        for _ in range(runs):
            outs = []
            start = time.perf_counter()
            for batch in batches:
                try:
                    outs.append(pipeline(batch))
                except Exception as exc:
                    outs.append(exc)
            best = min(best, time.perf_counter() - start)

        plain: list[anchors.AnchorOutput] = []
        titled: list[anchors.AnchorOutput] = []
        offset = 0
        for batch, out in zip(batches, outs, strict=True):
            batch_pages = pages[offset : offset + batch.num_rows]
            offset += batch.num_rows
            if isinstance(out, Exception):
                notes.append(
                    f"crawlsift: pipeline raised {type(out).__name__} on rows "
                    f"{offset - batch.num_rows}-{offset - 1}: {out}"
                )
                failed = anchors.AnchorOutput("", f"error_{type(out).__name__}")
                plain += [failed] * batch.num_rows
                titled += [failed] * batch.num_rows
                continue
            cols = out.select([schema.TEXT, schema.KEEP, schema.REASON, schema.TITLE]).to_pydict()
            for i, page in enumerate(batch_pages):
                title = cols[schema.TITLE][i] or page.html_title
                if cols[schema.KEEP][i]:
                    text, dropped = cols[schema.TEXT][i] or "", None
                else:
                    text, dropped = "", cols[schema.REASON][i] or "rejected"
                plain.append(anchors.AnchorOutput(text, dropped))
                if text and title and not text.startswith(title):
                    text = f"{title}\n{text}"
                titled.append(anchors.AnchorOutput(text, dropped))
        timed = BatchRun(
            seconds=best,
            pages=len(pages),
            input_bytes=sum(len(p.visible.encode("utf-8")) for p in pages),
        )
        return dict(zip(self.names, (plain, titled), strict=True)), timed, notes


def build_systems(
    skip_crawlsift: bool = False,
) -> tuple[list[System], CrawlsiftBatch | None, list[str]]:
    """The per-page systems and the crawlsift batch that can run here, and notes on the rest."""
    notes: list[str] = []
    systems = [System(UNREPAIRED, lambda page: anchors.AnchorOutput(page.visible))]
    missing = anchors.c4_available()
    if missing:
        notes.append(f"datatrove_c4 skipped: {missing}")
    else:
        systems.append(System("datatrove_c4", _run_c4))
    systems.append(
        System(
            "resiliparse_main",
            lambda page: anchors.AnchorOutput(anchors.resiliparse_main(page.html)),
        )
    )
    batch = None
    if skip_crawlsift:
        notes.append("crawlsift skipped: --no-crawlsift")
    else:
        make_pipeline, why = load_crawlsift()
        if make_pipeline is None:
            notes.append(f"crawlsift skipped: {why}")
        else:
            notes.append(f"crawlsift: {why}")
            batch = CrawlsiftBatch(make_pipeline)
    return systems, batch, notes


# -- running --------------------------------------------------------------------------------

# Set in the parent before the worker pool forks, so workers inherit them without pickling.
_PAGES: list[Page] = []
_SYSTEMS: dict[str, System] = {}
_TRUTH: list[tuple[Counter, Counter]] = []
_WARM: set[str] = set()


def score_page(system_name: str, index: int, runs: int) -> PageScore:
    """Run one system on one page (``runs`` times, best time kept) and score its output."""
    system, page = _SYSTEMS[system_name], _PAGES[index]
    if system_name not in _WARM:  # first call in this process: loads models, fills caches
        _WARM.add(system_name)
        _safe_run(system, page)
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        out = _safe_run(system, page)
        best = min(best, time.perf_counter() - start)
    ms = page.visible_ms if system_name == UNREPAIRED else best * 1000
    return score_output(index, out, ms)


def _safe_run(system: System, page: Page) -> anchors.AnchorOutput:
    """A system's output; a crash counts as predicting nothing."""
    try:
        return system.run(page)
    except Exception as exc:
        return anchors.AnchorOutput("", f"error_{type(exc).__name__}")


def _score_task(task: tuple[str, int, int]) -> PageScore:
    return score_page(*task)


def _load_task(task: tuple[Path, str, int]) -> Page:
    return load_page(*task)


def _map(fn: Callable[[Any], Any], tasks: Iterable[Any], workers: int) -> list[Any]:
    """``map`` in this process, or over a forked pool of ``workers`` processes."""
    tasks = list(tasks)
    if workers <= 1:
        return [fn(t) for t in tasks]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(fn, tasks, chunksize=max(1, len(tasks) // (workers * 8)))


def score_output(index: int, out: anchors.AnchorOutput, ms: float) -> PageScore:
    """Score one output against the truth of the page at ``index``."""
    true_shingles, true_words = _TRUTH[index]
    return PageScore(
        shingle=scoring.match_counts(scoring.shingles(out.text), true_shingles),
        word=scoring.match_counts(scoring.word_bag(out.text), true_words),
        ms=ms,
        dropped=out.dropped,
    )


def run_benchmark(
    data: Path,
    ids: Sequence[str],
    systems: Sequence[System],
    runs: int,
    workers: int,
    batch: CrawlsiftBatch | None = None,
) -> tuple[list[Page], list[SystemResult], dict[str, float], list[str]]:
    """Load the pages, run every system on every page, and return per-page scores.

    The per-page systems run first (over ``workers`` processes); the crawlsift batch runs
    last, in this process, so no worker is forked after its thread pools started.
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    pages = _map(_load_task, [(data, i, runs) for i in ids], workers)
    timings["load"] = time.perf_counter() - start

    _PAGES[:] = pages
    _TRUTH[:] = [(scoring.shingles(p.truth), scoring.word_bag(p.truth)) for p in pages]
    _SYSTEMS.clear()
    _SYSTEMS.update({s.name: s for s in systems})
    results = []
    for system in systems:
        start = time.perf_counter()
        tasks = [(system.name, i, runs) for i in range(len(pages))]
        results.append(SystemResult(system.name, _map(_score_task, tasks, workers)))
        timings[system.name] = time.perf_counter() - start
    notes: list[str] = []
    if batch is not None:
        start = time.perf_counter()
        outputs, timed, notes = batch.run(pages, runs)
        for name, outs in outputs.items():
            scores = [score_output(i, o, timed.ms_per_page) for i, o in enumerate(outs)]
            results.append(SystemResult(name, scores, batch=timed))
        timings["crawlsift"] = time.perf_counter() - start
    return pages, results, timings, notes


# -- reporting ------------------------------------------------------------------------------


def title_check(pages: Sequence[Page]) -> Counter[str]:
    """How the ground-truth main content relates to the ground-truth title, page by page."""

    def norm(text: str) -> str:
        return " ".join(scoring.tokenize(text.lower()))

    found: Counter[str] = Counter()
    for page in pages:
        truth, title = norm(page.truth), norm(page.title)
        if not truth:
            found["empty main_content"] += 1
        elif not title:
            found["no title"] += 1
        elif truth.startswith(title):
            found["starts with title"] += 1
        elif title in truth:
            found["title later in text"] += 1
        else:
            found["title absent"] += 1
    return found


def format_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], align: str | None = None
) -> str:
    """A plain-text table; ``align`` has one 'l' or 'r' a column (default: 'l' then all 'r')."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[Any]) -> str:
        padded = (
            str(c).ljust(w) if a == "l" else str(c).rjust(w)
            for c, w, a in zip(cells, widths, align, strict=True)
        )
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def report(pages: Sequence[Page], results: Sequence[SystemResult]) -> tuple[str, dict[str, Any]]:
    """The printed tables and the JSON figures."""
    summaries = {r.name: r.summary() for r in results}
    main_rows = []
    for name, s in summaries.items():
        sh, wd = s["shingle"], s["word"]
        mark = "*" if s["ms_kind"] == "batch_amortised" else ""
        main_rows.append(
            [name, s["empty"]]
            + [f"{sh[k]:.3f}" for k in ("precision", "recall", "f1")]
            + [f"{wd[k]:.3f}" for k in ("precision", "recall", "f1")]
            + [f"{s['ms_median']:.2f}{mark}"]
        )
    header = ["system", "empty", "shingle P", "R", "F1", "word P", "R", "F1", "ms/page"]
    out = [f"pages: {len(pages)}", "", format_table(header, main_rows)]
    batch_runs = {r.batch for r in results if r.batch is not None}
    if not batch_runs:
        out.append("ms/page: median over pages of each page's best time.")
    else:
        out.append(
            "ms/page: median over pages of each page's best time; * batch-amortised (best"
            " total time of the pipeline calls over all pages / pages)."
        )
        per_page = [(n, s) for n, s in summaries.items() if s["ms_kind"] != "batch_amortised"]
        means = ", ".join(f"{n} {s['ms_mean']:.2f}" for n, s in per_page)
        out.append(f"Mean ms/page of the per-page systems (comparable with *): {means}")
    for timed in batch_runs:
        out.append(
            f"crawlsift pipeline: {timed.seconds:.2f} s for {timed.pages} pages, "
            f"{timed.input_bytes / 1e6:.1f} MB of input text: {timed.docs_per_s:.0f} docs/s, "
            f"{timed.mb_per_s:.2f} MB/s ({timed.ms_per_page:.2f} ms/page batch-amortised)"
        )
    out.append("")

    other_rows = []
    for name, s in summaries.items():
        dropped = ", ".join(f"{k} {v}" for k, v in s["dropped"].items()) or "-"
        other_rows.append([name, f"{s['shingle_f1_aeb']:.3f}", f"{s['word_f1_wcxb']:.3f}", dropped])
    header = ["system", "shingle F1 (aeb)", "word F1 (wcxb)", "emptied by"]
    out += [
        "Other conventions: 'aeb' leaves empty predictions out of the precision mean (the",
        "article-extraction-benchmark's evaluate.py); 'wcxb' is the mean of per-page F1 (WCXB's",
        "published figure).",
        format_table(header, other_rows, align="lrrl"),
        "",
    ]

    present = {p.page_type for p in pages}
    types = [t for t in TYPE_ORDER if t in present] + sorted(present - set(TYPE_ORDER))
    by_type: dict[str, dict[str, Any]] = {r.name: {} for r in results}
    type_rows = []
    for pt in types:
        idx = [i for i, p in enumerate(pages) if p.page_type == pt]
        row = [pt, str(len(idx))]
        for r in results:
            s = r.summary(idx)
            by_type[r.name][pt] = s
            row.append(f"{s['shingle']['f1']:.3f}")
        type_rows.append(row)
    type_rows.append(
        ["all", str(len(pages))] + [f"{s['shingle']['f1']:.3f}" for s in summaries.values()]
    )
    out += ["Shingle F1 by page type:", format_table(["type", "n", *summaries], type_rows), ""]

    titles = title_check(pages)
    out.append("Ground truth vs title: " + ", ".join(f"{k} {v}" for k, v in titles.most_common()))

    figures = {
        "pages": len(pages),
        "systems": {
            name: {**s, "by_type": {pt: _strip(v) for pt, v in by_type[name].items()}}
            for name, s in summaries.items()
        },
        "batch": {
            r.name: {
                "rows_per_call": BATCH_ROWS,
                "seconds": r.batch.seconds,
                "pages": r.batch.pages,
                "input_bytes": r.batch.input_bytes,
                "ms_per_page": r.batch.ms_per_page,
                "docs_per_s": r.batch.docs_per_s,
                "mb_per_s": r.batch.mb_per_s,
            }
            for r in results
            if r.batch is not None
        },
        "ground_truth_title": dict(titles),
        "per_page": [
            {
                "id": p.page_id,
                "type": p.page_type,
                **{
                    r.name: {
                        "shingle": list(r.scores[i].shingle),
                        "word": list(r.scores[i].word),
                        "ms": r.scores[i].ms,
                        "dropped": r.scores[i].dropped,
                    }
                    for r in results
                },
            }
            for i, p in enumerate(pages)
        ],
    }
    return "\n".join(out), figures


def _strip(summary: dict[str, Any]) -> dict[str, Any]:
    """A per-type summary without the fields that only matter overall."""
    return {k: v for k, v in summary.items() if k != "dropped"}


# -- command line ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="WCXB split directory")
    parser.add_argument("--limit", type=int, help="run N pages, evenly spaced over the ids")
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="timed runs (best kept): per page, or of the whole crawlsift batch, whose "
        "ms/page is batch-amortised (best total pipeline time / pages)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes for the per-page systems (default 1); crawlsift always runs "
        "in the main process",
    )
    parser.add_argument("--json", type=Path, help="also write all figures to this JSON file")
    parser.add_argument("--no-crawlsift", action="store_true", help="score the anchors only")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.workers < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--runs, --workers and --limit must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    args = parse_args(argv)
    if not (args.data / "ground-truth").is_dir() or not (args.data / "html").is_dir():
        print(f"skip: WCXB data not found at {args.data} (needs html/ and ground-truth/)")
        return 0
    ids = select_ids(args.data, args.limit)
    systems, batch, notes = build_systems(args.no_crawlsift)
    for note in notes:
        print(f"note: {note}")

    start = time.perf_counter()
    pages, results, timings, run_notes = run_benchmark(
        args.data, ids, systems, args.runs, args.workers, batch
    )
    total = time.perf_counter() - start
    for note in run_notes:
        print(f"note: {note}")
    notes += run_notes
    text, figures = report(pages, results)
    print(text)
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())
    print(f"Wall time {total:.1f}s with {args.workers} worker(s), {args.runs} run(s): {phases}")

    if args.json:
        figures.update(
            data=str(args.data),
            runs=args.runs,
            workers=args.workers,
            notes=notes,
            wall_seconds={**timings, "total": total},
        )
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
