"""The public API is exactly what ``__all__`` says."""

from __future__ import annotations

import crawlsift


def test_all_names_exist_and_nothing_else_public_is_promised():
    assert sorted(crawlsift.__all__) == sorted(
        [
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
    )
    for name in crawlsift.__all__:
        assert hasattr(crawlsift, name), name
