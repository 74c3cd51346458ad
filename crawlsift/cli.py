"""The ``crawlsift`` command: thin wrappers over the library.

Each command parses its flags, calls one library function and turns a
``CrawlsiftError`` into ``Error: <message>`` with exit code 1.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from crawlsift.dedup.options import DedupOptions, DedupRunOptions
from crawlsift.engine.local import RunOptions
from crawlsift.engine.output import OUTPUT_FORMATS
from crawlsift.engine.startup import end_without_collecting, skip_pandas
from crawlsift.errors import CrawlsiftError
from crawlsift.io.guard import GuardOptions

if TYPE_CHECKING:
    from crawlsift.dedup.steps import Step
    from crawlsift.engine.pipeline import Pipeline
    from crawlsift.extract.html_text import ExtractOptions
    from crawlsift.urlfilter.stage import UrlFilterOptions

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")


def _errors(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CrawlsiftError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper


class LocalPath(click.Path):
    """``click.Path`` that also takes a local ``file://`` URL (as the path it names)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from crawlsift.io.file_url import local_path

        if isinstance(value, str):
            try:
                value = local_path(value)
            except CrawlsiftError as exc:
                self.fail(str(exc), param, ctx)
        return super().convert(value, param, ctx)


def _local_paths(ctx: click.Context, param: click.Parameter, values: Any) -> Any:
    """Inputs given as local ``file://`` URLs become the paths they name."""
    from crawlsift.io.file_url import local_path

    try:
        return tuple(local_path(v) for v in values)
    except CrawlsiftError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def _filter_options(fn: F) -> F:
    """``--preset``, ``--filters``, ``--decontaminate`` and ``--redact-pii``: quality filters
    after repair, PII redaction of the kept text last."""
    from crawlsift.signals.filters import PRESETS

    fn = click.option(
        "--pii-kinds",
        metavar="KINDS",
        help="Comma-separated kinds --redact-pii replaces (email, ip, phone, card, iban; "
        "default email,ip,phone); implies --redact-pii.",
    )(fn)
    fn = click.option(
        "--redact-pii",
        is_flag=True,
        help="Replace e-mail addresses, public IPs and phone numbers in kept text by tokens, "
        "as edits (phones need the pii extra).",
    )(fn)
    fn = click.option(
        "--decontaminate",
        "decontaminate",
        multiple=True,
        type=LocalPath(dir_okay=False, exists=True),
        help="Benchmark file (JSONL, Parquet or text) whose passages are removed from the "
        "text (13-word overlaps, GPT-3's rule); repeat for several.",
    )(fn)
    fn = click.option(
        "--filters",
        type=LocalPath(dir_okay=False, exists=True),
        help="TOML file of filter rules (preset = ..., [rules] ...).",
    )(fn)
    return click.option(
        "--preset",
        type=click.Choice(list(PRESETS)),
        help="Quality filters after repair, with the published thresholds; fineweb is "
        "FineWeb's whole recipe (docs/recipes.md).",
    )(fn)


