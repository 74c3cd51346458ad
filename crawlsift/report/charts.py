"""Inline SVG charts: no JavaScript, no network, readable in any browser and in diffs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

WIDTH = 640
BAR = 18
KEPT_COLOUR = "#2b8a3e"
REJECTED_COLOUR = "#c92a2a"
NEUTRAL_COLOUR = "#4263eb"
AXIS_COLOUR = "#868e96"
#: a histogram's x axis turns logarithmic when its positive values span this factor
LOG_SPAN = 100.0


def bar_chart(
    items: Sequence[tuple[str, float]], *, colour: str = NEUTRAL_COLOUR, unit: str = ""
) -> str:
    """Horizontal bars, one per (label, value), in the order given."""
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


@dataclass(frozen=True)
class Threshold:
    """A rule's threshold on a histogram: its value, the text written on its line (e.g.
    ``reject < 50``) and a longer description for the tooltip."""

    value: float
    label: str
    title: str = ""


def tick_label(value: float) -> str:
    """A tick value written short: 100,000 rather than 1e+05, 0.001 rather than 1e-03."""
    if value == 0:
        return "0"
    if abs(value) >= 1000 and float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 1e-4:
        return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.3g}"
    return f"{value:.2g}"


def _nice_step(span: float, count: int) -> float:
    """A step of 1, 2 or 5 times a power of ten giving about ``count`` steps over ``span``."""
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def linear_ticks(lo: float, hi: float, count: int = 6) -> list[float]:
    """Round tick values within [lo, hi]."""
    step = _nice_step(hi - lo, count)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    k = 0
    while first + k * step <= hi + step * 1e-9:
        ticks.append(round(first + k * step, 12))
        k += 1
    return ticks


def count_ticks(top: int, count: int = 4) -> list[int]:
    """Whole-number ticks from 0 to at least ``top`` (records are counted, not measured)."""
    step = max(1, int(_nice_step(max(top, 1), count)))
    return list(range(0, -(-max(top, 1) // step) * step + 1, step))


def log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten within [lo, hi] (both positive), with 2 and 5 between them when the
    range covers fewer than three decades."""
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    steps = (1, 2, 5) if last - first < 3 else (1,)
    ticks = [m * 10.0**e for e in range(first, last + 1) for m in steps if lo <= m * 10.0**e <= hi]
    return ticks or [lo, hi]


class _Scale:
    """Maps values to x positions: linear, or log10 with zero in a slot of its own."""

    def __init__(self, values: np.ndarray, extra: Sequence[float], left: float, right: float):
        every = np.concatenate([values, np.asarray(extra, dtype=float)])
        positive = every[every > 0]
        self.log = bool(
            every.size
            and (every >= 0).all()
            and positive.size
            and np.log10(positive.max()) - np.log10(positive.min()) >= math.log10(LOG_SPAN)
        )
        self.zero_slot = self.log and bool((every == 0).any())
        if self.log:
            self.lo, self.hi = float(positive.min()), float(positive.max())
        else:
            self.lo, self.hi = float(every.min()), float(every.max())
            span = self.hi - self.lo
            if span <= 1e-12 * max(abs(self.lo), abs(self.hi)) or span < 1e-200:
                self.hi = self.lo + max(abs(self.lo), 1.0)  # one value: a range around it
        gap = 22.0 if self.zero_slot else 0.0
        self.zero_x = left + 2  # where the zero bar starts on a log axis with zeros
        self.left, self.right = left + gap, right

    def _t(self, v: np.ndarray | float) -> np.ndarray | float:
        if self.log:
            return (np.log10(v) - math.log10(self.lo)) / max(
                math.log10(self.hi) - math.log10(self.lo), 1e-12
            )
        return (np.asarray(v, dtype=float) - self.lo) / (self.hi - self.lo)

    def x(self, v: float) -> float:
        if self.log and v <= 0:
            return self.zero_x + 8
        return float(self.left + (self.right - self.left) * self._t(v))

    def edges(self, bins: int) -> np.ndarray:
        if self.log:
            return np.logspace(math.log10(self.lo), math.log10(self.hi), bins + 1)
        return np.linspace(self.lo, self.hi, bins + 1)

    def ticks(self) -> list[float]:
        ticks = log_ticks(self.lo, self.hi) if self.log else linear_ticks(self.lo, self.hi)
        return ([0.0] if self.zero_slot else []) + ticks


