"""Put back main content that resiliparse's main-content rules dropped.

resiliparse decides per element from its ``class`` and ``id`` whether it is main content:
``newsletter``, ``subscribe``, ``legal``, ``related`` and some forty other words mark an
element as boilerplate. The words are right for small boxes and wrong when the article's
own container carries one (Substack's ``<article class="newsletter-post">``, a Tailwind
``prose`` block whose class list names ``footer``), and then the page loses its whole body.
React's streamed server rendering puts the body in ``<div hidden id="S:0">`` for a script
to move into place, and resiliparse skips hidden elements.

The check is readability's candidate, the block of ``<p>`` elements that holds the most
text, found with a regular-expression scan of the markup (paragraphs whose markup lies
close together form a block; ``<script>``, ``<style>`` and ``<template>`` are skipped).
resiliparse builds a Python object per DOM node visited, which would cost more than the
whole extraction, so the DOM is touched only for a page that fails the check:

1. when less than half of the block's text is in the main-content output, comment
   sections are let in (a forum's posts are its content);
2. failing that, the block's first and last paragraphs are marked in the markup, which is
   parsed once more; their nearest common ancestor and its chain up to ``<body>`` are freed
   of what dropped them (``class`` and ``id``, visibility words in them kept; the
   ``hidden`` of a React segment) and the copy extracted again. Boxes inside the article
   are still judged by their own classes;
3. failing that, the ancestor is extracted on its own and appended.

A block hidden by any other means (``hidden``, inline CSS, ARIA, a class such as
``modal``) or inside an element the options skip is left out: that is a cookie notice, a
closed dialog, or what the user asked to drop. resiliparse has no hook for any of this,
hence the code here.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable
from dataclasses import dataclass

from resiliparse.parse.html import DOMNode, ElementNode, HTMLTree

#: a paragraph shorter than this is not evidence of content (captions, bylines, buttons)
MIN_PARAGRAPH_CHARS = 40
#: the candidate must hold this much paragraph text before the extraction is doubted
MIN_CANDIDATE_CHARS = 400
#: rescue when less than this share of the candidate's paragraphs made it into the text
MIN_COVERAGE = 0.5
#: class words that hide an element or make it a dialog, alone or with one short state or
#: breakpoint suffix ("hidden-xs", "modal-dialog"), kept when a class is set aside; a longer
#: name only starts with one (Drupal wraps every page in "dialog-off-canvas-main-canvas")
_VISIBILITY_WORD = re.compile(
    r"^(?:(?:is|visually)[_-])?(?:display-none|d-none|hidden|invisible|collapsed|h-0|sr-only"
    r"|nocontent|modal|popup|lightbox|dialog|overlay)(?:[_-][a-z0-9]{1,8})?$",
    re.IGNORECASE,
)
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
#: a ``<p`` tag, or a whole ``<script>``, ``<style>`` or ``<template>`` element (group 1 its
#: name) up to its first ``</name`` (exact case, like the opening tag), or to the end of the
#: markup when it is never closed. Possessive, so a raw element is passed over in C, cheaper
#: than one ``search`` per tag and ``str.find`` for the raw element's end
_P_OR_RAW = re.compile(
    r"<(?:[pP][\s>]|(script|style|template)[\s>](?:[^<]*+(?:<(?!/\1)[^<]*+)*+</\1|.*))",
    re.DOTALL,
)
_TAG = re.compile(r"<[^>]*>")
#: paragraphs whose markup is further apart than this belong to different blocks
MAX_GAP = 400
#: marks the block's first, last and longest paragraph in the copy parsed for the rescue
_MARK = "data-crawlsift-block"
#: React's streamed server rendering: a hidden segment that a script moves into place
_REACT_SEGMENT = re.compile(r"^S:\d+$")

#: ``extract(tree, main_content, comments)``: the fast extraction of a parsed page
Extract = Callable[[HTMLTree, bool, bool], str]


@dataclass(frozen=True)
class Block:
    """The texts of a block of nearby paragraphs, and where some of them start."""

    paragraphs: tuple[str, ...] = ()
    #: offsets in the markup of the ``<p`` of the block's first, last and longest paragraph
    first: int = -1
    last: int = -1
    longest: int = -1

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.paragraphs)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _paragraph_starts(markup: str) -> list[int]:
    """Offsets of the ``<p`` tags in ``markup`` outside ``<script>``, ``<style>`` and
    ``<template>``: markup in those is not the page's (a JSON copy of the article, say).
    An unclosed one of those runs to the end of the markup."""
    return [m.start() for m in _P_OR_RAW.finditer(markup) if m.lastindex is None]


#: a paragraph's markup: offsets of its ``<p``, of its body and of the body's end
Span = tuple[int, int, int]


def _nearby_paragraphs(markup: str) -> list[list[Span]]:
    """The paragraphs of ``markup`` grouped into blocks (markup no more than ``MAX_GAP``
    apart), each block with the paragraphs whose body is long enough to count.

    A paragraph ends at its ``</p`` or, as in a browser, where the next ``<p>`` starts. The
    ends are found with ``str.find``, bounded by the next ``<p``: cheaper than a lazy regular
    expression over each paragraph's body, and an unclosed paragraph does not search the
    rest of the page.
    """
    starts = _paragraph_starts(markup)
    if not starts:
        return []
    blocks: list[list[Span]] = []
    last_end = -MAX_GAP - 1
    for start, following in zip(starts, [*starts[1:], len(markup)], strict=True):
        body = markup.find(">", start) + 1
        end = markup.find("</p", body, following)  # a "</p" there cannot overlap the next "<p"
        if end < 0:
            end = following
        if start - last_end > MAX_GAP:
            blocks.append([])
        last_end = end
        if end - body >= MIN_PARAGRAPH_CHARS:
            blocks[-1].append((start, body, end))
    return blocks


def _paragraph_text(inner: str) -> str:
    """The text of a paragraph's markup: tags dropped, entities decoded, space collapsed."""
    if "<" in inner:
        inner = _TAG.sub("", inner)
    if "&" in inner:
        inner = htmllib.unescape(inner)
    return _collapse(inner)


