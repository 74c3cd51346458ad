"""Put back main content that resiliparse's main-content rules dropped.

resiliparse decides per element from its ``class`` and ``id`` whether it is main content:
``newsletter``, ``subscribe``, ``legal``, ``related`` and some forty other words mark an
element as boilerplate. The words are right for small boxes and wrong when the article's
own container carries one (Substack's ``<article class="newsletter-post">``, a Tailwind
``prose`` block whose class list names ``footer``), and then the page loses its whole body.
React's streamed server rendering puts the body in ``<div hidden id="S:0">`` for a script
to move into place, and resiliparse skips hidden elements.

The check is readability's candidate, the block of ``<p>`` elements that holds the most
text, found with regular expressions over the markup (paragraphs whose markup lies close
together form a block): resiliparse builds a Python object per DOM node visited, which
costs more than the whole extraction, so the DOM is walked only for a page that fails the
check. When less than half of that text is in the main-content output, comment sections
are let in first (a forum's posts are its content); failing that the DOM candidate's
chain up to ``<body>`` is freed of what dropped it (its ``class`` and ``id``, visibility
words in them kept; the ``hidden`` of a React segment) and the page extracted again, the
attributes put back after. Boxes inside the article are still judged by their own
classes. When that still misses the paragraphs, the candidate is extracted on its own and
appended. A candidate hidden by any other means (``hidden``, inline CSS, ARIA, a class
such as ``modal``) is left alone: that is a cookie notice or a closed dialog.
resiliparse has no hook for any of this, hence the code here.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable
from dataclasses import dataclass

from resiliparse.parse.html import DOMNode, HTMLTree

_SPACE = re.compile(r"\s+")
#: a paragraph shorter than this is not evidence of content (captions, bylines, buttons)
MIN_PARAGRAPH_CHARS = 40
#: the candidate must hold this much paragraph text before the extraction is doubted
MIN_CANDIDATE_CHARS = 400
#: rescue when less than this share of the candidate's paragraphs made it into the text
MIN_COVERAGE = 0.5
#: class words that hide an element or make it a dialog; kept when a class is set aside
_VISIBILITY_WORD = re.compile(
    r"^(?:(?:is|visually)[_-])?(?:display-none|d-none|hidden|invisible|collapsed|h-0|sr-only"
    r"|nocontent|modal|popup|lightbox|dialog|overlay)(?:[_-].*)?$",
    re.IGNORECASE,
)
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
#: paragraphs whose markup is further apart than this belong to different blocks
MAX_GAP = 400
#: React's streamed server rendering: a hidden segment that a script moves into place
_REACT_SEGMENT = re.compile(r"^S:\d+$")

#: ``extract(tree, main_content, comments)``: the fast extraction of a parsed page
Extract = Callable[[HTMLTree, bool, bool], str]


@dataclass(frozen=True)
class Candidate:
    """The element whose paragraphs hold the most text, and those paragraphs' texts."""

    node: DOMNode
    paragraphs: tuple[str, ...]

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.paragraphs)


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def densest_block(markup: str) -> tuple[str, ...]:
    """Texts of the block of nearby ``<p>`` elements in ``markup`` that holds the most text."""
    best: list[str] = []
    block: list[str] = []
    best_chars = chars = 0
    last_end = -MAX_GAP - 1
    for m in _PARAGRAPH.finditer(markup):
        if m.start() - last_end > MAX_GAP:
            block, chars = [], 0
        last_end = m.end()
        text = _collapse(htmllib.unescape(_TAG.sub("", m.group(1))))
        if len(text) < MIN_PARAGRAPH_CHARS:
            continue
        block.append(text)
        chars += len(text)
        if chars > best_chars:
            best, best_chars = block, chars
    return tuple(best)


def densest_container(tree: HTMLTree) -> Candidate | None:
    """The parent element of the ``<p>`` elements that hold the most text."""
    body = tree.body
    if body is None:
        return None
    groups: dict[DOMNode, list[str]] = {}
    for p in body.query_selector_all("p"):
        text = _collapse(p.text)
        if len(text) >= MIN_PARAGRAPH_CHARS and p.parent is not None:
            groups.setdefault(p.parent, []).append(text)
    if not groups:
        return None
    node, texts = max(groups.items(), key=lambda kv: sum(len(t) for t in kv[1]))
    return Candidate(node, tuple(texts))


