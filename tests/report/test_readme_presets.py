"""The README warns what each filter preset removes, and the warning holds for the code."""

from __future__ import annotations

import re
from pathlib import Path

import crawlsift
from crawlsift.api import make_pipeline
from crawlsift.signals.filters import PRESETS

README = Path(__file__).parent.parent.parent / "README.md"


def preset_rows() -> dict[str, str]:
    """README table rows ``| `preset` | rejects | what it removes |`` by preset name."""
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (.+) \|$", README.read_text(), flags=re.M)
    return dict(rows)


def test_readme_says_what_each_preset_removes():
    rows = preset_rows()
    assert set(rows) == set(PRESETS)
    for preset, row in rows.items():
        assert re.search(r"\d+%", row), f"{preset}: give the share of pages it rejects"
    assert "gopher_below_alpha_threshold" in rows["gopher"] and "15%" in rows["gopher"]
    for kind in ("headings", "list items", "code lines"):
        assert kind in rows["c4"]
    text = README.read_text()
    assert "crawlsift clean wcxb-dev.jsonl -o out-gopher --preset gopher" in text


def test_c4_line_rule_deletes_headings_list_items_and_code_lines():
    prose = (
        "Crawlsift turns raw web pages into clean text for corpora and search indexes.\n"
        "It keeps a record of every span it removes, with the reason it was removed.\n"
        "Each rejected document is stored with the rule that rejected it, so nothing is lost.\n"
        "The command line and the Python library share one pipeline of small stages.\n"
        "A run can be stopped and started again without redoing the finished files.\n"
    )
    structured = ["Installation", "- fast parsing of WARC files", "pip install crawlsift"]
    text = f"{structured[0]}\n\n{prose}\n{structured[1]}\n{structured[2]}\n"
    result = crawlsift.clean_text(text, pipeline=make_pipeline(preset="crawlsift-default"))
    removed = {text[e.start : e.end] for e in result.edits if e.reason.startswith("c4_")}
    assert set(structured) <= removed
    assert all(line in result.text for line in prose.splitlines())