def _url_filter_options(fn: Callable[..., R]) -> Callable[..., R]:
    """``--url-filter``, ``--url-blocklist``, ``--url-regex``, ``--url-allowlist``: the
    ``url_filter`` stage, handed to the command as one ``url_filter`` options value (or None)."""

    @functools.wraps(fn)
    def wrapper(
        *args: Any,
        url_filter: bool,
        url_blocklist: tuple[str, ...],
        url_regex: tuple[str, ...],
        url_allowlist: tuple[str, ...],
        **kwargs: Any,
    ) -> R:
        from crawlsift.urlfilter.stage import options_from

        lists = options_from(url_filter, url_blocklist, url_regex, url_allowlist)
        return fn(*args, url_filter=lists, **kwargs)

    file = LocalPath(dir_okay=False, exists=True)
    options = (
        click.option(
            "--url-filter",
            is_flag=True,
            help="Reject records by URL before extraction: the shipped UT1 domain and URL "
            "lists and banned words (FineWeb's URL filter; pip install 'crawlsift[url]').",
        ),
        click.option(
            "--url-blocklist",
            multiple=True,
            type=file,
            help="File of domains and URLs (one a line) whose records are rejected; repeat "
            "for several.",
        ),
        click.option(
            "--url-regex",
            multiple=True,
            type=file,
            help="File of regular expressions (one a line); a URL matching one is rejected.",
        ),
        click.option(
            "--url-allowlist",
            multiple=True,
            type=file,
            help="File of domains and URLs never rejected by the URL lists.",
        ),
    )
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _extract_option(fn: Callable[..., R]) -> Callable[..., R]:
    """``--extract-mode fast|accurate``, handed to the command as ``extract``:
    ``ExtractOptions`` for the accurate mode (checked now: trafilatura must be installed), or
    None (the fast default)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, extract_mode: str, **kwargs: Any) -> R:
        from crawlsift.extract.html_text import ExtractOptions

        extract = ExtractOptions(mode="accurate") if extract_mode == "accurate" else None
        return fn(*args, extract=extract, **kwargs)

    option = click.option(
        "--extract-mode",
        type=click.Choice(["fast", "accurate"]),
        default="fast",
        show_default=True,
        help="HTML extraction: fast (resiliparse and crawlsift's DOM rules) or accurate "
        "(trafilatura; pip install 'crawlsift[extract]').",
    )
    return option(wrapper)


def _pii_options(redact: bool, kinds: str | None) -> Any:
    """``--redact-pii`` and ``--pii-kinds`` as ``make_pipeline``'s ``pii``: ``PiiOptions``,
    or None (neither given: as the preset says)."""
    if not redact and kinds is None:
        return None
    from crawlsift.pii.options import PiiOptions

    if kinds is None:
        return PiiOptions()
    return PiiOptions(kinds=tuple(k.strip() for k in kinds.split(",") if k.strip()))


def _model_options(fn: F) -> F:
    """``--classifier``, ``--classifier-label``, ``--min-quality`` and ``--tokenizer``: models
    the user supplies (local files) score and count the texts."""
    fn = click.option(
        "--tokenizer",
        type=LocalPath(dir_okay=False, exists=True),
        help="Hugging Face tokenizer.json: count each text's tokens (token_count; totals in "
        "stats.json). Needs pip install 'crawlsift[tokens]'.",
    )(fn)
    fn = click.option(
        "--min-quality",
        type=float,
        help="Reject texts the --classifier scores below this (rule quality_score).",
    )(fn)
    fn = click.option(
        "--classifier-label",
        default="__label__hq",
        show_default=True,
        help="The classifier's label whose probability is quality_score.",
    )(fn)
    return click.option(
        "--classifier",
        type=LocalPath(dir_okay=False, exists=True),
        help="fastText model (.bin/.ftz) scoring each text: quality_score. Needs pip install "
        "'crawlsift[classifier]'; train one with crawlsift train-classifier.",
    )(fn)


def _engine_options(help_text: str) -> Callable[[F], F]:
    """``--engine local|ray`` and ``--address``."""

    def decorate(fn: F) -> F:
        fn = click.option(
            "--address", help="Ray cluster address for --engine ray (default: local Ray)."
        )(fn)
        return click.option(
            "--engine",
            type=click.Choice(["local", "ray"]),
            default="local",
            show_default=True,
            help=help_text,
        )(fn)

    return decorate


class _EchoHandler(logging.Handler):
    """The library's log records on stderr: errors as ``Error: <message>`` lines (a file
    that could not be read), warnings as they are."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        click.echo(f"Error: {message}" if record.levelno >= logging.ERROR else message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="crawlsift")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Turn raw web-crawl records into clean, deduplicated, quality-scored text."""
    end_without_collecting()
    log, handler = logging.getLogger("crawlsift"), _EchoHandler()
    log.addHandler(handler)  # for this command only: library calls after it print nothing
    ctx.call_on_close(lambda: log.removeHandler(handler))


