"""Corpus-level deduplication: exact, MinHash near-duplicates and site boilerplate.

``dedup(source, output, options=DedupOptions(...), run=DedupRunOptions(...))`` is the
entry point; see :mod:`crawlsift.dedup.run` for the passes, :class:`DedupOptions` for what
decides the result, :class:`DedupRunOptions` for how a run executes and :class:`Step` for
what a ``progress`` callback receives.
"""

from __future__ import annotations

from crawlsift.dedup.entry import dedup
from crawlsift.dedup.options import DedupOptions, DedupRunOptions
from crawlsift.dedup.run import DedupSummary
from crawlsift.dedup.steps import Step

__all__ = ["DedupOptions", "DedupRunOptions", "DedupSummary", "Step", "dedup"]
