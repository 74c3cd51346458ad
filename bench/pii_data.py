"""The labelled PII set of ``bench/pii.py``: real page text, its candidate spans, the labels.

Texts are crawlsift's kept text (default pipeline: fast extraction and repair) of the WCXB
v1.0 dev pages (``../shared/data/extraction/wcxb-dev``, CC-BY-4.0; never the test split).
A broad net (:data:`NET`, wider than any finder: e-mail-like tokens, ``[at]`` spellings,
dotted quads, colon-separated hex groups, runs of seven or more digits with separators,
IBAN-like codes) marks candidate spans; the labeller read each in context and recorded the
true PII ones. ``bench/data/pii_labels.jsonl`` keeps, per sampled page, its id and each
label's kind, the candidate's position among the page's candidates and a SHA-1 prefix of the
string: no page text and no address, so nothing personal is copied into the repository;
the bench rebuilds the texts from the shared data and checks the hashes.

``python bench/pii_data.py list`` prints the sample's candidates with context for labelling;
``python bench/pii_data.py build DECISIONS`` writes the labels from the labeller's decisions,
lines of ``KIND PAGE:INDEX,INDEX ...`` or ``KIND<tab>PAGE<tab>INDEX,INDEX`` (every other
candidate of a sampled page is not PII); ``--set heldout`` for the held-out set.

What was labelled PII: every real e-mail address, including an organisation's (``info@``)
and fediverse handles in address form, and ``[at]`` spellings; every phone number a reader
could dial. Not PII: addresses at the reserved example domains and placeholders
(``email@address.com``, ``(123) 555-6789``, 555-01xx-style fictional numbers), systemd unit
and Go module names, message ids, proxy credentials in URLs, masked numbers (``…-00XX``),
product codes, dates, identifiers (DOT, ORCID, ISBN, eBay item numbers). Private, loopback
and unspecified IPs are not PII (the sample holds no public IP address and no card number or
IBAN: their finders are measured by their false alarms here and by the tests).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = harness.SHARED / "extraction" / "wcxb-dev"
LABELS = REPO_ROOT / "bench" / "data" / "pii_labels.jsonl"
#: the held-out set: pages of another collection (trafilatura's evaluation pages, many of
#: them German), labelled after every rule of the finders was fixed
HELDOUT_DATA = harness.SHARED / "extraction" / "trafilatura-eval"
HELDOUT_LABELS = REPO_ROOT / "bench" / "data" / "pii_labels_heldout.jsonl"
SETS = {"dev": (DEFAULT_DATA, LABELS), "heldout": (HELDOUT_DATA, HELDOUT_LABELS)}
NET = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|[\w.+-]+\s*[\[\(]\s*at\s*[\]\)]\s*[\w-]+(?:\s*(?:\.|[\[\(]\s*dot\s*[\]\)])\s*[\w-]+)+"
    r"|\b\d{1,3}(?:\.\d{1,3}){3}\b"
    r"|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}"
    r"|\+?\(?\d(?:[ ().\-/]{0,3}\d){6,}"
    r"|\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,}"
)
#: pages sampled: every page with an e-mail-, IP- or IBAN-like candidate, this many with
#: only digit runs, and this many with no candidate at all; pages with more candidates than
#: MAX_CANDIDATES (tables of figures) are left out, so that every candidate could be read
DIGIT_PAGES = 50
CLEAN_PAGES = 50
MAX_CANDIDATES = 30
SEED = 19


def sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _pages(data: Path) -> list[tuple[str, str | None, Path]]:
    """(id, URL, HTML file) of each page of a collection: WCXB (``ground-truth/``) or
    trafilatura's evaluation set (``evaldata.json``)."""
    if (data / "evaldata.json").is_file():
        evaldata = json.loads((data / "evaldata.json").read_text())
        found = [
            (v["file"].removesuffix(".html"), url, data / "html" / f"{v['file']}.gz")
            for url, v in evaldata.items()
        ]
        return sorted(p for p in found if p[2].is_file())
    return [
        (
            f.name.split(".")[0],
            json.loads((data / "ground-truth" / f"{f.name.split('.')[0]}.json").read_text()).get(
                "url"
            ),
            f,
        )
        for f in sorted((data / "html").glob("*.html.gz"))
    ]