@main.command()
@click.argument("inputs", nargs=-1, required=True, callback=_local_paths)
@click.option("-o", "--output", type=LocalPath(file_okay=False), help="Output directory.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(OUTPUT_FORMATS),
    default=RunOptions.format,
    show_default=True,
    help="Format of the kept/ and rejected/ shards.",
)
@click.option(
    "--workers",
    type=int,
    default=RunOptions.workers,
    show_default=True,
    help="Worker processes; 0 uses all cores.",
)
@click.option(
    "--batch-size",
    type=int,
    default=RunOptions.batch_size,
    show_default=True,
    help="Records per batch, at most.",
)
@click.option(
    "--batch-mb",
    type=float,
    default=RunOptions.batch_bytes / 2**20,
    show_default=True,
    help="MiB of HTML or text that close a batch; bounds memory per worker.",
)
@click.option("--keep-input-text", is_flag=True, help="Also store the input text of kept records.")
@click.option(
    "--repair/--no-repair",
    "repair",
    default=None,
    help="Run the repair stage (the default, except with a recipe preset such as fineweb, "
    "which has none) or skip it: filter the text as read, as pipelines without repair do.",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing output directory.")
@click.option(
    "--max-record-mb",
    type=float,
    default=GuardOptions.max_record_bytes / 2**20,
    show_default=True,
    help="Larger records are rejected as too_large before parsing.",
)
@click.option(
    "--record-timeout",
    type=float,
    default=RunOptions.record_timeout,
    show_default=True,
    help="Seconds a record may spend in HTML parsing (else parse_timeout) or in all "
    "stages (else record_timeout); 0 turns the limit off.",
)
@click.option(
    "--stdout",
    "to_stdout",
    is_flag=True,
    help="Print the cleaned text of the kept records instead of writing OUTDIR.",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)."
)
@_engine_options("This machine, or Ray Data (pip install 'crawlsift[ray]').")
@_filter_options
@_model_options
@_errors
@_url_filter_options
@_extract_option
def clean(
    inputs: tuple[str, ...],
    output: str | None,
    fmt: str,
    workers: int,
    batch_size: int,
    batch_mb: float,
    keep_input_text: bool,
    repair: bool | None,
    overwrite: bool,
    max_record_mb: float,
    record_timeout: float,
    to_stdout: bool,
    progress: bool | None,
    engine: str,
    address: str | None,
    preset: str | None,
    filters: str | None,
    decontaminate: tuple[str, ...],
    url_filter: UrlFilterOptions | None,
    extract: ExtractOptions | None,
    redact_pii: bool,
    pii_kinds: str | None,
    classifier: str | None,
    classifier_label: str,
    min_quality: float | None,
    tokenizer: str | None,
) -> None:
    """Clean INPUTS (files, directories or globs) into OUTDIR.

    \b
    Example:
      crawlsift clean crawl/*.warc.gz pages.jsonl -o out/
      crawlsift clean record.txt --stdout
      crawlsift clean crawl/ -o out/ --preset crawlsift-default
      crawlsift clean 'crawl/*.warc.gz' -o out/ --engine ray --address auto
    """
    if engine == "local":  # Ray's driver may hand pyarrow pandas objects
        skip_pandas()
    from crawlsift.api import clean as run_clean
    from crawlsift.api import make_pipeline
    from crawlsift.report.summary import format_summary

    if batch_mb <= 0:
        raise click.BadParameter("must be positive", param_hint="--batch-mb")
    batch_bytes = max(int(batch_mb * 2**20), 1)
    if max_record_mb <= 0:
        raise click.BadParameter("must be positive", param_hint="--max-record-mb")
    guard = None
    if max_record_mb != GuardOptions.max_record_bytes / 2**20:
        guard = GuardOptions(max_record_bytes=int(max_record_mb * 2**20))
    pipeline = make_pipeline(
        guard=guard,
        preset=preset,
        filters=filters,
        decontaminate=decontaminate,
        skip_repair=None if repair is None else not repair,
        url_filter=url_filter,
        extract=extract,
        pii=_pii_options(redact_pii, pii_kinds),
        **_model_settings(classifier, classifier_label, min_quality, tokenizer),
    )
    if to_stdout:
        _print_clean(inputs, pipeline, batch_size, batch_bytes, record_timeout or None)
        return
    if not output:
        raise click.UsageError("give an output directory with -o OUTDIR, or use --stdout")
    summary = run_clean(
        list(inputs),
        output,
        pipeline=pipeline,
        format=fmt,
        workers=workers,
        batch_size=batch_size,
        batch_bytes=batch_bytes,
        keep_input_text=keep_input_text,
        overwrite=overwrite,
        record_timeout=record_timeout or None,
        progress=progress,
        engine=engine,
        address=address,
    )
    click.echo(format_summary(summary))
    if summary.failed_files:
        sys.exit(1)


