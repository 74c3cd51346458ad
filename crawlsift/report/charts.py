"""Inline SVG charts: no JavaScript, no network, readable in any browser and in diffs."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np

WIDTH = 640
BAR = 18
KEPT_COLOUR = "#2b8a3e"
REJECTED_COLOUR = "#c92a2a"
NEUTRAL_COLOUR = "#4263eb"


def bar_chart(
    items: Sequence[tuple[str, float]], *, colour: str = NEUTRAL_COLOUR, unit: str = ""
) -> str:
    """Horizontal bars, one per (label, value), largest first as given."""
    if not items:
        return '<p class="empty">nothing to show</p>'
    label_w, value_w = 230, 90
    top = max(v for _, v in items) or 1
    height = BAR * len(items) + 8
    rows = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * BAR
        w = (WIDTH - label_w - value_w) * value / top
        rows.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(str(label))}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{BAR - 4}" fill="{colour}">'
            f"<title>{escape(str(label))}: {value:,.0f}{unit}</title></rect>"
            f'<text x="{label_w + w + 6:.1f}" y="{y + 13}">{value:,.0f}{unit}</text>'
        )
    return (
        f'<svg class="chart" width="{WIDTH}" height="{height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>'
    )


def histogram(
    kept: np.ndarray,
    rejected: np.ndarray,
    *,
    thresholds: Sequence[float] = (),
    bins: int = 40,
    title: str = "",
) -> str:
    """Stacked histogram of a signal for kept and rejected records, thresholds as lines."""
    values = np.concatenate([kept, rejected]).astype(float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return '<p class="empty">no values</p>'
    lo, hi = np.quantile(values, [0.0, 0.99])
    for t in thresholds:
        lo, hi = min(lo, t), max(hi, t)
    if hi <= lo:
        hi = lo + 1
    edges = np.linspace(lo, hi, bins + 1)
    k, _ = np.histogram(np.clip(kept[np.isfinite(kept)], lo, hi), edges)
    r, _ = np.histogram(np.clip(rejected[np.isfinite(rejected)], lo, hi), edges)
    height, pad, bottom = 160, 40, 24
    top = max((k + r).max(), 1)
    plot_w = WIDTH - 2 * pad
    bw = plot_w / bins
    parts = []
    for i in range(bins):
        x = pad + i * bw
        hk = (height - bottom - 8) * k[i] / top
        hr = (height - bottom - 8) * r[i] / top
        base = height - bottom
        tip = f"{edges[i]:.3g} to {edges[i + 1]:.3g}: {k[i]} kept, {r[i]} rejected"
        parts.append(
            f'<g><title>{tip}</title><rect x="{x:.1f}" y="{base - hk:.1f}" width="{bw - 1:.1f}" '
            f'height="{hk:.1f}" fill="{KEPT_COLOUR}"/>'
            f'<rect x="{x:.1f}" y="{base - hk - hr:.1f}" width="{bw - 1:.1f}" height="{hr:.1f}" '
            f'fill="{REJECTED_COLOUR}"/></g>'
        )
    for t in thresholds:
        x = pad + plot_w * (t - lo) / (hi - lo)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="4" y2="{height - bottom}" stroke="#000" '
            f'stroke-dasharray="4 3"><title>threshold {t:g}</title></line>'
        )
    axis = (
        f'<line x1="{pad}" x2="{WIDTH - pad}" y1="{height - bottom}" y2="{height - bottom}" '
        f'stroke="#888"/><text x="{pad}" y="{height - 6}">{lo:.3g}</text>'
        f'<text x="{WIDTH - pad}" y="{height - 6}" text-anchor="end">{hi:.3g}</text>'
    )
    label = f"<figcaption>{escape(title)}</figcaption>" if title else ""
    return (
        f'<figure>{label}<svg class="chart" width="{WIDTH}" height="{height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}{axis}</svg></figure>'
    )
