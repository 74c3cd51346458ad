"""``dedup`` with its output at a local directory or an fsspec URL.

For a URL the run works in a local staging directory named after the URL (so the same
command resumes after an interruption, as a local run does), and uploads ``kept/``,
``rejected/``, ``stats.json`` and ``report.html`` once it has finished, ``_run.json``
last (:func:`crawlsift.engine.remote.upload_tree`). The intermediate ``_work`` files
never leave the machine.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from crawlsift.dedup import run as passes
from crawlsift.dedup.options import DedupOptions, DedupRunOptions
from crawlsift.dedup.run import DedupSummary
from crawlsift.dedup.steps import OnStep
from crawlsift.engine.output import KINDS, STATS_FILE
from crawlsift.engine.remote import is_url, staging_dir, upload_tree
from crawlsift.errors import InputError
from crawlsift.io.file_url import local_path
from crawlsift.settings import from_keywords

_UPLOADED = (*KINDS, STATS_FILE, "report.html")


def dedup(
    source: str | Sequence[str],
    output: str,
    *,
    index_dir: str | None = None,
    options: DedupOptions | None = None,
    run: DedupRunOptions | None = None,
    progress: OnStep | None = None,
    **settings: Any,
) -> DedupSummary:
    """Deduplicate ``source`` into ``output`` (a directory or an fsspec URL).

    ``options`` (:class:`DedupOptions`) decide what is a duplicate and which copy is
    kept; ``run`` (:class:`DedupRunOptions`) how the run is executed and written; see
    :func:`crawlsift.dedup.run.dedup`. As a shorthand, the fields of either may be given
    as keywords instead (``dedup(src, out, workers=1, bands=20)``), but not together with
    the dataclass they belong to; an unknown keyword is an :class:`InputError`.
    """
    options, run = _split(settings, options, run)
    output = local_path(output)  # a file:// URL is the local directory it names
    if index_dir is not None:
        index_dir = local_path(index_dir)
    if not is_url(output):
        return passes.dedup(
            source, output, index_dir=index_dir, options=options, run=run, progress=progress
        )
    staging = staging_dir(output)
    summary = passes.dedup(
        source, str(staging), index_dir=index_dir, options=options, run=run, progress=progress
    )
    upload_tree(staging, output, _UPLOADED, overwrite=run.overwrite)
    shutil.rmtree(staging, ignore_errors=True)
    summary.output = output
    return summary


def _split(
    settings: dict[str, Any], options: DedupOptions | None, run: DedupRunOptions | None
) -> tuple[DedupOptions, DedupRunOptions]:
    """The two option sets, from the dataclasses given or from keyword ``settings``."""
    run_names = {f.name for f in fields(DedupRunOptions)}
    run_values = {k: v for k, v in settings.items() if k in run_names}
    option_values = {k: v for k, v in settings.items() if k not in run_names}
    for given, values, name in ((options, option_values, "options"), (run, run_values, "run")):
        if given is not None and values:
            raise InputError(
                f"give {', '.join(sorted(values))} in {name}= or as keywords, not both"
            )
    if options is None:
        options = from_keywords(DedupOptions, option_values, "dedup")
    if run is None:
        run = from_keywords(DedupRunOptions, run_values, "dedup run")
    return options, run
