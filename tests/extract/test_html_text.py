"""HTML extraction: whole-page golden outputs, modes, and the WARC path through the pipeline."""

from __future__ import annotations

import gzip
import importlib.util

import pytest
from resiliparse.parse.html import HTMLTree

import crawlsift
from crawlsift import schema as S
from crawlsift.errors import InputError, MissingExtraError
from crawlsift.extract.html_text import (
    MAIN_CONTENT_EMPTY,
    ExtractOptions,
    dom_deeper_than,
    extract_html,
    extract_page,
    main_content_empty,
)
from crawlsift.io import discover, read_task
from tests.conftest import FIXTURES, GOLDEN


def _page(page: str) -> bytes:
    return gzip.decompress((FIXTURES / "html" / f"{page}.html.gz").read_bytes())


# titles are WCXB's ground-truth titles of these pages (the headline, not <title>)
@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("0004", "The 7 Biggest Diet and Nutrition Trends in 2025, According to Nutritionists"),
        ("0012", "10 Easy Steps for a Great Interior Design"),
        ("0557", "'Types of Threads' - Flarum as a 'Discussion Engine'?"),
        ("4412", "Optimizing PostgreSQL query performance"),
    ],
)
def test_page_matches_golden_text(page, title):
    result = crawlsift.clean_html(_page(page))
    assert not result.rejected
    assert result.title == title
    expected = (GOLDEN / f"html-{page}.text.txt").read_text(encoding="utf-8")
    assert result.text == expected.rstrip("\n")


def test_navigation_and_footer_are_not_in_the_text():
    text = crawlsift.clean_html(_page("0004")).text
    assert text.startswith("Food and nutrition advice is constantly changing")
    for chrome in ("Skip to Content", "Hearst Magazines", "Newsletter", "sign in"):
        assert chrome not in text


def test_forum_posts_inside_noscript_are_kept():
    # the Flarum page renders its posts with JavaScript; crawlers get them in <noscript>
    opening = "I just joined today, and posted a few ideas into the Real Time Chat thread."
    assert opening in crawlsift.clean_html(_page("0557")).text
    without = crawlsift.make_pipeline(extract=ExtractOptions(noscript=False))
    assert opening not in crawlsift.clean_html(_page("0557"), pipeline=without).text


def test_metadata_comes_back_with_the_text():
    result = crawlsift.clean_html(_page("0004"))
    # WCXB's ground truth for this page: author Korin Miller, published 2025-01-29
    assert result.extra[S.AUTHOR] == "Korin Miller"
    assert result.extra[S.PUBLISHED] == "2025-01-29"
    assert result.extra[S.SITE_NAME] == "Prevention"
    assert result.extra[S.HTML_LANG] == "en-US"


def test_stage_fills_metadata_columns_and_leaves_text_rows_alone():
    table = S.input_table(id=["a", "b"], html=[_page("0004"), None], text=[None, "plain record"])
    out = extract_html(table)
    assert out.column(S.AUTHOR).to_pylist() == ["Korin Miller", None]
    assert out.column(S.TEXT).to_pylist()[1] == "plain record"
    assert out.column(S.TITLE).to_pylist()[1] is None


@pytest.mark.parametrize("depth", [2, 3, 8, 31, 32, 33, 255, 256, 257])
def test_dom_depth_guard_counts_every_level(depth):
    # <html> and <body> are two levels; text and a sibling ahead of each <div> (not a first child)
    nested = "".join("x<b></b><div>" for _ in range(depth - 2)) + "y"
    tree = HTMLTree.parse(f"<html><body>{nested}</body></html>")
    assert dom_deeper_than(tree, depth)
    assert not dom_deeper_than(tree, depth + 1)


def test_dom_depth_guard_counts_foreign_elements_but_not_template_contents():
    svg = HTMLTree.parse("<html><body><svg>" + "<g>" * 40 + "</svg></body></html>")
    assert dom_deeper_than(svg, 43)  # html, body, svg and 40 <g>
    assert not dom_deeper_than(svg, 44)
    # a template's contents are a fragment of their own, outside the document's tree
    template = HTMLTree.parse("<html><body><template>" + "<div>" * 40 + "</template></body></html>")
    assert dom_deeper_than(template, 3)
    assert not dom_deeper_than(template, 4)


def test_str_and_bytes_give_the_same_result():
    html = _page("0012")
    assert crawlsift.clean_html(html).text == crawlsift.clean_html(html.decode("utf-8")).text


def test_unknown_mode_is_refused():
    with pytest.raises(InputError, match="unknown extract mode"):
        ExtractOptions(mode="slow")  # type: ignore[arg-type]


def test_accurate_mode_without_trafilatura_is_refused_when_the_options_are_made(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "trafilatura" else real(name)
    )
    with pytest.raises(MissingExtraError, match=r"crawlsift\[extract\]"):
        ExtractOptions(mode="accurate")