def _model_settings(
    classifier: str | None, label: str, min_quality: float | None, tokenizer: str | None
) -> dict[str, Any]:
    """``make_pipeline``'s keywords for the model options given on the command line."""
    from crawlsift.signals.quality import QualityOptions

    if classifier is None and min_quality is not None:
        raise click.UsageError("--min-quality needs --classifier MODEL")
    settings: dict[str, Any] = {"min_quality": min_quality, "tokenizer": tokenizer}
    if classifier is not None:
        settings["classifier"] = QualityOptions(model=classifier, label=label)
    return settings


def _processed_rows(
    inputs: tuple[str, ...],
    pipeline: Pipeline,
    batch_size: int = RunOptions.batch_size,
    record_timeout: float | None = RunOptions.record_timeout,
    batch_bytes: int = RunOptions.batch_bytes,
) -> Iterator[dict[str, Any]]:
    """The processed records of ``inputs`` under the record limits of a run."""
    from crawlsift.engine.stream import processed
    from crawlsift.io import discover

    tables = processed(
        discover(list(inputs)),
        pipeline,
        batch_size=batch_size,
        batch_bytes=batch_bytes,
        record_timeout=record_timeout,
    )
    for table in tables:
        yield from table.to_pylist()


def _print_clean(
    inputs: tuple[str, ...],
    pipeline: Pipeline,
    batch_size: int,
    batch_bytes: int,
    record_timeout: float | None,
) -> None:
    from crawlsift import schema as S

    printed = 0
    for row in _processed_rows(inputs, pipeline, batch_size, record_timeout, batch_bytes):
        if row[S.KEEP]:
            if printed:
                click.echo()
            click.echo(row[S.TEXT])
            printed += 1
        else:
            click.echo(f"crawlsift: {row[S.ID]} rejected: {row[S.REASON]}", err=True)
    if not printed:
        sys.exit(1)


