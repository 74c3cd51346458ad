"""What the usual document filters do with the seed record.

The seed record (``tests/fixtures/000_54a851cabf0a182d.txt``) is a real crawl record: an error
banner, a news article, the same article body a second time, a legal disclaimer and a block of
site links. This script runs datatrove's GopherRepetitionFilter, GopherQualityFilter,
FineWebQualityFilter and C4QualityFilter on it (defaults, the record's first header line
``date ... 403`` removed), prints what each decides, and checks the claim that motivates
crawlsift's repair stage:

* Gopher repetition and FineWeb quality drop the whole article (for its duplicated body);
* C4 keeps the record but "cleans" it badly: it keeps the error banner, both copies of the body
  and the disclaimer, and deletes the paragraphs that end in a closing quote (its terminal
  punctuation is ASCII only).

Usage::

    python bench/seed_contrast.py [--path FILE]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED = REPO_ROOT / "tests" / "fixtures" / "000_54a851cabf0a182d.txt"

BANNER = "Error! We're sorry, but the page you were looking for doesn't exist."
DISCLAIMER = "MENAFN provides the information"
CLOSING_QUOTES = ("\u201d", "\u2019")  # ” and ’


def read_seed(path: Path) -> str:
    """The seed record's text without its first (``date YYYY-MM-DD STATUS``) header line."""
    header, _, text = path.read_text(encoding="utf-8").partition("\n")
    if not header.strip().startswith("date "):
        print(f"warning: first line is not a 'date' header, removed anyway: {header!r}")
    return text


def removed_lines(original: str, kept: str) -> list[str]:
    """Lines of ``original`` that C4 left out, matched in order (C4 only deletes lines).

    C4 strips each line and deletes wiki-style citations from the lines it keeps; blank
    lines are ignored.
    """
    from datatrove.pipeline.filters.c4_filters import CITATION_REGEX

    kept_lines = kept.split("\n") if kept else []
    j, removed = 0, []
    for line in original.splitlines():
        line = line.strip()
        if not line:
            continue
        if j < len(kept_lines) and CITATION_REGEX.sub("", line) == kept_lines[j]:
            j += 1
        else:
            removed.append(line)
    return removed


def measured(name: str, reason: str | None, text: str, flt: object) -> str:
    """The statistic behind a drop and its threshold, computed with datatrove's own helper."""
    from datatrove.pipeline.filters.gopher_repetition_filter import find_duplicates

    if reason == "dup_line_char_frac":
        lines = flt._line_splitter.split(text)  # type: ignore[attr-defined]
        value = find_duplicates(lines)[1] / len(text)
        return f"duplicated-line chars / chars = {value:.3f} > {flt.dup_line_char_frac}"  # type: ignore[attr-defined]
    if reason == "char_dup_ratio":
        lines = [line for line in text.split("\n") if line.strip()]
        value = find_duplicates(lines)[1] / len(text.replace("\n", ""))
        return f"duplicated-line chars / chars = {value:.3f} > {flt.char_duplicates_ratio}"  # type: ignore[attr-defined]
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the four filters on the seed record and check the claim."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", type=Path, default=SEED, help="the seed record")
    args = parser.parse_args(argv)
    if not args.path.is_file():
        print(f"skip: seed record not found at {args.path}")
        return 0

    from datatrove.data import Document
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    text = read_seed(args.path)
    n_lines = sum(1 for line in text.splitlines() if line.strip())
    print(f"seed: {args.path.name}, {len(text)} chars, {n_lines} non-blank lines\n")

    decisions: dict[str, tuple[bool, str | None]] = {}
    c4_text = ""
    c4: C4QualityFilter | None = None
    for cls in (GopherRepetitionFilter, GopherQualityFilter, FineWebQualityFilter, C4QualityFilter):
        flt = cls()
        doc = Document(text=text, id="seed")
        result = flt.filter(doc)
        keep, reason = result if isinstance(result, tuple) else (result, None)
        decisions[cls.__name__] = (bool(keep), reason)
        detail = measured(cls.__name__, reason, text, flt)
        verdict = "kept" if keep else f"dropped ({reason})"
        print(f"{cls.__name__:<24} {verdict}" + (f"  [{detail}]" if detail else ""))
        if cls is C4QualityFilter:
            c4, c4_text = flt, doc.text if keep else ""

    assert c4 is not None
    removed = removed_lines(text, c4_text)
    counts = {k: v.total for k, v in c4.stats.stats.items() if k.startswith("line-")}
    print(f"\nC4 output, first 200 chars:\n{c4_text[:200]!r}\n")
    print(f"C4 removed {len(removed)} of {n_lines} lines; datatrove's line counters: {counts}")
    endings = Counter(line[-1] for line in removed)
    print(
        "last character of the removed lines: "
        + ", ".join(f"{k!r} {v}" for k, v in endings.items())
    )
    for line in removed:
        print(f"  - {line[:90]}{'...' if len(line) > 90 else ''}")

    # The claim, checked part by part.
    body = "They also addressed a series of recent Ukrainian assaults"
    quoted = [line.strip() for line in text.splitlines() if line.strip().endswith(CLOSING_QUOTES)]
    checks = {
        "GopherRepetitionFilter drops the record": not decisions["GopherRepetitionFilter"][0],
        "FineWebQualityFilter drops the record": not decisions["FineWebQualityFilter"][0],
        "C4 keeps the record": decisions["C4QualityFilter"][0],
        "C4 keeps the error banner": BANNER in c4_text,
        "C4 keeps both copies of the body": text.count(body) == 2 and c4_text.count(body) == 2,
        "C4 keeps the disclaimer": DISCLAIMER in c4_text,
        f"C4 deletes all {len(quoted)} lines ending in a closing quote": bool(quoted)
        and all(line not in c4_text.split("\n") for line in quoted),
    }
    print(f"\nGopherQualityFilter (not part of the claim): {decisions['GopherQualityFilter']}")
    print("\nclaim:")
    for what, ok in checks.items():
        print(f"  [{'yes' if ok else 'NO '}] {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