@pytest.mark.skipif(
    importlib.util.find_spec("trafilatura") is None, reason="trafilatura not installed"
)
def test_accurate_mode_uses_trafilatura_and_keeps_the_metadata():
    fast = extract_page(_page("0004"))
    accurate = extract_page(_page("0004"), opts=ExtractOptions(mode="accurate"))
    assert accurate.text != fast.text
    assert "Protein remains a priority" in accurate.text
    assert "Skip to Content" not in accurate.text
    assert accurate.metadata == fast.metadata


@pytest.mark.skipif(
    importlib.util.find_spec("trafilatura") is None, reason="trafilatura not installed"
)
def test_accurate_mode_falls_back_to_fast_text_when_trafilatura_finds_nothing():
    html = "<html><body><p>Short note.</p></body></html>"
    accurate = extract_page(html, opts=ExtractOptions(mode="accurate"))
    assert accurate.text == extract_page(html).text == "Short note."


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


def _wrapped_page(wrapper_class: str, sections: int) -> str:
    """A page of ``<div>`` sections (no ``<p>`` block for the rescue to find) inside one
    wrapper, with navigation and a footer around it."""
    words = " ".join(f"Sentence {i} tells the reader one more plain fact." for i in range(8))
    body = "".join(
        f"<div><h2>Part {k}</h2><div>{words} (part {k})</div></div>" for k in range(sections)
    )
    return (
        "<html><head><title>Page</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/about'>About the site</a></nav>"
        f'<div class="{wrapper_class}">{body}</div>'
        "<footer>Copyright 2024 Example Company, all rights reserved.</footer></body></html>"
    )


def test_page_whose_main_content_is_empty_keeps_its_visible_text():
    # resiliparse drops an element whose class names boilerplate ("banner") and all inside it
    html = _wrapped_page("page banner-visible", sections=8)
    assert not extract_page(html, opts=ExtractOptions(visible_fallback=False)).text.strip()
    page = extract_page(html)
    assert page.note == MAIN_CONTENT_EMPTY
    assert "Part 0" in page.text and "(part 7)" in page.text
    assert "About the site" not in page.text  # landmarks are still skipped
    assert "Copyright 2024" not in page.text
    result = crawlsift.clean_html(html)
    assert not result.rejected, result.reason
    assert "(part 7)" in result.text
    out = extract_html(S.input_table(id=["a"], html=[html.encode("utf-8")], charset=["utf-8"]))
    assert out.column(S.EXTRACT_NOTE).to_pylist() == [MAIN_CONTENT_EMPTY]


def test_small_page_with_empty_main_content_is_left_empty():
    # two sections are not the substantial visible text that the fallback needs
    page = extract_page(_wrapped_page("page banner-visible", sections=2))
    assert not page.text.strip()
    assert page.note is None


def test_short_main_content_beside_much_visible_text_is_kept_when_it_is_a_fair_share():
    html = _wrapped_page("page", sections=8)
    main = extract_page(html)
    assert main.note is None
    assert "(part 7)" in main.text


@pytest.mark.parametrize(
    ("main_chars", "visible_chars", "falls_back"),
    [
        (0, 2500, True),
        (0, 2499, False),  # too little visible text to be worth keeping
        (249, 2500, True),
        (250, 2500, False),  # a tenth of the visible text is not nothing
        (999, 9991, True),
        (999, 9990, False),
        (1000, 100_000, False),  # a thousand characters are content, whatever the page holds
    ],
)
def test_fallback_rule_needs_little_main_text_beside_much_visible_text(
    main_chars, visible_chars, falls_back
):
    main, visible = f" {'m' * main_chars}\n", "v" * visible_chars  # white space not counted
    assert main_content_empty(main, visible) is falls_back


def test_a_batch_is_extracted_one_payload_at_a_time():
    """Python memory while a batch is extracted stays near one page's copies, not the
    batch's HTML: payloads are read from the Arrow column one at a time (16 pages of
    1 MB of markup, little text)."""
    import tracemalloc

    filler = '<div class="c"><span></span></div>' * 30_000  # ~1 MB of markup, no text
    pages = [
        f"<html><body><article><p>Story {i}. {'A sentence of the story. ' * 20}</p>"
        f"</article>{filler}</body></html>".encode()
        for i in range(16)
    ]
    table = S.input_table(html=pages, id=[str(i) for i in range(16)], source_index=range(16))
    batch_html = sum(map(len, pages))
    extract_html(table)  # imports and caches outside the measurement
    tracemalloc.start()
    try:
        out = extract_html(table)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.column(S.TEXT).to_pylist()[3].startswith("Story 3.")
    assert peak < batch_html / 3, (peak, batch_html)
