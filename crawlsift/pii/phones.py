"""Phone numbers, found by ``phonenumbers`` (Google's libphonenumber metadata) in the region
the page suggests.

The region rule, first that applies:

1. the URL's host ends in a country-code TLD that ``phonenumbers`` knows (``.uk`` is GB);
2. the page's declared language (``html_lang``) has a region subtag (``en-GB``, ``pt_BR``);
3. the page's language (``html_lang``, else the ``language`` column of language
   identification) is in :data:`LANGUAGE_REGION`, the country with the most speakers of it;
4. ``PiiOptions.default_region`` (US unless set; None: only numbers written with ``+`` and
   a country code are found).

Numbers are the matches of ``PhoneNumberMatcher`` at leniency ``VALID`` (a number valid for
its region, not glued to letters; the matcher itself skips dates, times and numbers in
bibliographic references). It is a per-text Python call, so it runs only on windows around
digit runs (:data:`CANDIDATE`) that a phone number could be: seven to twenty digits with at
most three spaces, dots, hyphens, slashes or brackets between two of them, at most two
groups of a single digit (``9.5 / 9.4 / 9.3`` is a list of versions), not the decimals of a
number (``4.904761905``), not glued to a word (``host-123-45-678-910.example``) and not
starting with a day-month-year or month-day-year date (the matcher skips ISO and slashed
dates only; ``05.11.2021`` is a valid German number to it). ``phonenumbers``
is imported on first use (the ``pii`` extra).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

#: a digit run a phone number could be (polars prefilters texts with :data:`PREFILTER`)
CANDIDATE = re.compile(
    r"(?<![\w+])(?<!\d[.,\-/])(?<![A-Za-z]-)\+?\(?\d(?:[ ().\-/]{0,3}\d){6,19}(?!\d)"
)
#: a candidate that starts with a date (``05.11.2021``, ``1/16/2025``, ``28-04-2021 09:29``),
#: which the matcher reads as a number in regions whose plan allows it; not a run that goes
#: on in the same way (``01.23.45.67.89`` is a French number)
_DATE = re.compile(r"\(?\d{1,2}([./-])\d{1,2}\1(?:\d{4}|\d{2})(?!\d|[./-]\d)")
#: digit groups of one digit: a number has at most one (a country or trunk code), and one
#: more may be glued on after it (``1-888-888-4532 (8am``)
_SINGLE = re.compile(r"(?<!\d)\d(?!\d)")
PREFILTER = r"\d(?:[ ().\-/]{0,3}\d){6}"
#: characters of context either side of a candidate given to the matcher
_CONTEXT = 3
#: a language's most populous country among those that speak it (ISO 639-1 -> ISO 3166)
LANGUAGE_REGION: dict[str, str] = {
    "en": "US", "de": "DE", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL", "pt": "BR",
    "pl": "PL", "ru": "RU", "uk": "UA", "cs": "CZ", "sk": "SK", "hu": "HU", "ro": "RO",
    "bg": "BG", "el": "GR", "tr": "TR", "sv": "SE", "da": "DK", "nb": "NO", "no": "NO",
    "fi": "FI", "et": "EE", "lv": "LV", "lt": "LT", "sl": "SI", "hr": "HR", "sr": "RS",
    "ja": "JP", "zh": "CN", "ko": "KR", "vi": "VN", "th": "TH", "id": "ID", "ms": "MY",
    "hi": "IN", "bn": "BD", "ar": "EG", "he": "IL", "fa": "IR", "ca": "ES",
}  # fmt: skip
_TLD_REGION = {"uk": "GB"}  # country-code TLDs that are not the ISO code


@cache
def _phonenumbers() -> Any:
    import phonenumbers

    return phonenumbers


def _known(region: str | None) -> str | None:
    if region and region.upper() in _phonenumbers().SUPPORTED_REGIONS:
        return region.upper()
    return None


def region_of(
    url: str | None, html_lang: str | None, language: str | None, default: str | None
) -> str | None:
    """The region phone numbers of a page are read in (see the module docstring)."""
    if url:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            host = ""
        tld = host.rstrip(".").rsplit(".", 1)[-1].lower() if "." in host else ""
        if len(tld) == 2 and tld.isalpha():
            found = _known(_TLD_REGION.get(tld, tld))
            if found:
                return found
    tags = re.split(r"[-_]", html_lang.strip()) if html_lang else []
    if len(tags) > 1 and len(tags[1]) == 2:
        found = _known(tags[1])
        if found:
            return found
    for lang in (tags[0] if tags else None, language):
        if lang and lang.lower() in LANGUAGE_REGION:
            return LANGUAGE_REGION[lang.lower()]
    return _known(default)


def phones(text: str, region: str | None) -> list[tuple[int, int]]:
    """Spans of phone numbers valid in ``region`` (None: written internationally)."""
    pn = _phonenumbers()
    out: list[tuple[int, int]] = []
    for m in CANDIDATE.finditer(text):
        if len(_SINGLE.findall(m.group())) > 2 or _DATE.match(m.group()):
            continue
        lo = max(0, m.start() - _CONTEXT)
        hi = min(len(text), m.end() + _CONTEXT)
        window = text[lo:hi]
        for found in pn.PhoneNumberMatcher(window, region or "ZZ", leniency=pn.Leniency.VALID):
            span = (lo + found.start, lo + found.end)
            # within the candidate, or for a bracket before it: ``(+1 877 ...)``
            inside = m.start() - 1 <= span[0] and span[1] <= m.end()
            if inside and (not out or span[0] >= out[-1][1]):
                out.append(span)
    return out
