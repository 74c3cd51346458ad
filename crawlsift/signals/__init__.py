"""Quality signals as columns, and the ``filter`` stage that thresholds them.

One module per stage (``gopher_quality``, ``gopher_repetition``, ``c4``, ``c4_lines``,
``fineweb``, ``language``, ``filter``; the stage function named like its module), listed in
``crawlsift.registry.STAGE_MODULES``. Each signal module declares its columns and filter rules
in ``SIGNALS``; ``quality_pipeline(preset)`` names the stages a preset needs, in order, to
follow ``extract`` and ``repair``.
"""

from __future__ import annotations

from crawlsift.signals.c4 import C4Options
from crawlsift.signals.c4_lines import C4LinesOptions
from crawlsift.signals.filters import PRESETS, RULES, FilterOptions, filter_stage, quality_pipeline
from crawlsift.signals.fineweb import FineWebOptions
from crawlsift.signals.gopher_quality import GopherQualityOptions
from crawlsift.signals.gopher_repetition import GopherRepetitionOptions
from crawlsift.signals.language import LanguageId, LanguageOptions

__all__ = [
    "PRESETS",
    "RULES",
    "C4LinesOptions",
    "C4Options",
    "FilterOptions",
    "FineWebOptions",
    "GopherQualityOptions",
    "GopherRepetitionOptions",
    "LanguageId",
    "LanguageOptions",
    "filter_stage",
    "quality_pipeline",
]
