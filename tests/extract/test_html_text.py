"""HTML extraction: whole-page golden outputs and the WARC path through the pipeline."""

from __future__ import annotations

import gzip

import pytest

import crawlsift
from crawlsift import schema as S
from crawlsift.io import discover, read_task
from tests.conftest import FIXTURES, GOLDEN


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("0004", "7 Major Diet Trends for 2025, According to Nutritionists"),
        ("0012", "10 Easy Steps for a Great Interior Design | Tarkett"),
    ],
)
def test_page_matches_golden_text(page, title):
    html = gzip.decompress((FIXTURES / "html" / f"{page}.html.gz").read_bytes())
    result = crawlsift.clean_html(html)
    assert not result.rejected
    assert result.title == title
    expected = (GOLDEN / f"html-{page}.text.txt").read_text(encoding="utf-8")
    assert result.text == expected.rstrip("\n")


def test_navigation_and_footer_are_not_in_the_text():
    html = gzip.decompress((FIXTURES / "html" / "0004.html.gz").read_bytes())
    text = crawlsift.clean_html(html).text
    assert text.startswith("Food and nutrition advice is constantly changing")
    for chrome in ("Skip to Content", "Hearst Magazines", "Newsletter", "sign in"):
        assert chrome not in text


def test_str_and_bytes_give_the_same_result():
    html = gzip.decompress((FIXTURES / "html" / "0012.html.gz").read_bytes())
    assert crawlsift.clean_html(html).text == crawlsift.clean_html(html.decode("utf-8")).text


def test_warc_responses_are_extracted_in_the_pipeline():
    (task,) = discover([str(FIXTURES / "warc" / "whirlwind.warc.gz")])
    rows = [r for b in read_task(task) for r in crawlsift.make_pipeline()(b).to_pylist()]
    (row,) = rows
    assert row[S.HTTP_STATUS] == 200
    assert row[S.URL].startswith("https://")
    assert row[S.KEEP], row[S.REASON]
    assert row[S.TITLE]
    assert len(row[S.TEXT].split()) > 50
    assert "<" not in row[S.TEXT][:200]


def test_garbage_payload_is_rejected_not_raised():
    result = crawlsift.clean_html(b"\xff\xfe\x00<\x00h\x00")
    assert result.rejected
    assert result.reason == "binary"  # NUL bytes: the guard stage stops it before parsing
