"""Page metadata from the DOM: title, author, publication date, site name, declared language.

Sources, most explicit first: schema.org JSON-LD (``headline``, ``author``, ``datePublished``,
``publisher``), then ``<meta>`` tags (Open Graph, ``article:*``, Dublin Core, ``name=author``
...), then the markup itself (``<h1>``, ``<time datetime>``, ``<html lang>``, ``<title>``).
Hand-written because trafilatura's ``extract_metadata`` re-parses the page with lxml and costs
more than the whole fast extraction (bench/extraction.py prints the two side by side).
``<meta>``, JSON-LD and ``<html lang>`` are read with regular expressions over the markup,
not through the DOM: resiliparse builds a Python object per node visited, and walking a
page's ``<meta>`` collection costs many times what the expressions cost; the few
single-node look-ups (``<h1>``, ``<time>``, ``rel=author``) use the parsed tree. Each
look-up walks the whole tree, so the fallback ones are first asked in one selector list,
which on most pages answers that none of them is there.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from resiliparse.parse.html import DocumentNode, DOMNode, HTMLTree

_DATE_RE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_BY_RE = re.compile(r"^\s*(?:by|von|par|por|door|di)\s*[:\s]\s*", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")
_META_RE = re.compile(r"<meta\s([^>]*)>", re.IGNORECASE)
_ATTR_RE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_JSONLD_RE = re.compile(
    r"<script[^>]*application/ld\+json[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL
)
#: what ``ld+json`` contains, case-insensitively as _JSONLD_RE reads it ("s" also matches
#: "\u017f" under re.IGNORECASE), but with a literal first character: a fast scan
_JSON_TYPE_RE = re.compile("\\+[jJ][sS\u017f][oO][nN]")
#: _JSON_TYPE_RE after its "+"
_JSON_TYPE_TAIL_RE = re.compile("[jJ][sS\u017f][oO][nN]")
#: "+" characters looked at one by one before the rest of the page is left to _JSON_TYPE_RE
#: (half of the shared pages have fewer than 30; a page of them must stay linear-time in C)
MAX_PLUS_PROBES = 128
_SCRIPT_END_RE = re.compile(r"</script>", re.IGNORECASE)
_BODY_RE = re.compile(r"<body[\s>]", re.IGNORECASE)
_HTML_TAG_RE = re.compile(r"<html\s([^>]*)>", re.IGNORECASE)
#: DOM look-ups, best first; each ``_ANY_*`` matches when one of its selectors does
_AUTHOR_SELECTORS = ('[rel="author"]', '[itemprop="author"]')
_ANY_AUTHOR = ", ".join(_AUTHOR_SELECTORS)
_TIME_SELECTORS = ('[itemprop="datePublished"]', "time[pubdate]", "time[datetime]")
_ANY_TIME = ", ".join(_TIME_SELECTORS)
_ANY_AUTHOR_OR_TIME = ", ".join(_AUTHOR_SELECTORS + _TIME_SELECTORS)
#: matches every node that ``_ANY_AUTHOR_OR_TIME`` matches (and more); Lexbor's cost grows
#: with the selectors in a list, and these three (two with no attribute value to compare)
#: answer "none" in about half the time of the five
_MAY_BE_AUTHOR_OR_TIME = '[rel="author"], [itemprop], time'
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ")

#: <meta> keys (``property`` or ``name``, lower-cased) for each field, best first
META_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "dc.title", "title"),
    "author": (
        "author",
        "article:author",
        "dc.creator",
        "dcterms.creator",
        "byl",
        "parsely-author",
        "sailthru.author",
        "citation_author",
    ),
    "published": (
        "article:published_time",
        "og:published_time",
        "datepublished",
        "publish-date",
        "publishdate",
        "pubdate",
        "date",
        "dc.date",
        "dc.date.issued",
        "dcterms.date",
        "dcterms.created",
        "citation_publication_date",
        "parsely-pub-date",
        "sailthru.date",
        "article:modified_time",
    ),
    "site_name": ("og:site_name", "application-name", "apple-mobile-web-app-title"),
    "language": ("og:locale", "content-language", "dc.language", "language"),
}
_WANTED_KEYS = frozenset(key for keys in META_KEYS.values() for key in keys)
#: every wanted key contains one of these (tests check it): a cheap filter for <meta> tags
KEY_PARTS = (
    "title",
    "author",
    "creat",
    "date",
    "pub",
    "modified",
    "byl",
    "site_name",
    "application-name",
    "locale",
    "language",
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        )
    )
    for m in names.split()
}
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
#: written dates near the top of a text: "March 2, 2025", "2 March 2025", "02.03.2025"
_TEXT_DATE_RES = (
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I), "mdy"),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+" + _MONTH + r",?\s+(\d{4})\b", re.I), "dmy"),
    (re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b"), "dmy_num"),
    (re.compile(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b"), "ymd"),
)
#: a year 19xx or 20xx not inside a longer number; the look-behind comes after the first two
#: digits so that the search skips to a "1" or "2" in C instead of trying every position
#: (as it would with ``(?<!\d)`` first)
_YEAR_RE = re.compile(r"(?:19|20)(?<!\d(?:19|20))\d{2}(?!\d)")
#: characters of the main text searched for a written date
TEXT_DATE_WINDOW = 1500
#: markup before the article read for a byline's date (see ``date_before``)
BYLINE_MARKUP = 8000
_RAW_ELEMENT_RE = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ANY_TAG_RE = re.compile(r"<[^>]*>")
_JSONLD_ARTICLE_HINTS = ("article", "posting", "report", "blog", "page", "product", "qapage")


@dataclass(frozen=True)
class PageMetadata:
    """What the page says about itself; ``None`` where it says nothing usable."""

    title: str | None = None
    author: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    site_name: str | None = None
    language: str | None = None  # as declared, e.g. "en-US"


def clean(value: Any) -> str | None:
    """Whitespace-collapsed string, or ``None`` for empty and non-string values."""
    if not isinstance(value, str):
        return None
    value = _SPACE_RE.sub(" ", value).strip()
    return value or None


def iso_date(value: str | None) -> str | None:
    """The first plausible ``YYYY-MM-DD`` date in ``value`` (ISO, or compact ``YYYYMMDD``)."""
    if not value:
        return None
    m = _DATE_RE.search(value)
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups())
    if not (1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _attrs(tag_body: str) -> dict[str, str]:
    """Attributes of one start tag (names lower-cased, values entity-decoded)."""
    attrs: dict[str, str] = {}
    for name, double, single, bare in _ATTR_RE.findall(tag_body):
        value = double or single or bare
        attrs[name.lower()] = htmllib.unescape(value) if "&" in value else value
    return attrs


def text_date(text: str) -> str | None:
    """The first written date in the first ``TEXT_DATE_WINDOW`` characters of a text (a
    byline's "Published March 2, 2025"), as ``YYYY-MM-DD``; ``None`` if none.

    Only the few characters around each four-digit year are matched against the date
    patterns (matching them over the whole window costs far more). Numeric
    ``dd.mm.yyyy`` is read day first (the European order); an impossible month there falls
    back to the US order.
    """
    head = text[:TEXT_DATE_WINDOW]
    for year in _YEAR_RE.finditer(head):
        window = head[max(0, year.start() - 24) : year.end() + 6]
        for pattern, order in _TEXT_DATE_RES:
            m = pattern.search(window)
            if m and (date := _written_date(m.groups(), order)):
                return date
    return None


def date_before(markup: str, end: int) -> str | None:
    """The first written date in the last ``TEXT_DATE_WINDOW`` characters of visible text in
    the ``BYLINE_MARKUP`` characters of markup before ``end`` (the article's first
    paragraph), where a byline stands: the date fallback for text that leaves the post
    metadata out. Read from the markup, which costs less than a second extraction."""
    region = _RAW_ELEMENT_RE.sub(" ", markup[max(0, end - BYLINE_MARKUP) : end])
    words = htmllib.unescape(_ANY_TAG_RE.sub(" ", region)).split()
    return text_date(" ".join(words)[-TEXT_DATE_WINDOW:])


def _written_date(groups: tuple[str, ...], order: str) -> str | None:
    a, b, c = groups
    if order == "mdy":
        year, month, day = int(c), _MONTHS[a.lower()], int(b)
    elif order == "dmy":
        year, month, day = int(c), _MONTHS[b.lower()], int(a)
    elif order == "ymd":
        year, month, day = int(a), int(b), int(c)
    else:
        year, month, day = int(c), int(b), int(a)
        if month > 12:
            month, day = day, month
    return iso_date(f"{year:04d}-{month:02d}-{day:02d}")


def _meta_values(markup: str, end: int | None = None) -> dict[str, str]:
    """First non-empty ``content`` of each wanted ``<meta>`` key (one of ``META_KEYS``, read
    from ``property``, ``name``, ``itemprop`` or ``http-equiv``, lower-cased) in
    ``markup[:end]``, read in place (a copy of a page's head costs as much as reading it).

    Parsing a tag's attributes is most of the cost, and most tags (viewport, og:image ...)
    carry no wanted key: a tag whose lower-cased text contains no ``KEY_PARTS`` entry is
    skipped unparsed, unless it has an entity, which could spell a key.
    """
    found: dict[str, str] = {}
    # findall: no match object a tag
    for body in _META_RE.findall(markup, 0, len(markup) if end is None else end):
        if "&" not in body and not _has_key_part(body.lower()):
            continue
        attrs = _attrs(body)
        keys = [
            key
            for attr in ("property", "name", "itemprop", "http-equiv")
            if (key := attrs.get(attr)) and (key := key.strip().lower()) in _WANTED_KEYS
        ]
        if keys and (content := clean(attrs.get("content"))) is not None:
            for key in keys:
                found.setdefault(key, content)
    return found


def _has_key_part(text: str) -> bool:
    """Whether ``text`` contains a ``KEY_PARTS`` entry."""
    # a loop of ``in`` tests on a tag's text is ~3x faster than one alternation regex (which
    # tries every alternative at every position) and than ``any()`` over a generator
    for part in KEY_PARTS:  # noqa: SIM110 (see above)
        if part in text:
            return True
    return False


def _json_type_offsets(markup: str) -> list[int]:
    """Offsets of the matches of _JSON_TYPE_RE in ``markup``.

    ``str.find`` skips to the next "+" in C (``memchr``), several times faster than the
    regular expression's scan, which steps through every character. Past
    ``MAX_PLUS_PROBES`` of them the expression
    takes over, so a page full of "+" costs no Python loop of its length.
    """
    found: list[int] = []
    at = markup.find("+")
    for _ in range(MAX_PLUS_PROBES):
        if at < 0:
            return found
        if _JSON_TYPE_TAIL_RE.match(markup, at + 1):
            found.append(at)
        at = markup.find("+", at + 1)
    if at >= 0:
        found += [m.start() for m in _JSON_TYPE_RE.finditer(markup, at)]
    return found


def _jsonld_objects(markup: str) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page, ``@graph`` members and list items flattened.

    _JSONLD_RE is slow to scan a whole page (case-insensitive, it tries every ``<``), so it
    only scans the span that can hold a match: from after the last ``>`` before the first
    ``+json`` (a match has none between ``<script`` and its type) to the first
    ``</script>`` after the tag holding the last ``+json``.
    """
    found = _json_type_offsets(markup)
    if not found:
        return
    start = markup.rfind(">", 0, found[0]) + 1
    tag_end = markup.find(">", found[-1])
    close = _SCRIPT_END_RE.search(markup, tag_end + 1) if tag_end >= 0 else None
    end = close.end() if close else len(markup)
    for m in _JSONLD_RE.finditer(markup, start, end):
        try:
            data = json.loads(m.group(1), strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))


def _types(obj: dict[str, Any]) -> str:
    kind = obj.get("@type")
    return " ".join(kind).lower() if isinstance(kind, list) else str(kind or "").lower()


def _names(value: Any) -> list[str]:
    """Names of a schema.org person/organisation value: a string, an object or a list."""
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    if isinstance(value, dict):
        name = clean(value.get("name"))
        return [name] if name else []
    name = clean(value)
    return [name] if name and not name.startswith("http") else []


def _from_jsonld(markup: str) -> dict[str, str]:
    """Fields from the page's main JSON-LD object (an article-like type first)."""
    objects = list(_jsonld_objects(markup))
    main = [o for o in objects if any(h in _types(o) for h in _JSONLD_ARTICLE_HINTS)]
    out: dict[str, str] = {}
    for obj in main + objects:
        kind = _types(obj)
        if "website" in kind or "organization" in kind:
            if "website" in kind and (name := clean(obj.get("name"))):
                out.setdefault("site_name", name)
            continue
        if "breadcrumb" in kind or "person" in kind:
            continue
        if title := clean(obj.get("headline")):
            out.setdefault("title", title)
        if authors := _names(obj.get("author")):
            out.setdefault("author", ", ".join(dict.fromkeys(authors)))
        if date := iso_date(clean(obj.get("datePublished"))):
            out.setdefault("published", date)
        if publisher := _names(obj.get("publisher")):
            out.setdefault("publisher", publisher[0])
        if language := clean(obj.get("inLanguage")):
            out.setdefault("language", language)
    return out


def _document(tree: HTMLTree) -> DocumentNode:
    """The tree's document node: resiliparse types it optional, None only for a tree never
    parsed, and these trees come from ``HTMLTree.parse``."""
    return cast(DocumentNode, tree.document)


def _first_text(tree: HTMLTree, selector: str) -> str | None:
    node: DOMNode | None = _document(tree).query_selector(selector)
    return clean(node.text) if node is not None else None


def _fallback_nodes(tree: HTMLTree, author: bool, time: bool) -> tuple[bool, bool]:
    """Whether the tree holds author and time fallback nodes, asked only for the wanted ones.

    Each query is a walk of the whole tree when nothing matches (most pages): one selector
    list per field, and one for both when both are wanted, answers "none" in one walk; when
    both are wanted a cheaper list that matches more answers it first, as many pages have
    neither.
    """
    doc = _document(tree)
    if author and time:
        if doc.query_selector(_MAY_BE_AUTHOR_OR_TIME) is None:
            return False, False
        if doc.query_selector(_ANY_AUTHOR_OR_TIME) is None:
            return False, False
        has_author = doc.query_selector(_ANY_AUTHOR) is not None
        # the list matched, so without author nodes there are time nodes
        return has_author, not has_author or doc.query_selector(_ANY_TIME) is not None
    has_author = author and doc.query_selector(_ANY_AUTHOR) is not None
    return has_author, time and doc.query_selector(_ANY_TIME) is not None


def _time_date(tree: HTMLTree) -> str | None:
    """The date of a ``<time>`` marked as publication, else of the first ``<time datetime>``."""
    for selector in _TIME_SELECTORS:
        node = _document(tree).query_selector(selector)
        if node is not None:
            value = node.getattr("datetime") or node.getattr("content") or node.text
            if date := iso_date(value):
                return date
    return None


def _strip_site(title: str, site_name: str | None) -> str:
    """``<title>`` without a trailing (or leading) site-name segment."""
    for sep in _TITLE_SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        first, _, rest = title.partition(sep)
        if site_name and tail.strip().lower() == site_name.lower():
            return head.strip()
        if site_name and first.strip().lower() == site_name.lower():
            return rest.strip()
        if len(head) > len(tail):  # "Headline | Site": the longer side is the headline
            return head.strip()
    return title


def page_metadata(markup: str, tree: HTMLTree) -> PageMetadata:
    """Title, author, publication date, site name and declared language of a page, from its
    markup and its parsed tree."""
    body = _BODY_RE.search(markup)
    meta = _meta_values(markup, body.start() if body else None)
    ld = _from_jsonld(markup)

    def pick(field: str) -> str | None:
        if field in ld:
            return ld[field]
        return next((meta[k] for k in META_KEYS[field] if k in meta), None)

    site_name = pick("site_name") or ld.get("publisher")
    h1 = _first_text(tree, "h1")
    title = ld.get("title") or next((meta[k] for k in META_KEYS["title"] if k in meta), None)
    if title is None and tree.title:
        title = clean(_strip_site(tree.title, site_name))
    if h1 and title and h1.lower() in title.lower():
        title = h1  # og:title often carries the site name; the <h1> is the headline
    title = title or h1

    author = pick("author")
    if author and (author.startswith("http") or "@" in author):
        author = None
    published = ld.get("published")
    if published is None:
        published = next((d for k in META_KEYS["published"] if (d := iso_date(meta.get(k)))), None)
    author_nodes, time_nodes = _fallback_nodes(tree, not author, published is None)
    if author_nodes:
        for selector in _AUTHOR_SELECTORS:
            author = author or _first_text(tree, selector)
    if author:
        author = _BY_RE.sub("", author) or None
    if time_nodes:
        published = _time_date(tree)

    html_tag = _HTML_TAG_RE.search(markup)
    language = clean(_attrs(html_tag.group(1)).get("lang")) if html_tag else None
    language = language or pick("language")
    return PageMetadata(
        title=title,
        author=author,
        published=published,
        site_name=site_name,
        language=language,
    )
