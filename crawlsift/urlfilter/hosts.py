"""URLs to the keys the block lists are matched on: hosts, their parent domains, URL keys.

Pure string work with the standard library (no tldextract here: which parent domains are
candidates is decided by :mod:`crawlsift.urlfilter.stage`, which knows the registered domain).
Every function takes any string and never raises: a URL that cannot be parsed gives no host.

A host is lowercased, loses a trailing dot, its userinfo and port, the brackets of an IPv6
literal, and is written in ASCII (IDNA/punycode, so ``bücher.example`` and
``xn--bcher-kva.example`` are the same host). A URL key is the host without a leading ``www.``
and the path (no scheme, query or fragment), without a trailing slash: the form UT1's ``urls``
list is written in (``host/path``).
"""

from __future__ import annotations

import re

import numpy as np
import xxhash

#: the longest URL looked at; the rest of a longer one is ignored (hostile input)
MAX_URL_CHARS = 8192
#: the most path segments of a URL whose prefixes are URL-list candidates
MAX_PATH_SEGMENTS = 16
#: a host label or name longer than DNS allows is not a host
_MAX_HOST = 253
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_SPLIT = re.compile(r"[/?#\\]")
_QUERY = re.compile(r"[?#]")


def split_url(url: str) -> tuple[str, str]:
    """(``host`` as written, ``path``) of a URL with or without a scheme; ('', '') if none."""
    url = url[:MAX_URL_CHARS].strip()
    match = _SCHEME.match(url)
    if match and url[match.end() : match.end() + 2] == "//":
        url = url[match.end() + 2 :]
    elif url.startswith("//"):
        url = url[2:]
    elif match and not url[match.end() :].split("/", 1)[0].isdigit():
        return "", ""  # mailto:, javascript:, urn: ... (but host:port/path has a host)
    cut = _SPLIT.search(url)
    authority, rest = (url[: cut.start()], url[cut.start() :]) if cut else (url, "")
    if not rest.startswith(("/", "\\")):
        return authority, ""
    return authority, _QUERY.split(rest.replace("\\", "/"), maxsplit=1)[0]


def normal_host(authority: str) -> str:
    """The host of a URL's authority part, normalised (see the module docstring); '' if none."""
    host = authority.rpartition("@")[2]
    if host.startswith("["):  # an IPv6 literal, maybe with a port after the bracket
        return host[1:].partition("]")[0].lower()
    host = host.partition(":")[0].strip().rstrip(".").lower()
    if not host or len(host) > _MAX_HOST * 4:
        return ""
    if not host.isascii():
        host = host.replace("\u3002", ".").replace("\uff0e", ".").replace("\uff61", ".")
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:  # a label IDNA 2003 refuses: the Unicode form stays the key
            return host
    return host if len(host) <= _MAX_HOST else ""


def host_of(url: str) -> str:
    """The normalised host of ``url`` ('' when it has none)."""
    return normal_host(split_url(url)[0])


def is_ip(host: str) -> bool:
    """Whether a normalised host is an IPv6 or IPv4 address (written as digits and dots)."""
    return ":" in host or host.replace(".", "").isdigit()


def parents(host: str, registered: str) -> list[str]:
    """``host`` and each parent domain of it down to ``registered``, the registrable domain.
    When that is unknown ('': a suffix not on the public suffix list, e.g. an intranet
    name), down to the last two labels; an IP address is its own only candidate."""
    if not host:
        return []
    if is_ip(host):
        return [host]
    if not (host == registered or host.endswith("." + registered)):
        registered = ".".join(host.rsplit(".", 2)[-2:])
    found = [host]
    while host != registered and "." in host:
        host = host.partition(".")[2]
        found.append(host)
    return found


def url_keys(host: str, path: str) -> list[str]:
    """The URL-list candidates of a URL: ``host/path`` and each shorter prefix of the path at a
    ``/`` (a listed ``host/dir`` blocks the pages below it), host without ``www.``."""
    if not host:
        return []
    if host.startswith("www."):
        host = host[4:]
    segments = [s for s in path.split("/") if s][:MAX_PATH_SEGMENTS]
    keys = [host + "/" + "/".join(segments[:i]) for i in range(len(segments), 0, -1)]
    return keys


def entry_domain(line: str) -> str:
    """A domain list entry normalised as hosts are ('' for a blank line or a comment); a
    ``*.`` or ``.`` before it, or a URL, is accepted."""
    line = line.strip()
    if not line or line.startswith("#"):
        return ""
    line = line.removeprefix("*.").lstrip(".")
    return host_of(line) if ("/" in line or ":" in line) else normal_host(line)


def entry_url(line: str) -> str:
    """A URL list entry as its key (``host/path``; '' for a blank line, a comment, or an
    entry without a path, which is a domain)."""
    line = line.strip()
    if not line or line.startswith("#"):
        return ""
    authority, path = split_url(line)
    keys = url_keys(normal_host(authority), path)
    return keys[0] if keys else ""


def key_hash(key: str) -> int:
    """The 64-bit hash a list entry is stored as and looked up by (xxh3, seed 0)."""
    return xxhash.xxh3_64_intdigest(key.encode("utf-8", "surrogatepass"))


def hashes(keys: list[str]) -> np.ndarray:
    """:func:`key_hash` of each key, as uint64."""
    return np.fromiter((key_hash(k) for k in keys), np.uint64, len(keys))
