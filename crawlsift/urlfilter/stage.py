"""The ``url_filter`` stage: judge each record on its URL before extraction.

A record is rejected, with its text and HTML untouched, when its URL (the WARC target URI,
column ``url``) is on a block list; extraction and every later stage skip it. ``url_match``
names the entry that matched. The checks, in order (the first that fires gives the reason):

1. the user's allowlist: a record whose host, a parent domain of it, or URL is listed is
   kept whatever follows;
2. the user's block lists (``url_user_blocked``: a domain, or a URL and the pages below it)
   and regexes (``url_user_regex``, searched in the whole URL);
3. the shipped lists (``shipped=True``), datatrove's FineWeb ``URLFilter`` semantics:
   UT1's domains (``url_blocked_domain``: the host or a parent domain of it down to the
   registered domain, or to the last two labels under a suffix the public suffix list does
   not know) and URLs (``url_blocked_url``), then in the URL's words (runs of
   letters and digits, lowercased) a banned word (``url_banned_word``) or at least
   ``soft_word_threshold`` distinct soft-banned words (``url_soft_banned_words``), then a
   banned subword anywhere in the URL with everything but letters and digits removed
   (``url_banned_subword``, Aho-Corasick).

Hosts are compared lowercased, in ASCII (IDNA), without userinfo, port or trailing dot
(:mod:`crawlsift.urlfilter.hosts`); the registered domain comes from tldextract with its
bundled public suffix list (never online, no cache written). A record without a URL (null or
blank) is kept: there is nothing to judge, and text inputs rarely have one. Only the first
8,192 characters of a URL are judged (``MAX_URL_CHARS``), so a hostile one costs no more.

The lists load once per process, the first time the stage runs
(:mod:`crawlsift.urlfilter.lists`); tldextract and pyahocorasick (``pip install
'crawlsift[url]'``) are imported then, so a pipeline without the stage never pays for them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S
from crawlsift.errors import InputError, MissingExtraError
from crawlsift.reasons import (
    URL_BANNED_SUBWORD,
    URL_BANNED_WORD,
    URL_BLOCKED_DOMAIN,
    URL_BLOCKED_URL,
    URL_SOFT_BANNED_WORDS,
    URL_USER_BLOCKED,
    URL_USER_REGEX,
)
from crawlsift.registry import register
from crawlsift.urlfilter.hosts import (
    MAX_URL_CHARS,
    hashes,
    is_ip,
    normal_host,
    parents,
    split_url,
    url_keys,
)
from crawlsift.urlfilter.lists import (
    WORD_SEPARATOR,
    ShippedLists,
    contains,
    normalize_word,
    shipped,
    user_list,
    user_regexes,
)

STAGE = "url_filter"
#: the extra that installs the stage's libraries
EXTRA = "url"
_NEEDS = {"tldextract": "tldextract", "ahocorasick": "pyahocorasick"}


def require_libraries() -> None:
    """Raise one :class:`MissingExtraError` naming the extra when its libraries are missing
    (checked without importing them)."""
    missing = [pkg for module, pkg in _NEEDS.items() if importlib.util.find_spec(module) is None]
    if missing:
        raise MissingExtraError(" and ".join(missing), EXTRA)


@dataclass(frozen=True, kw_only=True)
class UrlFilterOptions:
    """Which lists judge a record's URL (see the module docstring)."""

    #: the shipped lists: UT1's domains and URLs, datatrove's banned words and subwords
    shipped: bool = True
    #: files of domains and URLs to reject (one a line)
    blocklist: tuple[str, ...] = ()
    #: files of regular expressions (Python syntax, one a line) searched in the whole URL
    regexes: tuple[str, ...] = ()
    #: files of domains and URLs never rejected by this stage, whatever else matches
    allowlist: tuple[str, ...] = ()
    #: distinct soft-banned words in a URL that reject it (datatrove's FineWeb value)
    soft_word_threshold: int = 2

    def __post_init__(self) -> None:
        for name in ("blocklist", "regexes", "allowlist"):
            paths = tuple(str(p) for p in getattr(self, name))
            object.__setattr__(self, name, paths)
            for path in paths:
                if not Path(path).is_file():
                    raise InputError(f"URL list file not found: {path}")
        if self.soft_word_threshold < 1:
            raise InputError("url_filter options: soft_word_threshold must be at least 1")
        require_libraries()
        user_list(self.blocklist)  # a bad line is an InputError now, before any output
        user_list(self.allowlist)
        user_regexes(self.regexes)


def options_from(
    shipped: bool,
    blocklist: tuple[str, ...] = (),
    regexes: tuple[str, ...] = (),
    allowlist: tuple[str, ...] = (),
) -> UrlFilterOptions | None:
    """The stage's options from the command line's flags; None when no list is named."""
    if not (shipped or blocklist or regexes):
        if allowlist:
            raise InputError("an allowlist only exempts from block lists: name one too")
        return None
    return UrlFilterOptions(
        shipped=shipped, blocklist=blocklist, regexes=regexes, allowlist=allowlist
    )


@cache
def _registered() -> Callable[[str], str]:
    """The registered domain of a normalised host ('' for IP addresses and hosts without a
    known public suffix), by tldextract with its bundled list: ``suffix_list_urls=()`` never
    fetches, ``cache_dir=None`` writes no cache (its default is under the user's home)."""
    import tldextract

    extract = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())

    def registered(host: str) -> str:
        if is_ip(host):
            return ""
        parts = extract.extract_str(host)
        # tldextract 5.3 renamed registered_domain (the old name warns from then on)
        found = getattr(parts, "top_domain_under_public_suffix", None)
        return str(parts.registered_domain if found is None else found)

    return registered


