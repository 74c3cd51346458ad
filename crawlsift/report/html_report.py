"""``report.html``: what a run kept, removed and rejected, and why, in one self-contained page.

Built from a run's outputs only (stats.json, _run.json, the kept/, rejected/ and
_samples/ shards), so ``crawlsift report OUT`` can rebuild it at any time. Charts are
inline SVG; the page loads nothing from the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
import pyarrow.parquet as pq

from crawlsift import schema as S
from crawlsift.errors import InputError
from crawlsift.reasons import by_stage
from crawlsift.report.charts import REJECTED_COLOUR, Threshold, bar_chart, histogram
from crawlsift.report.explain import html_page, render_record_html
from crawlsift.report.stats import RunStats
from crawlsift.report.why import number, rule_text, run_thresholds
from crawlsift.signals.filters import REASONS, RULES
from crawlsift.signals.filters import STAGE as FILTER_STAGE
from crawlsift.signals.language import LANGUAGE

EXAMPLES_PER_REASON = 3
#: numeric columns that are positions or ids, not signals worth a histogram, or that have
#: a chart of their own (cluster sizes)
NOT_SIGNALS = {S.SOURCE_INDEX, S.HTTP_STATUS, S.DEDUP_CLUSTER_SIZE}
#: the columns crawlsift writes; the report reads only these (and the pass-through fields
#: it is asked to chart), so a user column of any type or name never reaches it
OWN_COLUMNS = tuple(name for name in S.COLUMN_TYPES if name != S.HTML)
#: crawlsift's numeric signal columns: the histograms drawn by default
SIGNAL_COLUMNS = tuple(
    name
    for name in OWN_COLUMNS
    if (pa.types.is_integer(S.COLUMN_TYPES[name]) or pa.types.is_floating(S.COLUMN_TYPES[name]))
    and name not in NOT_SIGNALS
)
#: stages as a run passes them, before its pipeline's own (read) and after (dedup)
READ_STAGE, DEDUP_STAGE = "read", "dedup"
#: dedup's rejection reasons in the order its passes reach them
DEDUP_REASONS = by_stage(DEDUP_STAGE)
STYLE = """
h2 { margin-top: 2em; border-bottom: 1px solid #dee2e6; }
table.counts { border-collapse: collapse; } table.counts td, table.counts th {
  padding: 2px 10px; border-bottom: 1px solid #f1f3f5; text-align: right; }
table.counts td:first-child, table.counts th:first-child { text-align: left; white-space: pre; }
svg.chart text { font: 12px sans-serif; fill: #343a40; }
svg.chart text.tick { font-size: 11px; fill: #495057; }
svg.chart text.axis-label { font-size: 12px; fill: #212529; }
svg.chart g.threshold text { font-weight: 600; }
figure { margin: 12px 0; } figcaption { font-weight: 600; }
details { margin: 6px 0; } summary { cursor: pointer; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
"""


#: columns the charts need besides numeric signals; texts are never held for a whole run
SUMMARY_COLUMNS = (S.REASON, S.STAGE, S.HTTP_STATUS, LANGUAGE, S.DEDUP_CLUSTER_SIZE)
INPUT_BYTES = "_input_bytes"


def _shards(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if not p.name.startswith(".") and p.suffix in (".parquet", ".jsonl")
    )


def _as_number(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A pass-through column as float64: numbers as they are, numeric strings parsed,
    anything else (text, maps, lists, structs) null."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = array.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return array.cast(pa.float64())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        series = pl.Series(values=array.cast(pa.large_string()))
        return series.str.strip_chars().cast(pl.Float64, strict=False).to_arrow()
    return pa.nulls(len(array), pa.float64())


def _jsonl_fields(path: Path, fields: Sequence[str]) -> pa.Table:
    """Pass-through ``fields`` of a JSONL shard as float64 columns (null where a value is
    not a number). JSON gives a field no type, and one field may hold an int in one line,
    a string in the next and a map in a third, so each is read as text and then parsed."""
    frame = pl.read_ndjson(path, schema={f: pl.String for f in fields})
    return pa.table({f: _as_number(frame[f].to_arrow()) for f in fields})


def _read_batches(path: Path, fields: Sequence[str] = ()) -> Iterator[pa.Table]:
    """A shard's crawlsift columns (and the pass-through ``fields`` asked for, as float64)
    in slices of at most 2,000 rows."""
    if path.suffix == ".parquet":
        shard = pq.ParquetFile(path)
        names = shard.schema_arrow.names
        wanted = [n for n in names if n in OWN_COLUMNS or n in fields]
        for batch in shard.iter_batches(batch_size=2000, columns=wanted):
            table = pa.Table.from_batches([batch])
            for name in fields:
                if name in table.column_names and name not in OWN_COLUMNS:
                    i = table.column_names.index(name)
                    table = table.set_column(i, name, _as_number(table.column(i)))
            yield table
        return
    # JSON has no types: crawlsift's columns get theirs and every other field is skipped
    # unread, so no user field of a mixed or nested type can make a block disagree
    own = pa.schema([S.field(n) for n in OWN_COLUMNS])
    options = pj.ParseOptions(explicit_schema=own, unexpected_field_behavior="ignore")
    asked = [f for f in fields if f not in OWN_COLUMNS]
    extra = _jsonl_fields(path, asked) if asked else None
    start = 0
    for batch in pj.open_json(path, parse_options=options):
        table = pa.Table.from_batches([batch])
        if extra is not None:
            for name in asked:
                table = table.append_column(name, extra.column(name).slice(start, batch.num_rows))
        start += batch.num_rows
        yield table


def _scan(
    out: Path, kind: str, counts: RunStats, fields: Sequence[str] = ()
) -> tuple[pa.Table, dict[str | None, list[dict[str, Any]]]]:
    """A run's output, a slice at a time: the summary columns of every row, and the
    first ``EXAMPLES_PER_REASON`` rows per rejection reason. Memory is bounded by
    the slice size and the number of rows times the summary columns, not by texts."""
    summaries: list[pa.Table] = []
    examples: dict[str | None, list[dict[str, Any]]] = {}
    for path in _shards(out / kind):
        for shard in _read_batches(path, fields):
            keep = [c for c in shard.column_names if c in SUMMARY_COLUMNS or c in SIGNAL_COLUMNS]
            keep += [c for c in fields if c in shard.column_names and c not in keep]
            summary = shard.select(keep)
            if S.INPUT_TEXT in shard.column_names:
                size = pc.binary_length(shard.column(S.INPUT_TEXT).cast(pa.large_binary()))
                summary = summary.append_column(INPUT_BYTES, size)
            summaries.append(summary)
            # e.g. dedup of plain JSONL has no keep column: the directory says it
            known = pa.array([kind == "kept"] * shard.num_rows, pa.bool_())
            if S.KEEP in shard.column_names:
                i = shard.column_names.index(S.KEEP)
                shard = shard.set_column(i, S.KEEP, pc.coalesce(shard.column(i), known))
            else:
                shard = shard.append_column(S.KEEP, known)
            counts.add_batch(shard)
            if kind == "rejected" and S.REASON in shard.column_names:
                for reason in pc.unique(shard.column(S.REASON)).to_pylist():
                    have = examples.setdefault(reason, [])
                    if len(have) < EXAMPLES_PER_REASON:
                        if reason is None:
                            rows = shard.filter(pc.is_null(shard.column(S.REASON)))
                        else:
                            rows = shard.filter(pc.equal(shard.column(S.REASON), reason))
                        have += rows.slice(0, EXAMPLES_PER_REASON - len(have)).to_pylist()
    if not summaries:
        return pa.table({}), examples
    return pa.concat_tables(summaries, promote_options="permissive"), examples


def _load(out: Path, kind: str) -> pa.Table:
    """All rows of a small output (the samples)."""
    tables = [t for path in _shards(out / kind) for t in _read_batches(path)]
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="permissive")


def _thresholds(limits: dict[str, Any], column: str) -> list[Threshold]:
    """The min/max thresholds the run's filter applied to ``column``, to draw on its chart."""
    lines = []
    for rule, value in limits.items():
        kind = RULES[rule].kind
        if RULES[rule].column != column or kind not in ("min", "max"):
            continue
        sign = "<" if kind == "min" else ">"
        lines.append(
            Threshold(
                float(value),
                f"reject {sign} {number(value)}",
                f"{rule}: rejects {rule_text(rule, limits)}",
            )
        )
    return lines


def _column(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.array([], dtype=float)
    return table.column(name).cast(pa.float64()).to_numpy(zero_copy_only=False)


def _counts_table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="counts"><tr>{head}</tr>{body}</table>'


def _stage_order(run: dict[str, Any]) -> list[str]:
    """Stages in the order a record meets them: the reader, the run's pipeline as its
    manifest lists it (guard, extract, repair, signals, filter), then dedup."""
    return [READ_STAGE, *(run.get("pipeline") or {}), DEDUP_STAGE]


def _reason_rank(stage: str) -> list[str]:
    """The order a stage applies its rejection reasons in, where it has one."""
    if stage == FILTER_STAGE:
        return [r.code for r in REASONS if r.stage == FILTER_STAGE]
    if stage == DEDUP_STAGE:
        return list(DEDUP_REASONS)
    return []


def _rejections(rejected: pa.Table, run: dict[str, Any]) -> list[tuple[str, list[tuple[str, int]]]]:
    """(stage, [(reason, count), ...]) of the committed rejected rows, stages in pipeline
    order and reasons in the order their stage applies them (by count where it has none)."""
    if not rejected.num_rows or S.REASON not in rejected.column_names:
        return []
    stages = (
        rejected.column(S.STAGE)
        if S.STAGE in rejected.column_names
        else pa.nulls(rejected.num_rows, pa.string())
    )
    grouped = (
        pa.table(
            {"s": pc.fill_null(stages, "?"), "r": pc.fill_null(rejected.column(S.REASON), "?")}
        )
        .group_by(["s", "r"])
        .aggregate([("r", "count")])
    )
    by_stage: dict[str, list[tuple[str, int]]] = {}
    for stage, reason, n in zip(
        *(grouped.column(c).to_pylist() for c in ("s", "r", "r_count")), strict=True
    ):
        by_stage.setdefault(stage, []).append((reason, n))
    order = _stage_order(run)

    def stage_key(stage: str) -> tuple[int, int, str]:
        rank = order.index(stage) if stage in order else len(order)
        return rank, -sum(n for _, n in by_stage[stage]), stage

    out = []
    for stage in sorted(by_stage, key=stage_key):
        rank = _reason_rank(stage)
        reasons = sorted(
            by_stage[stage],
            key=lambda rn: (rank.index(rn[0]) if rn[0] in rank else len(rank), -rn[1], rn[0]),
        )
        out.append((stage, reasons))
    return out


def _funnel(
    stats: dict[str, Any], rejected: pa.Table, stages: list[tuple[str, list[tuple[str, int]]]]
) -> str:
    n_in, kept = stats["records_in"], stats["kept"]
    bytes_by_reason: dict[str, int] = {}
    if rejected.num_rows and INPUT_BYTES in rejected.column_names:
        grouped = (
            pa.table({"r": rejected.column(S.REASON), "b": rejected.column(INPUT_BYTES)})
            .group_by("r")
            .aggregate([("b", "sum")])
        )
        bytes_by_reason = dict(zip(*(c.to_pylist() for c in grouped.columns), strict=True))
    rows = [("input records", f"{n_in:,}", "", f"{stats['bytes_in']:,}")]
    remaining = n_in
    for stage, reasons in stages:
        n = sum(count for _, count in reasons)
        remaining -= n
        rows.append((f"- rejected at {stage}", f"{n:,}", f"{remaining:,} left", ""))
        for reason, count in reasons:
            size = bytes_by_reason.get(reason) or 0
            rows.append((f"    {reason}", f"{count:,}", "", f"{size:,}"))
    rows.append(("kept records", f"{kept:,}", "", f"{stats['chars_kept']:,} chars"))
    if "tokens_kept" in stats:  # the run counted tokens
        tokens = f"{stats['tokens_kept']:,} kept, {stats['tokens_rejected']:,} rejected"
        rows.append(("tokens", "", "", tokens))
    chart = bar_chart(
        [("input", n_in)]
        + [(f"- {reason}", count) for _, reasons in stages for reason, count in reasons]
        + [("kept", kept)]
    )
    return _counts_table(rows, ("", "records", "", "bytes")) + chart


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _examples(
    title: str, rows: list[dict[str, Any]], limits: dict[str, Any], rule: str | None = None
) -> str:
    inner = "".join(render_record_html(r, limits) for r in rows)
    what = f" (rejects {escape(rule)})" if rule else ""
    return (
        f"<details><summary>{escape(title)}{what}: {_plural(len(rows), 'example')}</summary>"
        f"{inner}</details>"
    )


def _value_counts(tables: Sequence[pa.Table], column: str, missing: str) -> list[tuple[str, int]]:
    """(value, count) of ``column`` over ``tables``, most frequent first; nulls are counted
    under ``missing``, and a column that is null throughout gives nothing."""
    arrays = [t.column(column) for t in tables if column in t.column_names]
    if not arrays or all(a.null_count == len(a) for a in arrays):
        return []
    values = pa.chunked_array(
        [c.cast(pa.string()) for a in arrays for c in a.chunks], type=pa.string()
    )
    counted = pc.value_counts(values).to_pylist()
    pairs = [(missing if v["values"] is None else v["values"], v["counts"]) for v in counted]
    return sorted(pairs, key=lambda p: (-p[1], p[0]))


def build_report(output: str, chart_fields: Sequence[str] = ()) -> Path:
    """Write ``OUTPUT/report.html`` from a run's outputs and return its path.

    Histograms show crawlsift's own numeric signals; pass-through fields of the input are
    charted only when named in ``chart_fields`` (their numeric values; text is skipped).
    """
    out = Path(output)
    stats_file = out / "stats.json"
    if not stats_file.exists():
        raise InputError(f"{out} is not a finished crawlsift output (no stats.json)")
    stats = json.loads(stats_file.read_text())
    run = json.loads((out / "_run.json").read_text()) if (out / "_run.json").exists() else {}
    fields = [f for f in dict.fromkeys(chart_fields) if f]
    notes: list[str] = []
    try:
        limits = run_thresholds(run.get("pipeline"))
    except InputError as exc:  # e.g. the run's filter TOML was moved: values still show
        limits = {}
        notes.append(f"thresholds not shown: {exc}")
    counts = RunStats()
    kept, _ = _scan(out, "kept", counts, fields)
    rejected, rejected_examples = _scan(out, "rejected", counts, fields)
    if "records_in" not in stats:  # an output of another command (dedup): count its shards
        stats = {**counts.to_dict(), "seconds": stats.get("seconds", 0)}
    stats = {**RunStats().to_dict(), **stats}
    stages = _rejections(rejected, run)
    samples = _load(out, "_samples")
    parts = [
        "<h1>crawlsift run report</h1>",
        f"<p>{escape(str(out.resolve()))}: {_plural(stats['records_in'], 'record')} in, "
        f"{stats['kept']:,} kept, {stats['rejected']:,} rejected; "
        f"{stats['bytes_in'] / 1e6:,.1f} MB in {stats.get('seconds', 0):,.1f} s.</p>",
        *(f'<p class="note">{escape(n)}</p>' for n in notes),
        "<h2>Funnel</h2>",
        _funnel(stats, rejected, stages),
        "<h2>Edits in kept and rejected records</h2>",
    ]
    if stats["edits_by_reason"]:
        parts.append(
            _counts_table(
                [
                    (r, f"{n:,}", f"{stats['chars_removed_by_reason'].get(r, 0):,}")
                    for r, n in sorted(stats["edits_by_reason"].items(), key=lambda x: -x[1])
                ],
                ("reason", "spans", "characters"),
            )
        )
        parts.append(
            bar_chart(
                sorted(stats["chars_removed_by_reason"].items(), key=lambda x: -x[1]),
                colour=REJECTED_COLOUR,
                unit=" chars",
            )
        )
    else:
        parts.append('<p class="empty">No span was removed from any record.</p>')
    signals = [
        name
        for name in SIGNAL_COLUMNS
        if any(name in t.column_names and t.column(name).null_count < t.num_rows
               for t in (kept, rejected))
    ]  # fmt: skip
    if signals or fields:
        parts.append(
            '<h2>Signals</h2><p class="legend"><span style="background:#2b8a3e"></span>'
            'kept<span style="background:#c92a2a"></span>rejected; dashed: a filter threshold, '
            "with the side it rejects</p>"
        )
    for name in sorted(signals):
        parts.append(
            histogram(_column(kept, name), _column(rejected, name),
                      thresholds=_thresholds(limits, name), title=name)
        )  # fmt: skip
    for name in fields:
        if name in OWN_COLUMNS:
            continue  # crawlsift's own columns are charted above when numeric
        values = [_column(kept, name), _column(rejected, name)]
        if not any(v[np.isfinite(v)].size for v in values):
            parts.append(f'<p class="empty">{escape(name)}: no numeric values to chart</p>')
            continue
        parts.append(histogram(*values, title=name))
    for column, label, missing in (
        (S.HTTP_STATUS, "HTTP status", "no status (not from HTTP)"),
        (LANGUAGE, "Language", "not identified"),
    ):
        pairs = _value_counts((kept, rejected), column, missing)
        if pairs:
            parts.append(f"<h2>{label}</h2>")
            parts.append(bar_chart(pairs[:25]))
    if S.DEDUP_CLUSTER_SIZE in kept.column_names:
        sizes = _value_counts((kept,), S.DEDUP_CLUSTER_SIZE, "")
        sizes = sorted((p for p in sizes if p[0]), key=lambda p: int(p[0]))
        if sizes:
            parts.append("<h2>Duplicate cluster sizes</h2>")
            parts.append(bar_chart(sizes[:30]))
    parts.append("<h2>Examples</h2><h3>Rejected records, by reason</h3>")
    for _, reasons in stages:
        for reason, _ in reasons:
            rows = rejected_examples.get(None if reason == "?" else reason) or []
            if rows:
                parts.append(_examples(reason, rows, limits, rule_text(reason, limits)))
    parts.append("<h3>Kept records, by edit reason</h3>")
    if samples.num_rows:
        sample_rows = samples.to_pylist()
        for reason in sorted(stats["edits_by_reason"]):
            rows = [
                {**r, S.KEEP: True}
                for r in sample_rows
                if any(e["reason"] == reason for e in r.get(S.EDITS) or [])
            ][:EXAMPLES_PER_REASON]
            if rows:
                parts.append(_examples(reason, rows, limits))
    path = out / "report.html"
    tmp = out / ".tmp-report.html"
    tmp.write_text(html_page("crawlsift report", "".join(parts), STYLE), encoding="utf-8")
    tmp.replace(path)
    return path
