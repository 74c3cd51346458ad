"""``dedup`` with its output at a local directory or an fsspec URL.

For a URL the run works in a local staging directory named after the URL (so the same
command resumes after an interruption, as a local run does), and uploads ``kept/``,
``rejected/``, ``stats.json`` and ``report.html`` once it has finished, ``_run.json``
last. The intermediate ``_work`` files never leave the machine.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from typing import Any

from crawlsift.dedup import run
from crawlsift.dedup.run import DedupSummary
from crawlsift.engine.remote import is_url, staging_dir, upload_tree
from crawlsift.io.file_url import local_path

_UPLOADED = ("kept", "rejected", "stats.json", "report.html")


def dedup(source: str | Sequence[str], output: str, **kwargs: Any) -> DedupSummary:
    """Deduplicate ``source`` into ``output`` (a directory or an fsspec URL).

    Keyword arguments are those of :func:`crawlsift.dedup.run.dedup`.
    """
    output = local_path(output)  # a file:// URL is the local directory it names
    if kwargs.get("index_dir") is not None:
        kwargs["index_dir"] = local_path(kwargs["index_dir"])
    if not is_url(output):
        return run.dedup(source, output, **kwargs)
    staging = staging_dir(output)
    summary = run.dedup(source, str(staging), **kwargs)
    upload_tree(staging, output, _UPLOADED, overwrite=bool(kwargs.get("overwrite")))
    shutil.rmtree(staging, ignore_errors=True)
    summary.output = output
    return summary
