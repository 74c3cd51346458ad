"""Corpus-level deduplication: exact, MinHash near-duplicates and site boilerplate.

``dedup(source, output, **options)`` is the entry point; see :mod:`crawlsift.dedup.run`
for the passes and :class:`DedupOptions` for what can be tuned.
"""

from __future__ import annotations

from crawlsift.dedup.entry import dedup
from crawlsift.dedup.options import DedupOptions
from crawlsift.dedup.run import DedupSummary

__all__ = ["DedupOptions", "DedupSummary", "dedup"]
