"""The report's SVG histograms: axes a reader can read, a log scale where values span
decades, every record counted once, and each threshold's value written on its line."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift.report.charts import Threshold, histogram

TICK = re.compile(r'<text class="tick" x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)">([^<]+)</text>')
BIN = re.compile(r": (\d+) kept, (\d+) rejected</title>")


def x_ticks(svg: str) -> dict[str, float]:
    """Tick label -> x of the ticks under the x axis (centred labels)."""
    return {label: float(x) for x, anchor, label in TICK.findall(svg) if anchor == "middle"}


def y_ticks(svg: str) -> list[str]:
    return [label for _, anchor, label in TICK.findall(svg) if anchor == "end"]


def test_axes_are_labelled_and_have_ticks():
    svg = histogram(np.linspace(0, 100, 50), np.array([3.0, 4.0]), title="gopher_word_count")
    assert ">gopher_word_count</text>" in svg  # the x axis names the signal
    assert ">records</text>" in svg  # the y axis says what the bars count
    assert list(x_ticks(svg)) == ["0", "20", "40", "60", "80", "100"]
    assert y_ticks(svg)[0] == "0" and len(y_ticks(svg)) >= 2
    assert "log scale" not in svg


def test_y_ticks_are_whole_counts_reaching_the_tallest_bar():
    svg = histogram(np.array([1.0] * 5 + [2.0]), np.array([]), bins=4)
    ticks = [int(t) for t in y_ticks(svg)]
    assert ticks[-1] >= 5 and all(isinstance(t, int) for t in ticks)


def test_values_spanning_decades_get_a_log_axis():
    values = np.array([10.0, 30, 100, 300, 1_000, 3_000, 10_000, 100_000])
    svg = histogram(values, np.array([20.0]), title="gopher_word_count")
    assert "gopher_word_count (log scale)" in svg
    ticks = x_ticks(svg)
    assert {"10", "100", "1,000", "10,000", "100,000"} <= set(ticks)
    # decades are equally wide, as on a log axis (on a linear one 10 and 100 would touch)
    steps = np.diff([ticks[t] for t in ("10", "100", "1,000", "10,000", "100,000")])
    assert np.allclose(steps, steps[0], atol=0.2) and steps[0] > 50


def test_zeros_on_a_log_axis_get_a_bar_of_their_own():
    svg = histogram(np.array([0.0, 0.0, 0.0, 0.001, 0.5]), np.array([0.0, 0.2]))
    assert "(log scale)" in svg
    assert "<title>0: 3 kept, 1 rejected</title>" in svg
    assert "0" in x_ticks(svg)


def test_a_threshold_has_its_value_written_on_its_line():
    line = Threshold(0.8, "reject < 0.8", "gopher_below_alpha_threshold")
    svg = histogram(np.array([0.7, 0.85, 0.9, 0.95]), np.array([0.75]), thresholds=[line])
    group = re.search(r'<g class="threshold">(.*?)</g>', svg)
    assert group is not None
    x_line = float(re.search(r'<line x1="([\d.]+)"', group.group(1)).group(1))
    x_text = float(re.search(r'<text x="([\d.]+)"', group.group(1)).group(1))
    assert ">reject &lt; 0.8</text>" in group.group(1)
    assert abs(x_text - x_line) <= 5  # the label starts at its line
    assert "<title>gopher_below_alpha_threshold</title>" in group.group(1)


def test_a_threshold_near_the_right_edge_is_labelled_inside_the_chart():
    line = Threshold(100_000, "reject > 100000")
    svg = histogram(np.array([50.0, 500, 5_000]), np.array([]), thresholds=[line])
    text = re.search(r'<g class="threshold">.*?<text x="([\d.]+)" y="\d+" text-anchor="(\w+)"', svg)
    assert text is not None and text.group(2) == "end"  # written leftwards, not off the svg


finite = st.floats(min_value=-1e6, max_value=1e9, allow_nan=False, allow_infinity=False)


@settings(deadline=None)
@given(
    kept=st.lists(finite | st.just(0.0), max_size=60),
    rejected=st.lists(finite | st.just(float("nan")), max_size=30),
    threshold=st.none() | st.floats(min_value=0, max_value=1e9),
)
def test_every_finite_value_is_counted_once(kept, rejected, threshold):
    lines = [Threshold(threshold, "t")] if threshold is not None else []
    svg = histogram(np.array(kept), np.array(rejected), thresholds=lines)
    counted = BIN.findall(svg)
    n_rejected = sum(1 for v in rejected if np.isfinite(v))
    if not kept and not n_rejected:
        assert "no values" in svg
        return
    assert sum(int(k) for k, _ in counted) == len(kept)
    assert sum(int(r) for _, r in counted) == n_rejected
