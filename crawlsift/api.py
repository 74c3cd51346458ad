"""The Python API: one record at a time, or whole runs.

``clean_text`` and ``clean_html`` build a one-row batch and run the same pipeline the
engines run; they are conveniences, not a second implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from crawlsift import schema as S
from crawlsift.engine.local import RunOptions, RunSummary, run_local
from crawlsift.engine.pipeline import DEFAULT_STAGES, Pipeline
from crawlsift.errors import InputError
from crawlsift.extract.html_text import ExtractOptions
from crawlsift.io import discover
from crawlsift.io._rows import READ_STAGE, as_status
from crawlsift.io.file_url import local_path
from crawlsift.io.guard import GuardOptions
from crawlsift.repair.stage import RepairOptions
from crawlsift.signals.filters import (
    NO_PRESET,
    PRESETS,
    FilterOptions,
    config_preset,
    quality_pipeline,
)


@dataclass(frozen=True)
class Edit:
    """A span ``[start, end)`` of the input text that was removed or rewritten, and why."""

    start: int
    end: int
    reason: str
    replacement: str | None = None


@dataclass(frozen=True)
class CleanResult:
    """One cleaned record."""

    text: str
    title: str | None
    edits: list[Edit]
    rejected: bool
    reason: str | None
    input_text: str
    url: str | None = None
    date: str | None = None
    http_status: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def make_pipeline(
    repair: RepairOptions | None = None,
    extract: ExtractOptions | None = None,
    *,
    guard: GuardOptions | None = None,
    preset: str | None = None,
    filters: str | None = None,
) -> Pipeline:
    """The default pipeline (guard, extract, repair) with optional stage options.

    ``guard`` sets the per-record limits (``GuardOptions(max_record_bytes=...)``).
    ``preset`` (gopher, c4, fineweb, crawlsift-default) or a TOML ``filters`` file adds the
    quality signals that its rules need and the ``filter`` stage after repair. A filters
    file names the preset it starts from; ``preset``, if also given, must be the same.
    """
    options: dict[str, Any] = {}
    if guard is not None:
        options["guard"] = guard
    if repair is not None:
        options["repair"] = repair
    if extract is not None:
        options["extract"] = extract
    stages: tuple[str, ...] = DEFAULT_STAGES
    if preset is not None or filters is not None:
        if preset is not None and preset not in PRESETS:
            raise InputError(f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}")
        chosen: str | None = preset or "crawlsift-default"
        if filters is not None:  # the file is checked here, before any output exists
            chosen = config_preset(filters)
            if preset is not None and preset != chosen:
                raise InputError(
                    f'preset {preset} and {filters} (preset = "{chosen or NO_PRESET}") '
                    "disagree; the filter file names the preset its rules start from"
                )
        stages = (*DEFAULT_STAGES, *quality_pipeline(chosen, filters))
        options["filter"] = FilterOptions(preset=chosen, config=filters)
    return Pipeline(stages=stages, options=options)


#: metadata columns the extract stage fills; ``clean_html`` returns them in ``result.extra``
_PAGE_METADATA = (S.AUTHOR, S.PUBLISHED, S.SITE_NAME, S.HTML_LANG)


def _one_row(**values: Any) -> pa.Table:
    return S.input_table(**{name: [value] for name, value in values.items()})


def _checked(text: Any, url: Any, http_status: Any, date: Any) -> dict[str, Any]:
    """The row values of one record; a value of the wrong type is an :class:`InputError`.

    A missing text (None) is a record rejected as ``missing_text``, as the readers do.
    """
    for name, value in (("url", url), ("date", date)):
        if value is not None and not isinstance(value, str):
            raise InputError(f"{name} must be a str or None, not {type(value).__name__}")
    status = None if http_status is None else as_status(http_status)
    if http_status is not None and status is None:
        raise InputError(
            f"http_status must be an HTTP status code (an int or a string of digits), "
            f"not {http_status!r}"
        )
    row = {"url": url, "date": date, "http_status": status}
    if text is None:
        return {**row, "reason": "missing_text", "stage": READ_STAGE}
    if not isinstance(text, str):
        raise InputError(f"text must be a str or None, not {type(text).__name__}")
    return {**row, "text": text}


def _result(table: pa.Table) -> CleanResult:
    row = table.to_pylist()[0]
    return CleanResult(
        text=row[S.TEXT] or "",
        title=row.get(S.TITLE),
        edits=[Edit(**e) for e in row.get(S.EDITS) or []],
        rejected=not row[S.KEEP],
        reason=row[S.REASON],
        input_text=row.get(S.INPUT_TEXT) or "",
        url=row[S.URL],
        date=row[S.DATE],
        http_status=row[S.HTTP_STATUS],
        extra={k: row[k] for k in _PAGE_METADATA if row.get(k) is not None},
    )


def clean_text(
    text: str | None,
    url: str | None = None,
    http_status: int | str | None = None,
    date: str | None = None,
    *,
    pipeline: Pipeline | None = None,
) -> CleanResult:
    """Repair one record's text; ``result.edits`` index into ``text``.

    ``http_status`` may be a string of digits (``"403"``); ``text=None`` gives a record
    rejected as ``missing_text``. Values of other types raise :class:`InputError`.
    """
    values = _checked(text, url, http_status, date)
    row = _one_row(**values, id="record", source_format="text", source_index=0)
    return _result((pipeline or make_pipeline())(row))


def clean_html(
    html: str | bytes,
    url: str | None = None,
    *,
    pipeline: Pipeline | None = None,
) -> CleanResult:
    """Extract the main text of an HTML page, then repair it.

    ``result.input_text`` is the extracted text that ``result.edits`` index into;
    ``result.extra`` holds the page's ``author``, ``published``, ``site_name`` and
    ``html_lang`` when it declares them.
    """
    payload = html.encode("utf-8") if isinstance(html, str) else html
    charset = "utf-8" if isinstance(html, str) else None
    row = _one_row(
        html=payload,
        url=url,
        charset=charset,
        content_type="text/html",
        id="record",
        source_format="html",
        source_index=0,
    )
    return _result((pipeline or make_pipeline())(row))


def clean(
    inputs: str | Sequence[str],
    output: str,
    *,
    pipeline: Pipeline | None = None,
    engine: str = "local",
    address: str | None = None,
    preset: str | None = None,
    filters: str | None = None,
    **options: Any,
) -> RunSummary:
    """Clean files, directories or globs into ``output`` (see ``RunOptions``).

    ``engine="ray"`` runs the same pipeline on Ray Data (``pip install 'crawlsift[ray]'``),
    on the cluster at ``address`` or a local Ray instance. ``preset``/``filters`` add
    quality filtering (see ``make_pipeline``); an explicit ``pipeline`` wins over both.
    """

    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine {engine!r}; use local or ray")
    output = local_path(output)  # a file:// URL is the local directory it names
    run_options = RunOptions(output=output, **options)  # bad options fail before any reading
    pipeline = pipeline or make_pipeline(preset=preset, filters=filters)
    tasks = discover([inputs] if isinstance(inputs, str) else list(inputs))
    if engine == "ray":
        from crawlsift.engine.ray_engine import run_ray

        return run_ray(tasks, pipeline, run_options, address=address)
    return run_local(tasks, pipeline, run_options)
