"""Where the article ends: the page's tail after the element holding its densest block.

resiliparse keeps every element whose class and id do not name boilerplate, so after an
article come its "related stories", author box, newsletter prompt and the site's other
teasers whenever their markup is unlabelled. Readability and trafilatura avoid them by
extracting one container; resiliparse has no notion of one. The densest block of ``<p>``
elements (``rescue.densest_block``) says where the article is; the nearest ``<div>``,
``<section>``, ``<article>``, ``<main>`` or ``<table>`` holding its first and last
paragraph is taken as the article's container, and what the main-content output holds
after that container's end is the tail.

The container's end is found in the markup with a scan of those tags (never void, always
closed), skipping comments and raw-text elements, so no second parse or DOM walk
is needed; a marker element is put just after it before the page is parsed, and the
extracted text is cut where the marker comes out. Nothing is cut when the block has fewer
than ``MIN_PARAGRAPHS`` paragraphs, when the markup never closes the container, or when
what follows the marker is a fair share of the text (``MAX_TAIL_SHARE``): then it is more
content, the next sections of a long article or a forum's further posts, not a tail:
cutting every tail would take their further sections from forums, documentation and
service pages.
"""

from __future__ import annotations

import re

from crawlsift.extract.rescue import Block

#: a block of fewer paragraphs says too little about where the content is
MIN_PARAGRAPHS = 2
#: the tail is cut when it holds less text than this share of the text before it
MAX_TAIL_SHARE = 0.3
#: tags the container scan reads at most (a normal page has a few thousand in all)
MAX_SCANNED_TAGS = 100_000
#: text of the marker element: ASCII, so that an ASCII page stays a one-byte-per-character
#: str (a non-Latin-1 character would widen it, and resiliparse's UTF-8 encoding of it
#: would cost more than the whole tail scan), and a token no page text holds
MARK = "crawlsift-tail-5f0c9e2d7a41"
_MARK_ELEMENT = f"<p>{MARK}</p>"
_SCAN = re.compile(
    r"<!|<(/?)(div|section|article|main|table)[\s>/]|<(script|style|template)[\s>]",
    re.IGNORECASE | re.ASCII,  # as the parser: "\u017fcript" (long s) is no <script>
)
_RAW_END = {
    name: re.compile(f"</{name}", re.IGNORECASE | re.ASCII)
    for name in ("script", "style", "template")
}


def container_end(markup: str, block: Block) -> int | None:
    """Offset just after the end tag of the nearest container of ``block``'s first and last
    paragraph, or None when the block is too small or the markup never closes it.

    The containers opened after the first paragraph are kept by name, so an end tag that
    matches none of them while some are open is passed over, as the parser ignores it; an
    end tag with none open closes one of the paragraph's ancestors.
    """
    if len(block.paragraphs) < MIN_PARAGRAPHS:
        return None
    opened: list[str] = []  # containers opened since the first paragraph, innermost last
    pos = block.first
    for _ in range(MAX_SCANNED_TAGS):
        if (m := _SCAN.search(markup, pos)) is None:
            return None
        if m.group(0) == "<!":  # a comment, or a bogus one (<!DOCTYPE, <![CDATA[) to its >
            comment = markup.startswith("<!--", m.start())
            end = markup.find("-->" if comment else ">", m.end())
            if end < 0:
                return None
            pos = end + (3 if comment else 1)
            continue
        if raw := m.group(3):
            close = _RAW_END[raw.lower()].search(markup, m.end())
            if close is None:
                return None
            pos = close.end()
            continue
        pos = m.end()
        name = m.group(2).lower()
        if not m.group(1):
            opened.append(name)
        elif name in opened:
            del opened[len(opened) - 1 - opened[::-1].index(name) :]
        elif not opened and m.start() > block.last:
            gt = markup.find(">", m.start())
            return gt + 1 if gt >= 0 else None
    return None  # hostile markup: a container that does not end within the cap


def mark_end(markup: str, block: Block) -> str:
    """``markup`` with the marker element after the block's container, when one is found."""
    end = container_end(markup, block)
    if end is None:
        return markup
    return f"{markup[:end]}{_MARK_ELEMENT}{markup[end:]}"


def cut_tail(text: str) -> str:
    """``text`` up to the marker when what follows it is small beside what precedes it (a
    tail), else ``text`` without the marker (more content: the next sections of a long
    article, a forum's further posts). Only for text extracted from marked markup."""
    at = text.find(MARK)
    if at < 0:
        return text
    head = text[:at].rstrip()
    tail = sum(len(line.strip()) for line in text[at + len(MARK) :].split("\n"))
    return head if tail < MAX_TAIL_SHARE * len(head) else drop_mark(text)


def drop_mark(text: str) -> str:
    """``text`` without the marker and the line breaks before it (where the tail was kept:
    rescued or all-visible text). Only for text extracted from marked markup."""
    while (at := text.find(MARK)) >= 0:
        text = text[:at].rstrip("\n") + text[at + len(MARK) :]
    return text


def unmark(value: str | None) -> str | None:
    """A metadata value read from marked markup (an element around the container's end,
    such as an author box holding the article), without the marker."""
    if value is None or MARK not in value:
        return value
    return " ".join(value.replace(MARK, " ").split()) or None
