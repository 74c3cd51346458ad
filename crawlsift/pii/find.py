"""Finders of e-mail addresses, IP addresses, payment-card numbers and IBANs in a text.

Each finder returns ``(start, end)`` spans of one text. The patterns are Python ``re`` with
bounded repeats and a look-behind that allows a match to start only where a token starts,
so each position is tried a bounded number of times and a text of any length is scanned in
linear time. polars picks the texts worth scanning (:data:`PREFILTER`); these run on those.

What is found (the facts follow datatrove's ``PIIFormatter`` where it has the kind):

- e-mail: ``local@domain.tld``: a local part of RFC 5322's atom characters but ``/``, dots
  and (RFC 6531) any Unicode letter or digit, starting with a letter, digit or ``_``, so
  ``müller@`` is taken whole; a domain of letter/digit/hyphen labels ending in an alphabetic
  top-level label. Not taken: right after ``/`` (a URL path: message ids in archive links,
  ``module@v1.2.3``); at a domain reserved for examples (``example.com``, ``*.test``: RFC
  2606 and 6761); ``logo@2x.png``-like image names, whose "TLD" is a file extension.
- IP: IPv4 dotted quads and IPv6 addresses that ``ipaddress`` parses and calls global, as
  datatrove keeps private, loopback, link-local, shared (100.64/10), documentation and
  reserved ranges; octets with leading zeros and parts of longer dotted numbers
  (``1.2.3.4.5``) are not addresses; neither is a dotted quad right after ``v``,
  ``ver``/``ver.`` or ``version`` (a version number). IPv6 needs three or more groups, so
  ``std::map``-like code is not taken. A dotted quad after ``product/`` (``nginx/1.2.3.4``)
  is a version too. datatrove redacts IPv4 only.
- card: 13 to 19 digits (single spaces or hyphens between) starting with 2 to 6 (the
  digit of the major card networks), written as one run or as groups of three or more
  digits with one kind of separator, passing the Luhn check; a longer run of digit groups
  is read as whole groups, so two numbers in a row are two cards.
- IBAN: two capital letters, two check digits and 11 to 30 letters or digits (single
  spaces between), 15 to 34 characters in all, passing ISO 13616's mod-97 check. The check
  is written here (five lines) rather than taken from python-stdnum or schwifty, which
  would be a dependency for one modulus.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

_ATOM = r"\-A-Za-z0-9!#$%&'*+=?^_`{|}~"
EMAIL = re.compile(
    rf"(?<![\w+/-])(?<![\w+/-]\.)\w[\w{_ATOM}]{{0,63}}(?:\.[\w{_ATOM}]{{1,64}}){{0,8}}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
#: top-level labels that are file extensions: ``name@2x.png`` is an image, not an address
_FILE_TLDS = frozenset({"png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "bmp", "ico"})
#: names reserved for examples and tests (RFC 2606, RFC 6761): nobody's address
_RESERVED = re.compile(
    r"(?:^|\.)(?:example\.(?:com|net|org)|[^.]+\.(?:example|test|invalid|localhost))$",
    re.IGNORECASE,
)
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\d|\.\d)")
#: what precedes a version number: ``v``, ``ver.``, ``version`` or a product name and a
#: slash (``nginx/1.18.0.1``, RFC 9110's product/version)
_VERSION = re.compile(r"(?:\bv|\bver\.?\s?|\bversion\s?|[A-Za-z]/)$", re.IGNORECASE)
IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:]|\.\d)")
#: a run of digits with single spaces or hyphens between (up to 200 digits: longer is no card)
CARD_RUN = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,199}(?!\d)")
#: how a card number is written: digits alone, or groups of three or more digits between
#: single spaces or single hyphens (one kind in a number)
_CARD_FORM = re.compile(r"\d+|\d{3,}(?: \d{3,})+|\d{3,}(?:-\d{3,})+")
_GROUP = re.compile(r"\d+")
IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")

#: a polars (Rust regex) pattern a text must contain for each finder to run on it
PREFILTER: dict[str, str] = {
    "email": r"\w@[A-Za-z0-9]",
    "ip": r"\d\.\d{1,3}\.\d{1,3}\.\d|[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:",
    "card": r"\d(?:[ -]?\d){12}",
    "iban": r"[A-Z]{2}\d{2} ?[A-Z0-9]{4}",
}

Span = tuple[int, int]


def emails(text: str) -> list[Span]:
    """Spans of e-mail addresses."""
    out = []
    for m in EMAIL.finditer(text):
        domain = m.group().rsplit("@", 1)[1]
        if domain.rsplit(".", 1)[1].lower() not in _FILE_TLDS and not _RESERVED.search(domain):
            out.append(m.span())
    return out


def _global(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:  # not an address (999.1.1.1, leading zeros, too few groups)
        return False


def ips(text: str) -> list[Span]:
    """Spans of public IPv4 and IPv6 addresses."""
    out = []
    for m in IPV4.finditer(text):
        if _global(m.group()) and not _VERSION.search(text, max(0, m.start() - 9), m.start()):
            out.append(m.span())
    for m in IPV6.finditer(text):
        groups = [g for g in m.group().split(":") if g]
        if len(groups) >= 3 and _global(m.group()):
            out.append(m.span())
    return out


def luhn(digits: str) -> bool:
    """The Luhn check of a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _card(digits: str) -> bool:
    return (
        13 <= len(digits) <= 19 and digits[0] in "23456" and len(set(digits)) > 1 and luhn(digits)
    )


def cards(text: str) -> list[Span]:
    """Spans of Luhn-valid payment-card numbers: in a run of digit groups, the longest
    run of whole groups from each group on that is one (two cards in a row are two)."""
    out = []
    for m in CARD_RUN.finditer(text):
        groups = [g.span() for g in _GROUP.finditer(text, m.start(), m.end())]
        i = 0
        while i < len(groups):
            best = None
            digits = ""
            for j in range(i, len(groups)):
                digits += text[slice(*groups[j])]
                if len(digits) > 19:
                    break
                written = text[groups[i][0] : groups[j][1]]
                if _card(digits) and _CARD_FORM.fullmatch(written):
                    best = j
            if best is None:
                i += 1
                continue
            out.append((groups[i][0], groups[best][1]))
            i = best + 1
    return out


def iban_valid(candidate: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to 10..35, mod 97 = 1."""
    s = candidate.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    return int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1


def ibans(text: str) -> list[Span]:
    """Spans of checksum-valid IBANs; a match that fails is tried without its trailing
    space-separated groups (a following capitalised word or number can join the match)."""
    out = []
    for m in IBAN.finditer(text):
        start, candidate = m.start(), m.group()
        while candidate:
            if iban_valid(candidate):
                out.append((start, start + len(candidate)))
                break
            cut = candidate.rfind(" ")
            candidate = candidate[:cut] if cut > 0 else ""
    return out


FINDERS: dict[str, Callable[[str], list[Span]]] = {
    "email": emails,
    "ip": ips,
    "card": cards,
    "iban": ibans,
}
