"""crawlsift: clean, deduplicated, quality-scored text from web-crawl records.

The public names are imported when first used (:func:`__getattr__`), so that importing
a part of the package (the command line, a worker process) loads only what that part
needs; ``from crawlsift import clean`` works as usual.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from crawlsift._lazy import lazy_names

if TYPE_CHECKING:
    from crawlsift.api import (
        CleanResult,
        Edit,
        clean,
        clean_batch,
        clean_html,
        clean_table,
        clean_text,
        make_pipeline,
    )
    from crawlsift.dedup import DedupOptions, DedupSummary, dedup
    from crawlsift.engine.local import RunOptions, RunSummary
    from crawlsift.engine.pipeline import Pipeline
    from crawlsift.errors import (
        CrawlsiftError,
        InputError,
        MissingExtraError,
        OutputError,
        UnreadableFileError,
    )
    from crawlsift.extract.html_text import ExtractOptions
    from crawlsift.repair.stage import RepairOptions

__version__ = "0.1.0"

#: each public name and the module it comes from
_SOURCES = {
    "CleanResult": "crawlsift.api",
    "Edit": "crawlsift.api",
    "clean": "crawlsift.api",
    "clean_batch": "crawlsift.api",
    "clean_html": "crawlsift.api",
    "clean_table": "crawlsift.api",
    "clean_text": "crawlsift.api",
    "make_pipeline": "crawlsift.api",
    "DedupOptions": "crawlsift.dedup",
    "DedupSummary": "crawlsift.dedup",
    "dedup": "crawlsift.dedup",
    "RunOptions": "crawlsift.engine.local",
    "RunSummary": "crawlsift.engine.local",
    "Pipeline": "crawlsift.engine.pipeline",
    "CrawlsiftError": "crawlsift.errors",
    "InputError": "crawlsift.errors",
    "MissingExtraError": "crawlsift.errors",
    "OutputError": "crawlsift.errors",
    "UnreadableFileError": "crawlsift.errors",
    "ExtractOptions": "crawlsift.extract.html_text",
    "RepairOptions": "crawlsift.repair.stage",
}

__all__ = [
    "CleanResult",
    "CrawlsiftError",
    "DedupOptions",
    "DedupSummary",
    "Edit",
    "ExtractOptions",
    "InputError",
    "MissingExtraError",
    "OutputError",
    "Pipeline",
    "RepairOptions",
    "RunOptions",
    "RunSummary",
    "UnreadableFileError",
    "__version__",
    "clean",
    "clean_batch",
    "clean_html",
    "clean_table",
    "clean_text",
    "dedup",
    "make_pipeline",
]


__getattr__, __dir__ = lazy_names(__name__, _SOURCES)


class _Package(ModuleType):
    """The package module: a subpackage named like a public name (``crawlsift.dedup``,
    whose public ``dedup`` is a function) does not replace that name when it is
    imported; the subpackage stays in ``sys.modules``."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SOURCES and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
