"""crawlsift: clean, deduplicated, quality-scored text from web-crawl records."""

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
