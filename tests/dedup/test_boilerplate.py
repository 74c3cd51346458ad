"""Site boilerplate: what is learned, and what happens to a page that is nothing else."""

from __future__ import annotations

import random
from pathlib import Path

from crawlsift.dedup import dedup
from tests.dedup.conftest import article, decisions, outputs, vocabulary, write

FOOTER = "Copyright Riverside Gazette. All rights reserved. Contact the newsroom."


def _site(n: int, seed: int = 3) -> list[dict[str, str]]:
    rng = random.Random(seed)
    vocab = vocabulary(seed)
    return [
        {
            "id": f"page-{i}",
            "url": f"https://gazette.example/{i}",
            "text": article(rng, vocab, 6) + "\n" + FOOTER,
        }
        for i in range(n)
    ]


def test_a_page_of_only_site_boilerplate_is_rejected_not_kept_empty(tmp_path: Path) -> None:
    rows = [*_site(8), {"id": "footer-only", "url": "https://gazette.example/x", "text": FOOTER}]
    summary = dedup(str(write(tmp_path / "in.parquet", rows)), str(tmp_path / "out"))
    got = decisions(tmp_path / "out")
    assert len(got) == len(rows)
    # the text dedup read, untouched: the reason says what stripping would have left
    assert got["footer-only"] == ("dedup_boilerplate_only", None, "dedup", FOOTER)
    kept, rejected = outputs(tmp_path / "out")
    assert kept.num_rows == 8 and all(t.strip() for t in kept.column("text").to_pylist())
    assert all(FOOTER not in t for t in kept.column("text").to_pylist())
    assert rejected.to_pylist()[0]["edits"] is None  # its edits as read: no site_boilerplate
    assert summary.boilerplate_only == 1 and summary.kept == 8


def test_copies_on_a_small_site_are_one_document_for_boilerplate(tmp_path: Path) -> None:
    """Four copies of one article on a site of six pages: its lines are in 4 of 6 pages'
    texts, but in only one distinct document, so they are no boilerplate; the copies are
    exact duplicates and one keeps the whole article."""
    rows = _site(3)
    story = rows[0]["text"]
    rows[0]["date"] = "2024-12-01"  # the first publication: the copy kept
    rows += [
        {"id": f"again-{i}", "url": f"https://gazette.example/again/{i}", "text": story}
        for i in range(3)
    ]
    summary = dedup(str(write(tmp_path / "in.parquet", rows)), str(tmp_path / "out"))
    got = decisions(tmp_path / "out")
    assert got["page-0"][:3] == ("kept", "page-0", 4)
    assert got["page-0"][3] == story  # not a line of it taken as boilerplate
    for i in range(3):
        assert got[f"again-{i}"][:3] == ("dedup_exact", "page-0", "dedup")
    assert summary.boilerplate_rules == 0  # the footer is in 3 distinct documents: under 4
