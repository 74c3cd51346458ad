"""The accurate extraction mode: trafilatura's main-content extraction (optional extra).

trafilatura (lxml, rule-based with readability/jusText fallbacks) is the most accurate
well-kept extractor on the shared benchmarks but about ten times slower than resiliparse,
so it is an option (``ExtractOptions(mode="accurate")``), not the default.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from crawlsift.errors import MissingExtraError


@cache
def _trafilatura() -> Any:
    try:
        import trafilatura
    except ImportError as exc:
        raise MissingExtraError("trafilatura", "extract") from exc
    return trafilatura


def require_trafilatura() -> None:
    """Raise ``MissingExtraError`` now if the accurate mode cannot run here."""
    _trafilatura()


def accurate_text(html: str, url: str | None = None) -> str | None:
    """trafilatura's main text of ``html`` (default settings, tables kept); ``None`` if it
    found none."""
    return _trafilatura().extract(html, url=url, include_comments=True, include_tables=True)
