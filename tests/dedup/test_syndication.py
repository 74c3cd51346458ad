"""The seed article syndicated on two invented sites dedups to one copy with no chrome."""

from __future__ import annotations

import random
from pathlib import Path

from crawlsift.dedup import dedup
from tests.conftest import SEED
from tests.dedup.conftest import article, edit_lightly, outputs, vocabulary, write

CHROME = {
    "northgazette.example": (
        ["North Gazette", "Home | World | Business | Sport", "Advertisement"],
        [
            "Legal notice: North Gazette republishes wire copy as is.",
            "Most read this week",
            "- Ferry timetable changes for the winter",
            "© 2025 North Gazette Media",
        ],
    ),
    "rivertimes.example": (
        ["THE RIVER TIMES", "Subscribe for unlimited access"],
        [
            "Disclaimer: The River Times takes no responsibility for syndicated content.",
            "Trending now",
            "Share this article",
            "Back to top",
        ],
    ),
}


def seed_article() -> str:
    """The seed page's article: from its headline to just before the legal disclaimer."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Lavrov, Rubio"))
    end = next(i for i, line in enumerate(lines) if line.startswith("Legal Disclaimer"))
    return "\n".join(lines[start:end])


def test_syndicated_seed_keeps_one_copy_without_chrome(tmp_path: Path) -> None:
    rng = random.Random(11)
    vocab = vocabulary(5)
    body = seed_article()
    rows = []
    for n, (host, (header, footer)) in enumerate(CHROME.items()):
        copy = body if n == 0 else edit_lightly(body, rng, vocab) + "\n" + body.split("\n")[-1]
        for i in range(5):
            text = copy if i == 0 else article(rng, vocab, 20)
            rows.append(
                {
                    "id": f"{host}/{i}",
                    "url": f"https://www.{host}/news/{i}",
                    "date": f"2025-06-0{2 + n}",
                    "text": "\n".join([*header, text, *footer]),
                }
            )
    summary = dedup(str(write(tmp_path / "in.parquet", rows)), str(tmp_path / "out"))
    kept, rejected = outputs(tmp_path / "out")
    texts = kept.column("text").to_pylist()
    with_seed = [t for t in texts if "Lavrov, Rubio Discuss Ukraine Conflict" in t]
    assert len(with_seed) == 1
    assert with_seed[0] == body  # the earliest copy, all of its article lines, nothing else
    chrome = [line for header, footer in CHROME.values() for line in header + footer]
    assert not any(line in t.split("\n") for t in texts for line in chrome)
    assert rejected.column("id").to_pylist() == ["rivertimes.example/0"]
    assert rejected.column("reason").to_pylist() == ["dedup_near"]
    assert rejected.column("dedup_duplicate_of").to_pylist() == ["northgazette.example/0"]
    assert summary.boilerplate_rules == sum(len(h) + len(f) for h, f in CHROME.values())
    # every removed line is an edit: applying the edits to the original gives the text
    original = {r["id"]: r["text"] for r in rows}
    for row in kept.to_pylist():
        spans = sorted((e["start"], e["end"]) for e in row["edits"])
        assert all(e["reason"] == "site_boilerplate" for e in row["edits"])
        src, pieces, pos = original[row["id"]], [], 0
        for start, end in spans:
            assert start >= pos
            pieces.append(src[pos:start])
            pos = end
        assert "".join(pieces) + src[pos:] == row["text"]


def test_lines_shared_by_a_few_copies_are_not_boilerplate(tmp_path: Path) -> None:
    rng = random.Random(2)
    vocab = vocabulary(9)
    shared = "A sentence that two syndicated copies on this host both carry today."
    rows = [
        {"id": f"d{i}", "url": f"http://one.example/{i}", "text": article(rng, vocab, 8)}
        for i in range(10)
    ]
    for row in rows[:2]:
        row["text"] += "\n" + shared
    dedup(str(write(tmp_path / "in.parquet", rows)), str(tmp_path / "out"))
    kept, _ = outputs(tmp_path / "out")
    assert sum(shared in t for t in kept.column("text").to_pylist()) == 2
    assert all(not e for e in kept.column("edits").to_pylist())
