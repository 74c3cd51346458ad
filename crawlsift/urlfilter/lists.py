"""The block lists: the shipped ones (package data, loaded once per process) and the user's.

The shipped domain and URL lists are sorted arrays of 64-bit hashes
(:func:`crawlsift.urlfilter.hosts.key_hash`) of UT1's entries, stored as zstd-compressed
byte planes of their differences (:func:`pack_hashes`): 4.56 million domains are 36 MB in
memory and load in a fraction of a second, where a Python set of the strings would cost
about 400 MB. ``crawlsift/data/urlfilter/README.md`` says where the lists come from, their
licences and how ``scripts/build_url_blocklist.py`` rebuilds the files.

A user's file holds one entry a line (``#`` starts a comment line): a domain (it and its
subdomains), or a URL with a path (it and the pages below it); a regex file holds one Python
regular expression a line, searched in the whole URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from crawlsift.errors import InputError
from crawlsift.urlfilter.hosts import entry_domain, entry_url, hashes

#: the package data folder of the shipped lists, in package ``crawlsift``
DATA = "data/urlfilter"
DOMAINS_FILE = "domains.u64.zst"
URLS_FILE = "urls.u64.zst"
BANNED_WORDS_FILE = "banned_words.txt"
SOFT_BANNED_WORDS_FILE = "soft_banned_words.txt"
BANNED_SUBWORDS_FILE = "banned_subwords.txt"
#: what separates a lowercased URL's words (datatrove splits on ``[^a-zA-Z0-9]+``)
WORD_SEPARATOR = re.compile(r"[^a-z0-9]+")


def normalize_word(word: str) -> str:
    """A word-list entry as URLs are compared with it: lowercase, letters and digits only."""
    return WORD_SEPARATOR.sub("", word.lower())


def pack_hashes(sorted_hashes: np.ndarray, level: int = 19) -> bytes:
    """Sorted uint64 hashes as zstd-compressed byte planes of their differences (the first
    difference from 0): sorted random 64-bit values differ in their low bytes only, which
    byte planes keep apart for the compressor (25 MB instead of 33 MB for UT1's domains)."""
    import zstandard

    deltas = np.diff(sorted_hashes, prepend=np.uint64(0))
    planes = deltas.view(np.uint8).reshape(-1, 8).T.copy()
    return zstandard.ZstdCompressor(level=level).compress(planes.tobytes())


def unpack_hashes(data: bytes) -> np.ndarray:
    """The sorted uint64 hashes :func:`pack_hashes` stored."""
    import zstandard

    planes = np.frombuffer(zstandard.ZstdDecompressor().decompress(data), np.uint8)
    deltas = planes.reshape(8, -1).T.copy().view(np.uint64).ravel()
    del planes  # the peak is two copies of the array, not three
    return np.cumsum(deltas, dtype=np.uint64, out=deltas)


def sorted_unique(keys: list[str]) -> np.ndarray:
    """The hashes of ``keys``, sorted, without repeats."""
    return np.unique(hashes(keys))


def contains(table: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which ``values`` are in the sorted array ``table`` (one searchsorted for the batch)."""
    if not len(table) or not len(values):
        return np.zeros(len(values), bool)
    at = np.minimum(np.searchsorted(table, values), len(table) - 1)
    return table[at] == values


def _data(name: str) -> bytes:
    return resources.files("crawlsift").joinpath(DATA, name).read_bytes()


def _words(name: str) -> frozenset[str]:
    text = _data(name).decode("utf-8")
    return frozenset(w for w in (normalize_word(x) for x in text.splitlines() if x[:1] != "#") if w)


@dataclass(frozen=True)
class ShippedLists:
    """The shipped lists, as matched."""

    domains: np.ndarray  # sorted uint64 hashes of UT1's domains
    urls: np.ndarray  # sorted uint64 hashes of UT1's URL keys
    banned_words: frozenset[str]
    soft_banned_words: frozenset[str]
    banned_subwords: tuple[str, ...]


@cache
def shipped() -> ShippedLists:
    """The shipped lists, read once per process (the first time a URL filter runs)."""
    return ShippedLists(
        domains=unpack_hashes(_data(DOMAINS_FILE)),
        urls=unpack_hashes(_data(URLS_FILE)),
        banned_words=_words(BANNED_WORDS_FILE),
        soft_banned_words=_words(SOFT_BANNED_WORDS_FILE),
        banned_subwords=tuple(sorted(_words(BANNED_SUBWORDS_FILE))),
    )


def _lines(path: str) -> list[tuple[int, str]]:
    """(line number, text) of the entries of a user's list file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read URL list {path}: {exc}") from None
    return [
        (i, line.strip())
        for i, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


@dataclass(frozen=True)
class UserList:
    """A user's domains and URL keys (from files of domains and URLs)."""

    domains: frozenset[str]
    urls: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.domains or self.urls)


@cache
def user_list(paths: tuple[str, ...]) -> UserList:
    """The domains and URL keys of the user's files (an entry with a path is a URL)."""
    domains: set[str] = set()
    urls: set[str] = set()
    for path in paths:
        for number, line in _lines(path):
            key = entry_url(line) if "/" in line else ""
            if key:
                urls.add(key)
                continue
            domain = entry_domain(line)
            if not domain:
                raise InputError(f"{path}:{number}: not a domain or URL: {line[:80]!r}")
            domains.add(domain)
    return UserList(frozenset(domains), frozenset(urls))


@cache
def user_regexes(paths: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The compiled regular expressions of the user's files."""
    found = []
    for path in paths:
        for number, line in _lines(path):
            try:
                found.append(re.compile(line))
            except re.error as exc:
                raise InputError(f"{path}:{number}: not a regular expression: {exc}") from None
    return tuple(found)
