"""Error and soft-404 banners: "page not found", "access denied", "Oops!".

A crawler often stores the error page a server sent instead of (or above) the
content: the HTTP status may say 200 (a soft 404) or 403 while the article is still
there. A banner line is a *short* line that states an error about the page itself;
a long paragraph that merely mentions "not found" is content and stays. Very short
interjections ("Sorry!!", "Oops!", "Error") count as part of a banner only when they
stand next to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from crawlsift.repair.lines import Rule, matches_where
from crawlsift.repair.registry import RepairRule

REASON = "repair_error_banner"

#: an interjection this many lines from a banner belongs to it
NEAR_LINES = 2
#: more than the lines of any document: a document's line positions apart from the next one's
_DOC_STRIDE = 1 << 32

_THING = r"(?:page|article|post|story|content|file|resource|document|url|link|site|product|item)"
_GONE = (
    r"(?:(?:was |could |can ?no?t |cannot )?(?:not (?:be )?found)|doesn'?t exist|does not exist"
    r"|did not exist|no longer (?:exists?|available|online)|is (?:not |no longer )?available"
    r"|(?:has|have) (?:been )?(?:moved|removed|deleted|expired)|is (?:unavailable|missing)"
    r"|(?:could|can)(?:not|n'?t) be (?:found|displayed|reached))"
)
#: "<thing> not found": a banner only on a short line (prose may say it too)
SHORT_PATTERNS: tuple[str, ...] = (rf"\b{_THING}\b[^.!?]{{0,60}}\b{_GONE}",)
#: statements addressed to the reader about the page being missing or refused
ERROR_PATTERNS: tuple[str, ...] = (
    r"\b(?:the )?page you (?:were|are|have been) (?:looking|searching) for\b",
    r"\b(?:error|http)\s*(?:404|403|410|500|502|503)\b",
    r"\b(?:404|403|410|500|502|503)\b[^.!?]{0,20}\b(?:error|not found|forbidden|gone|unavailable)",
    r"\baccess (?:is |was )?(?:denied|forbidden|restricted)\b",
    r"\byou (?:do not|don'?t) have (?:permission|access)\b",
    r"\byou are not (?:authori[sz]ed|allowed)\b",
    r"\b(?:internal server error|bad gateway|gateway time-?out"
    r"|service (?:temporarily )?unavailable)\b",
    r"\bsomething went wrong\b",
    r"^(?:error|oops|whoops|sorry)[!.,:]*\s.{0,80}\b(?:page|url|link|request)\b",
)
_ERROR = "|".join(f"(?:{p})" for p in ERROR_PATTERNS)
_SHORT = "|".join(f"(?:{p})" for p in SHORT_PATTERNS)
#: short exclamations that belong to a neighbouring banner
INTERJECTION = r"^(?:\W*(?:error|oops|whoops|sorry|uh[ -]oh|ouch|hmm+|not found|404|403)\W*)+$"


@dataclass(frozen=True, kw_only=True)
class BannerOptions:
    """Thresholds of the error-banner rule."""

    #: a banner line has at most this many words
    max_words: int = 40
    #: a short interjection ("Oops!") at most this many
    max_short_words: int = 10


@cache
def banner_rule(opts: BannerOptions) -> Rule:
    """Banner lines, and interjections near them."""
    max_words, max_short_words = opts.max_words, opts.max_short_words
    banner = matches_where(_ERROR, pl.col("nwords") <= max_words) | matches_where(
        _SHORT, pl.col("nwords") <= max_short_words
    )
    # near a banner: one up to NEAR_LINES lines away by line number (rows between may be
    # dropped blanks), found from the nearest banner at or before and at or after each line
    # (a banner is near itself, and removed anyway); ``at`` orders all lines of the batch, a
    # document's far from the next one's, so that no fill reaches into another document
    at = pl.col("doc") * _DOC_STRIDE + pl.col("lineno")
    banner_at = pl.when(pl.col("_banner")).then(at)
    near = ((at - banner_at.forward_fill()) <= NEAR_LINES) | (
        (banner_at.backward_fill() - at) <= NEAR_LINES
    )
    return Rule(
        REASON,
        masks=(banner.fill_null(False).alias("_banner"),),
        layers=((near.fill_null(False).alias("_near"),),),
        hit=pl.col("_banner") | matches_where(INTERJECTION, pl.col("_near")),
        needs=("_banner",),  # an interjection is hit only near a banner
    )


RULES = (
    RepairRule(
        code=REASON,
        meaning="an error banner above real content",
        options=BannerOptions,
        switch="error_banners",
        line_rule=banner_rule,
    ),
)
