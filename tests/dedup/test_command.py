"""The ``crawlsift dedup`` command: its errors, progress bars and flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crawlsift.cli import main
from tests.dedup.conftest import write
from tests.dedup.test_dedup import _draws
from tests.io.test_warc import response, write_warc


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_a_raw_warc_is_one_error_line_naming_clean(runner: CliRunner, tmp_path: Path) -> None:
    page = b"<html><body><p>The river rose overnight and the bridge closed.</p></body></html>"
    warc = write_warc(
        tmp_path / "crawl.warc.gz", [response(n, page, "text/html") for n in range(3)]
    )
    result = runner.invoke(main, ["dedup", str(warc), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "run `crawlsift clean` on it first" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_progress_bars_on_stderr_when_asked(runner: CliRunner, tmp_path: Path) -> None:
    src = str(write(tmp_path / "in.parquet", _draws(1, 6)))
    shown = runner.invoke(main, ["dedup", src, "-o", str(tmp_path / "o1"), "--progress"])
    assert shown.exit_code == 0, shown.output
    for n, name in enumerate(("lines", "hash", "cluster", "write"), 1):
        assert f"dedup {n}/4 {name}" in shown.stderr
    assert "6/6" in shown.stderr and "batches 1" in shown.stderr
    assert "6 documents: kept 6" in shown.stdout
    for flags in ([], ["--no-progress"]):  # off by default when stderr is not a terminal
        quiet = runner.invoke(
            main, ["dedup", src, "-o", str(tmp_path / "o2"), "--overwrite", *flags]
        )
        assert quiet.exit_code == 0 and quiet.stderr == ""


def test_fold_digits_flag(runner: CliRunner, tmp_path: Path) -> None:
    src = str(write(tmp_path / "in.parquet", _draws(2, 5)))
    result = runner.invoke(main, ["dedup", src, "-o", str(tmp_path / "o"), "--fold-digits"])
    assert result.exit_code == 0, result.output
    assert "kept 1, removed 4 exact" in result.stdout
