"""Decontamination: planted benchmark passages found and removed; clean pages left alone.

Documents are the hand-checked main content of the WCXB dev pages
(``../shared/data/extraction/wcxb-dev/ground-truth``) of one half of the sites (split by host);
the "benchmark" is passages of 15-60 words cut from the pages of the other half, written as
JSONL items (``{"question": ...}``), as an evaluation set's prompts would be. Into half of the
documents (a fixed seed) one benchmark passage is planted at a paragraph break, changed as a
copy on the web would be: case, punctuation and white space altered. Then::

    crawlsift clean docs.jsonl -o OUT --decontaminate bench.jsonl

runs as a user runs it (one worker), beside the same command without ``--decontaminate``,
alternated over ``--runs`` runs. Reported:

* **found**: planted documents whose passage no longer appears in the output (all its words
  gone from where it was: the passage's word sequence is not in the kept or rejected text);
* **false alarms**: documents without a planted passage that got a ``decontam_overlap`` edit
  or a ``decontam_*`` rejection (real pages sharing a 13-word run with another site's text);
* **collateral**: characters removed beyond the planted passage, per found document (the
  200-character margins);
* **CPU**: whole-command CPU seconds (the child process) with and without
  ``--decontaminate``, medians, and their ratio.

Skips (exit 0, with a note) when the shared data is absent. ``--smoke``: 60 documents, one run.

Usage::

    python bench/decontam.py [--data DIR] [--runs K] [--items N] [--markdown] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "extraction" / "wcxb-dev"
DOCS_MD = REPO_ROOT / "docs" / "benchmarks.md"
_WORDS = re.compile(r"\w+")


def load_pages(data: Path) -> list[tuple[str, str]]:
    """(host, main content) of each page with some."""
    pages = []
    for path in sorted((data / "ground-truth").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        text = (doc.get("ground_truth") or {}).get("main_content") or ""
        if len(_WORDS.findall(text)) >= 50:
            pages.append((urlsplit(doc.get("url") or "").netloc, text))
    return pages


def passages(texts: list[str], rng: random.Random, count: int) -> list[str]:
    """``count`` passages of 15-60 words, each a run of whole sentences of one paragraph."""
    found = []
    for text in texts:
        for para in text.split("\n"):
            sentences = re.split(r"(?<=[.!?])\s+", para.strip())
            for i in range(len(sentences)):
                for j in range(i + 1, min(i + 4, len(sentences)) + 1):
                    words = len(_WORDS.findall(" ".join(sentences[i:j])))
                    if 15 <= words <= 60:
                        found.append(" ".join(sentences[i:j]))
                        break
    rng.shuffle(found)
    return found[:count]


def disguise(passage: str, rng: random.Random) -> str:
    """The passage as a copy on the web might read: case, punctuation and spaces changed."""
    words = passage.split()
    out = []
    for word in words:
        roll = rng.random()
        if roll < 0.1:
            word = word.upper()
        elif roll < 0.2:
            word = word.strip(".,;:!?\"'") or word
        out.append(word)
    return ("  " if rng.random() < 0.5 else " ").join(out)


def _cpu_of(cmd: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _outputs(out: Path) -> dict[str, dict]:
    import pyarrow.parquet as pq

    rows = {}
    for kind in ("kept", "rejected"):
        if (out / kind).exists():
            for row in pq.read_table(out / kind).to_pylist():
                rows[row["id"]] = row
    return rows


def _sequence_in(words: list[str], text: str) -> bool:
    """Whether ``words`` occur in order, adjacent, among the words of ``text``."""
    return " ".join(words) in " ".join(w.lower() for w in _WORDS.findall(text))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--items", type=int, default=2000, help="benchmark passages")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    if not (args.data / "ground-truth").is_dir():
        print(f"skipped: no shared data at {args.data}")
        return 0
    rng = random.Random(args.seed)
    pages = load_pages(args.data)
    side = [zlib.crc32(host.encode()) % 2 for host, _ in pages]
    docs = [text for (_, text), s in zip(pages, side, strict=True) if s == 0]
    others = [text for (_, text), s in zip(pages, side, strict=True) if s == 1]
    if args.smoke:
        docs, args.runs, args.items = docs[:60], 1, 200
    items = passages(others, rng, args.items)
    work = Path(tempfile.mkdtemp(prefix="bench-decontam-"))
    bench = work / "bench.jsonl"
    bench.write_text("".join(json.dumps({"question": p}) + "\n" for p in items))
    planted: dict[str, str] = {}
    records = []
    for i, text in enumerate(docs):
        doc_id = f"d{i}"
        if rng.random() < 0.5:
            passage = rng.choice(items)
            paras = text.split("\n")
            at = rng.randrange(len(paras) + 1)
            text = "\n".join([*paras[:at], disguise(passage, rng), *paras[at:]])
            planted[doc_id] = passage
        records.append({"id": doc_id, "text": text})
    source = work / "docs.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    base = [sys.executable, "-m", "crawlsift", "clean", str(source), "--workers", "1"]
    base += ["--no-progress", "--overwrite"]
    cpu: dict[str, list[float]] = {"without": [], "with": []}
    for _ in range(args.runs):
        for name in ("without", "with"):
            cmd = [*base, "-o", str(work / name)]
            if name == "with":
                cmd += ["--decontaminate", str(bench)]
            cpu[name].append(_cpu_of(cmd, env))
    rows = _outputs(work / "with")
    found = collateral = alarms = 0
    for doc_id, row in rows.items():
        edits = [e for e in row.get("edits") or [] if e["reason"] == "decontam_overlap"]
        rejected = (row.get("reason") or "").startswith("decontam_")
        if doc_id in planted:
            words = [w.lower() for w in _WORDS.findall(planted[doc_id])]
            if not _sequence_in(words, row.get("text") or "") or rejected:
                found += 1
                removed = sum(e["end"] - e["start"] for e in edits)
                collateral += max(0, removed - len(planted[doc_id]))
        elif edits or rejected:
            alarms += 1
    n_planted, n_clean = len(planted), len(records) - len(planted)
    med = {k: statistics.median(v) for k, v in cpu.items()}
    lines = [
        f"{len(records)} documents ({n_planted} with a planted passage), {len(items)} benchmark "
        f"passages, {args.runs} runs alternated; {time.strftime('%Y-%m-%d')}, "
        f"{os.cpu_count()} cores",
        "",
        "| measure | value |",
        "|---|--:|",
        f"| planted passages found | {found} / {n_planted} ({found / max(n_planted, 1):.3f}) |",
        f"| false alarms on clean documents | {alarms} / {n_clean} "
        f"({alarms / max(n_clean, 1):.3f}) |",
        f"| characters removed beyond the passage, per found document | "
        f"{collateral / max(found, 1):.0f} |",
        f"| CPU s, `clean` without / with `--decontaminate` | {med['without']:.2f} / "
        f"{med['with']:.2f} ({med['with'] / med['without']:.2f}x) |",
        "",
        "Command: `python bench/decontam.py"
        + (" --smoke" if args.smoke else f" --runs {args.runs} --items {args.items}")
        + " --markdown`",
    ]
    text = "\n".join(lines)
    print(text)
    if args.markdown and not args.smoke:
        DOCS_MD.write_text(harness.replace_section(DOCS_MD.read_text(), "decontam", text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
