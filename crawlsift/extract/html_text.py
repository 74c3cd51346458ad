"""HTML to text for WARC responses, in one of two modes.

Rows whose ``html`` column holds a payload get ``text`` (the main content, block structure
kept as lines), ``title`` and the page's metadata (``author``, ``published``, ``site_name``,
``html_lang``, see ``metadata.py``). Modes (``ExtractOptions.mode``):

* ``"fast"`` (default): resiliparse's main-content extraction (Lexbor DOM, C core) with
  crawlsift's DOM rules: landmark elements skipped, ``<noscript>`` kept, comment sections
  left out, an article body that resiliparse's class-name rules drop put back
  (``rescue.py``) and the page's tail after the article's container cut (``tail.py``);
  then crawlsift's repair stage downstream;
* ``"accurate"``: trafilatura (``pip install 'crawlsift[extract]'``), falling back to the
  fast text when it finds nothing.

Parsing is one document at a time (there is no batch HTML parser). A payload that cannot be
decoded or parsed becomes a rejected row with a reason, never an exception; one that parses
past the run's time limit a ``parse_timeout`` row (:mod:`crawlsift.watchdog`).

Memory: a page costs several copies of its HTML while it is parsed (the decoded ``str``, its
UTF-8 form handed to Lexbor, the DOM's text, the extracted text), so the batch's payloads
are taken one at a time from their Arrow column (a zero-copy buffer, never a list of all the
batch's ``bytes``), and the decoded page is let go once the marked copy that is parsed exists.

resiliparse's main-content scoring takes time quadratic in DOM depth (20,000 nested
``<div>`` take 12 s, 100,000 several minutes), while its plain-text walk is linear. No
page of the 2,659 in the shared extraction sets is even 64 elements deep, so a DOM
deeper than ``max_depth`` is hostile or broken markup: it keeps all visible text (the
repair stage then cleans it) and the row's ``extract_note`` says ``dom_too_deep``.

Main-content extraction can find (almost) nothing on a page full of text: resiliparse drops
an element whose class names boilerplate (``sidebar``, ``banner-visible``, ``related``) with
everything in it, and when that element wraps the whole page and holds no paragraph block
for ``rescue.py`` to find (product pages, forums built of ``<div>``), the page comes out
empty. When the main content is under ``FALLBACK_MAX_CHARS`` and under ``FALLBACK_MAX_SHARE``
of a visible text of at least ``FALLBACK_MIN_VISIBLE_CHARS`` (landmarks still skipped), that
visible text is kept instead, for the repair stage to clean, and ``extract_note`` says
``main_content_empty``. The thresholds were chosen on WCXB dev pages of three of five folds
grouped by host and checked on the other two (docs/benchmarks.md).
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from typing import Literal, cast

import pyarrow as pa
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str
from resiliparse.parse.html import DocumentNode, HTMLTree

from crawlsift import schema as S
from crawlsift import watchdog
from crawlsift.errors import InputError, MissingExtraError
from crawlsift.extract.accurate import accurate_text, require_trafilatura
from crawlsift.extract.metadata import PageMetadata, date_before, page_metadata, text_date
from crawlsift.extract.rescue import densest_block, rescue_main_content
from crawlsift.extract.tail import cut_tail, drop_mark, mark_end, unmark
from crawlsift.io.charset import encoding_of
from crawlsift.reasons import DOM_TOO_DEEP, MAIN_CONTENT_EMPTY, PARSE_TIMEOUT
from crawlsift.reasons import EXTRACT_UNPARSABLE_HTML as REJECT_UNPARSABLE
from crawlsift.registry import register

STAGE = "extract"
Mode = Literal["fast", "accurate"]
MODES: tuple[str, ...] = ("fast", "accurate")
#: metadata columns this stage fills, with the PageMetadata attribute of each
META_COLUMNS: dict[str, str] = {
    S.AUTHOR: "author",
    S.PUBLISHED: "published",
    S.SITE_NAME: "site_name",
    S.HTML_LANG: "language",
}


@dataclass(frozen=True, kw_only=True)
class ExtractOptions:
    """Options of the HTML extraction stage."""

    #: "fast" (resiliparse + DOM rules) or "accurate" (trafilatura, needs the extract extra)
    mode: Mode = "fast"
    #: keep only the main content; False keeps all visible text (fast mode only)
    main_content: bool = True
    #: keep alt texts of images (fast mode only)
    alt_texts: bool = False
    #: keep comment sections (by resiliparse's class rules) as main content; when False they
    #: are still kept on a page whose main paragraphs are in them (a forum, see rescue.py)
    comments: bool = False
    #: keep post metadata (bylines, dates, tags) as main content; off, since they are not
    #: the content (benchmark references mostly leave them out) and the page's date goes to the
    #: ``published`` column (a byline's date read from the markup before the article when
    #: the page declares none, ``metadata.date_before``)
    post_meta: bool = False
    #: keep <noscript> content: forum software (Discourse) serves its posts there to crawlers
    noscript: bool = True
    #: CSS selectors of elements never part of the main content (fast mode, main_content only):
    #: HTML5 sectioning and ARIA landmark roles for navigation, asides, page header and footer
    skip_selectors: tuple[str, ...] = (
        "nav",
        "aside",
        "footer",
        '[role="navigation"]',
        '[role="complementary"]',
        '[role="contentinfo"]',
        '[role="banner"]',
    )
    #: DOMs deeper than this skip main-content scoring (see the module docstring)
    max_depth: int = 256
    #: put back an article body that resiliparse's class-name rules dropped (``rescue.py``)
    rescue: bool = True
    #: drop what follows the container of the densest paragraph block (``tail.py``)
    cut_tail: bool = True
    #: keep the page's visible text (landmarks skipped) when the main content is (almost)
    #: nothing beside it (see the module docstring)
    visible_fallback: bool = True

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError(f"unknown extract mode {self.mode!r}; use one of {', '.join(MODES)}")
        if self.mode == "accurate" and importlib.util.find_spec("trafilatura") is None:
            # checked when the options are made: before a run creates any output
            raise MissingExtraError("trafilatura", "extract")


#: main content shorter than this (stripped characters) and than ``FALLBACK_MAX_SHARE`` of
#: the visible text is (almost) nothing ...
FALLBACK_MAX_CHARS = 1000
FALLBACK_MAX_SHARE = 0.1
#: ... beside a visible text (landmarks skipped) of at least this many characters
FALLBACK_MIN_VISIBLE_CHARS = 2500


@dataclass(frozen=True)
class Extracted:
    """What the extraction made of one page."""

    text: str
    metadata: PageMetadata
    #: why the extraction deviated from its mode (``dom_too_deep``, ``main_content_empty``),
    #: else None
    note: str | None = None


def dom_deeper_than(tree: HTMLTree, depth: int) -> bool:
    """Whether any element lies more than ``depth`` levels below the document.

    Lexbor's selector engine answers it in C: ``:root`` having a chain of ``depth - 1``
    child combinators below it (``_chain``). A ``_PRECHECK_DEPTH`` chain, which normal
    pages already fail, is asked first: deeper than ``depth`` implies deeper than it.
    """
    doc = cast(DocumentNode, tree.document)  # None only for a tree never parsed
    if depth > _PRECHECK_DEPTH and doc.query_selector(_chain(_PRECHECK_DEPTH)) is None:
        return False
    return doc.query_selector(_chain(depth)) is not None


#: about twice the depth of a normal page (16-24; of the 2,617 shared pages 3% reach 32, 0.6% 40)
_PRECHECK_DEPTH = 32


@functools.lru_cache(maxsize=8)
def _chain(depth: int) -> str:
    """Selector that matches when some element lies ``depth`` levels deep (``<html>`` is 1).

    ``:root:has(>*>*...)`` matches top-down, cheaper than the same chain matched bottom-up
    from every first child (``*>*>...>*:first-child``) on normal and deep pages alike. No
    spaces, as they cost parse time.
    """
    if depth < 1:
        return ""  # no depth to ask for: an empty selector, which Lexbor rejects
    return ":root" if depth == 1 else f":root:has({'>*' * (depth - 1)})"


def decode(payload: bytes | str | pa.Buffer, charset: str | None = None) -> str:
    """Bytes to text in the encoding a browser would use (``charset.encoding_of``): the
    declared charset when a browser knows its label, else the one detected. An Arrow
    buffer is copied to ``bytes`` only for the time of the decoding."""
    if isinstance(payload, str):
        return payload
    data = payload.to_pybytes() if isinstance(payload, pa.Buffer) else payload
    return bytes_to_str(data, encoding_of(data, charset))


def fast_text(tree: HTMLTree, opts: ExtractOptions) -> str:
    """resiliparse's text of a parsed page (main content unless ``opts`` says otherwise)."""
    return extract_plain_text(
        tree,
        main_content=opts.main_content,
        alt_texts=opts.alt_texts,
        preserve_formatting=True,
        list_bullets=True,
        noscript=opts.noscript,
        comments=opts.comments,
        post_meta=opts.post_meta,
        skip_elements=_skip_elements(opts.skip_selectors) if opts.main_content else None,
    )