def _block_texts(markup: str, spans: list[Span]) -> tuple[list[str], list[int]]:
    """Texts of the block's paragraphs long enough to count, and where they start."""
    texts, starts = [], []
    for start, body, end in spans:
        text = _paragraph_text(markup[body:end])
        if len(text) >= MIN_PARAGRAPH_CHARS:
            texts.append(text)
            starts.append(start)
    return texts, starts


def densest_block(markup: str) -> Block:
    """Texts of the block of nearby ``<p>`` elements in ``markup`` that holds the most text
    (the first such block on a tie).

    A paragraph's text is never longer than its markup, so blocks are read in order of
    their markup's length and the rest skipped once it is shorter than the best text found
    (most blocks are menus and footers), so most blocks are never read.
    """
    blocks = _nearby_paragraphs(markup)
    bounds = [sum(end - body for _, body, end in spans) for spans in blocks]
    best: tuple[list[str], list[int]] = ([], [])
    best_chars, best_at = 0, -1
    for i in sorted(range(len(blocks)), key=bounds.__getitem__, reverse=True):
        if bounds[i] < best_chars:
            break
        texts, starts = _block_texts(markup, blocks[i])
        chars = sum(map(len, texts))
        if chars > best_chars or (chars == best_chars and chars > 0 and i < best_at):
            best, best_chars, best_at = (texts, starts), chars, i
    texts, starts = best
    if not texts:
        return Block()
    longest = max(range(len(texts)), key=lambda k: len(texts[k]))
    return Block(tuple(texts), starts[0], starts[-1], starts[longest])


def coverage(paragraphs: tuple[str, ...], text: str) -> float:
    """Share of the paragraphs' text found in ``text`` (by a 40-char probe each).

    Probes are looked up in ``text`` as it is first, and in its white-space-collapsed form
    only when that falls short (a ``<br>`` or a non-breaking space inside a probe).
    """
    total = max(sum(len(p) for p in paragraphs), 1)
    found = sum(len(p) for p in paragraphs if p[:MIN_PARAGRAPH_CHARS] in text)
    if found / total >= MIN_COVERAGE:
        return found / total
    out = _collapse(text)
    return sum(len(p) for p in paragraphs if p[:MIN_PARAGRAPH_CHARS] in out) / total


def _chain(node: DOMNode) -> list[ElementNode]:
    """``node`` and its ancestors below ``<body>`` (elements: above them is the document)."""
    chain = []
    current: DOMNode | None = node
    while isinstance(current, ElementNode) and current.tag not in ("body", "html"):
        chain.append(current)
        current = current.parent
    return chain


def _marked(markup: str, block: Block) -> str:
    """``markup`` with the block's first, last and longest ``<p`` tagged with ``_MARK``."""
    names: dict[int, list[str]] = {}
    for name, offset in (("first", block.first), ("last", block.last), ("longest", block.longest)):
        names.setdefault(offset, []).append(name)
    for offset in sorted(names, reverse=True):
        mark = f'<p {_MARK}="{" ".join(names[offset])}"'
        markup = f"{markup[:offset]}{mark}{markup[offset + 2 :]}"
    return markup


def _common_ancestor(a: DOMNode, b: DOMNode) -> DOMNode | None:
    """The nearest element that holds both ``a`` and ``b`` (not a paragraph itself)."""
    above_a = set(_chain(a.parent)) if a.parent is not None else set()
    node: DOMNode | None = b.parent
    while node is not None and node not in above_a:
        node = node.parent
    return node if node is not None and node.tag not in ("body", "html", "#document") else None


