"""Local ``file://`` URLs, taken wherever crawlsift takes a local path.

``file:///abs/path``, ``file://localhost/abs/path`` and ``file:/abs/path`` name the local
path ``/abs/path``, with percent-escapes decoded (``Path.as_uri()`` writes ``%20`` for a
space), as RFC 8089 reads them. A file URL naming another host is an
:class:`~crawlsift.errors.InputError`: crawlsift reads and writes only this machine's
files there (other locations go through fsspec URLs such as ``s3://``).
"""

from __future__ import annotations

import os
from urllib.parse import unquote

from crawlsift.errors import InputError

_SCHEME = "file:"


def is_file_url(location: str) -> bool:
    """Whether ``location`` is a ``file:`` URL (scheme case-insensitive)."""
    return location[: len(_SCHEME)].lower() == _SCHEME and location[len(_SCHEME) :].startswith("/")


def local_path(location: str | os.PathLike[str]) -> str:
    """The local path a ``file:`` URL names; any other location is returned unchanged.

    Only the scheme and an empty or ``localhost`` host are taken off; ``?`` and ``#``
    stay part of the path, since a path typed into a URL rarely escapes them.
    """
    location = os.fspath(location)
    if not is_file_url(location):
        return location
    rest = location[len(_SCHEME) :]
    if rest.startswith("//"):
        host, slash, path = rest[2:].partition("/")
        if host.lower() not in ("", "localhost"):
            raise InputError(
                f"{location}: a file URL names a path on this machine, not on host {host!r}; "
                "write file:///absolute/path"
            )
        rest = slash + path
    if not rest:
        raise InputError(f"{location}: the file URL names no path")
    return unquote(rest)