def visible_text(tree: HTMLTree, opts: ExtractOptions) -> str:
    """All visible text of a parsed page but the elements ``opts`` skip (landmarks)."""
    return extract_plain_text(
        tree,
        main_content=False,
        alt_texts=opts.alt_texts,
        preserve_formatting=True,
        list_bullets=True,
        noscript=opts.noscript,
        skip_elements=_skip_elements(opts.skip_selectors),
    )


def main_content_empty(main: str, visible: str) -> bool:
    """Whether ``main`` is (almost) nothing beside a substantial ``visible`` text."""
    chars, shown = len(main.strip()), len(visible.strip())
    return (
        shown >= FALLBACK_MIN_VISIBLE_CHARS
        and chars < FALLBACK_MAX_CHARS
        and chars < FALLBACK_MAX_SHARE * shown
    )


def _skip_elements(selectors: tuple[str, ...]) -> list[str]:
    """``selectors`` as one comma-joined selector list: the same elements skipped, at less
    cost than one list item per selector."""
    return [", ".join(selectors)] if selectors else []


def skipped_selector(opts: ExtractOptions) -> str:
    """The elements ``opts`` keep out of the main content, as one CSS selector list."""
    return ", ".join((*opts.skip_selectors, *(() if opts.noscript else ("noscript",))))


