"""PII redaction: precision and recall on labelled real page text, beside datatrove.

Two labelled sets (how they were made: ``bench/pii_data.py``): ``bench/data/pii_labels.jsonl``,
crawlsift's kept text of 156 WCXB dev pages, on whose false finds the finders' rules were
fixed, and ``bench/data/pii_labels_heldout.jsonl``, 136 pages of trafilatura's evaluation set
(mostly German), labelled after that. Every candidate span of a broad net was read and
labelled. The texts are rebuilt from the shared data and each label's hash checked.

crawlsift's ``pii`` stage (every kind, cards and IBANs too) and datatrove's ``PIIFormatter``
(its defaults, in the anchor environment: ``bench/anchor/pii.py``) run on the same texts.
A labelled span counts as found when a span of the same kind overlaps it; a redacted span
that overlaps no label of its kind is a false alarm. Reported per kind: labels, redactions,
precision, recall, for both; then the redacted strings compared (in both, crawlsift only,
datatrove only, shown masked); then CPU per text over all kept WCXB dev texts: crawlsift
without phones, with phones, datatrove; medians of ``--runs``.

Skips (exit 0, with a note) when the shared data is absent.

Usage::

    python bench/pii.py [--runs 3] [--markdown] [--no-anchor] [--anchor-dir DIR]

Labels are kind-exact: an e-mail label counts only a redaction as e-mail.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import anchor, harness
from bench.pii_data import DEFAULT_DATA, SETS, candidates, kept_texts, sha

KINDS = ("email", "ip", "phone", "card", "iban")
Span = tuple[int, int, str]


def crawlsift_spans(rows: list[dict], kinds: tuple[str, ...]) -> dict[str, list[Span]]:
    """Page id -> the spans (in its text) the pii stage redacts."""
    import pyarrow as pa

    from crawlsift import schema as S
    from crawlsift.pii.options import KINDS as REASONS
    from crawlsift.pii.options import PiiOptions
    from crawlsift.pii.stage import pii

    kind_of = {reason: kind for kind, reason in REASONS.items()}
    table = pa.table(
        {
            S.ID: [r[S.ID] for r in rows],
            S.URL: [r[S.URL] for r in rows],
            S.HTML_LANG: [r[S.HTML_LANG] for r in rows],
            S.TEXT: pa.array([r[S.TEXT] for r in rows], pa.large_string()),
        }
    )
    out = pii(table, opts=PiiOptions(kinds=kinds)).to_pylist()
    return {
        row[S.ID]: [(e["start"], e["end"], kind_of[e["reason"]]) for e in row[S.EDITS] or []]
        for row in out
    }


def crawlsift_cpu(rows: list[dict], kinds: tuple[str, ...], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.process_time()
        crawlsift_spans(rows, kinds)
        times.append(time.process_time() - start)
    return times


def datatrove(rows: list[dict], runs: int, anchor_dir: Path | None) -> dict | None:
    missing = anchor.available(anchor_dir)
    if missing:
        print(f"datatrove side skipped: {missing}")
        return None
    with tempfile.TemporaryDirectory(prefix="bench-pii-") as tmp:
        source, output = Path(tmp) / "docs.jsonl", Path(tmp) / "out.json"
        source.write_text(
            "".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows)
        )
        subprocess.run(
            [
                str(anchor.python(anchor_dir)),
                str(anchor.script("pii")),
                str(source),
                str(output),
                str(runs),
            ],
            check=True,
        )
        result: dict = json.loads(output.read_text())
        return result


def score(
    labels: dict[str, list[Span]], found: dict[str, list[Span]]
) -> dict[str, tuple[int, int, int, int]]:
    """Per kind: (labels, labels found, redactions, redactions on a label)."""
    out = {}
    for kind in KINDS:
        n_labels = hit_labels = n_found = hit_found = 0
        for page, spans in labels.items():
            mine = [(a, b) for a, b, k in spans if k == kind]
            theirs = [(a, b) for a, b, k in found.get(page, []) if k == kind]
            n_labels += len(mine)
            n_found += len(theirs)
            hit_labels += sum(any(a < y and x < b for x, y in theirs) for a, b in mine)
            hit_found += sum(any(a < y and x < b for x, y in mine) for a, b in theirs)
        out[kind] = (n_labels, hit_labels, n_found, hit_found)
    return out


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "–"


def mask(text: str) -> str:
    """A redacted string with its letters and digits hidden but the first of each run."""
    return re.sub(r"(?<=\w)\w", "•", text)


TITLES = {
    "dev": "Development set (the finders' rules were fixed after reading its false finds)",
    "heldout": "Held-out set (labelled after the rules were fixed; trafilatura's evaluation "
    "pages, mostly German)",
}


def evaluate(name: str, no_anchor: bool, anchor_dir: Path | None) -> tuple[list[str], dict]:
    """The markdown of one labelled set (tables, compared strings) and its kept texts."""
    data, label_file = SETS[name]
    labelled = [json.loads(line) for line in label_file.read_text().splitlines()]
    texts = kept_texts(data)
    rows = [texts[r["page"]] for r in labelled if r["page"] in texts]
    labels: dict[str, list[Span]] = {}
    drifted = 0
    for r in labelled:
        text = texts.get(r["page"], {}).get("text")
        spans = candidates(text) if text else []
        labels[r["page"]] = []
        for item in r["pii"]:
            at = item["at"]
            if at < len(spans) and sha(text[slice(*spans[at])]) == item["sha1"]:
                labels[r["page"]].append((*spans[at], item["kind"]))
            else:
                drifted += 1
    head = (
        f"**{TITLES[name]}**: {len(rows)} texts, "
        f"{sum(len(v) for v in labels.values())} labelled PII spans"
        f" ({drifted} labels no longer at their place in today's text, left out)."
    )
    print(head)
    ours = crawlsift_spans(rows, KINDS)
    theirs = None if no_anchor else datatrove(rows, 1, anchor_dir)
    our_score = score(labels, ours)
    their_score = (
        score(labels, {k: [tuple(s) for s in v] for k, v in theirs["spans"].items()})
        if theirs
        else None
    )
    lines = [
        "| kind | labels | crawlsift redactions | precision | recall "
        "| datatrove redactions | precision | recall |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in KINDS:
        n, hit, found, good = our_score[kind]
        row = f"| {kind} | {n} | {found} | {_ratio(good, found)} | {_ratio(hit, n)} |"
        if their_score:
            _, t_hit, t_found, t_good = their_score[kind]
            row += f" {t_found} | {_ratio(t_good, t_found)} | {_ratio(t_hit, n)} |"
        else:
            row += " – | – | – |"
        lines.append(row)
    table = "\n".join(lines)
    print(table)
    body = [head, "", table]
    if theirs:
        ours_set = Counter(
            (p, rows_text(texts, p)[a:b])
            for p, v in ours.items()
            for a, b, k in v
            if k in ("email", "ip")
        )
        theirs_set = Counter(
            (p, rows_text(texts, p)[a:b]) for p, v in theirs["spans"].items() for a, b, _ in v
        )
        both = sum((ours_set & theirs_set).values())
        only_ours = ours_set - theirs_set
        only_theirs = theirs_set - ours_set
        comparison = (
            "\nRedacted strings (e-mail and IP, the kinds datatrove has), per page: "
            f"{both} by both, {sum(only_ours.values())} by crawlsift only, "
            f"{sum(only_theirs.values())} by datatrove only (letters and digits masked):\n"
        )
        diffs = [f"- crawlsift only: `{mask(s)}`" for _, s in sorted(only_ours)]
        diffs += [f"- datatrove only: `{mask(s)}`" for _, s in sorted(only_theirs)]
        print(comparison)
        print("\n".join(diffs))
        body += [comparison, "\n".join(diffs)]
    return body, texts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    harness.add_arguments(parser)
    args = parser.parse_args(argv)
    if not (DEFAULT_DATA / "html").is_dir():
        print(f"skipped: no shared data at {DEFAULT_DATA}")
        return 0
    if args.smoke:
        args.runs = 1
    body: list[str] = []
    every: list[dict] = []
    for name in SETS:
        if not (SETS[name][0] / "html").is_dir():
            print(f"{name} set skipped: no shared data at {SETS[name][0]}")
            continue
        part, texts = evaluate(name, args.no_anchor, args.anchor_dir)
        body += [*part, ""]
        if name == "dev":
            every = list(texts.values())
    # cost over every kept text of the development collection
    no_phone = crawlsift_cpu(every, ("email", "ip"), args.runs)
    phone = crawlsift_cpu(every, ("email", "ip", "phone"), args.runs)
    every_kind = crawlsift_cpu(every, KINDS, args.runs)
    chars = sum(len(r["text"]) for r in every) / 1e6
    cost = [
        "",
        f"CPU over all {len(every):,} kept WCXB dev texts ({chars:.1f} M characters), "
        f"median of {args.runs}:",
        "",
        "| system | CPU s | texts / CPU s |",
        "|---|---:|---:|",
    ]
    for label, times in (
        ("crawlsift pii, e-mail + IP", no_phone),
        ("crawlsift pii, e-mail + IP + phone (default)", phone),
        ("crawlsift pii, every kind", every_kind),
    ):
        t = statistics.median(times)
        cost.append(f"| {label} | {t:.2f} | {len(every) / t:,.0f} |")
    if not args.no_anchor:
        timed = datatrove(every, args.runs, args.anchor_dir)
        if timed:
            t = statistics.median(timed["cpu"])
            cost.append(
                f"| datatrove PIIFormatter (e-mail + IPv4) | {t:.2f} | {len(every) / t:,.0f} |"
            )
            ratio = t / statistics.median(no_phone)
            cost += ["", f"crawlsift e-mail + IP: {ratio:.2f}x datatrove's texts per CPU second."]
    cost += ["", prefiltered(every)]
    print("\n".join(cost))
    body.append("\n".join(cost))
    if args.markdown:
        harness.write_markdown("pii", "\n".join(body), ["bench/pii.py", *(argv or sys.argv[1:])])
    return 0


def prefiltered(rows: list[dict]) -> str:
    """How many texts polars hands to the Python finders, per kind."""
    import polars as pl

    from crawlsift.pii.stage import _PREFILTER

    texts = pl.Series([r["text"] for r in rows], dtype=pl.String)
    counts = {k: int(texts.str.contains(p).sum()) for k, p in _PREFILTER.items()}
    listed = ", ".join(f"{k} {n:,}" for k, n in counts.items())
    return f"Texts polars passes to the Python finders, of {len(rows):,}: {listed}."


def rows_text(texts: dict[str, dict], page: str) -> str:
    return str(texts[page]["text"])


if __name__ == "__main__":
    raise SystemExit(main())