def _react_segment(node: ElementNode) -> bool:
    return node.hasattr("hidden") and bool(_REACT_SEGMENT.match(node.getattr("id") or ""))


def _hidden(node: ElementNode) -> bool:
    """Whether the page hides ``node`` on purpose (not a React segment waiting for its script)."""
    if node.hasattr("hidden") and not _react_segment(node):
        return True
    if (node.getattr("aria-hidden") or "").strip() == "true":
        return True
    if _HIDING_STYLE.search(node.getattr("style") or ""):
        return True
    return any(_VISIBILITY_WORD.match(w) for w in (node.getattr("class") or "").split())


def _block_after(markup: str, block: Block) -> Block:
    """The densest block of ``markup`` outside ``block``: its paragraphs' ``<p`` tags are
    renamed in a copy of the same length, so the offsets found still fit ``markup``."""
    lo, hi = block.first, block.last + 2
    masked = markup[lo:hi].replace("<p", "<q").replace("<P", "<Q")
    return densest_block(f"{markup[:lo]}{masked}{markup[hi:]}")


def _skipped(node: ElementNode, skipped: str) -> bool:
    """Whether an element the options skip holds ``node``, unless that element also holds
    the page's ``<main>``: a landmark around the main content is one left unclosed (a
    ``<header role="banner">`` that runs to the end of the page), not a page part to skip."""
    outer = node.closest(skipped)
    return outer is not None and outer.query_selector('main, [role="main"]') is None


def _set_aside(chain: list[ElementNode]) -> None:
    """Remove from ``chain`` what resiliparse's rules read (visibility words kept)."""
    for node in chain:
        if _react_segment(node):
            node.delattr("hidden")
        cls = node.getattr("class")
        if cls is not None:
            node.setattr("class", " ".join(w for w in cls.split() if _VISIBILITY_WORD.match(w)))
        if node.getattr("id") is not None:
            node.delattr("id")


def rescue_main_content(
    markup: str,
    tree: HTMLTree,
    text: str,
    extract: Extract,
    skipped: str = "",
    block: Block | None = None,
    *,
    next_block: bool = True,
) -> str:
    """``text`` (extracted without comment sections), or better main content when the page's
    densest block of paragraphs is missing from it.

    ``skipped`` is a CSS selector list of elements the options exclude (``nav``, ``noscript``
    ...): content inside one stays out, whatever its size. ``block`` is ``markup``'s densest
    block when the caller has it already. When that block is hidden or skipped, the densest
    block outside it is tried once (``next_block``).
    """
    block = block if block is not None else densest_block(markup)
    if block.chars < MIN_CANDIDATE_CHARS:
        return text
    before = coverage(block.paragraphs, text)
    if before >= MIN_COVERAGE:
        return text
    with_comments = extract(tree, True, True)
    if coverage(block.paragraphs, with_comments) >= MIN_COVERAGE:
        return with_comments
    # the DOM element of the block: the nearest common ancestor of its first and last
    # paragraph (the longest one's parent when that is <body>: the block ran into a
    # footer), found by marking them in the markup and parsing once more, which is
    # cheaper than visiting the page's <p> nodes
    copy = HTMLTree.parse(_marked(markup, block))
    if copy.document is None:
        return text
    ends = [copy.document.query_selector(f"[{_MARK}~={n}]") for n in ("first", "last")]
    if ends[0] is None or ends[1] is None:
        return text
    candidate = _common_ancestor(ends[0], ends[1])
    if candidate is None:
        longest = copy.document.query_selector(f"[{_MARK}~=longest]")
        candidate = longest.parent if longest is not None else None
    if not isinstance(candidate, ElementNode) or candidate.tag in ("body", "html"):
        return text
    chain = _chain(candidate)
    if any(_hidden(node) for node in chain) or (skipped and _skipped(candidate, skipped)):
        # a hidden dialog's terms or a skipped sidebar: the article may be the next block
        if not next_block:
            return text
        return rescue_main_content(
            markup, tree, text, extract, skipped, _block_after(markup, block), next_block=False
        )
    _set_aside(chain)
    again = extract(copy, True, True)
    if coverage(block.paragraphs, again) >= MIN_COVERAGE:
        return again
    # the rules dropped it for reasons outside the chain: the candidate on its own
    region = HTMLTree.parse(candidate.html)
    alone = extract(region, True, True)
    if coverage(block.paragraphs, alone) < MIN_COVERAGE:
        alone = extract(region, False, True)
    if coverage(block.paragraphs, alone) <= before:
        return text
    return f"{text}\n\n{alone}" if text.strip() else alone
