"""Build the signal-parity fixtures in tests/fixtures/signals from ../shared/data (run once).

- ``wcxb-visible.jsonl.gz``: the all-visible text (resiliparse ``extract_plain_text``,
  ``main_content=False``) of every 18th WCXB v1.0 dev page (CC-BY-4.0, see SOURCES.md there);
- ``datatrove-golden.json``: datatrove's decision (keep or reason) for each of its four filters
  (GopherQuality, GopherRepetition, C4Quality, FineWebQuality, all defaults) applied to each text
  on its own, and the signal values those filters compute, with datatrove's spaCy tokeniser.

Needs ``datatrove[processing]`` and ``spacy`` (the ``bench`` extra).
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WCXB = ROOT.parent / "shared" / "data" / "extraction" / "wcxb-dev"
OUT = ROOT / "tests" / "fixtures" / "signals"
STEP = 18
STOP_WORDS = {"the", "be", "to", "of", "and", "that", "have", "with"}


def visible_text(path: Path) -> str:
    """All-visible text of a gzipped HTML page."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    from resiliparse.parse.html import HTMLTree

    raw = gzip.decompress(path.read_bytes())
    tree = HTMLTree.parse(bytes_to_str(raw, detect_encoding(raw)))
    return extract_plain_text(tree, main_content=False)


def datatrove_signals(text: str) -> dict[str, Any]:
    """The values datatrove's four filters compare with their thresholds, and its decisions."""
    import numpy as np
    from datatrove.data import Document
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )
    from datatrove.pipeline.filters.gopher_repetition_filter import (
        find_all_duplicate,
        find_duplicates,
        find_top_duplicate,
        get_n_grams,
    )
    from datatrove.utils.text import PUNCTUATION_SET, split_into_words

    out: dict[str, Any] = {}
    for name, flt in (
        ("gopher_quality", GopherQualityFilter()),
        ("gopher_repetition", GopherRepetitionFilter()),
        ("c4", C4QualityFilter()),
        ("fineweb", FineWebQualityFilter()),
    ):
        res = flt.filter(Document(text=text, id="x"))
        out[name] = "keep" if res is True else res[1]
    words = split_into_words(text)
    n = len(words)
    nsw = [w for w in words if any(ch not in PUNCTUATION_SET for ch in w)]
    lines = text.splitlines()
    sig: dict[str, Any] = {
        "n_tokens": n,
        "gopher_word_count": len(nsw),
        "gopher_mean_word_length": float(np.mean([len(w) for w in nsw])) if nsw else None,
        "gopher_hash_ratio": text.count("#") / n if n else None,
        "gopher_ellipsis_ratio": (text.count("...") + text.count("…")) / n if n else None,
        "gopher_bullet_lines_ratio": sum(s.lstrip().startswith(("•", "-")) for s in lines)
        / len(lines)
        if lines
        else None,
        "gopher_end_ellipsis_lines_ratio": sum(s.rstrip().endswith(("...", "…")) for s in lines)
        / len(lines)
        if lines
        else None,
        "gopher_alpha_words_ratio": sum(any(c.isalpha() for c in w) for w in words) / n
        if n
        else None,
        "gopher_stop_words": len(STOP_WORDS & set(words)),
    }
    if text:
        paras = re.split(r"\n{2,}", text.strip())
        d, c = find_duplicates(paras)
        sig["gopher_dup_para_frac"] = d / len(paras)
        sig["gopher_dup_para_char_frac"] = c / len(text)
        lns = re.split("\n+", text)
        d, c = find_duplicates(lns)
        sig["gopher_dup_line_frac"] = d / len(lns)
        sig["gopher_dup_line_char_frac"] = c / len(text)
        for k in (2, 3, 4):
            grams = get_n_grams(words, k)
            sig[f"gopher_top_{k}_gram_char_frac"] = (
                find_top_duplicate(grams) / len(text) if grams else 0.0
            )
        for k in range(5, 11):
            sig[f"gopher_dup_{k}_gram_char_frac"] = find_all_duplicate(words, k) / len(text)
    flines = [ln for ln in text.split("\n") if ln.strip() != ""]
    if flines:
        from datatrove.utils.text import TERMINAL_PUNCTUATION

        stops = tuple(TERMINAL_PUNCTUATION)
        sig["fineweb_line_punct_ratio"] = sum(ln.endswith(stops) for ln in flines) / len(flines)
        sig["fineweb_short_line_ratio"] = sum(len(ln) <= 30 for ln in flines) / len(flines)
        denom = len(text.replace("\n", ""))
        sig["fineweb_char_dup_ratio"] = find_duplicates(flines)[1] / denom if denom else None
        sig["fineweb_newline_ratio"] = text.count("\n") / n if n else None
    out["signals"] = sig
    return out


def main() -> int:
    if not WCXB.is_dir():
        print(f"no WCXB data at {WCXB}", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    pages = sorted(p.name.split(".")[0] for p in (WCXB / "html").glob("*.html.gz"))[::STEP]
    docs = []
    for pid in pages:
        text = visible_text(WCXB / "html" / f"{pid}.html.gz")
        docs.append({"id": f"wcxb-dev-{pid}", "text": text})
    with gzip.open(OUT / "wcxb-visible.jsonl.gz", "wt", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    golden = {d["id"]: datatrove_signals(d["text"]) for d in docs}
    (OUT / "datatrove-golden.json").write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"{len(docs)} documents written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