@cache
def _subword_automaton(words: tuple[str, ...]) -> Any:
    """An Aho-Corasick automaton of ``words``, each stored as its own value."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    if words:
        automaton.make_automaton()
    return automaton


@dataclass
class _Url:
    """What the checks read of one URL."""

    text: str
    domains: list[str]  # the host and its parent domains down to the registered domain
    keys: list[str]  # URL-list keys: host/path and its shorter prefixes


def _parse(url: str, hosts: dict[str, list[str]]) -> _Url:
    authority, path = split_url(url)
    host = normal_host(authority)
    domains = hosts.get(host)
    if domains is None:
        domains = parents(host, _registered()(host)) if host else []
        hosts[host] = domains
    return _Url(url[:MAX_URL_CHARS], domains, url_keys(host, path))


def _first_listed(url: _Url, domains: frozenset[str], urls: frozenset[str]) -> str | None:
    for domain in url.domains:
        if domain in domains:
            return domain
    for key in url.keys:
        if key in urls:
            return key
    return None


def _hash_hits(urls: dict[int, _Url], table: np.ndarray, field: str) -> dict[int, str]:
    """Row → the first of its domains (or URL keys) whose hash ``table`` holds."""
    rows, keys = [], []
    for row, url in urls.items():
        for key in getattr(url, field):
            rows.append(row)
            keys.append(key)
    hit = contains(table, hashes(keys))
    found: dict[int, str] = {}
    for i in np.flatnonzero(hit).tolist():
        found.setdefault(rows[i], keys[i])
    return found


def _word_hit(text: str, lists: ShippedLists, threshold: int) -> tuple[str, str] | None:
    """(reason, matched words) for a banned or too many soft-banned words in ``text``."""
    words = set(WORD_SEPARATOR.split(text.lower()))
    banned = words & lists.banned_words
    if banned:
        return URL_BANNED_WORD, min(banned)
    soft = words & lists.soft_banned_words
    if len(soft) >= threshold:
        return URL_SOFT_BANNED_WORDS, ",".join(sorted(soft))
    return None


def judge(urls: list[str | None], opts: UrlFilterOptions) -> list[tuple[str, str] | None]:
    """(reason, matched entry) for each URL, or None to keep it."""
    hosts: dict[str, list[str]] = {}
    parsed = {i: _parse(u, hosts) for i, u in enumerate(urls) if u is not None and u.strip()}
    allow = user_list(opts.allowlist)
    block = user_list(opts.blocklist)
    regexes = user_regexes(opts.regexes)
    lists = shipped() if opts.shipped else None
    domain_hits = _hash_hits(parsed, lists.domains, "domains") if lists else {}
    url_hits = _hash_hits(parsed, lists.urls, "keys") if lists else {}
    automaton = _subword_automaton(lists.banned_subwords) if lists else None
    out: list[tuple[str, str] | None] = [None] * len(urls)
    for i, url in parsed.items():
        if allow and _first_listed(url, allow.domains, allow.urls) is not None:
            continue
        entry = _first_listed(url, block.domains, block.urls) if block else None
        if entry is not None:
            out[i] = (URL_USER_BLOCKED, entry)
            continue
        pattern = next((p.pattern for p in regexes if p.search(url.text)), None)
        if pattern is not None:
            out[i] = (URL_USER_REGEX, pattern)
            continue
        if lists is None:
            continue
        if i in domain_hits:
            out[i] = (URL_BLOCKED_DOMAIN, domain_hits[i])
        elif i in url_hits:
            out[i] = (URL_BLOCKED_URL, url_hits[i])
        elif hit := _word_hit(url.text, lists, opts.soft_word_threshold):
            out[i] = hit
        elif automaton is not None and lists.banned_subwords:
            found = next(automaton.iter(normalize_word(url.text)), None)
            if found is not None:
                out[i] = (URL_BANNED_SUBWORD, found[1])
    return out


@register(STAGE, UrlFilterOptions, columns=(S.REASON, S.STAGE, S.URL_MATCH))
def url_filter(table: pa.Table, *, opts: UrlFilterOptions | None = None) -> pa.Table:
    """Reject records whose URL is on a block list, before extraction."""
    opts = opts or UrlFilterOptions()
    fresh = pc.is_null(table.column(S.REASON))
    urls = pc.if_else(fresh, table.column(S.URL), pa.scalar(None, pa.string())).to_pylist()
    verdicts = judge(urls, opts)
    if not any(verdicts):
        return S.with_columns(table, {S.URL_MATCH: pa.nulls(table.num_rows, pa.string())})
    reasons = table.column(S.REASON).to_pylist()
    stages = table.column(S.STAGE).to_pylist()
    matches: list[str | None] = [None] * table.num_rows
    for i, verdict in enumerate(verdicts):
        if verdict is not None:
            reasons[i], matches[i] = verdict
            stages[i] = STAGE
    return S.with_columns(
        table,
        {
            S.REASON: pa.array(reasons, pa.string()),
            S.STAGE: pa.array(stages, pa.string()),
            S.URL_MATCH: pa.array(matches, pa.string()),
        },
    )