def extract_page(
    payload: bytes | str | pa.Buffer,
    charset: str | None = None,
    opts: ExtractOptions | None = None,
    url: str | None = None,
) -> Extracted:
    """Decode, parse and extract one page: its text and metadata.

    ``payload`` may be an Arrow buffer (a value of an ``html`` column, without a copy).
    """
    opts = opts or ExtractOptions()
    page = decode(payload, charset)
    html, block = page, None
    # the paragraph block serves the tail cut and the rescue, which only the fast
    # main-content path runs (a fallback from the accurate mode finds it in the rescue)
    if opts.mode == "fast" and opts.main_content and (opts.rescue or opts.cut_tail):
        block = densest_block(page)
        if opts.cut_tail:
            html = mark_end(page, block)
    marked = html is not page
    del page  # the marked copy is what is parsed: the page need not be held beside it
    tree = HTMLTree.parse(html)
    metadata = page_metadata(html, tree)
    if marked:
        metadata = PageMetadata(
            **{f.name: unmark(getattr(metadata, f.name)) for f in fields(metadata)}
        )
    text, note = None, None
    if opts.mode == "accurate":
        text = accurate_text(html, url)
    if not text:
        fast = opts
        if opts.main_content and dom_deeper_than(tree, opts.max_depth):
            fast, note = replace(opts, main_content=False), DOM_TOO_DEEP
        text = fast_text(tree, fast)
        text = cut_tail(text) if marked and fast.main_content else text
        if fast.main_content and opts.rescue:
            text = rescue_main_content(
                html,
                tree,
                text,
                lambda t, main, comments: fast_text(
                    t, replace(fast, main_content=main, comments=comments)
                ),
                skipped_selector(fast),
                block,
            )
        text = drop_mark(text) if marked else text
        # the visible text is extracted only when the main content is short
        if fast.main_content and opts.visible_fallback and len(text.strip()) < FALLBACK_MAX_CHARS:
            visible = visible_text(tree, fast)
            visible = drop_mark(visible) if marked else visible
            if main_content_empty(text, visible):
                text, note = visible, MAIN_CONTENT_EMPTY
    if metadata.published is None:
        published = text_date(text)
        if published is None and block is not None and block.first >= 0:
            published = date_before(html, block.first)
        metadata = replace(metadata, published=published)
    return Extracted(text, metadata, note)