def kept_texts(data: Path, ids: list[str] | None = None) -> dict[str, dict]:
    """Page id -> {url, html_lang, text} of the pages crawlsift keeps (default pipeline)."""
    from crawlsift import schema as S
    from crawlsift.api import make_pipeline

    pages = _pages(data)
    if ids is not None:
        wanted = set(ids)
        pages = [p for p in pages if p[0] in wanted]
    pipeline = make_pipeline()
    out: dict[str, dict] = {}
    for k in range(0, len(pages), 100):
        names = [p[0] for p in pages[k : k + 100]]
        urls = [p[1] for p in pages[k : k + 100]]
        part = [p[2] for p in pages[k : k + 100]]
        table = S.input_table(
            id=names,
            url=urls,
            html=[gzip.decompress(f.read_bytes()) for f in part],
            content_type=["text/html"] * len(part),
            source_index=list(range(len(part))),
        )
        for row in pipeline(table).select([S.ID, S.URL, S.HTML_LANG, S.TEXT, S.KEEP]).to_pylist():
            if row[S.KEEP]:
                out[row[S.ID]] = row
    return out


def candidates(text: str) -> list[tuple[int, int]]:
    """The net's spans; colon-separated hex needs three colons (``12:30:45`` is a time)."""
    return [m.span() for m in NET.finditer(text) if m.group().count(":") != 2]


def sample(texts: dict[str, dict]) -> list[str]:
    """The sampled page ids (see :data:`DIGIT_PAGES`)."""
    rich, digits, clean = [], [], []
    for pid, row in sorted(texts.items()):
        found = [row["text"][a:b] for a, b in candidates(row["text"])]
        if len(found) > MAX_CANDIDATES:
            continue
        if not found:
            clean.append(pid)
        elif any(not re.fullmatch(r"[\d ().\-/+]+", s) for s in found):
            rich.append(pid)
        else:
            digits.append(pid)
    rng = random.Random(SEED)
    return sorted(rich + rng.sample(digits, DIGIT_PAGES) + rng.sample(clean, CLEAN_PAGES))


def build(texts: dict[str, dict], decisions: Path, labels: Path) -> None:
    """Write ``labels`` from the decisions file."""
    chosen: dict[tuple[str, int], str] = {}
    for line in decisions.read_text().splitlines():
        if "\t" in line:  # KIND<tab>PAGE<tab>INDEX,INDEX: page ids with spaces
            kind, page, indices = line.split("\t")
            items = [f"{page}:{indices}"]
        else:
            kind, *items = line.split()
        for item in items:
            page, indices = item.rsplit(":", 1)
            for i in indices.split(","):
                chosen[(page, int(i))] = kind
    with labels.open("w") as f:
        for pid in sample(texts):
            text = texts[pid]["text"]
            spans = candidates(text)
            pii = [
                {"kind": chosen[(pid, i)], "at": i, "sha1": sha(text[a:b])}
                for i, (a, b) in enumerate(spans)
                if (pid, i) in chosen
            ]
            row = {"page": pid, "candidates": len(spans), "pii": pii}
            f.write(json.dumps(row, sort_keys=True) + "\n")
    missing = {k for k in chosen if k[0] not in texts}
    if missing:
        raise SystemExit(f"decisions name pages not in the sample: {sorted(missing)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["list", "build"])
    parser.add_argument("decisions", nargs="?", type=Path)
    parser.add_argument("--set", choices=list(SETS), default="dev")
    args = parser.parse_args()
    data, labels = SETS[args.set]
    texts = kept_texts(data)
    if args.command == "build":
        build(texts, args.decisions, labels)
        return
    for pid in sample(texts):
        text = texts[pid]["text"]
        for i, (a, b) in enumerate(candidates(text)):
            context = text[max(0, a - 50) : b + 30].replace("\n", " | ")
            print(f"{pid}\t{i}\t{text[a:b]!r}\t{context}")
        if not candidates(text):
            print(f"{pid}\t-\t(no candidate)")


if __name__ == "__main__":
    main()
