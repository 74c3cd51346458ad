"""Reference systems ("anchors") that the benchmarks compare crawlsift against.

Each anchor is a thin wrapper around a third-party implementation, used as that project
ships it (defaults unchanged), so its figures are that project's, not a re-implementation's:

* :func:`visible_text` -- resiliparse ``extract_plain_text(html, main_content=False)``: all
  visible text of a page, the text a naive crawler produces (the input of text-only repair);
* :func:`resiliparse_main` -- resiliparse's DOM-based main-content extraction, the reference a
  text-only repair aims for;
* :class:`C4Anchor` -- datatrove's ``C4QualityFilter``, the usual line-level text cleaner.
"""

from __future__ import annotations

import gzip
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding
from resiliparse.parse.html import HTMLTree

if TYPE_CHECKING:
    from datatrove.pipeline.filters import C4QualityFilter


@dataclass(frozen=True)
class AnchorOutput:
    """What a system made of one page: its text, and why it was emptied, if it was."""

    text: str
    dropped: str | None = None


def decode_html(data: bytes) -> str:
    """Bytes of an HTML page to text, with resiliparse's encoding detection."""
    return bytes_to_str(data, detect_encoding(data))


def read_html(path: Path) -> str:
    """Read and decode an HTML file, gunzipping it when its name ends in ``.gz``."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return decode_html(data)


def parse_html(html: str) -> HTMLTree:
    """Parse decoded HTML into a resiliparse DOM tree."""
    return HTMLTree.parse(html)


def html_title(tree: HTMLTree) -> str:
    """The page's ``<title>`` text, whitespace-collapsed ('' if it has none)."""
    return " ".join((tree.title or "").split())


def visible_text(html: str | HTMLTree) -> str:
    """All visible text of a page, one block per line (resiliparse, main_content=False)."""
    return extract_plain_text(html, main_content=False)


def resiliparse_main(html: str | HTMLTree) -> str:
    """Main-content text of a page by resiliparse's DOM heuristics (main_content=True)."""
    return extract_plain_text(html, main_content=True)


def c4_available() -> str | None:
    """``None`` if the C4 anchor can run here, else a sentence saying what is missing.

    datatrove counts sentences with its English tokenizer, which is spaCy's (a blank
    ``en`` pipeline with a sentencizer; no model download), and ``datatrove[processing]``
    does not pull spaCy in.
    """
    for module, install in (("datatrove", "'datatrove[processing]'"), ("spacy", "spacy")):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install {install})"
    return None


class C4Anchor:
    """datatrove's ``C4QualityFilter`` with its defaults, as a text-to-text function.

    The filter deletes lines in place (``doc.text``) and returns ``True``, or rejects the
    whole document with ``(False, reason)``, in which case the output is empty. Lines are
    split by datatrove itself (``str.splitlines()``), stripped, and re-joined with ``"\\n"``.
    """

    def __init__(self) -> None:
        from datatrove.pipeline.filters import C4QualityFilter

        self._filter: C4QualityFilter = C4QualityFilter()

    def __call__(self, text: str) -> AnchorOutput:
        """Apply the filter to ``text``; an empty output carries the filter's reason."""
        from datatrove.data import Document

        doc = Document(text=text, id="page")
        result = self._filter.filter(doc)
        keep, reason = result if isinstance(result, tuple) else (result, None)
        if not keep:
            return AnchorOutput("", reason or "c4_dropped")
        return AnchorOutput(doc.text)
