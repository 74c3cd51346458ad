"""The command line: each command works, errors are one line, help has an example."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from crawlsift.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_clean_stdout_prints_repaired_seed(runner, seed_path):
    result = runner.invoke(main, ["clean", str(seed_path), "--stdout"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("(MENAFN) Russian Foreign Minister")
    assert "Sorry!!" not in result.stdout
    assert result.stdout.count("They also addressed a series") == 1


def test_clean_no_repair_prints_the_text_as_read(runner, seed_path):
    result = runner.invoke(main, ["clean", str(seed_path), "--stdout", "--no-repair"])
    assert result.exit_code == 0, result.output
    assert "Sorry!!" in result.stdout  # the banner and both copies of the article stay
    assert result.stdout.count("They also addressed a series") == 2


def test_clean_stdout_of_rejected_record_says_why(runner, tmp_path):
    path = tmp_path / "gone.txt"
    path.write_text("date 2024-01-01 404\nPage not found\nSorry, this page does not exist.\n")
    result = runner.invoke(main, ["clean", str(path), "--stdout"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "rejected: error_page" in result.stderr


def test_clean_writes_outputs_and_summary(runner, seed_path, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["clean", str(seed_path), "-o", str(out), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert "1 in, 1 kept, 0 rejected" in result.stdout
    (shard,) = (out / "kept").glob("*.jsonl")
    row = json.loads(shard.read_text())
    assert row["title"] == "Lavrov, Rubio Discuss Ukraine Conflict"
    assert json.loads((out / "stats.json").read_text())["kept"] == 1


def test_missing_input_is_one_error_line(runner, tmp_path):
    result = runner.invoke(main, ["clean", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "nope.jsonl" in result.stderr
    assert "Traceback" not in result.output


def test_explain_marks_spans_with_reasons(runner, seed_path):
    result = runner.invoke(main, ["explain", str(seed_path)])
    assert result.exit_code == 0, result.output
    assert "[-Sorry!!\nError! We're sorry" in result.stdout
    assert "-]{repair_error_banner}" in result.stdout
    assert "-]{repair_repeated_block}" in result.stdout
    assert "[-CommentsNo comment-]{repair_widget}" in result.stdout
    assert "title: Lavrov, Rubio Discuss Ukraine Conflict" in result.stdout


def test_demo_runs_on_bundled_sample(runner, tmp_path):
    out = tmp_path / "demo"
    result = runner.invoke(main, ["demo", "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    stats = json.loads((out / "stats.json").read_text())
    assert stats["records_in"] == stats["kept"] + stats["rejected"] >= 10
    assert stats["rejected_by_reason"]["non_text_payload"] == 1
    assert stats["rejected_by_reason"]["error_page"] == 1
    assert "Lavrov, Rubio Discuss Ukraine" in result.stdout


@pytest.mark.parametrize("command", ["clean", "explain", "demo", "dedup", "report", "stages"])
def test_every_command_has_help(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    if command != "stages":
        assert "Example:" in result.stdout


def test_dedup_command_removes_a_planted_copy(runner, tmp_path, seed_text):
    article = "\n".join(seed_text.split("\n")[3:14])
    pages = [
        {"id": "a", "url": "https://one.example/a", "text": article},
        {"id": "b", "url": "https://two.example/b", "text": article},
        {"id": "c", "url": "https://two.example/c", "text": "A different story entirely. " * 40},
    ]
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in pages))
    out = tmp_path / "dedup"
    result = runner.invoke(main, ["dedup", str(src), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "kept 2" in result.stdout and "removed 1 exact" in result.stdout


def test_engine_ray_without_ray_says_how_to_install_it(runner, seed_path, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    result = runner.invoke(
        main, ["clean", str(seed_path), "-o", str(tmp_path / "o"), "--engine", "ray"]
    )
    assert result.exit_code == 1
    assert "pip install 'crawlsift[ray]'" in result.stderr


def test_explain_with_a_preset_shows_the_filter_decision(runner, tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("A single short line of text that is a real sentence.\n")
    result = runner.invoke(main, ["explain", str(path), "--preset", "gopher", "--no-color"])
    assert result.exit_code == 0, result.output
    assert "rejected: gopher_short_doc (stage filter)" in result.stdout


def test_record_limits_are_options(runner, tmp_path):
    path = tmp_path / "two.jsonl"
    rows = [
        {"id": "big", "text": "A sentence that repeats. " * 50_000},
        {"id": "small", "text": "x"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "out"
    args = ["clean", str(path), "-o", str(out), "--max-record-mb", "1", "--record-timeout", "5"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    stats = json.loads((out / "stats.json").read_text())
    assert stats["rejected_by_reason"]["too_large"] == 1
    bad = runner.invoke(
        main, ["clean", str(path), "-o", str(tmp_path / "o2"), "--max-record-mb", "0"]
    )
    assert bad.exit_code != 0 and "--max-record-mb" in bad.output


def test_batch_mb_closes_batches_by_payload_size(runner, tmp_path, monkeypatch):
    from crawlsift.engine import local

    path = tmp_path / "four.jsonl"
    path.write_text("".join(json.dumps({"text": "Words here. " * 25_000}) + "\n" for _ in range(4)))
    batches: list[int] = []
    real_read = local.read_task

    def counted(task, **limits):  # type: ignore[no-untyped-def]
        for table in real_read(task, **limits):
            batches.append(table.num_rows)
            yield table

    monkeypatch.setattr(local, "read_task", counted)  # in-process: one worker, no time limit
    base = ["clean", str(path), "--workers", "1", "--record-timeout", "0"]
    result = runner.invoke(main, [*base, "-o", str(tmp_path / "a"), "--batch-mb", "0.5"])
    assert result.exit_code == 0, result.output
    assert batches == [1, 1, 1, 1]  # 300 kB records: two would pass 0.5 MiB
    batches.clear()
    result = runner.invoke(main, [*base, "-o", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert batches == [4]
    bad = runner.invoke(main, [*base, "-o", str(tmp_path / "c"), "--batch-mb", "0"])
    assert bad.exit_code != 0 and "--batch-mb" in bad.output


def test_file_urls_work_like_paths_for_every_command(runner, tmp_path, monkeypatch, seed_text):
    monkeypatch.chdir(tmp_path)  # a URL taken as a relative path would land here, in "file:"
    crawl = tmp_path / "crawl dir"
    crawl.mkdir()
    pages = [{"id": f"p{i}", "text": seed_text} for i in range(2)]
    (crawl / "pages.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pages))
    out, deduped, index = (tmp_path / "abs" / name for name in ("out", "deduped", "index"))

    result = runner.invoke(main, ["clean", crawl.as_uri(), "-o", out.as_uri(), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "stats.json").read_text())["kept"] == 2
    assert f"output     {out}" in result.stdout

    args = ["dedup", out.as_uri(), "-o", deduped.as_uri(), "--index", index.as_uri()]
    result = runner.invoke(main, [*args, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "2 documents: kept 1, removed 1 exact" in result.stdout
    assert (deduped / "stats.json").exists() and (index / "index.json").exists()

    (out / "report.html").unlink()
    result = runner.invoke(main, ["report", out.as_uri()])
    assert result.exit_code == 0, result.output
    assert (out / "report.html").exists()

    page = tmp_path / "abs" / "explain.html"
    result = runner.invoke(
        main, ["explain", (crawl / "pages.jsonl").as_uri(), "--html", page.as_uri()]
    )
    assert result.exit_code == 0, result.output
    assert page.exists()
    assert not (tmp_path / "file:").exists()


def test_a_file_url_on_another_host_is_one_error_line(runner, tmp_path):
    result = runner.invoke(main, ["clean", str(tmp_path), "-o", "file://server/out"])
    assert result.exit_code == 2
    assert "not on host 'server'" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        ('preset = "gopher"\n[rules]\ngopher_short_doc = "many"\n', "gopher_short_doc"),
        ("[rules]\ngopher_short_doc = 10\n", "say which preset"),
    ],
)
def test_a_bad_filter_file_is_one_error_line_and_no_output(runner, seed_path, tmp_path, toml, said):
    config = tmp_path / "filters.toml"
    config.write_text(toml)
    out = tmp_path / "out"
    result = runner.invoke(
        main, ["clean", str(seed_path), "-o", str(out), "--filters", str(config)]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert said in result.stderr and "Traceback" not in result.output
    assert not out.exists()


SHORT = "A single short line of text that is a real sentence.\n"  # 11 words: gopher_short_doc
WHY = "gopher_short_doc: 11 < 50 (gopher_word_count)"


def test_explain_shows_the_measured_value_against_the_threshold(runner, tmp_path):
    import re

    path = tmp_path / "short.txt"
    path.write_text(SHORT)
    plain = runner.invoke(main, ["explain", str(path), "--preset", "gopher", "--no-color"])
    assert plain.exit_code == 0, plain.output
    assert f"   why: {WHY}\n" in plain.stdout
    ansi = runner.invoke(main, ["explain", str(path), "--preset", "gopher", "--color"])
    assert "\x1b[" in ansi.stdout and WHY in re.sub(r"\x1b\[[0-9;]*m", "", ansi.stdout)
    page = tmp_path / "explain.html"
    html = runner.invoke(main, ["explain", str(path), "--preset", "gopher", "--html", str(page)])
    assert html.exit_code == 0 and "(1 record)" in html.stdout
    assert f"<dt>why</dt><dd>{WHY.replace('<', '&lt;')}</dd>" in page.read_text()


def _explain_on_a_terminal(path, *flags: str, no_color: str | None = None) -> str:
    """What ``crawlsift explain`` prints with its stdout on a pseudo-terminal."""
    import os
    import pty
    import select
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawlsift", "explain", str(path), *flags],
        stdout=slave, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=120)
    os.close(master)
    return out.decode("utf-8", "replace")


def test_explain_honours_no_color_on_a_terminal(tmp_path):
    from tests.report.test_explain import prose

    path = tmp_path / "twice.txt"
    text = prose(3, 20)
    path.write_text(text + "\n\n" + text + "\n")  # the second copy is marked as removed
    assert "\x1b[" in _explain_on_a_terminal(path)  # a terminal gets colour
    assert "\x1b[" not in _explain_on_a_terminal(path, no_color="1")
    assert "\x1b[" in _explain_on_a_terminal(path, no_color="")  # set but empty: ignored
    assert "\x1b[" in _explain_on_a_terminal(path, "--color", no_color="1")  # the flag wins


def test_cli_defaults_are_the_library_defaults():
    from crawlsift.dedup import DedupOptions, DedupRunOptions
    from crawlsift.engine.local import RunOptions
    from crawlsift.io.guard import GuardOptions

    def defaults(command: str) -> dict:
        return {p.name: p.default for p in main.commands[command].params}

    clean = defaults("clean")
    assert clean["batch_size"] == RunOptions.batch_size
    assert clean["record_timeout"] == RunOptions.record_timeout
    assert clean["max_record_mb"] * 2**20 == GuardOptions.max_record_bytes
    assert (clean["fmt"], clean["workers"]) == (RunOptions.format, RunOptions.workers)
    dedup = defaults("dedup")
    assert (dedup["threshold"], dedup["bands"], dedup["rows"]) == (
        DedupOptions.jaccard_threshold,
        DedupOptions.bands,
        DedupOptions.rows,
    )
    assert tuple(dedup["keep_order"].split(",")) == DedupOptions.keep_order
    assert (dedup["fmt"], dedup["workers"]) == (DedupRunOptions.format, DedupRunOptions.workers)


def test_the_cli_leaves_no_log_handler_behind(runner, tmp_path):
    import logging

    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"not parquet at all")
    before = list(logging.getLogger("crawlsift").handlers)
    result = runner.invoke(main, ["clean", str(bad), "-o", str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 1 and result.stderr.startswith("Error: cannot read")
    assert logging.getLogger("crawlsift").handlers == before


def test_extract_mode_accurate_runs_trafilatura_or_names_its_extra(runner, tmp_path):
    import importlib.util
    from pathlib import Path

    import crawlsift

    warc = Path(crawlsift.__file__).parent / "data" / "demo" / "whirlwind.warc.gz"
    out = tmp_path / "out"
    args = ["clean", str(warc), "-o", str(out), "--extract-mode", "accurate", "--no-progress"]
    result = runner.invoke(main, args)
    if importlib.util.find_spec("trafilatura") is None:
        assert result.exit_code != 0
        assert "crawlsift[extract]" in result.output and "Traceback" not in result.output
        assert not out.exists()  # refused before any output is made
    else:
        assert result.exit_code == 0, result.output
        manifest = json.loads((out / "_run.json").read_text())
        assert manifest["pipeline"]["extract"]["mode"] == "accurate"