@register(
    STAGE,
    ExtractOptions,
    columns=(S.TEXT, S.REASON, S.STAGE, S.TITLE, S.EXTRACT_NOTE, *META_COLUMNS),
)
def extract_html(table: pa.Table, *, opts: ExtractOptions | None = None) -> pa.Table:
    """Turn the ``html`` payloads of a batch into ``text``, ``title`` and metadata columns."""
    opts = opts or ExtractOptions()
    if S.HTML not in table.column_names or table.column(S.HTML).null_count == table.num_rows:
        return table
    if opts.mode == "accurate":
        require_trafilatura()
    htmls = table.column(S.HTML)
    texts = table.column(S.TEXT).to_pylist()
    reasons = table.column(S.REASON).to_pylist()
    stages = table.column(S.STAGE).to_pylist()
    charsets = table.column(S.CHARSET).to_pylist()
    urls = table.column(S.URL).to_pylist()
    n = table.num_rows
    titles: list[str | None] = [None] * n
    if S.TITLE in table.column_names:
        titles = table.column(S.TITLE).to_pylist()
    meta: dict[str, list[str | None]] = {}
    for name in META_COLUMNS:
        meta[name] = table.column(name).to_pylist() if name in table.column_names else [None] * n
    notes: list[str | None] = [None] * n
    positions = table.column(S.SOURCE_INDEX).to_pylist()
    for i, payload in enumerate(_buffers(htmls)):
        if payload is None or reasons[i] is not None:
            continue
        if watchdog.timed_out(positions[i]):  # it ran out of time in an earlier attempt
            reasons[i], stages[i] = PARSE_TIMEOUT, STAGE
            continue
        try:
            with watchdog.watch(positions[i]):
                page = extract_page(payload, charsets[i], opts, urls[i])
        except Exception:  # a hostile page must not end the run; it is rejected instead
            reasons[i], stages[i] = REJECT_UNPARSABLE, STAGE
            continue
        texts[i], titles[i], notes[i] = page.text, page.metadata.title, page.note
        for name, attr in META_COLUMNS.items():
            meta[name][i] = getattr(page.metadata, attr)
    updates = {
        S.TEXT: pa.array(texts, pa.large_string()),
        S.REASON: pa.array(reasons, pa.string()),
        S.STAGE: pa.array(stages, pa.string()),
        S.TITLE: pa.array(titles, pa.string()),
        S.EXTRACT_NOTE: pa.array(notes, pa.string()),
        **{name: pa.array(values, pa.string()) for name, values in meta.items()},
    }
    return S.with_columns(table, updates)


def _buffers(column: pa.ChunkedArray) -> Iterator[pa.Buffer | None]:
    """The values of a binary column as zero-copy Arrow buffers (None for a null), one at a
    time: ``to_pylist`` would copy every payload of the batch into ``bytes`` at once."""
    for chunk in column.chunks:
        for value in chunk:
            yield value.as_buffer() if value.is_valid else None
