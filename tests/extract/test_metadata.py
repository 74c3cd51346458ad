"""Page metadata from markup: JSON-LD, <meta> tags, <time>, <html lang> and written dates."""

from __future__ import annotations

import pytest
from resiliparse.parse.html import HTMLTree

from crawlsift.extract.metadata import (
    KEY_PARTS,
    MAX_PLUS_PROBES,
    META_KEYS,
    PageMetadata,
    date_before,
    iso_date,
    page_metadata,
    text_date,
)


def _meta(markup: str) -> PageMetadata:
    return page_metadata(markup, HTMLTree.parse(markup))


def test_jsonld_article_wins_over_meta_tags():
    markup = """<html lang="de"><head><title>Ein Titel | Die Zeitung</title>
    <meta property="og:site_name" content="Die Zeitung">
    <meta name="author" content="Meta Autor">
    <script type="application/ld+json">{"@graph": [
      {"@type": "WebSite", "name": "Zeitung Online"},
      {"@type": "NewsArticle", "headline": "Ein Titel",
       "author": [{"@type": "Person", "name": "Anna A."}, {"name": "Ben B."}],
       "datePublished": "2024-03-05T10:00:00+01:00"}]}</script>
    </head><body><h1>Ein Titel</h1><p>Text.</p></body></html>"""
    assert _meta(markup) == PageMetadata(
        title="Ein Titel",
        author="Anna A., Ben B.",
        published="2024-03-05",
        site_name="Zeitung Online",
        language="de",
    )


def test_meta_tags_and_time_element_without_jsonld():
    markup = """<html><head><title>Launch notes - Example Blog</title>
    <meta property="og:site_name" content="Example Blog">
    <meta name="author" content="By Jo Smith">
    <meta http-equiv="content-language" content="fr">
    </head><body><article><h2>x</h2><time datetime="2023-11-02">2 Nov</time>
    <p>Body.</p></article></body></html>"""
    meta = _meta(markup)
    assert meta.title == "Launch notes"  # <title> without its site-name segment
    assert meta.author == "Jo Smith"
    assert meta.published == "2023-11-02"
    assert meta.site_name == "Example Blog"
    assert meta.language == "fr"


@pytest.mark.parametrize(
    "pluses", [0, 5, MAX_PLUS_PROBES - 1, MAX_PLUS_PROBES, 3 * MAX_PLUS_PROBES]
)
@pytest.mark.parametrize("kind", ["ld+json", "LD+JSON", "ld+Json"])
def test_jsonld_is_found_after_any_number_of_plus_signs(pluses, kind):
    script = "<script>var s = 1" + " + 1" * pluses + ";</script>"
    markup = f"""<html><head>{script}<script type="application/{kind}">
    {{"@type": "NewsArticle", "headline": "Found", "datePublished": "2024-01-02"}}</script>
    {script}</head><body><p>Text</p></body></html>"""
    assert _meta(markup).title == "Found"
    assert _meta(markup).published == "2024-01-02"


def test_broken_jsonld_and_url_authors_are_ignored():
    markup = """<html><head><script type="application/ld+json">{not json</script>
    <meta property="article:author" content="https://example.org/people/jo">
    </head><body><h1>Headline</h1></body></html>"""
    assert _meta(markup) == PageMetadata(title="Headline")


@pytest.mark.parametrize(
    ("body", "author", "published"),
    [
        ('<a rel="author" href="/jo">By: Jo Doe</a>', "Jo Doe", None),
        ('<span itemprop="author">Ann Lee</span>', "Ann Lee", None),
        ('<span itemprop="datePublished" content="2022-05-06">May 6</span>', None, "2022-05-06"),
        ("<time pubdate>2021-01-02</time>", None, "2021-01-02"),
        ('<time datetime="2020-03-04">4 March</time><a rel="author">Al</a>', "Al", "2020-03-04"),
        # near misses of the fallback selectors: nothing
        ('<span itemprop="name">X</span><time>soon</time><a rel="nofollow">Y</a>', None, None),
    ],
)
def test_author_and_time_fallbacks_in_the_dom(body, author, published):
    meta = _meta(f"<html><body><p>Text</p>{body}</body></html>")
    assert (meta.author, meta.published) == (author, published)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Home\nPublished on March 02, 2025\n\nGrowing", "2025-03-02"),
        ("ByDaryl Austin\nPublished March 9, 2026", "2026-03-09"),
        ("Posted 20 Dec 2025, 11:52", "2025-12-20"),
        ("Stand: 05.04.2024", "2024-04-05"),
        ("released 2021/7/9 and updated May 1, 2022", "2021-07-09"),  # the earlier one
        ("No date, only 2025 and 12 items", None),
    ],
)
def test_written_dates(text, date):
    assert text_date(text) == date


def test_a_year_inside_a_longer_number_is_not_a_year():
    # "19xx"/"20xx" inside a longer run of digits (an order number) is no year
    assert text_date("Order 120254 of 2 March 20251") is None
    assert text_date("Order 120254 of 2 March 2025") == "2025-03-02"
    assert text_date("2 March 2025") == "2025-03-02"  # at the very start and end


def test_written_dates_only_near_the_top():
    assert text_date("x " * 2000 + "March 2, 2025") is None


def test_byline_date_is_read_from_the_markup_before_the_article():
    byline = (
        '<div class="byline">By Ann Lee <span class="date">Published 3 March 2025</span></div>'
        "<script>var built = '1 January 2020';</script>"
    )
    markup = f"<html><body><h1>Harbour plan</h1>{byline}<p>The council voted.</p></body></html>"
    assert date_before(markup, markup.index("<p>")) == "2025-03-03"
    assert date_before(markup, markup.index("<div")) is None


def test_extracted_text_leaves_the_byline_out_but_keeps_its_date():
    from crawlsift.extract.html_text import extract_page

    para = "The council approved the harbour dredging plan after months of public hearings."
    page = (
        '<html><body><article><header class="entry-header"><h1>Harbour plan</h1>'
        '<div class="entry-meta">Published 3 March 2025</div></header>'
        + "".join(f"<p>{para}</p>" for _ in range(3))
        + "</article></body></html>"
    )
    got = extract_page(page)
    assert "Published" not in got.text
    assert got.metadata.published == "2025-03-03"


@pytest.mark.parametrize(
    ("value", "date"),
    [("2024-02-29T08:00:00Z", "2024-02-29"), ("20230115", "2023-01-15"), ("1890-01-01", None)],
)
def test_iso_date(value, date):
    assert iso_date(value) == date


def test_every_meta_key_contains_a_key_part():
    """<meta> tags are skipped unparsed unless they contain a ``KEY_PARTS`` entry."""
    for keys in META_KEYS.values():
        for key in keys:
            assert any(part in key for part in KEY_PARTS), key
