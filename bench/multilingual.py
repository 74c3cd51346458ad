"""Languages beyond English: keep rates per language under ``crawlsift-default`` and
``fineweb2``, segmenter speed, and datatrove's multilingual filters with the same thresholds.

The corpus is the all-visible text (resiliparse, ``main_content=False``) of every HTML page of
the shared extraction sets (``trafilatura-eval``, ``wcxb-dev``, ``readability``), each page
once, written as one JSONL file of ``id`` and ``text``; each page's language is crawlsift's
``language`` stage's (lid.176). Printed and written (``--markdown``, block
``bench:multilingual`` of ``docs/benchmarks.md``):

* the language mix;
* per language: the share kept and the main reasons under ``crawlsift clean --preset
  crawlsift-default --no-repair`` and ``--preset fineweb2 --no-repair``, and datatrove's
  decisions (``bench/anchor/multilingual.py``: its Gopher repetition, FineWeb quality and
  Gopher quality filters in FineWeb-2's order, each language with datatrove's own word
  tokenizer and crawlsift's thresholds for it) with the share of documents both decide alike;
* segmenter speed per language (MB/s of the pages' lines, CPU time, median of 3) and the
  segmentation's share of the fineweb2 signal and filter stages' CPU time on the corpus;
* whole-command CPU seconds (``bench/harness.py``, alternated runs, medians) of crawlsift
  ``--preset fineweb2 --workers 1 --no-repair`` and datatrove's script.

Usage::

    python bench/multilingual.py [--runs 3] [--smoke] [--markdown] [--no-anchor]
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import anchor, harness

SETS = ("trafilatura-eval", "wcxb-dev", "readability")
SEGMENTED = ("zh", "ja", "th")


def pages(root: Path) -> list[Path]:
    """Every HTML page of the shared extraction sets, in a fixed order."""
    found = []
    for name in SETS:
        base = root / "extraction" / name
        found += sorted((base / "html").glob("*.htm*"))
        found += sorted((base / "pages").glob("*/source.html*"))
    return found


def write_corpus(root: Path, path: Path, limit: int | None) -> list[dict]:
    """The JSONL corpus (``id``, ``text``); returns its rows with ``language`` and score."""
    import pyarrow as pa

    from bench import anchors
    from crawlsift import schema as S
    from crawlsift.signals.language import language

    rows = []
    for page in pages(root)[:limit]:
        try:
            text = anchors.visible_text(anchors.read_html(page))
        except Exception:  # an unreadable page is left out of both sides
            continue
        if text.strip():
            rows.append({"id": str(page.relative_to(root / "extraction")), "text": text})
    n = len(rows)
    table = pa.table(
        {
            S.TEXT: pa.array([r["text"] for r in rows], pa.large_string()),
            S.REASON: pa.nulls(n, pa.string()),
            S.STAGE: pa.nulls(n, pa.string()),
        }
    )
    found = language(table)
    for row, lang, score in zip(
        rows,
        found.column("language").to_pylist(),
        found.column("language_score").to_pylist(),
        strict=True,
    ):
        row["language"], row["language_score"] = lang, score
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({"id": row["id"], "text": row["text"]}) + "\n")
    return rows


def anchor_settings(rows: list[dict], path: Path, docs_path: Path) -> None:
    """What the anchor script needs per language: crawlsift's thresholds, stop words and
    datatrove's tokenizer code (FineWeb-2's config name, ``eng`` where it has none)."""
    from crawlsift.signals.filters import FilterOptions, language_data, language_thresholds
    from crawlsift.signals.filters import thresholds as global_thresholds
    from crawlsift.signals.gopher_quality import GopherQualityOptions

    opts = FilterOptions(preset="fineweb2")
    base, by_language = global_thresholds(opts), language_thresholds(opts)
    data = language_data("fineweb2.json")
    settings = {}
    for lang in {r["language"] for r in rows}:
        entry = data.get(lang, {})
        settings[lang] = {
            "tokenizer": entry.get("fineweb2_config", "eng"),
            "thresholds": {**base, **by_language.get(lang, {})},
            "stop_words": entry.get("stop_words") or list(GopherQualityOptions().stop_words),
        }
    path.write_text(json.dumps(settings, ensure_ascii=False))
    with docs_path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def crawlsift_reasons(out: Path) -> dict[str, str | None]:
    """id -> reason (None: kept) of a ``crawlsift clean`` output."""
    import pyarrow.parquet as pq

    found: dict[str, str | None] = {}
    for part in ("kept", "rejected"):
        for f in sorted((out / part).glob("*.parquet")):
            t = pq.read_table(f, columns=["id", "reason"])
            ids, reasons = t.column("id").to_pylist(), t.column("reason").to_pylist()
            found.update(zip(ids, reasons, strict=True))
    return found


def segmenter_speed(rows: list[dict]) -> dict[str, tuple[float, float, float]]:
    """Per segmented language: (MB of lines, MB/s, CPU seconds), median of 3 passes."""
    from crawlsift.signals._segment import segmenter

    out = {}
    for lang in SEGMENTED:
        lines = [x for r in rows if r["language"] == lang for x in r["text"].split("\n")]
        if not lines:
            continue
        split = segmenter(lang)
        split(lines[0])  # loads the dictionary outside the timing
        mb = sum(len(x.encode()) for x in lines) / 1e6
        times = []
        for _ in range(3):
            start = time.process_time()
            for x in lines:
                split(x)
            times.append(time.process_time() - start)
        cpu = statistics.median(times)
        out[lang] = (mb, mb / cpu if cpu else float("inf"), cpu)
    return out


def stage_seconds(rows: list[dict]) -> float:
    """CPU seconds of the fineweb2 signal stages and filter on the corpus (language known)."""
    import pyarrow as pa

    from crawlsift import schema as S
    from crawlsift.recipes import RECIPES
    from crawlsift.registry import get_stage
    from crawlsift.signals.filters import FilterOptions, quality_pipeline

    n = len(rows)
    table = pa.table(
        {
            S.TEXT: pa.array([r["text"] for r in rows], pa.large_string()),
            S.REASON: pa.nulls(n, pa.string()),
            S.STAGE: pa.nulls(n, pa.string()),
            "language": pa.array([r["language"] for r in rows], pa.string()),
            "language_score": pa.array([r["language_score"] for r in rows], pa.float64()),
        }
    )
    options = {**RECIPES["fineweb2"].options, "filter": FilterOptions(preset="fineweb2")}
    stages = [get_stage(s) for s in quality_pipeline("fineweb2") if s != "language"]
    times = []
    for _ in range(3):
        t = table
        start = time.process_time()
        for stage in stages:
            t = stage.fn(t, opts=options.get(stage.name, stage.options()))
        times.append(time.process_time() - start)
    return statistics.median(times)


def share(reasons: dict[str, str | None], ids: list[str]) -> tuple[float, str]:
    """Share kept of ``ids`` and the two most frequent reasons."""
    got = [reasons.get(i) for i in ids]
    kept = sum(r is None for r in got) / len(got)
    top = collections.Counter(r for r in got if r is not None).most_common(2)
    return kept, ", ".join(f"{r} {c}" for r, c in top) or "-"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=harness.SHARED)
    harness.add_arguments(parser)
    args = parser.parse_args(argv)
    if not (args.data / "extraction").is_dir():
        print(f"skipped: no shared data at {args.data}")
        return 0
    runs = 1 if args.smoke else args.runs
    missing = anchor.skipped(args)
    with tempfile.TemporaryDirectory(prefix="bench-multilingual-") as tmp:
        work = Path(tmp)
        source = work / "in" / "docs.jsonl"
        source.parent.mkdir()
        rows = write_corpus(args.data, source, 60 if args.smoke else None)
        mb = source.stat().st_size / 1e6
        mix = collections.Counter(r["language"] for r in rows)
        print(f"corpus: {len(rows):,} pages, {mb:.1f} MB JSONL; languages: {dict(mix)}")
        anchor_settings(rows, work / "settings.json", work / "anchor-docs.jsonl")

        def cs(preset: str, out: str) -> harness.System:
            argv = ["clean", str(source), "-o", str(work / out), "--preset", preset]
            return harness.System(
                f"crawlsift clean --preset {preset}",
                harness.crawlsift_cli(*argv, "--no-repair", "--workers", "1"),
                work / out,
                note="--no-repair --workers 1: the filters alone on the text as read, one core",
            )

        systems = [cs("fineweb2", "fw2")]
        if not missing:
            systems.append(
                harness.System(
                    "datatrove (FineWeb-2's filters, per-language tokenizers)",
                    [
                        str(anchor.python(args.anchor_dir)),
                        str(anchor.script("multilingual")),
                        str(work / "anchor-docs.jsonl"),
                        str(work / "settings.json"),
                        str(work / "dt.jsonl"),
                    ],
                    env={},
                    note="bench/anchor/multilingual.py: the filters called per document, "
                    "crawlsift's thresholds and language verdicts",
                )
            )
        timings = harness.measure(systems, runs)
        harness.run_once(cs("crawlsift-default", "default"))
        default = crawlsift_reasons(work / "default")
        fw2 = crawlsift_reasons(work / "fw2")
        dt: dict[str, str | None] = {}
        if not missing:
            with (work / "dt.jsonl").open(encoding="utf-8") as f:
                dt = {r["id"]: r["reason"] for r in map(json.loads, f)}
        speed = segmenter_speed(rows)
        total = stage_seconds(rows)
    harness.print_summary(timings, len(rows))

    by_lang: dict[str, list[str]] = collections.defaultdict(list)
    for r in rows:
        by_lang[r["language"]].append(r["id"])
    lines = [
        "| language | pages | kept, crawlsift-default | main reasons | kept, fineweb2 | "
        "main reasons | kept, datatrove | fineweb2 = datatrove |",
        "|---|--:|--:|---|--:|---|--:|--:|",
    ]
    for lang, ids in sorted(by_lang.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        k0, r0 = share(default, ids)
        k2, r2 = share(fw2, ids)
        judged = [i for i in ids if dt.get(i, "no-tokenizer") != "no-tokenizer"]
        if judged:
            kd, _ = share(dt, judged)
            same = sum((fw2.get(i) is None) == (dt.get(i) is None) for i in judged) / len(judged)
            dcol, acol = f"{kd:.0%}", f"{same:.0%} of {len(judged)}"
        else:
            dcol, acol = "-", "-"
        lines.append(
            f"| {lang} | {len(ids)} | {k0:.0%} | {r0} | {k2:.0%} | {r2} | {dcol} | {acol} |"
        )
    seg_cpu = sum(cpu for _, _, cpu in speed.values())
    lines += [
        "",
        "| segmenter | language | MB of lines | MB/s (CPU) | share of the fineweb2 stages' CPU |",
        "|---|---|--:|--:|--:|",
    ]
    names = {"zh": "rjieba", "ja": "fugashi + unidic-lite", "th": "nlpo3 (pythainlp words)"}
    for lang, (size, rate, cpu) in speed.items():
        lines.append(f"| {names[lang]} | {lang} | {size:.3f} | {rate:.1f} | {cpu / total:.1%} |")
    lines.append(
        f"\nThe fineweb2 signal stages and filter take {total:.2f} CPU s on the corpus "
        f"({len(rows):,} pages); segmentation {seg_cpu:.2f} s of it."
    )
    lines += ["", harness.table(timings, len(rows))]
    body = "\n".join(lines)
    print("\n" + body)
    if args.markdown and not args.smoke:
        harness.write_markdown("multilingual", body, ["bench/multilingual.py", *sys.argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
