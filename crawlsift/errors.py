"""The exceptions crawlsift raises.

    CrawlsiftError             base of everything below; the CLI prints it as ``Error: <message>``
    ├── InputError             the input cannot be used (missing file, unknown format, bad option)
    │   └── UnreadableFileError a file exists but cannot be opened or parsed at all
    ├── MissingExtraError      an optional dependency is not installed (the message names the extra)
    └── OutputError            the output directory cannot be written

A single bad *record* is never an exception: it becomes a rejected row with a reason.
Anything else escaping crawlsift is a bug in crawlsift.
"""

from __future__ import annotations


class CrawlsiftError(Exception):
    """Base class of crawlsift's own errors."""


class InputError(CrawlsiftError):
    """The input given by the user cannot be used."""


class UnreadableFileError(InputError):
    """A file exists but cannot be opened or parsed at all."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"cannot read {path}: {why}")
        self.path = path
        self.why = why


class MissingExtraError(CrawlsiftError):
    """An optional dependency is missing."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"{package} is not installed; install it with: pip install 'crawlsift[{extra}]'"
        )


class OutputError(CrawlsiftError):
    """The output location cannot be written."""