def histogram(
    kept: np.ndarray,
    rejected: np.ndarray,
    *,
    thresholds: Sequence[Threshold | float] = (),
    bins: int = 40,
    title: str = "",
) -> str:
    """Stacked histogram of a signal for kept and rejected records, with axes, ticks and each
    threshold as a dashed line with its value written on it. The x axis is logarithmic when
    the values span decades (zeros then get a bar of their own at the left)."""
    kept = np.asarray(kept, dtype=float)
    rejected = np.asarray(rejected, dtype=float)
    kept, rejected = kept[np.isfinite(kept)], rejected[np.isfinite(rejected)]
    values = np.concatenate([kept, rejected])
    if values.size == 0:
        return '<p class="empty">no values</p>'
    lines = [t if isinstance(t, Threshold) else Threshold(float(t), f"{t:g}") for t in thresholds]
    height, top_pad, bottom, left, right = 220, 8 + 14 * len(lines), 44, 60, WIDTH - 30
    scale = _Scale(values, [t.value for t in lines], left, right)
    edges = scale.edges(bins)
    base = height - bottom

    def counts(v: np.ndarray) -> tuple[int, np.ndarray]:
        zeros = int((v <= 0).sum()) if scale.log else 0
        inside = v[v > 0] if scale.log else v
        return zeros, np.histogram(np.clip(inside, edges[0], edges[-1]), edges)[0]

    k0, k = counts(kept)
    r0, r = counts(rejected)
    y_ticks = count_ticks(max(int((k + r).max()), k0 + r0))
    y_top = y_ticks[-1]
    scale_y = (base - top_pad) / y_top
    parts: list[str] = []

    def bar(x: float, w: float, nk: int, nr: int, tip: str) -> None:
        hk, hr = nk * scale_y, nr * scale_y
        parts.append(
            f'<g><title>{escape(tip)}</title><rect x="{x:.1f}" y="{base - hk:.1f}" '
            f'width="{w:.1f}" height="{hk:.1f}" fill="{KEPT_COLOUR}"/>'
            f'<rect x="{x:.1f}" y="{base - hk - hr:.1f}" width="{w:.1f}" height="{hr:.1f}" '
            f'fill="{REJECTED_COLOUR}"/></g>'
        )

    if scale.zero_slot:
        bar(scale.zero_x, 16, k0, r0, f"0: {k0} kept, {r0} rejected")
    for i in range(bins):
        x0, x1 = scale.x(edges[i]), scale.x(edges[i + 1])
        tip = f"{edges[i]:.3g} to {edges[i + 1]:.3g}: {k[i]} kept, {r[i]} rejected"
        bar(x0, max(x1 - x0 - 1, 0.5), int(k[i]), int(r[i]), tip)
    # axes: x with ticks and the signal's name, y with record counts
    parts.append(
        f'<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" stroke="{AXIS_COLOUR}"/>'
        f'<line x1="{left}" x2="{left}" y1="{top_pad}" y2="{base}" stroke="{AXIS_COLOUR}"/>'
    )
    for t in scale.ticks():
        x = scale.x(t)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 4}" stroke="{AXIS_COLOUR}"/>'
            f'<text class="tick" x="{x:.1f}" y="{base + 16}" text-anchor="middle">'
            f"{tick_label(t)}</text>"
        )
    for t in y_ticks:
        y = base - t * scale_y
        parts.append(
            f'<line x1="{left - 4}" x2="{left}" y1="{y:.1f}" y2="{y:.1f}" stroke="{AXIS_COLOUR}"/>'
            f'<text class="tick" x="{left - 7}" y="{y + 4:.1f}" text-anchor="end">'
            f"{tick_label(t)}</text>"
        )
    x_label = (title or "value") + (" (log scale)" if scale.log else "")
    parts.append(
        f'<text class="axis-label" x="{(left + right) / 2:.0f}" y="{height - 6}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
        f'<text class="axis-label" transform="translate(14 {(top_pad + base) / 2:.0f}) '
        f'rotate(-90)" text-anchor="middle">records</text>'
    )
    for i, line in enumerate(lines):
        x = scale.x(line.value)
        y = 12 + 14 * i
        # the value sits right of its line, or left of it where it would leave the chart
        right_side = x + 8 + 7 * len(line.label) < WIDTH
        tx, anchor = (x + 4, "start") if right_side else (x - 4, "end")
        parts.append(
            f'<g class="threshold"><title>{escape(line.title or line.label)}</title>'
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 10}" y2="{base}" stroke="#000" '
            f'stroke-dasharray="4 3"/><text x="{tx:.1f}" y="{y}" text-anchor="{anchor}">'
            f"{escape(line.label)}</text></g>"
        )
    caption = f"<figcaption>{escape(title)}</figcaption>" if title else ""
    return (
        f'<figure>{caption}<svg class="chart" width="{WIDTH}" height="{height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg></figure>'
    )