def _colour(flag: bool | None) -> bool:
    """``--color``/``--no-color`` when given; else on a terminal, unless ``NO_COLOR`` is set
    and not empty (https://no-color.org)."""
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@main.command()
@click.argument("inputs", nargs=-1, required=True, callback=_local_paths)
@click.option("--limit", type=int, default=20, show_default=True, help="Records to show at most.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the marks (default: on a terminal, unless NO_COLOR is set).",
)
@click.option("--html", "html_path", type=LocalPath(dir_okay=False), help="Write an HTML page.")
@_filter_options
@_errors
@_url_filter_options
@_extract_option
def explain(
    inputs: tuple[str, ...],
    limit: int,
    color: bool | None,
    html_path: str | None,
    preset: str | None,
    filters: str | None,
    decontaminate: tuple[str, ...],
    url_filter: UrlFilterOptions | None,
    extract: ExtractOptions | None,
    redact_pii: bool,
    pii_kinds: str | None,
) -> None:
    """Show each record of INPUTS with its removed spans marked and their reasons.

    Removals print as [-text-]{reason}, rewrites as [-old-]{+new+}{reason}; on a
    terminal they are struck through in red instead. A record a filter rule rejected
    shows its measured value against the threshold.

    \b
    Example:
      crawlsift explain record.txt
      crawlsift explain crawl.warc.gz --limit 5 --html explain.html
      crawlsift explain pages.jsonl --preset fineweb
    """
    skip_pandas()
    from crawlsift.api import make_pipeline
    from crawlsift.report.explain import html_page, render_record, render_record_html
    from crawlsift.report.why import row_limits, run_language_thresholds, run_thresholds

    pipeline = make_pipeline(
        preset=preset,
        filters=filters,
        decontaminate=decontaminate,
        url_filter=url_filter,
        extract=extract,
        pii=_pii_options(redact_pii, pii_kinds),
    )
    limits = run_thresholds(pipeline.describe())
    by_language = run_language_thresholds(pipeline.describe())
    rows = []
    for i, row in enumerate(_processed_rows(inputs, pipeline, batch_size=100)):
        if i >= limit:
            click.echo(f"... stopped after {limit} records (--limit)", err=True)
            break
        rows.append(row)
    if html_path:
        body = "<h1>crawlsift explain</h1>" + "".join(
            render_record_html(r, row_limits(r, limits, by_language)) for r in rows
        )
        Path(html_path).write_text(html_page("crawlsift explain", body), encoding="utf-8")
        noun = "record" if len(rows) == 1 else "records"
        click.echo(f"wrote {html_path} ({len(rows)} {noun})")
        return
    style = "ansi" if _colour(color) else "plain"
    for row in rows:
        row_style = render_record(row, style, row_limits(row, limits, by_language))
        click.echo(row_style, color=style == "ansi")


@main.command()
@click.option(
    "-o",
    "--output",
    default="crawlsift-demo-out",
    show_default=True,
    type=LocalPath(file_okay=False),
    help="Where to write the demo outputs.",
)
@click.option("--workers", type=int, default=0, show_default=True, help="0 uses all cores.")
@_errors
def demo(output: str, workers: int) -> None:
    """Run the whole pipeline on the bundled sample and summarise the result.

    \b
    Example:
      crawlsift demo -o /tmp/demo
    """
    skip_pandas()
    from crawlsift.api import clean as run_clean
    from crawlsift.io.writers import read_output
    from crawlsift.report.summary import format_summary

    sample = resources.files("crawlsift") / "data" / "demo"
    with resources.as_file(sample) as sample_dir:
        summary = run_clean([str(sample_dir)], output, workers=workers, overwrite=True)
    click.echo(f"crawlsift demo: sample from {sample_dir}")
    click.echo(format_summary(summary))
    kept = read_output(str(Path(output) / "kept"))
    click.echo("\nkept records (id, title, first words):")
    for row in kept.select(["id", "title", "text"]).to_pylist()[:12]:
        words = " ".join((row["text"] or "").split()[:10])
        click.echo(f"  {row['id'][:40]:<40} {str(row['title'] or '')[:36]:<36} {words[:60]}")
    click.echo(f"\noutputs: {output}/kept, {output}/rejected, {output}/stats.json")
    click.echo(f"report:  {output}/report.html")
    click.echo("see why text was removed: crawlsift explain <file>")


