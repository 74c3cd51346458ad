"""Presets that reproduce a published recipe: what they set besides filter thresholds.

A preset's thresholds are declared with the rules they belong to (each signal module's
``Rule.thresholds``). A recipe preset also fixes stage options and which stages run, so that
one ``--preset`` reproduces the recipe: :data:`RECIPES` holds that part, and
:func:`crawlsift.make_pipeline` (the CLI's ``--preset`` and a filters file naming the preset)
applies it. Options the caller gives explicitly win over the recipe's.

``fineweb`` is FineWeb's chain as datatrove's ``examples/fineweb.py`` runs it: the URL filter
before extraction, extraction (crawlsift's), English at a language score of at least 0.65,
Gopher repetition, Gopher quality, C4 without its terminal-punctuation line rule, the FineWeb
quality rules, e-mail and IP redaction last (FineWeb redacts after deduplication; here it is
part of ``clean``), then ``crawlsift dedup``. The recipe has no repair stage (FineWeb has
none); ``docs/recipes.md`` compares it step by step. ``fineweb2`` is FineWeb-2's filtering
with its per-language thresholds and word segmentation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from crawlsift.pii.options import PiiOptions
from crawlsift.registry import FINEWEB2_RECIPE, FINEWEB_RECIPE
from crawlsift.signals.c4_lines import C4LinesOptions
from crawlsift.signals.fineweb import FineWebOptions
from crawlsift.signals.gopher_quality import GopherQualityOptions
from crawlsift.signals.gopher_repetition import GopherRepetitionOptions


@dataclass(frozen=True)
class Recipe:
    """What a preset sets besides its thresholds."""

    #: the recipe it reproduces, for docs and ``--help``
    source: str
    #: options by stage name (e.g. ``c4_lines``), made when the pipeline is made
    options: Mapping[str, Any] = field(default_factory=dict)
    #: whether crawlsift's repair stage runs
    repair: bool = True
    #: whether the URL filter runs before extraction, with the shipped lists
    url_filter: bool = False
    #: what the PII stage redacts at the end (None: it does not run)
    pii: PiiOptions | None = None
    #: the pip extras it needs beyond the base install
    extras: tuple[str, ...] = ()

    def describe(self) -> str:
        """What it sets besides thresholds, in one line of Markdown."""
        parts = [] if self.repair else ["no repair"]
        if self.url_filter:
            parts.append("URL filter (shipped lists)")
        if self.pii is not None:
            parts.append("PII redaction (" + ", ".join(self.pii.kinds) + ")")
        for stage, opts in self.options.items():
            changed = [
                f"{f.name}={getattr(opts, f.name)!r}"
                for f in fields(opts)
                if getattr(opts, f.name) != getattr(type(opts)(), f.name)
            ]
            parts.append(f"`{stage}`: `{', '.join(changed)}`")
        if self.extras:
            parts.append("extras " + ", ".join(f"`{e}`" for e in self.extras))
        return "; ".join(parts)


#: recipe presets by name
RECIPES: dict[str, Recipe] = {
    FINEWEB_RECIPE: Recipe(
        source="FineWeb (datatrove examples/fineweb.py)",
        # FineWeb runs C4QualityFilter(filter_no_terminal_punct=False); the rest is C4's
        options={"c4_lines": C4LinesOptions(filter_no_terminal_punct=False)},
        repair=False,
        url_filter=True,
        # FineWeb's PIIFormatter replaces e-mail addresses and public IP addresses
        pii=PiiOptions(kinds=("email", "ip")),
        extras=("lang", "url"),
    ),
    # FineWeb-2's filtering step (fineweb-2-pipeline.py): its thresholds per language are
    # data (crawlsift/data/fineweb2.json), read by the filter stage
    FINEWEB2_RECIPE: Recipe(
        source="FineWeb-2 (github.com/huggingface/fineweb-2, per-language configs)",
        options={
            "gopher_quality": GopherQualityOptions(segment=True, language_stop_words=True),
            "gopher_repetition": GopherRepetitionOptions(segment=True),
            "fineweb": FineWebOptions(segment=True),
        },
        repair=False,
        extras=("lang", "zh", "ja", "th"),
    ),
}
