"""HTML extraction benchmark: crawlsift's modes beside trafilatura and resiliparse.

Data sets (``../shared/data/extraction``; each skipped with a note when absent):

* ``wcxb``: WCXB v1.0 dev, 1,497 pages; truth is ``ground_truth.main_content``; page type from
  ``_internal.page_type``; metadata truth ``title``, ``author``, ``publish_date``.
* ``trafilatura``: trafilatura's evaluation set, 990 pages, each with ``with`` snippets (must
  appear in the output) and ``without`` snippets (must not).
* ``readability``: Mozilla Readability's test pages, 130; truth is the all-visible text of
  ``expected.html`` (resiliparse, ``main_content=False, alt_texts=False``: image alt texts are
  not text a reader sees, and WCXB's truth leaves them out too); metadata truth in
  ``expected-metadata.json`` (title, byline, publishedTime, siteName, lang).

Scores. Text sets use ``bench/scoring.py`` (shingle F1, the article-extraction-benchmark
measure, and word F1; macro over pages, strict convention: an empty output predicts
nothing). **Snippet F1** (trafilatura set), as in trafilatura's own evaluation: a snippet
*appears* when its whitespace-collapsed text is a substring of the whitespace-collapsed
output; over all pages, TP = ``with`` snippets that appear, FN = ``with`` snippets that do
not, FP = ``without`` snippets that appear, TN = ``without`` snippets that do not; precision
TP/(TP+FP), recall TP/(TP+FN), F1 their harmonic mean (micro-averaged over snippets).

Systems. ``resiliparse``: ``extract_plain_text(main_content=True)``; ``trafilatura``:
``trafilatura.extract`` with its defaults; ``crawlsift-<mode>``: ``crawlsift.make_pipeline
(extract=ExtractOptions(mode=...))`` (guard, extract, repair) over Arrow tables of the UTF-8
encoded pages (``html`` column, ``charset="utf-8"``, 1,000-row batches); its output is
``text`` where ``keep``, else empty. Every system gets the same decoded page.

Timing, one core (``POLARS_MAX_THREADS=1`` is set before polars loads). A per-page system's
page time is its best of ``--runs`` calls on that page, each given a new copy of the page
(``fresh_copy``: a call must not reuse what an earlier call cached on its input), and
crawlsift's calls the page's UTF-8 bytes; ms/page is the median over pages.
crawlsift's ms/page is its extract step's own per-page time (``extract_page``, best of
``--runs``, median over pages) plus the batch-amortised time of the rest of its pipeline
(guard and repair stages timed over the set's pages tiled into full 1,000-row batches, the
local engine's batch size, best of ``--runs``, divided by the rows timed); the
batch-amortised time of the whole pipeline is printed too, beside the anchors' mean ms/page.
resiliparse's page times are taken paired with crawlsift's (``time_paired``): on each page,
resiliparse's calls and then each crawlsift mode's ``extract_page`` calls (the modes' order
turned by one from page to page), back to back, so that a shared machine's load, which drifts
over the minutes between two passes over all pages, weighs on all alike, and two modes
(``fast`` and ``fast-nofallback``) compare on the same anchor times (without a crawlsift mode
resiliparse is timed on its own).

Metadata (wcxb and readability). crawlsift's columns (``title``, ``author``, ``published``,
``site_name``, ``html_lang``) against ``trafilatura.extract_metadata``. A field is right when
its normalised value equals the truth's (lower-cased ``\\w+`` tokens, a leading "by"
dropped; dates compare as YYYY-MM-DD; languages by primary subtag, ``en-US`` = ``en``).
Accuracy is over the pages whose truth has the field; "spurious" counts pages where the
truth has no value but the system gave one.

Usage::

    python bench/extraction.py [--sets wcxb,trafilatura,readability] [--limit N] [--runs K]
                               [--modes fast,accurate,fast-plain] [--json OUT]

``fast-plain`` is the fast mode without its DOM rules (the extraction before them);
``fast-nofallback`` is the fast mode without its visible-text fallback
(``ExtractOptions.visible_fallback``).

Host folds (wcxb). Each page's host (lower-cased, without ``www.``) is hashed (MD5) into one of
five folds; shingle F1 is also printed over folds 0-2, where the fallback's thresholds were
chosen, and over folds 3-4, held out from that choice.
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # one core, before polars is imported

import argparse
import gzip
import hashlib
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anchors
import pyarrow as pa
import repair as repair_bench
import scoring
from resiliparse.extract.html2text import extract_plain_text

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from crawlsift import schema as S  # noqa: E402
from crawlsift.api import make_pipeline  # noqa: E402
from crawlsift.extract.html_text import ExtractOptions, extract_page  # noqa: E402
from crawlsift.registry import get_stage  # noqa: E402

DATA = REPO_ROOT.parent / "shared" / "data" / "extraction"
SETS = ("wcxb", "trafilatura", "readability")
BATCH_ROWS = repair_bench.BATCH_ROWS
META_FIELDS = ("title", "author", "date", "site_name", "language")
_SPACE = re.compile(r"\s+")


@dataclass
class Page:
    """One page of any set, with what its set knows to be true about it."""

    page_id: str
    page_type: str
    html: str
    truth: str = ""
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    meta: dict[str, str | None] = field(default_factory=dict)
    host: str = ""


FOLDS = 5
#: host folds the fallback's thresholds were chosen on; the others are held out
CHOSEN_FOLDS = (0, 1, 2)


def host_fold(host: str) -> int:
    """The fold of a host: its MD5 modulo ``FOLDS``, so all pages of a site share one."""
    return int(hashlib.md5(host.encode("utf-8")).hexdigest(), 16) % FOLDS


def url_host(url: str | None) -> str:
    """A URL's host, lower-cased, without a leading ``www.``."""
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        host = ""
    return host.lower().removeprefix("www.")