@main.command("dedup")
@click.argument("inputs", nargs=-1, required=True, callback=_local_paths)
@click.option(
    "-o",
    "--output",
    required=True,
    type=LocalPath(file_okay=False),
    help="Output directory: kept/, rejected/, stats.json.",
)
@click.option(
    "--index",
    "index_dir",
    type=LocalPath(file_okay=False),
    help="Index directory: also remove duplicates of indexed documents, then add "
    "this run's kept documents to it.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(OUTPUT_FORMATS),
    default=DedupRunOptions.format,
    show_default=True,
)
@click.option(
    "--threshold",
    type=float,
    default=DedupOptions.jaccard_threshold,
    show_default=True,
    help="Exact Jaccard of word 5-gram sets a candidate pair must reach to be a "
    "near duplicate (with --verify).",
)
@click.option("--bands", type=int, default=DedupOptions.bands, show_default=True, help="LSH bands.")
@click.option(
    "--rows", type=int, default=DedupOptions.rows, show_default=True, help="Rows per LSH band."
)
@click.option(
    "--verify/--no-verify",
    default=DedupOptions.verify,
    show_default=True,
    help="Check each LSH candidate pair by exact Jaccard (--no-verify: every candidate "
    "pair is a duplicate, as in datatrove).",
)
@click.option("--no-boilerplate", is_flag=True, help="Keep lines recurring across a site.")
@click.option(
    "--fold-digits",
    is_flag=True,
    help="Treat every run of digits as the same number, so pages differing only in their "
    "numbers are duplicates (off: prices, results and dates tell pages apart).",
)
@click.option(
    "--keep-order",
    default=",".join(DedupOptions.keep_order),
    show_default=True,
    help="Which copy of a cluster is kept, by these keys, then by id.",
)
@click.option(
    "--workers",
    type=int,
    default=DedupRunOptions.workers,
    show_default=True,
    help="0 uses all cores.",
)
@click.option("--overwrite", is_flag=True, help="Replace an earlier dedup output.")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bars (default: on a terminal)."
)
@_engine_options(
    "Hash on this machine's threads, or on Ray workers (pip install 'crawlsift[ray]')."
)
@_errors
def dedup_command(
    inputs: tuple[str, ...], output: str, index_dir: str | None, fmt: str, threshold: float,
    bands: int, rows: int, verify: bool, no_boilerplate: bool, fold_digits: bool,
    keep_order: str, workers: int, overwrite: bool, progress: bool | None, engine: str,
    address: str | None,
) -> None:  # fmt: skip
    """Remove exact and near-duplicate documents and site boilerplate lines.

    INPUTS are `crawlsift clean` output directories (their kept/ is read) or
    Parquet/JSONL files with id and text (url and date used when present); raw
    WARC/ARC files need `crawlsift clean` first. After an interruption, the same
    command resumes without redoing finished passes.

    \b
    Example:
      crawlsift dedup cleaned/ -o deduped/ --index dedup-index/
    """
    from crawlsift.dedup import dedup

    options = DedupOptions(
        jaccard_threshold=threshold, bands=bands, rows=rows, verify=verify,
        boilerplate=not no_boilerplate, fold_digits=fold_digits,
        keep_order=tuple(keep_order.split(",")),
    )  # fmt: skip
    run = DedupRunOptions(
        format=fmt, workers=workers, overwrite=overwrite, engine=engine, address=address
    )
    with _DedupBars(sys.stderr.isatty() if progress is None else progress) as bars:
        s = dedup(
            list(inputs), output, index_dir=index_dir, options=options, run=run,
            progress=bars.step if bars.enabled else None,
        )  # fmt: skip
    click.echo(
        f"{s.documents:,} documents: kept {s.kept:,}, removed {s.removed_exact:,} exact and "
        f"{s.removed_near:,} near duplicates ({s.matched_index:,} of indexed ones); "
        f"{s.boilerplate_lines_removed:,} site boilerplate lines removed; {s.seconds:.1f} s"
    )
    other = {
        "no words": s.empty_text,
        "only site boilerplate": s.boilerplate_only,
        "rejected before dedup": s.rejected_before,
    }
    if any(other.values()):
        click.echo("also rejected: " + ", ".join(f"{n:,} {w}" for w, n in other.items() if n))
    if s.resumed:
        click.echo(f"taken from an earlier attempt: {', '.join(s.resumed)}")
    click.echo(f"outputs: {output}/kept, {output}/rejected, {output}/stats.json")


