"""Corpus-level deduplication: exact, MinHash near-duplicates and site boilerplate.

``dedup(source, output, options=DedupOptions(...), run=DedupRunOptions(...))`` is the
entry point; see :mod:`crawlsift.dedup.run` for the passes, :class:`DedupOptions` for what
decides the result, :class:`DedupRunOptions` for how a run executes and :class:`Step` for
what a ``progress`` callback receives.

The public names are imported when first used (:func:`__getattr__`), so that importing a
light part of the package (``crawlsift.dedup.options``, which the command line reads its
defaults from) does not import the passes and the libraries they use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawlsift._lazy import lazy_names

if TYPE_CHECKING:
    from crawlsift.dedup.entry import dedup
    from crawlsift.dedup.options import DedupOptions, DedupRunOptions
    from crawlsift.dedup.run import DedupSummary
    from crawlsift.dedup.steps import Step

#: each public name and the module it comes from
_SOURCES = {
    "dedup": "crawlsift.dedup.entry",
    "DedupOptions": "crawlsift.dedup.options",
    "DedupRunOptions": "crawlsift.dedup.options",
    "DedupSummary": "crawlsift.dedup.run",
    "Step": "crawlsift.dedup.steps",
}

__all__ = ["DedupOptions", "DedupRunOptions", "DedupSummary", "Step", "dedup"]


__getattr__, __dir__ = lazy_names(__name__, _SOURCES)