# -- loading --------------------------------------------------------------------------------


def _spaced(items: list[Any], limit: int | None) -> list[Any]:
    if limit is None or limit >= len(items):
        return items
    return [items[i * len(items) // limit] for i in range(limit)]


def load_wcxb(root: Path, limit: int | None) -> list[Page]:
    """WCXB dev pages (ids evenly spaced when limited, as in bench/repair.py)."""
    pages = []
    for pid in repair_bench.select_ids(root, limit):
        record = json.loads((root / "ground-truth" / f"{pid}.json").read_text(encoding="utf-8"))
        truth = record.get("ground_truth") or {}
        pages.append(
            Page(
                page_id=pid,
                page_type=repair_bench.page_type(record),
                html=anchors.read_html(root / "html" / f"{pid}.html.gz"),
                truth=truth.get("main_content") or "",
                host=url_host(record.get("url")),
                meta={
                    "title": truth.get("title"),
                    "author": truth.get("author"),
                    "date": truth.get("publish_date"),
                },
            )
        )
    return pages


def load_trafilatura(root: Path, limit: int | None) -> list[Page]:
    """trafilatura's evaluation pages with their with/without snippets."""
    evaldata = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url in _spaced(sorted(evaldata), limit):
        item = evaldata[url]
        path = root / "html" / f"{item['file']}.gz"
        if not path.exists():
            continue
        pages.append(
            Page(
                page_id=url,
                page_type="all",
                html=anchors.read_html(path),
                with_=list(item.get("with") or []),
                without=list(item.get("without") or []),
            )
        )
    return pages


def load_readability(root: Path, limit: int | None) -> list[Page]:
    """Mozilla Readability test pages; truth = visible text of expected.html."""
    pages = []
    for case in _spaced(sorted(p for p in (root / "pages").iterdir() if p.is_dir()), limit):
        expected = anchors.read_html(case / "expected.html.gz")
        meta_path = case / "expected-metadata.json.gz"
        meta = json.loads(gzip.decompress(meta_path.read_bytes())) if meta_path.exists() else {}
        pages.append(
            Page(
                page_id=case.name,
                page_type="all",
                html=anchors.read_html(case / "source.html.gz"),
                truth=extract_plain_text(expected, main_content=False, alt_texts=False),
                meta={
                    "title": meta.get("title"),
                    "author": meta.get("byline"),
                    "date": meta.get("publishedTime"),
                    "site_name": meta.get("siteName"),
                    "language": meta.get("lang"),
                },
            )
        )
    return pages


LOADERS: dict[str, tuple[str, Callable[[Path, int | None], list[Page]]]] = {
    "wcxb": ("wcxb-dev", load_wcxb),
    "trafilatura": ("trafilatura-eval", load_trafilatura),
    "readability": ("readability", load_readability),
}


# -- systems --------------------------------------------------------------------------------


@dataclass
class Output:
    """One system's texts (page order), per-page times, and metadata when it gives any."""

    name: str
    texts: list[str]
    ms: list[float]
    meta: list[dict[str, str | None]] | None = None
    note: str = ""
    batch_ms: float | None = None  # whole-pipeline batch-amortised ms/page
    fn: Callable[[str], Any] | None = None  # a per-page system's call, for paired timing
    rest_ms: float = 0.0  # batch-amortised ms/page of the pipeline's stages other than extract


def _best_ms(fn: Callable[[Any], Any], given: Callable[[], Any], runs: int) -> tuple[Any, float]:
    """``fn``'s output and its best time in ms over ``runs`` calls, each on a new ``given()``
    made outside the timed call."""
    best, out = float("inf"), None
    for _ in range(runs):
        arg = given()
        start = time.perf_counter()
        out = fn(arg)
        best = min(best, time.perf_counter() - start)
    return out, best * 1000


def fresh_copy(html: str) -> str:
    """A new ``str`` equal to ``html``, as a reader hands a page over.

    Repeating a call on one ``str`` object would time it warm: CPython keeps a non-ASCII
    string's UTF-8 form once a call asked for it, and resiliparse's parser (Lexbor reads
    UTF-8) asks for it, so every call after the first on that object (in the paired pass,
    all of them: the page had been parsed in an earlier pass) skipped the encoding, which a
    page in a run pays once. Parsing the same object against fresh copies, median over the
    non-ASCII pages: 0.56 against 0.72 ms on Readability's, 0.48 against 0.61 on WCXB's
    first 200.
    """
    return html.encode("utf-8").decode("utf-8")


def run_per_page(name: str, fn: Callable[[str], str | None], pages: Sequence[Page], runs: int):
    """A per-page system over all pages: a crash or ``None`` is an empty output."""
    if pages:
        _safe(fn, pages[0].html)  # warm-up: imports, caches
    texts, ms = [], []
    for page in pages:
        out, t = _best_ms(partial(_safe, fn), partial(fresh_copy, page.html), runs)
        texts.append(out or "")
        ms.append(t)
    return Output(name, texts, ms, fn=fn)


def _safe(fn: Callable[[str], Any], html: str) -> Any:
    try:
        return fn(html)
    except Exception:
        return None


def trafilatura_meta(html: str) -> dict[str, str | None]:
    """trafilatura's metadata of a page, as this bench's fields."""
    import trafilatura

    doc = trafilatura.extract_metadata(html)
    if doc is None:
        return {}
    return {
        "title": doc.title,
        "author": doc.author,
        "date": doc.date,
        "site_name": doc.sitename,
        "language": getattr(doc, "language", None),
    }


def extract_options(mode: str) -> ExtractOptions:
    """The options of a bench mode: an extract mode, or ``fast-plain``, the fast mode without
    its DOM rules (``noscript``, ``skip_selectors``): the extraction crawlsift had before."""
    if mode == "fast-plain":
        return ExtractOptions(noscript=False, skip_selectors=())
    if mode == "fast-nofallback":
        return ExtractOptions(visible_fallback=False)
    return ExtractOptions(mode=mode)  # type: ignore[arg-type]


def full_batches(table: pa.Table) -> list[pa.Table]:
    """``table``'s rows tiled into whole ``BATCH_ROWS``-row batches, the size the local
    engine runs (``LocalOptions.batch_size``): a set smaller than a batch, or a last partial
    batch, would charge each page a larger share of a batch's fixed cost than a run pays."""
    if table.num_rows == 0:
        return []
    n = -(-table.num_rows // BATCH_ROWS) * BATCH_ROWS
    tiled = pa.concat_tables([table] * -(-n // table.num_rows)).slice(0, n)
    return [tiled.slice(i, BATCH_ROWS) for i in range(0, n, BATCH_ROWS)]


def run_crawlsift(mode: str, pages: Sequence[Page], runs: int) -> Output:
    """crawlsift's pipeline in one extract mode, stage-timed over 1,000-row batches; its
    page times are left to ``time_paired``."""
    opts = extract_options(mode)
    pipeline = make_pipeline(extract=opts)
    payloads = [p.html.encode("utf-8") for p in pages]
    table = S.input_table(
        id=[p.page_id for p in pages],
        html=payloads,
        charset=["utf-8"] * len(pages),
        content_type=["text/html"] * len(pages),
        source_format=["html"] * len(pages),
    )
    batches = [table.slice(i, BATCH_ROWS) for i in range(0, table.num_rows, BATCH_ROWS)]
    timed = full_batches(table)
    stages = [(n, get_stage(n).fn, pipeline.options.get(n)) for n in pipeline.stages]
    if batches:
        pipeline(batches[0].slice(0, 1))  # warm-up
    best_stage = {n: float("inf") for n, _, _ in stages}
    for _ in range(runs):
        spent = dict.fromkeys(best_stage, 0.0)
        for batch in timed:
            for n, fn, o in stages:
                start = time.perf_counter()
                batch = fn(batch, opts=o or get_stage(n).options())
                spent[n] += time.perf_counter() - start
        best_stage = {n: min(best_stage[n], spent[n]) for n in spent}
    outs = [pipeline(batch) for batch in batches]  # the set's own rows, for the scores
    timed_rows = max(sum(b.num_rows for b in timed), 1)
    rest = sum(v for n, v in best_stage.items() if n != "extract") / timed_rows * 1000
    texts, meta = [], []
    for out in outs:
        cols = out.to_pydict()
        for i in range(out.num_rows):
            texts.append((cols[S.TEXT][i] or "") if cols[S.KEEP][i] else "")
            meta.append(
                {
                    "title": cols[S.TITLE][i],
                    "author": cols[S.AUTHOR][i],
                    "date": cols[S.PUBLISHED][i],
                    "site_name": cols[S.SITE_NAME][i],
                    "language": cols[S.HTML_LANG][i],
                }
            )
    split = ", ".join(f"{n} {v / timed_rows * 1000:.2f}" for n, v in best_stage.items())
    return Output(
        f"crawlsift-{mode}",
        texts,
        [],
        meta,
        note=f"batch-amortised ms/page by stage: {split}",
        batch_ms=sum(best_stage.values()) / timed_rows * 1000,
        fn=partial(extract_page, charset="utf-8", opts=opts),
        rest_ms=rest,
    )


def time_paired(pages: Sequence[Page], anchor: Output, modes: Sequence[Output], runs: int) -> None:
    """Time ``anchor`` and crawlsift's ``modes`` page by page, back to back (see the module
    docstring); set each one's ``ms`` (crawlsift's plus its ``rest_ms``)."""
    call = partial(_safe, anchor.fn)
    fns = [m.fn for m in modes if m.fn is not None]
    anchor_ms: list[float] = []
    mode_ms: list[list[float]] = [[] for _ in fns]
    for i, page in enumerate(pages):
        payload = partial(bytes, page.html.encode("utf-8"))  # the same bytes object each call
        order = [(i + k) % len(fns) for k in range(len(fns))]
        anchor_ms.append(_best_ms(call, partial(fresh_copy, page.html), runs)[1])
        for k in order:
            mode_ms[k].append(_best_ms(fns[k], payload, runs)[1])
    anchor.ms = anchor_ms
    for out, ms in zip(modes, mode_ms, strict=True):
        out.ms = [t + out.rest_ms for t in ms]


# -- scoring --------------------------------------------------------------------------------


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def snippet_counts(text: str, page: Page) -> tuple[int, int, int, int]:
    """``(tp, fn, fp, tn)`` of one page's snippets (see the module docstring)."""
    out = _collapse(text)
    found_with = sum(_collapse(s) in out for s in page.with_)
    found_without = sum(_collapse(s) in out for s in page.without)
    return (
        found_with,
        len(page.with_) - found_with,
        found_without,
        len(page.without) - found_without,
    )


def snippet_f1(texts: Sequence[str], pages: Sequence[Page]) -> dict[str, float]:
    """Micro-averaged snippet precision, recall and F1 over pages."""
    tp = fn = fp = 0
    for text, page in zip(texts, pages, strict=True):
        a, b, c, _ = snippet_counts(text, page)
        tp, fn, fp = tp + a, fn + b, fp + c
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def text_scores(texts: Sequence[str], pages: Sequence[Page]) -> dict[str, dict[str, float]]:
    """Shingle and word macro P/R/F1 of ``texts`` against the pages' truth."""
    return {
        level: scoring.macro_f1(
            [(t, p.truth) for t, p in zip(texts, pages, strict=True)],
            level,  # type: ignore[arg-type]
        )
        for level in ("shingle", "word")
    }


def _norm_words(value: str | None) -> str:
    words = scoring.tokenize((value or "").lower())
    if words and words[0] == "by":
        words = words[1:]
    return " ".join(words)


def meta_right(name: str, pred: str | None, true: str | None) -> bool:
    """Whether a predicted metadata value matches the truth (see the module docstring)."""
    if name == "date":
        return bool(pred) and (pred or "")[:10] == (true or "")[:10]
    if name == "language":
        return bool(pred) and (pred or "").lower()[:2] == (true or "").lower()[:2]
    return bool(_norm_words(pred)) and _norm_words(pred) == _norm_words(true)


def meta_scores(
    preds: Sequence[dict[str, str | None]], pages: Sequence[Page]
) -> dict[str, dict[str, int]]:
    """Per field: pages with a true value, how many were right, and spurious values."""
    out: dict[str, dict[str, int]] = {}
    for name in META_FIELDS:
        if not any(name in p.meta for p in pages):
            continue
        n = right = spurious = 0
        for pred, page in zip(preds, pages, strict=True):
            true, got = page.meta.get(name), pred.get(name)
            if true:
                n += 1
                right += meta_right(name, got, true)
            elif got:
                spurious += 1
        out[name] = {"pages": n, "right": right, "spurious": spurious}
    return out


# -- report ---------------------------------------------------------------------------------


def report_set(name: str, pages: Sequence[Page], outputs: Sequence[Output]) -> dict[str, Any]:
    """Print one data set's tables; return its figures."""
    fmt = repair_bench.format_table
    figures: dict[str, Any] = {"pages": len(pages), "systems": {}}
    print(f"\n== {name}: {len(pages)} pages ==")
    rows = []
    for out in outputs:
        ms = statistics.median(out.ms) if out.ms else 0.0
        fig: dict[str, Any] = {
            "ms_median": ms,
            "ms_mean": statistics.fmean(out.ms) if out.ms else 0.0,
            "batch_ms": out.batch_ms,
            "empty": sum(not t.strip() for t in out.texts),
        }
        if name == "trafilatura":
            fig["snippet"] = sc = snippet_f1(out.texts, pages)
            rows.append(
                [out.name, str(fig["empty"])]
                + [f"{sc[k]:.3f}" for k in ("precision", "recall", "f1")]
                + [f"{ms:.2f}", f"{fig['ms_mean']:.2f}"]
            )
        else:
            fig.update(text_scores(out.texts, pages))
            rows.append(
                [out.name, str(fig["empty"])]
                + [f"{fig[lv][k]:.3f}" for lv in ("shingle", "word") for k in ("precision", "f1")]
                + [f"{ms:.2f}", f"{fig['ms_mean']:.2f}"]
            )
        figures["systems"][out.name] = fig
    if name == "trafilatura":
        header = ["system", "empty", "snippet P", "R", "F1", "ms median", "ms mean"]
    else:
        header = ["system", "empty", "shingle P", "F1", "word P", "F1", "ms median", "ms mean"]
    print(fmt(header, rows))
    for out in outputs:
        if out.note:
            print(f"{out.name}: {out.note}; whole pipeline {out.batch_ms:.2f} ms/page")

    types = sorted({p.page_type for p in pages}, key=_type_key)
    if len(types) > 1:
        type_rows = []
        by_type: dict[str, dict[str, float]] = {o.name: {} for o in outputs}
        for pt in types:
            idx = [i for i, p in enumerate(pages) if p.page_type == pt]
            row = [pt, str(len(idx))]
            for out in outputs:
                f1 = text_scores([out.texts[i] for i in idx], [pages[i] for i in idx])
                by_type[out.name][pt] = f1["shingle"]["f1"]
                row.append(f"{f1['shingle']['f1']:.3f}")
            type_rows.append(row)
        print("Shingle F1 by page type:")
        print(fmt(["type", "n", *(o.name for o in outputs)], type_rows))
        for o in outputs:
            figures["systems"][o.name]["by_type"] = by_type[o.name]

    if any(p.host for p in pages):
        figures["folds"] = _fold_scores(pages, outputs, fmt)

    metas = [o for o in outputs if o.meta is not None]
    if metas and any(p.meta for p in pages):
        scores = {o.name: meta_scores(o.meta or [], pages) for o in metas}
        fields = list(next(iter(scores.values())))
        meta_rows = []
        for fld in fields:
            row = [fld, str(next(iter(scores.values()))[fld]["pages"])]
            for o in metas:
                s = scores[o.name][fld]
                row.append(
                    f"{s['right'] / s['pages']:.3f} ({s['spurious']})" if s["pages"] else "-"
                )
            meta_rows.append(row)
        print("Metadata: share right over pages with a true value (spurious values):")
        print(fmt(["field", "pages", *(o.name for o in metas)], meta_rows))
        figures["metadata"] = scores
    return figures


def _fold_scores(
    pages: Sequence[Page], outputs: Sequence[Output], fmt: Callable[..., str]
) -> dict[str, dict[str, float]]:
    """Print and return each system's shingle F1 over the chosen and the held-out folds."""
    groups = {
        "chosen": [i for i, p in enumerate(pages) if host_fold(p.host) in CHOSEN_FOLDS],
        "held_out": [i for i, p in enumerate(pages) if host_fold(p.host) not in CHOSEN_FOLDS],
    }
    scores: dict[str, dict[str, float]] = {o.name: {} for o in outputs}
    rows = []
    for group, idx in groups.items():
        row = [group, str(len(idx))]
        for out in outputs:
            f1 = text_scores([out.texts[i] for i in idx], [pages[i] for i in idx])
            scores[out.name][group] = f1["shingle"]["f1"]
            row.append(f"{f1['shingle']['f1']:.4f}")
        rows.append(row)
    chosen = ",".join(map(str, CHOSEN_FOLDS))
    print(f"Shingle F1 by host fold (chosen: folds {chosen} of {FOLDS}; held out: the others):")
    print(fmt(["folds", "n", *(o.name for o in outputs)], rows))
    return scores


def _type_key(pt: str) -> tuple[int, str]:
    order = repair_bench.TYPE_ORDER
    return (order.index(pt) if pt in order else len(order), pt)


# -- command line ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="shared extraction directory")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated data sets")
    parser.add_argument("--modes", default="fast,accurate", help="crawlsift extract modes")
    parser.add_argument("--limit", type=int, help="N pages a set, evenly spaced")
    parser.add_argument("--runs", type=int, default=1, help="timed runs, best kept")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.runs < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--runs and --limit must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every system on every set and print the tables."""
    args = parse_args(argv)
    try:
        import trafilatura
    except ImportError:
        trafilatura = None
        print("note: trafilatura is not installed (pip install trafilatura): its rows skipped")
    figures: dict[str, Any] = {"runs": args.runs, "limit": args.limit, "sets": {}}
    for set_name in [s for s in args.sets.split(",") if s]:
        folder, loader = LOADERS[set_name]
        root = args.data / folder
        if not root.is_dir():
            print(f"skip: {set_name} not found at {root}")
            continue
        pages = loader(root, args.limit)
        outputs = [run_per_page("resiliparse", anchors.resiliparse_main, pages, args.runs)]
        if trafilatura is not None:
            traf = run_per_page("trafilatura", trafilatura.extract, pages, args.runs)
            traf.meta = [_safe(trafilatura_meta, p.html) or {} for p in pages]
            outputs.append(traf)
        modes = [
            run_crawlsift(mode, pages, args.runs)
            for mode in args.modes.split(",")
            if mode and (mode != "accurate" or trafilatura is not None)
        ]
        if modes:
            time_paired(pages, outputs[0], modes, args.runs)
        outputs.extend(modes)
        figures["sets"][set_name] = report_set(set_name, pages, outputs)
        _ratios(set_name, figures["sets"][set_name])
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


def _ratios(set_name: str, fig: dict[str, Any]) -> None:
    """Print each crawlsift mode against the target: F1 vs trafilatura, time vs resiliparse's
    (paired)."""
    systems = fig["systems"]
    traf, res = systems.get("trafilatura"), systems.get("resiliparse")
    if not (traf and res):
        return
    key = ("snippet", "f1") if set_name == "trafilatura" else ("shingle", "f1")
    f_traf = traf[key[0]][key[1]]
    for name, mode in systems.items():
        if not name.startswith("crawlsift-"):
            continue
        f_mode, anchor = mode[key[0]][key[1]], res["ms_median"]
        time_ok = mode["ms_median"] <= 2 * anchor
        print(
            f"target on {set_name}: {name} {key[0]} F1 {f_mode:.3f} vs trafilatura "
            f"{f_traf:.3f} ({'met' if f_mode >= f_traf else 'NOT met'}); median ms/page "
            f"{mode['ms_median']:.2f} = {mode['ms_median'] / anchor:.2f}x resiliparse's "
            f"{anchor:.2f} paired ({'met' if time_ok else 'NOT met'}); whole pipeline "
            f"batch-amortised {mode['batch_ms']:.2f} = {mode['batch_ms'] / res['ms_mean']:.2f}x "
            f"resiliparse's mean {res['ms_mean']:.2f}"
        )


if __name__ == "__main__":
    sys.exit(main())