class _DedupBars:
    """One tqdm bar per dedup pass on stderr, fed by the library's progress steps."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.name: str | None = None

    def __enter__(self) -> _DedupBars:
        return self

    def step(self, step: Step) -> None:
        from tqdm import tqdm

        if step.name != self.name:
            self._close()
            self.name = step.name
            self.bar = tqdm(
                desc=f"dedup {step.number}/{step.passes} {step.name}",
                total=step.total,
                unit=" docs",
                file=sys.stderr,
                dynamic_ncols=True,
            )
        if step.total is not None and self.bar.total != step.total:
            self.bar.total = step.total
        self.bar.update(step.documents - self.bar.n)
        if step.batches:
            self.bar.set_postfix_str(f"batches {step.batches:,}", refresh=False)
        if step.done:
            self._close()
            self.name = None

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __exit__(self, *exc: object) -> None:
        self._close()


@main.command()
@click.argument("output", type=LocalPath(file_okay=False, exists=True))
@click.option(
    "--chart-fields",
    default="",
    metavar="A,B",
    help="Also chart these pass-through fields of the input (comma-separated); by default "
    "only crawlsift's own signals are charted.",
)
@_errors
def report(output: str, chart_fields: str) -> None:
    """Rebuild OUTPUT/report.html from the outputs of a run.

    \b
    Example:
      crawlsift report out/
      crawlsift report out/ --chart-fields score,likes
    """
    skip_pandas()
    from crawlsift.report.html_report import build_report

    fields = [f.strip() for f in chart_fields.split(",") if f.strip()]
    click.echo(f"wrote {build_report(output, chart_fields=fields)}")


@main.command("train-classifier")
@click.option(
    "--positive",
    multiple=True,
    required=True,
    type=LocalPath(exists=True),
    help="Good texts: JSONL (text field), Parquet (text column) or a crawlsift output "
    "directory (its kept texts); repeat for several.",
)
@click.option(
    "--negative",
    multiple=True,
    required=True,
    type=LocalPath(exists=True),
    help="Bad texts, in the same forms; repeat for several.",
)
@click.option(
    "-o", "--output", required=True, type=LocalPath(dir_okay=False), help="Model file to write."
)
@click.option("--label", default="__label__hq", show_default=True, help="The positive label.")
@click.option(
    "--holdout", default=0.1, show_default=True, help="Fraction of each set held out to measure."
)
@click.option("--epoch", default=5, show_default=True, help="fastText training epochs.")
@click.option("--seed", default=0, show_default=True, help="Seed of the split and of fastText.")
@_errors
def train_classifier_command(
    positive: tuple[str, ...], negative: tuple[str, ...], output: str, label: str,
    holdout: float, epoch: int, seed: int,
) -> None:  # fmt: skip
    """Train a fastText quality classifier from POSITIVE and NEGATIVE texts.

    Reports precision, recall and F1 on held-out texts and writes the model, which
    `crawlsift clean --classifier MODEL` applies. Needs pip install 'crawlsift[classifier]'.

    \b
    Example:
      crawlsift train-classifier --positive good.jsonl --negative bad.jsonl -o quality.bin
      crawlsift clean crawl/ -o out/ --classifier quality.bin --min-quality 0.5
    """
    from crawlsift.signals.quality_train import TrainOptions, train_classifier

    options = TrainOptions(label=label, holdout=holdout, epoch=epoch, seed=seed)
    click.echo(train_classifier(positive, negative, output, options).describe())


@main.command()
def stages() -> None:
    """List the registered pipeline stages and their options."""
    from dataclasses import fields

    from crawlsift.registry import all_stages

    for spec in all_stages().values():
        click.echo(f"{spec.name}: {spec.doc}")
        for f in fields(spec.options):
            click.echo(f"    {f.name} = {f.default!r}")
