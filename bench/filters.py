"""Quality filters, whole commands: ``crawlsift clean --preset crawlsift-default`` beside
datatrove's four filters, on the same documents.

The corpus is the all-visible text (resiliparse, ``main_content=False``) of the WCXB dev pages
(``../shared/data/extraction/wcxb-dev``), each page once (``--docs`` more repeats them, each
copy with its own id), written as one JSONL file of ``id`` and ``text`` that both sides read.

* ``crawlsift clean``: ``crawlsift clean DOCS.jsonl -o OUT --preset crawlsift-default``, its
  defaults otherwise (all cores, Parquet output, the report); it also runs its repair stage,
  which datatrove has no equivalent of; variants: ``--workers 1``, and ``--no-repair`` (the
  filters alone on the text as read, like for like with datatrove's chain);
* ``datatrove``: ``bench/anchor/filters.py`` in the anchor environment: JsonlReader ->
  GopherQuality -> GopherRepetition -> C4Quality -> FineWebQuality (defaults, spaCy
  tokeniser) -> JsonlWriter, one task, one worker.

Timing by ``bench/harness.py`` (alternated runs, CPU seconds of the whole process tree,
medians). Agreement: the share of documents that both kept or both rejected.

Usage::

    python bench/filters.py [--docs N] [--runs 3] [--smoke] [--markdown] [--no-anchor]

Skips (exit 0, with a note) when the shared data is absent; without the anchor environment
(``python bench/anchor.py build``) it times crawlsift only, saying so.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import anchor, harness

DATA = harness.SHARED / "extraction" / "wcxb-dev"


def write_corpus(data: Path, docs: int, path: Path) -> tuple[int, int, float]:
    """The JSONL corpus; returns its document count, unique pages and megabytes."""
    from bench import anchors

    pages = sorted((data / "html").glob("*.html.gz"))
    texts = [(p.name.split(".")[0], anchors.visible_text(anchors.read_html(p))) for p in pages]
    count, size = 0, 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        while count < docs:
            for page_id, text in texts[: docs - count]:
                line = json.dumps({"id": f"{page_id}-{count // len(texts)}", "text": text})
                size += len(line.encode())
                out.write(line + "\n")
                count += 1
    return count, min(docs, len(texts)), size / 1e6


def crawlsift_kept(out: Path) -> set[str]:
    """Ids of the documents ``crawlsift clean`` kept."""
    import pyarrow.parquet as pq

    return {
        i
        for f in sorted((out / "kept").glob("*.parquet"))
        for i in pq.read_table(f, columns=["id"]).column("id").to_pylist()
    }


def datatrove_kept(out: Path) -> set[str]:
    """Ids of the documents datatrove's JsonlWriter wrote."""
    ids = set()
    for f in sorted((out / "kept").glob("*.jsonl.gz")):
        with gzip.open(f, "rt", encoding="utf-8") as lines:
            ids.update(json.loads(line)["id"] for line in lines)
    return ids


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--docs", type=int, default=1_497, help="documents (pages repeated)")
    harness.add_arguments(parser)
    args = parser.parse_args(argv)
    if not (args.data / "html").is_dir():
        print(f"skipped: no shared data at {args.data}")
        return 0
    docs, runs = (20, 1) if args.smoke else (args.docs, args.runs)
    missing = anchor.skipped(args)
    with tempfile.TemporaryDirectory(prefix="bench-filters-") as tmp:
        work = Path(tmp)
        n, unique, mb = write_corpus(args.data, docs, work / "in" / "docs.jsonl")
        print(f"corpus: {n:,} docs ({unique:,} WCXB pages' visible text), {mb:.1f} MB JSONL")
        source = str(work / "in" / "docs.jsonl")
        systems = [
            harness.System(
                "crawlsift clean --preset crawlsift-default",
                harness.crawlsift_cli(
                    "clean", source, "-o", str(work / "cs"), "--preset", "crawlsift-default"
                ),
                work / "cs",
                note="defaults otherwise: all cores, repair stage, Parquet output, report",
            ),
            harness.System(
                "… --workers 1",
                harness.crawlsift_cli(
                    "clean",
                    source,
                    "-o",
                    str(work / "cs1"),
                    "--preset",
                    "crawlsift-default",
                    "--workers",
                    "1",
                ),
                work / "cs1",
            ),
            harness.System(
                "… --no-repair",
                harness.crawlsift_cli(
                    "clean",
                    source,
                    "-o",
                    str(work / "csnr"),
                    "--preset",
                    "crawlsift-default",
                    "--no-repair",
                ),
                work / "csnr",
                note="the filters alone on the text as read, as datatrove's pipeline runs",
            ),
        ]
        if not missing:
            systems.append(
                harness.System(
                    "datatrove, 4 filters",
                    [
                        str(anchor.python(args.anchor_dir)),
                        str(anchor.script("filters")),
                        str(work / "in"),
                        str(work / "dt"),
                    ],
                    work / "dt",
                    env={},
                    note="JsonlReader → Gopher ×2, C4, FineWeb → JsonlWriter; 1 task",
                )
            )
        timings = harness.measure(systems, runs)
        harness.print_summary(timings, n)
        extra = ""
        if not missing:
            theirs = datatrove_kept(work / "dt")
            ids = [json.loads(line)["id"] for line in (work / "in" / "docs.jsonl").open()]
            parts = []
            for label, out in (("default command", "cs"), ("`--no-repair`", "csnr")):
                ours = crawlsift_kept(work / out)
                same = sum((i in ours) == (i in theirs) for i in ids)
                parts.append(
                    f"{label} {same:,} of {n:,} documents ({same / n:.1%}; crawlsift kept "
                    f"{len(ours):,})"
                )
            extra = (
                f"Keep/drop agreement with datatrove (kept {len(theirs):,}): "
                + "; ".join(parts)
                + "."
            )
            print(extra)
    if args.markdown and not args.smoke:
        body = harness.table(timings, n) + f"\n\n{n:,} documents, {mb:.1f} MB of JSONL. {extra}"
        harness.write_markdown(
            "filters", body, ["bench/filters.py", *(argv if argv is not None else sys.argv[1:])]
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
