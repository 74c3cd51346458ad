"""HTML to text for WARC responses: resiliparse's main-content extraction.

Rows whose ``html`` column holds a payload get ``text`` (the main content, block
structure kept as lines) and ``title`` (the document's <title>). Parsing is done by
resiliparse (Lexbor), one document at a time: there is no batch HTML parser, and its
C core is what makes this fast. A payload that cannot be decoded or parsed becomes a
rejected row with a reason, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding
from resiliparse.parse.html import HTMLTree

from crawlsift import schema as S
from crawlsift.registry import register

STAGE = "extract"
REJECT_UNPARSABLE = "extract_unparsable_html"


@dataclass(frozen=True, kw_only=True)
class ExtractOptions:
    """Options of the HTML extraction stage."""

    #: keep only the main content (resiliparse's heuristics); False keeps all visible text
    main_content: bool = True
    #: keep alt texts of images
    alt_texts: bool = False


def html_to_text(
    payload: bytes | str, charset: str | None = None, opts: ExtractOptions | None = None
) -> tuple[str, str | None]:
    """Decode (declared charset, else detected) and extract ``(text, title)``."""
    opts = opts or ExtractOptions()
    if isinstance(payload, bytes):
        encoding = charset or detect_encoding(payload)
        html = bytes_to_str(payload, encoding)
    else:
        html = payload
    tree = HTMLTree.parse(html)
    text = extract_plain_text(
        tree,
        main_content=opts.main_content,
        alt_texts=opts.alt_texts,
        preserve_formatting=True,
        list_bullets=True,
    )
    title = tree.title.strip() if tree.title else None
    return text, title or None


@register(STAGE, ExtractOptions)
def extract_html(table: pa.Table, *, opts: ExtractOptions | None = None) -> pa.Table:
    """Turn the ``html`` payloads of a batch into ``text`` and ``title``."""
    opts = opts or ExtractOptions()
    if S.HTML not in table.column_names or table.column(S.HTML).null_count == table.num_rows:
        return table
    htmls = table.column(S.HTML).to_pylist()
    texts = table.column(S.TEXT).to_pylist()
    reasons = table.column(S.REASON).to_pylist()
    stages = table.column(S.STAGE).to_pylist()
    charsets = table.column(S.CHARSET).to_pylist()
    titles: list[str | None] = [None] * table.num_rows
    if S.TITLE in table.column_names:
        titles = table.column(S.TITLE).to_pylist()
    for i, payload in enumerate(htmls):
        if payload is None or reasons[i] is not None:
            continue
        try:
            texts[i], titles[i] = html_to_text(payload, charsets[i], opts)
        except Exception:  # a hostile page must not end the run; it is rejected instead
            reasons[i], stages[i] = REJECT_UNPARSABLE, STAGE
    updates = {
        S.TEXT: pa.array(texts, pa.large_string()),
        S.REASON: pa.array(reasons, pa.string()),
        S.STAGE: pa.array(stages, pa.string()),
        S.TITLE: pa.array(titles, pa.string()),
    }
    return S.with_columns(table, updates)
