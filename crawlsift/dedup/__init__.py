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

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use (PEP 562); other names are
    submodules, which the import system finds when this raises AttributeError."""
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module 'crawlsift.dedup' has no attribute {name!r}")
    value = getattr(importlib.import_module(source), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_SOURCES})
