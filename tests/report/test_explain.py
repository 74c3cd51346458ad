"""``explain`` rendering: each record shown whole, its header free of empty values."""

from __future__ import annotations

import random
import re
import shutil
import subprocess

import pytest

from crawlsift.report.explain import HTML_STYLE, record_header, render_record_html

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


def prose(seed: int, sentences: int = 40) -> str:
    """Varied sentences of made-up words and English stop words, one per line."""
    rng = random.Random(seed)
    stop = ["the", "of", "and", "to", "with", "that", "have", "be", "in", "for"]

    def word() -> str:
        return "".join(rng.choice("abcdefghijklmnoprstuvw") for _ in range(rng.randint(3, 9)))

    lines = []
    for _ in range(sentences):
        words = [rng.choice(stop) if rng.random() < 0.35 else word() for _ in range(12)]
        lines.append(" ".join(words).capitalize() + ".")
    return "\n".join(lines)


def test_record_box_is_never_a_fixed_height_scroll_box():
    rules = re.findall(r"pre\.record\s*\{([^}]*)\}", HTML_STYLE)
    assert rules, "the stylesheet styles pre.record"
    for body in rules:
        assert "max-height" not in body and "height:" not in body.replace(" ", "")
        assert not re.search(r"overflow\s*:\s*(auto|scroll|hidden)", body)


def test_a_long_record_is_rendered_whole_with_its_last_removal():
    text = prose(1, 120)
    doubled = text + "\n\n" + text  # the second copy goes as repair_repeated_block
    row = {
        "id": "long",
        "keep": True,
        "input_text": doubled,
        "edits": [{"start": len(text), "end": len(doubled), "reason": "r", "replacement": None}],
    }
    html = render_record_html(row)
    last_line = text.rsplit("\n", 1)[1]
    assert html.count(last_line) == 2  # kept once, and once inside the removal at the end
    assert html.index('<del class="edit" title="r">') < html.rindex(last_line)


def test_header_leaves_out_missing_values():
    row = {"id": "a", "keep": True, "http_status": None, "url": None, "title": "T"}
    pairs = dict(record_header(row))
    assert "http_status" not in pairs and "url" not in pairs and pairs["title"] == "T"
    assert "None" not in " ".join(v for _, v in record_header({"keep": False}))


@pytest.mark.skipif(
    BROWSER is None,
    reason="Chromium is not installed (apt-get install chromium; .ci/run does this)",
)
def test_explain_html_shows_each_record_whole_in_a_browser(tmp_path):
    from click.testing import CliRunner

    from crawlsift.cli import main

    text = prose(2, 150)
    record = tmp_path / "long.txt"
    record.write_text(text + "\n\n" + text + "\n", encoding="utf-8")
    page = tmp_path / "explain.html"
    result = CliRunner().invoke(main, ["explain", str(record), "--html", str(page)])
    assert result.exit_code == 0, result.output
    assert "(1 record)" in result.output
    # measure the rendered record boxes: a box showing all its text scrolls by nothing
    probe = (
        "<script>document.body.setAttribute('data-hidden', [...document.querySelectorAll("
        "'pre.record')].map(p => p.scrollHeight - p.clientHeight).join(','));</script>"
    )
    measured = tmp_path / "measured.html"
    measured.write_text(
        page.read_text(encoding="utf-8").replace("</body>", probe + "</body>"), encoding="utf-8"
    )
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}",
    ]  # fmt: skip
    dom = subprocess.run(
        [BROWSER, *flags, "--window-size=1000,800", "--dump-dom", measured.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    hidden = re.search(r'data-hidden="([^"]*)"', dom.stdout)
    assert hidden is not None, dom.stderr[-2000:]
    assert hidden.group(1) == "0"
