"""The Python API: one record at a time, or whole runs.

``clean_text`` and ``clean_html`` build a one-row batch and run the same pipeline the
engines run; they are conveniences, not a second implementation.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from crawlsift import schema as S
from crawlsift.engine.local import RunOptions, RunSummary, run_local
from crawlsift.engine.pipeline import DEFAULT_STAGES, Pipeline
from crawlsift.errors import InputError
from crawlsift.extract.html_text import ExtractOptions
from crawlsift.io import discover
from crawlsift.io._rows import READ_STAGE, as_status
from crawlsift.io.file_url import local_path
from crawlsift.io.guard import GuardOptions
from crawlsift.pii.options import PiiOptions
from crawlsift.pii.stage import STAGE as PII_STAGE
from crawlsift.reasons import MISSING_TEXT as _MISSING_TEXT
from crawlsift.recipes import RECIPES
from crawlsift.repair.stage import STAGE as REPAIR_STAGE
from crawlsift.repair.stage import RepairOptions
from crawlsift.settings import from_keywords
from crawlsift.signals import quality, tokens
from crawlsift.signals.decontam import DEFAULT_RULES as DECONTAM_DEFAULTS
from crawlsift.signals.decontam import STAGE as DECONTAM_STAGE
from crawlsift.signals.decontam import DecontamOptions
from crawlsift.signals.filters import (
    NO_PRESET,
    PRESETS,
    FilterOptions,
    config_preset,
    config_rules,
    quality_pipeline,
)
from crawlsift.signals.filters import STAGE as FILTER_STAGE
from crawlsift.urlfilter.stage import STAGE as URL_FILTER_STAGE
from crawlsift.urlfilter.stage import UrlFilterOptions


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
    decontaminate: Sequence[str] | DecontamOptions = (),
    skip_repair: bool | None = None,
    url_filter: bool | UrlFilterOptions | None = None,
    pii: bool | PiiOptions | None = None,
    classifier: str | quality.QualityOptions | None = None,
    min_quality: float | None = None,
    tokenizer: str | tokens.TokenOptions | None = None,
) -> Pipeline:
    """The default pipeline (guard, extract, repair) with optional stage options.

    ``guard`` sets the per-record limits (``GuardOptions(max_record_bytes=...)``).
    ``preset`` (gopher, c4, fineweb, crawlsift-default) or a TOML ``filters`` file adds the
    quality signals that its rules need and the ``filter`` stage after repair. A filters
    file names the preset it starts from; ``preset``, if also given, must be the same.
    ``decontaminate`` names local benchmark files (or is a ``DecontamOptions``): their
    passages are removed from the text and the ``decontam`` rules reject what stays
    contaminated (``crawlsift.signals.decontam``; a filters file may set those rules'
    thresholds). ``skip_repair`` leaves the repair stage out: the filters then judge the
    text as read (to compare with pipelines that have no repair; ``repair`` must be None).
    A recipe preset (``fineweb``: :mod:`crawlsift.recipes`) also sets stage options and
    whether repair runs; ``skip_repair=False`` or ``repair`` options put repair back.
    ``url_filter`` (True: the shipped lists; or a ``UrlFilterOptions`` with the user's lists)
    rejects records by their URL after the guard, before extraction
    (``crawlsift.urlfilter.stage``; needs ``pip install 'crawlsift[url]'``); None: as the
    preset says (the ``fineweb`` recipe turns it on), False: off.
    ``pii`` (True, or a ``PiiOptions`` choosing kinds and tokens) adds the ``pii`` stage
    last: e-mail addresses, public IPs and phone numbers in kept texts are replaced by
    tokens, as edits (``crawlsift.pii``; phones need the ``pii`` extra); None: as the
    preset says (the ``fineweb`` recipe redacts e-mails and IPs, as FineWeb), False: off.
    ``classifier`` (a fastText model path, or ``QualityOptions``) adds the ``quality`` stage
    and its ``quality_score`` column; ``min_quality`` rejects texts scored below it
    (``crawlsift.signals.quality``). ``tokenizer`` (a ``tokenizer.json`` path, or
    ``TokenOptions``) adds ``token_count`` last (``crawlsift.signals.tokens``).
    """
    options: dict[str, Any] = {}
    if guard is not None:
        options["guard"] = guard
    if repair is not None:
        options["repair"] = repair
    if extract is not None:
        options["extract"] = extract
    if skip_repair and repair is not None:
        raise InputError("repair options given with skip_repair: leave one out")
    if preset is not None and preset not in PRESETS:
        raise InputError(f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}")
    chosen: str | None = preset
    if filters is not None:  # the file is checked here, before any output exists
        chosen = config_preset(filters)
        if preset is not None and preset != chosen:
            raise InputError(
                f'preset {preset} and {filters} (preset = "{chosen or NO_PRESET}") '
                "disagree; the filter file names the preset its rules start from"
            )
    recipe = RECIPES.get(chosen) if chosen is not None else None
    if skip_repair is None:
        skip_repair = recipe is not None and not recipe.repair and repair is None
    base = tuple(s for s in DEFAULT_STAGES if not (skip_repair and s == REPAIR_STAGE))
    if url_filter is None:
        url_filter = recipe is not None and recipe.url_filter
    if url_filter:
        options[URL_FILTER_STAGE] = (
            url_filter if isinstance(url_filter, UrlFilterOptions) else UrlFilterOptions()
        )
        at = base.index("guard") + 1
        base = (*base[:at], URL_FILTER_STAGE, *base[at:])
    stages: tuple[str, ...] = base
    if chosen is not None or filters is not None or decontaminate or min_quality is not None:
        rules: tuple[tuple[str, Any], ...] = ()
        if min_quality is not None:
            rules = ((quality.RULE, min_quality),)
        if decontaminate:
            if not isinstance(decontaminate, DecontamOptions):
                decontaminate = DecontamOptions(benchmarks=tuple(decontaminate))
            options[DECONTAM_STAGE] = decontaminate
            set_in_file = config_rules(filters) if filters is not None else {}
            rules += tuple(
                (rule, value)
                for rule, value in DECONTAM_DEFAULTS.items()
                if rule not in set_in_file
            )
        stages = (*base, *quality_pipeline(chosen, filters, rules))
        if DECONTAM_STAGE in stages and not decontaminate:
            raise InputError(
                "the decontam rules need benchmark files: give them with decontaminate= "
                "(--decontaminate on the command line)"
            )
        options[FILTER_STAGE] = FilterOptions(preset=chosen, config=filters, rules=rules)
    if pii is None:
        pii = recipe.pii if recipe is not None else None
    if pii:  # last: only the text that is kept is redacted
        options[PII_STAGE] = pii if isinstance(pii, PiiOptions) else PiiOptions()
        stages = (*stages, PII_STAGE)
    stages = _with_model_stages(stages, options, classifier, tokenizer)
    if recipe is not None:
        for stage, stage_options in recipe.options.items():
            if stage in stages:
                options.setdefault(stage, stage_options)
    return Pipeline(stages=stages, options=options)


def _with_model_stages(
    stages: tuple[str, ...],
    options: dict[str, Any],
    classifier: str | quality.QualityOptions | None,
    tokenizer: str | tokens.TokenOptions | None,
) -> tuple[str, ...]:
    """``stages`` with the quality classifier (before decontamination, the filter and PII
    redaction, unless its rule put it there already) and token counts (last: the text as
    written), their options in ``options``."""
    if classifier is not None:
        options[quality.STAGE] = quality.options_for(classifier)
        if quality.STAGE not in stages:
            at = next(
                (i for i, s in enumerate(stages) if s in (DECONTAM_STAGE, FILTER_STAGE, PII_STAGE)),
                len(stages),
            )
            stages = (*stages[:at], quality.STAGE, *stages[at:])
    elif quality.STAGE in stages:
        raise InputError(
            f"the {quality.RULE} rule needs a classifier model: give it with classifier= "
            "(--classifier on the command line)"
        )
    if tokenizer is not None:
        options[tokens.STAGE] = tokens.options_for(tokenizer)
        stages = (*stages, tokens.STAGE)
    return stages


#: metadata columns the extract stage fills; ``clean_html`` returns them in ``result.extra``
_PAGE_METADATA = (S.AUTHOR, S.PUBLISHED, S.SITE_NAME, S.HTML_LANG)
#: the reason a record without text or HTML is rejected with, as the readers reject it


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
        return {**row, "reason": _MISSING_TEXT, "stage": READ_STAGE}
    if not isinstance(text, str):
        raise InputError(f"text must be a str or None, not {type(text).__name__}")
    return {**row, "text": text}


def _result(table: pa.Table) -> CleanResult:
    return _result_row(table.to_pylist()[0])


def _result_row(row: dict[str, Any]) -> CleanResult:
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
    return _result((pipeline or default_pipeline())(row))


def clean_html(
    html: str | bytes | None,
    url: str | None = None,
    *,
    pipeline: Pipeline | None = None,
) -> CleanResult:
    """Extract the main text of an HTML page, then repair it.

    ``result.input_text`` is the extracted text that ``result.edits`` index into;
    ``result.extra`` holds the page's ``author``, ``published``, ``site_name`` and
    ``html_lang`` when it declares them. ``html=None`` gives a record rejected as
    ``missing_text``; values of other types raise :class:`InputError`.
    """
    if url is not None and not isinstance(url, str):
        raise InputError(f"url must be a str or None, not {type(url).__name__}")
    row: dict[str, Any] = {"url": url, "content_type": "text/html"}
    if html is None:
        row |= {"reason": _MISSING_TEXT, "stage": READ_STAGE}
    elif isinstance(html, str):
        row |= {"html": html.encode("utf-8"), "charset": "utf-8"}
    elif isinstance(html, bytes | bytearray | memoryview):
        row["html"] = bytes(html)
    else:
        raise InputError(f"html must be str or bytes or None, not {type(html).__name__}")
    row = _one_row(**row, id="record", source_format="html", source_index=0)
    return _result((pipeline or default_pipeline())(row))


def clean(
    inputs: str | Sequence[str],
    output: str,
    *,
    pipeline: Pipeline | None = None,
    preset: str | None = None,
    filters: str | None = None,
    run: RunOptions | None = None,
    engine: str = "local",
    address: str | None = None,
    **settings: Any,
) -> RunSummary:
    """Clean files, directories or globs into ``output``.

    ``pipeline`` says what is done to each record; or ``preset``/``filters`` the quality
    filtering of the default pipeline (see ``make_pipeline``), not both. ``run``
    (:class:`RunOptions`, its ``output`` replaced by ``output``) says how the run is
    executed and written; as a shorthand its fields may be given as keywords instead
    (``clean(src, out, workers=1)``), not together with ``run``; an unknown keyword is an
    :class:`InputError`. ``engine="ray"`` runs the same pipeline on Ray Data
    (``pip install 'crawlsift[ray]'``), on the cluster at ``address`` or a local Ray.
    """

    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine {engine!r}; use local or ray")
    output = local_path(output)  # a file:// URL is the local directory it names
    if run is not None:
        if settings:
            raise InputError(f"give {', '.join(sorted(settings))} in run= or as keywords, not both")
        run_options = dataclasses.replace(run, output=output)
    else:  # bad options fail before any reading
        run_options = from_keywords(RunOptions, {"output": output, **settings}, "run")
    pipeline = _pipeline_for(pipeline, preset, filters)
    tasks = discover([inputs] if isinstance(inputs, str) else list(inputs))
    if engine == "ray":
        from crawlsift.engine.ray_engine import run_ray

        return run_ray(tasks, pipeline, run_options, address=address)
    return run_local(tasks, pipeline, run_options)


# -- batches of in-memory records ------------------------------------------------------------

#: keys a record dict may have
RECORD_KEYS = (S.TEXT, S.HTML, S.URL, S.DATE, S.HTTP_STATUS, S.ID)
#: input columns an Arrow table given to ``clean_table`` may have; other columns the pipeline
#: writes are refused, other columns of its own pass through
TABLE_COLUMNS = (S.ID, S.URL, S.DATE, S.HTTP_STATUS, S.CONTENT_TYPE, S.CHARSET, S.TEXT, S.HTML)


@functools.cache
def default_pipeline(preset: str | None = None) -> Pipeline:
    """``make_pipeline(preset=preset)``, built once per preset and shared by the calls that
    use it (a ``Pipeline`` holds no state between calls)."""
    return make_pipeline(preset=preset)


def _pipeline_for(pipeline: Pipeline | None, preset: str | None, filters: str | None) -> Pipeline:
    if pipeline is not None:
        if preset is not None or filters is not None:
            raise InputError("give pipeline= or preset=/filters=, not both")
        return pipeline
    if filters is not None:  # a TOML file may change between calls: built each time
        return make_pipeline(preset=preset, filters=filters)
    return default_pipeline(preset)


def _status(value: Any, where: str) -> int | None:
    """An HTTP status as an int (a numeric string is read as one), or ``InputError``."""
    status = as_status(value)
    if value is not None and status is None:
        raise InputError(f"{where}: http_status must be an integer, not {value!r}")
    return status


def _optional_str(value: Any, key: str, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise InputError(f"{where}: {key} must be a string, not {type(value).__name__}")


def _record_row(record: Any, index: int) -> dict[str, Any]:
    """One input row from a record: a str (text), bytes (HTML) or dict."""
    where = f"record {index}"
    if isinstance(record, str):
        record = {S.TEXT: record}
    elif isinstance(record, bytes | bytearray | memoryview):
        record = {S.HTML: bytes(record)}
    elif not isinstance(record, Mapping):
        raise InputError(
            f"{where}: a record is a str (text), bytes (HTML) or dict, not {type(record).__name__}"
        )
    unknown = sorted(str(k) for k in record if k not in RECORD_KEYS)
    if unknown:
        raise InputError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; a record dict has "
            f"{' or '.join(RECORD_KEYS[:2])}, and optionally {', '.join(RECORD_KEYS[2:])}"
        )
    text, html = record.get(S.TEXT), record.get(S.HTML)
    if text is not None and html is not None:
        raise InputError(f"{where}: give text or html, not both")
    if text is not None and not isinstance(text, str):
        raise InputError(f"{where}: text must be a string, not {type(text).__name__}")
    if isinstance(html, str):
        html, charset = html.encode("utf-8"), "utf-8"
    elif html is None or isinstance(html, bytes | bytearray | memoryview):
        html, charset = (bytes(html) if html is not None else None), None
    else:
        raise InputError(f"{where}: html must be str or bytes, not {type(html).__name__}")
    row: dict[str, Any] = {
        S.ID: _optional_str(record.get(S.ID), S.ID, where) or f"record#{index}",
        S.URL: _optional_str(record.get(S.URL), S.URL, where),
        S.DATE: _optional_str(record.get(S.DATE), S.DATE, where),
        S.HTTP_STATUS: _status(record.get(S.HTTP_STATUS), where),
        S.SOURCE_INDEX: index,
        S.TEXT: text,
    }
    if html is not None:
        row |= {S.HTML: html, S.CHARSET: charset, S.CONTENT_TYPE: "text/html"}
        row[S.SOURCE_FORMAT] = "html"
    else:
        row[S.SOURCE_FORMAT] = "text"
    if text is None and html is None:  # rejected as the readers reject such a record
        row |= {S.REASON: _MISSING_TEXT, S.STAGE: READ_STAGE}
    return row


def _records_table(records: Sequence[Any]) -> pa.Table:
    rows = [_record_row(record, i) for i, record in enumerate(records)]
    return S.input_table(**{name: [row.get(name) for row in rows] for name in S.INPUT_COLUMNS})


def clean_batch(
    records: Sequence[str | bytes | Mapping[str, Any]],
    *,
    preset: str | None = None,
    filters: str | None = None,
    pipeline: Pipeline | None = None,
) -> list[CleanResult]:
    """Clean in-memory records in one pipeline call; one ``CleanResult`` per record, in order.

    A record is a ``str`` (text, as ``clean_text`` takes), ``bytes`` (an HTML page, as
    ``clean_html`` takes) or a dict with ``text`` or ``html`` (str or bytes) and optionally
    ``url``, ``date``, ``http_status`` (an int or a numeric string) and ``id``. A record
    without text or HTML is rejected as ``missing_text``. ``preset``/``filters`` add quality
    filtering as in ``make_pipeline``; ``pipeline`` runs a pipeline of your own instead. A
    value of the wrong type raises ``InputError`` naming the record.
    """
    if isinstance(records, str | bytes | Mapping | pa.Table):
        raise InputError(
            "clean_batch takes a list of records (str, bytes or dict); "
            "use clean_text/clean_html for one record, clean_table for an Arrow table"
        )
    chosen = _pipeline_for(pipeline, preset, filters)
    records = list(records)
    if not records:
        return []
    out = chosen(_records_table(records))
    return [_result_row(row) for row in out.to_pylist()]


def _is_string(type_: pa.DataType) -> bool:
    return (
        pa.types.is_string(type_)
        or pa.types.is_large_string(type_)
        or pa.types.is_string_view(type_)
    )


def _table_column(table: pa.Table, name: str) -> pa.ChunkedArray:
    """A given input column cast to its schema type, or ``InputError`` naming it."""
    column = table.column(name)
    target = S.COLUMN_TYPES[name]
    if name == S.TEXT and not _is_string(column.type):
        raise InputError(f"column 'text' is {column.type}, not a string")
    if name == S.HTML and _is_string(column.type):  # a page as text: its UTF-8 bytes
        column = column.cast(pa.large_string()).cast(pa.large_binary())
    if name == S.HTTP_STATUS and not pa.types.is_integer(column.type):
        values = [_status(v, f"row {i}") for i, v in enumerate(column.to_pylist())]
        return pa.chunked_array([pa.array(values, target)], target)
    try:
        return column.cast(target)
    except (pa.ArrowException, ValueError) as exc:
        raise InputError(f"column {name!r} is {column.type}, not {target}: {exc}") from None


def clean_table(
    table: pa.Table,
    *,
    preset: str | None = None,
    filters: str | None = None,
    pipeline: Pipeline | None = None,
) -> pa.Table:
    """Clean an Arrow table of records in one pipeline call: one output row per input row, in
    order, with the columns ``crawlsift.schema`` names (``keep`` and ``reason`` say which rows
    a run would write as kept and which as rejected) and the table's other columns unchanged.

    The table has a ``text`` (string) or ``html`` (binary, or string: its UTF-8 bytes) column,
    or both (a row with HTML is extracted from it), and may have ``id``, ``url``, ``date``,
    ``http_status`` (integers or numeric strings), ``content_type`` and ``charset``. A row
    without text or HTML is rejected as ``missing_text``. The ``html`` payloads are not
    returned, as runs do not write them. A column that will not do raises ``InputError``.
    """
    if not isinstance(table, pa.Table):
        raise InputError(f"clean_table takes a pyarrow.Table, not {type(table).__name__}")
    names = table.column_names
    if S.TEXT not in names and S.HTML not in names:
        raise InputError("the table has neither a 'text' nor an 'html' column")
    owned = sorted(n for n in names if n in S.COLUMN_TYPES and n not in TABLE_COLUMNS)
    if owned:
        raise InputError(
            f"column(s) {', '.join(map(repr, owned))} are written by crawlsift; drop them first"
        )
    chosen = _pipeline_for(pipeline, preset, filters)
    n = table.num_rows
    given = {name: _table_column(table, name) for name in TABLE_COLUMNS if name in names}
    html = given.get(S.HTML, pa.nulls(n, S.COLUMN_TYPES[S.HTML]))
    text = given.get(S.TEXT, pa.nulls(n, S.COLUMN_TYPES[S.TEXT]))
    missing = pc.and_(pc.is_null(text), pc.is_null(html))
    no_string = pa.scalar(None, pa.string())
    fallback = pa.array([f"record#{i}" for i in range(n)], pa.string())
    columns = {
        **given,
        S.ID: pc.coalesce(given[S.ID], fallback) if S.ID in given else fallback,
        S.SOURCE_INDEX: pa.array(range(n), pa.int64()),
        S.SOURCE_FORMAT: pc.if_else(pc.is_null(html), "text", "html"),
        S.REASON: pc.if_else(missing, _MISSING_TEXT, no_string),
        S.STAGE: pc.if_else(missing, READ_STAGE, no_string),
    }
    if S.HTML in given and S.CHARSET not in given and _is_string(table.column(S.HTML).type):
        columns[S.CHARSET] = pc.if_else(pc.is_null(html), no_string, "utf-8")
    inputs = S.input_table(**columns)
    for name in names:
        if name not in S.COLUMN_TYPES:  # the table's own columns pass through
            inputs = inputs.append_column(table.schema.field(name), table.column(name))
    out = chosen(inputs)
    return out.drop_columns([c for c in S.INTERNAL_COLUMNS if c in out.column_names])
