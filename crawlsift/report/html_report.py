"""``report.html``: what a run kept, removed and rejected, and why, in one self-contained page.

Built from a run's outputs only (stats.json, _run.json, the kept/, rejected/ and
_samples/ shards), so ``crawlsift report OUT`` can rebuild it at any time. Charts are
inline SVG; the page loads nothing from the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
import pyarrow.parquet as pq

from crawlsift import schema as S
from crawlsift.errors import InputError
from crawlsift.io.writers import read_output
from crawlsift.report.charts import REJECTED_COLOUR, bar_chart, histogram
from crawlsift.report.explain import html_page, render_record_html
from crawlsift.report.stats import RunStats

EXAMPLES_PER_REASON = 3
#: numeric columns that are positions or ids, not signals worth a histogram
NOT_SIGNALS = {S.SOURCE_INDEX, S.HTTP_STATUS}
STYLE = """
h2 { margin-top: 2em; border-bottom: 1px solid #dee2e6; }
table.counts { border-collapse: collapse; } table.counts td, table.counts th {
  padding: 2px 10px; border-bottom: 1px solid #f1f3f5; text-align: right; }
table.counts td:first-child, table.counts th:first-child { text-align: left; }
svg.chart text { font: 12px sans-serif; fill: #343a40; }
figure { margin: 12px 0; } figcaption { font-weight: 600; }
details { margin: 6px 0; } summary { cursor: pointer; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
"""


#: columns the charts need besides numeric signals; texts are never held for a whole run
SUMMARY_COLUMNS = (S.REASON, S.STAGE, S.HTTP_STATUS, "language")
INPUT_BYTES = "_input_bytes"


def _shards(directory: Path) -> list[Path]:
    if not directory.exists():
        return []
    return sorted(p for p in directory.iterdir() if not p.name.startswith(".tmp-"))


def _read_batches(path: Path) -> Iterator[pa.Table]:
    """A shard in slices of at most 2,000 rows."""
    if path.suffix == ".parquet":
        for batch in pq.ParquetFile(path).iter_batches(batch_size=2000):
            yield pa.Table.from_batches([batch])
    else:  # JSON has no types: crawlsift's columns get theirs, so no block can disagree
        known = pa.schema([S.field(n) for n in S.COLUMN_TYPES if n != S.HTML])
        options = pj.ParseOptions(explicit_schema=known, unexpected_field_behavior="infer")
        for batch in pj.open_json(path, parse_options=options):
            yield pa.Table.from_batches([batch])


def _scan(
    out: Path, kind: str, counts: RunStats
) -> tuple[pa.Table, dict[str, list[dict[str, Any]]]]:
    """A run's output, a slice at a time: the summary columns of every row, and the
    first ``EXAMPLES_PER_REASON`` full rows per rejection reason. Memory is bounded by
    the slice size and the number of rows times the summary columns, not by texts."""
    summaries: list[pa.Table] = []
    examples: dict[str, list[dict[str, Any]]] = {}
    for path in _shards(out / kind):
        for shard in _read_batches(path):
            keep = [c for c in shard.column_names if c in SUMMARY_COLUMNS]
            keep += [c for c in _numeric_columns(shard) if c not in keep]
            summary = shard.select(keep)
            if S.INPUT_TEXT in shard.column_names:
                size = pc.binary_length(shard.column(S.INPUT_TEXT).cast(pa.large_binary()))
                summary = summary.append_column(INPUT_BYTES, size)
            summaries.append(summary)
            if S.KEEP not in shard.column_names:  # e.g. dedup of plain JSONL: kind says it
                keep = pa.array([kind == "kept"] * shard.num_rows, pa.bool_())
                shard = shard.append_column(S.KEEP, keep)
            counts.add_batch(shard)
            if kind == "rejected":
                for reason in pc.unique(shard.column(S.REASON)).to_pylist():
                    have = examples.setdefault(reason, [])
                    if len(have) < EXAMPLES_PER_REASON:
                        rows = shard.filter(pc.equal(shard.column(S.REASON), reason))
                        have += rows.slice(0, EXAMPLES_PER_REASON - len(have)).to_pylist()
    if not summaries:
        return pa.table({}), examples
    return pa.concat_tables(summaries, promote_options="permissive"), examples


def _load(out: Path, kind: str) -> pa.Table:
    """All rows of a small output (the samples)."""
    directory = out / kind
    return read_output(str(directory)) if _shards(directory) else pa.table({})


def _numeric_columns(table: pa.Table) -> list[str]:
    return [
        f.name
        for f in table.schema
        if (pa.types.is_integer(f.type) or pa.types.is_floating(f.type))
        and f.name not in NOT_SIGNALS
        and not f.name.startswith("_")
    ]


def _thresholds(run: dict[str, Any], column: str) -> list[float]:
    """The numeric thresholds the run's filter stage applied to ``column``."""
    options = run.get("pipeline", {}).get("filter")
    if not options:
        return []
    from crawlsift.signals.filters import RULES, FilterOptions, thresholds

    opts = FilterOptions(
        preset=options.get("preset"),
        config=options.get("config"),
        rules=tuple(tuple(r) for r in options.get("rules") or ()),
    )
    return [
        float(value)
        for rule, value in thresholds(opts).items()
        if RULES[rule].column == column
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ]


def _column(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.array([], dtype=float)
    return table.column(name).cast(pa.float64()).to_numpy(zero_copy_only=False)


def _counts_table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="counts"><tr>{head}</tr>{body}</table>'


def _funnel(stats: dict[str, Any], rejected: pa.Table) -> str:
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
    by_stage: dict[str, list[str]] = {}
    if rejected.num_rows:
        pairs = pa.table({"s": rejected.column(S.STAGE), "r": rejected.column(S.REASON)})
        for stage, reason in set(zip(*(c.to_pylist() for c in pairs.columns), strict=True)):
            by_stage.setdefault(stage or "?", []).append(reason)
    remaining = n_in
    for stage in sorted(by_stage, key=lambda s: -stats["rejected_by_stage"].get(s, 0)):
        n = stats["rejected_by_stage"].get(stage, 0)
        remaining -= n
        rows.append((f"- rejected at {stage}", f"{n:,}", f"{remaining:,} left", ""))
        for reason in sorted(by_stage[stage], key=lambda r: -stats["rejected_by_reason"][r]):
            count = stats["rejected_by_reason"][reason]
            size = bytes_by_reason.get(reason) or 0
            rows.append((f"    {reason}", f"{count:,}", "", f"{size:,}"))
    rows.append(("kept records", f"{kept:,}", "", f"{stats['chars_kept']:,} chars"))
    chart = bar_chart(
        [("input", n_in)]
        + [
            (f"- {r}", n)
            for r, n in sorted(stats["rejected_by_reason"].items(), key=lambda x: -x[1])
        ]
        + [("kept", kept)]
    )
    return _counts_table(rows, ("", "records", "", "bytes")) + chart


def _examples(title: str, rows: list[dict[str, Any]]) -> str:
    inner = "".join(render_record_html(r) for r in rows)
    return f"<details><summary>{escape(title)} ({len(rows)} examples)</summary>{inner}</details>"


def build_report(output: str) -> Path:
    """Write ``OUTPUT/report.html`` from a run's outputs and return its path."""
    out = Path(output)
    stats_file = out / "stats.json"
    if not stats_file.exists():
        raise InputError(f"{out} is not a finished crawlsift output (no stats.json)")
    stats = json.loads(stats_file.read_text())
    run = json.loads((out / "_run.json").read_text()) if (out / "_run.json").exists() else {}
    counts = RunStats()
    kept, _ = _scan(out, "kept", counts)
    rejected, rejected_examples = _scan(out, "rejected", counts)
    if "records_in" not in stats:  # an output of another command (dedup): count its shards
        stats = {**counts.to_dict(), "seconds": stats.get("seconds", 0)}
    samples = _load(out, "_samples")
    parts = [
        "<h1>crawlsift run report</h1>",
        f"<p>{escape(str(out.resolve()))}: {stats['records_in']:,} records in, "
        f"{stats['kept']:,} kept, {stats['rejected']:,} rejected; "
        f"{stats['bytes_in'] / 1e6:,.1f} MB in {stats.get('seconds', 0):,.1f} s.</p>",
        "<h2>Funnel</h2>",
        _funnel(stats, rejected),
        "<h2>Edits in kept and rejected records</h2>",
        _counts_table(
            [
                (r, f"{n:,}", f"{stats['chars_removed_by_reason'].get(r, 0):,}")
                for r, n in sorted(stats["edits_by_reason"].items(), key=lambda x: -x[1])
            ],
            ("reason", "spans", "characters"),
        ),
        bar_chart(
            sorted(stats["chars_removed_by_reason"].items(), key=lambda x: -x[1]),
            colour=REJECTED_COLOUR,
            unit=" chars",
        ),
    ]
    signals = sorted(
        name
        for name in set(_numeric_columns(kept)) | set(_numeric_columns(rejected))
        if any(name in t.column_names and t.column(name).null_count < t.num_rows
               for t in (kept, rejected))
    )  # fmt: skip
    if signals:
        parts.append(
            '<h2>Signals</h2><p class="legend"><span style="background:#2b8a3e"></span>'
            'kept<span style="background:#c92a2a"></span>rejected; dashed: threshold</p>'
        )
        for name in signals:
            parts.append(
                histogram(_column(kept, name), _column(rejected, name),
                          thresholds=_thresholds(run, name), title=name)
            )  # fmt: skip
    for column, label in ((S.HTTP_STATUS, "HTTP status"), ("language", "Language")):
        values = [
            v
            for t in (kept, rejected)
            if column in t.column_names
            for v in t.column(column).to_pylist()
        ]
        if values:
            counts: dict[str, int] = {}
            for v in values:
                counts[str(v)] = counts.get(str(v), 0) + 1
            parts.append(f"<h2>{label}</h2>")
            parts.append(bar_chart(sorted(counts.items(), key=lambda x: -x[1])[:25]))
    cluster = next((c for c in kept.column_names if "cluster_size" in c), None)
    if cluster:
        sizes = [int(v) for v in kept.column(cluster).drop_null().to_pylist()]
        hist: dict[str, int] = {}
        for v in sizes:
            hist[str(v)] = hist.get(str(v), 0) + 1
        parts.append("<h2>Duplicate cluster sizes</h2>")
        parts.append(bar_chart(sorted(hist.items(), key=lambda x: int(x[0]))[:30]))
    parts.append("<h2>Examples</h2><h3>Rejected records, by reason</h3>")
    for reason in sorted(rejected_examples):
        parts.append(_examples(reason, rejected_examples[reason]))
    parts.append("<h3>Kept records, by edit reason</h3>")
    if samples.num_rows:
        sample_rows = samples.to_pylist()
        for reason in sorted(stats["edits_by_reason"]):
            rows = [
                {**r, S.KEEP: True}
                for r in sample_rows
                if any(e["reason"] == reason for e in r[S.EDITS] or [])
            ][:EXAMPLES_PER_REASON]
            if rows:
                parts.append(_examples(reason, rows))
    path = out / "report.html"
    tmp = out / ".tmp-report.html"
    tmp.write_text(html_page("crawlsift report", "".join(parts), STYLE), encoding="utf-8")
    tmp.replace(path)
    return path