def coverage(paragraphs: tuple[str, ...], text: str) -> float:
    """Share of the paragraphs' text found in ``text`` (by a 40-char probe each)."""
    out = _collapse(text)
    found = sum(len(p) for p in paragraphs if p[:MIN_PARAGRAPH_CHARS] in out)
    return found / max(sum(len(p) for p in paragraphs), 1)


def _chain(node: DOMNode) -> list[DOMNode]:
    """``node`` and its ancestors below ``<body>``."""
    chain = []
    current: DOMNode | None = node
    while current is not None and current.tag not in ("body", "html", "#document"):
        chain.append(current)
        current = current.parent
    return chain


def _react_segment(node: DOMNode) -> bool:
    return node.hasattr("hidden") and bool(_REACT_SEGMENT.match(node.getattr("id") or ""))


def _hidden(node: DOMNode) -> bool:
    """Whether the page hides ``node`` on purpose (not a React segment waiting for its script)."""
    if node.hasattr("hidden") and not _react_segment(node):
        return True
    if (node.getattr("aria-hidden") or "").strip() == "true":
        return True
    if _HIDING_STYLE.search(node.getattr("style") or ""):
        return True
    return any(_VISIBILITY_WORD.match(w) for w in (node.getattr("class") or "").split())


Undo = list[tuple[DOMNode, str, str]]


def _set_aside(chain: list[DOMNode]) -> Undo:
    """Remove what resiliparse's rules read from ``chain``; return how to put it back."""
    undo: Undo = []
    for node in chain:
        if _react_segment(node):
            undo.append((node, "hidden", node.getattr("hidden") or ""))
            node.delattr("hidden")
        cls = node.getattr("class")
        if cls is not None:
            undo.append((node, "class", cls))
            kept = " ".join(w for w in cls.split() if _VISIBILITY_WORD.match(w))
            node.setattr("class", kept)
        ident = node.getattr("id")
        if ident is not None:
            undo.append((node, "id", ident))
            node.delattr("id")
    return undo


def _put_back(undo: Undo) -> None:
    for node, name, value in reversed(undo):
        node.setattr(name, value)


def rescue_main_content(
    markup: str, tree: HTMLTree, text: str, extract: Extract, skipped: str = ""
) -> str:
    """``text`` (extracted without comment sections), or better main content when the page's
    densest block of paragraphs is missing from it.

    ``skipped`` is a CSS selector list of elements the options exclude (``nav``, ``noscript``
    ...): content inside one stays out, whatever its size.
    """
    block = densest_block(markup)
    if sum(len(p) for p in block) < MIN_CANDIDATE_CHARS or coverage(block, text) >= MIN_COVERAGE:
        return text
    with_comments = extract(tree, True, True)
    if coverage(block, with_comments) >= MIN_COVERAGE:
        return with_comments
    candidate = densest_container(tree)
    if candidate is None or candidate.chars < MIN_CANDIDATE_CHARS:
        return text
    paragraphs = candidate.paragraphs
    before = coverage(paragraphs, text)
    if before >= MIN_COVERAGE:
        return text
    chain = _chain(candidate.node)
    if any(_hidden(node) for node in chain):
        return text
    if skipped and candidate.node.closest(skipped) is not None:
        return text
    undo = _set_aside(chain)
    try:
        again = extract(tree, True, True)
    finally:
        _put_back(undo)
    if coverage(paragraphs, again) >= MIN_COVERAGE:
        return again
    # the rules dropped it for reasons outside the chain: the candidate on its own
    region = HTMLTree.parse(candidate.node.html)
    alone = extract(region, True, True)
    if coverage(paragraphs, alone) < MIN_COVERAGE:
        alone = extract(region, False, True)
    if coverage(paragraphs, alone) <= before:
        return text
    return f"{text}\n\n{alone}" if text.strip() else alone
