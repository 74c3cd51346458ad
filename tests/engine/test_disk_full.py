"""A full disk while a run writes: a task's shards become visible together or not at all,
stats.json and the report count exactly what committed, every error is an ``Error:``
line, and the same command run again completes the output byte for byte."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import crawlsift
from crawlsift.cli import main
from crawlsift.engine import tasks
from crawlsift.io import discover
from crawlsift.io.writers import read_output
from tests.engine.test_local import _shard_bytes, _write_inputs

#: in-process runs (one worker, no time limit), so that the patched calls are the run's
OPTIONS = {"workers": 1, "record_timeout": None, "batch_size": 7, "shard_rows": 10}
FAULTED = ("replace", "fsync")


def _full_disk(monkeypatch, fails: Callable[[int, tuple], bool]) -> dict[str, int]:
    """Make ``os.replace`` and ``os.fsync`` raise ENOSPC on the calls ``fails`` picks
    (by call number, counting both, and arguments)."""
    calls = {"n": 0}
    for name in FAULTED:
        real = getattr(os, name)

        def fake(*args, _real=real, **kwargs):
            calls["n"] += 1
            if fails(calls["n"], args):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return _real(*args, **kwargs)

        monkeypatch.setattr(os, name, fake)
    return calls


def _committed(out: Path) -> dict[str, int]:
    """Rows visible in kept/ and rejected/, and the counts the done markers hold; every
    visible shard must be listed by a done marker."""
    listed: set[str] = set()
    counts = {"kept": 0, "rejected": 0, "marked_kept": 0, "marked_rejected": 0}
    for marker in (out / "_done").glob("*.json"):
        data = json.loads(marker.read_text())
        listed.update(data["shards"])
        counts["marked_kept"] += data["kept"]
        counts["marked_rejected"] += data["rejected"]
    for kind in ("kept", "rejected", "_samples"):
        visible = (
            {f"{kind}/{p.name}" for p in (out / kind).iterdir()} if (out / kind).exists() else set()
        )
        assert visible <= listed, f"shards no done marker lists: {sorted(visible - listed)}"
        if kind != "_samples" and visible:
            counts[kind] = read_output(str(out / kind)).num_rows
    return counts


def _reference(tmp_path: Path, inputs: list[str]) -> Path:
    reference = tmp_path / "reference"
    crawlsift.clean(inputs, str(reference), **OPTIONS)
    return reference


def _counts(out: Path) -> dict:
    stats = json.loads((out / "stats.json").read_text())
    for run_only in ("output", "seconds", "tasks_skipped", "failed_files"):
        stats.pop(run_only)
    return stats


def test_a_task_that_cannot_commit_leaves_nothing_visible(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "SMALL_FILE", 0)  # a task per file
    inputs = _write_inputs(tmp_path, files=3, rows=25)
    reference = _reference(tmp_path, inputs)
    second = discover([inputs[1]])[0].task_id
    # the disk fills up as the second file's second kept shard is committed
    _full_disk(
        monkeypatch, lambda n, args: str(args[-1]).endswith(f"kept/part-{second}-00001.parquet")
    )
    out = tmp_path / "out"
    summary = crawlsift.clean(inputs, str(out), **OPTIONS)
    assert len(summary.failed_files) == 1 and "No space left on device" in summary.failed_files[0]
    stats = json.loads((out / "stats.json").read_text())
    committed = _committed(out)
    assert stats["records_in"] == 50  # the two files that committed
    assert committed["kept"] == committed["marked_kept"] == stats["kept"]
    assert committed["rejected"] == committed["marked_rejected"] == stats["rejected"]
    report = (out / "report.html").read_text()  # built, from what committed
    assert f"50 records in, {stats['kept']:,} kept, {stats['rejected']:,} rejected" in report
    monkeypatch.undo()  # the disk has room again
    monkeypatch.setattr(tasks, "SMALL_FILE", 0)
    again = crawlsift.clean(inputs, str(out), **OPTIONS)
    assert again.tasks_skipped == 2 and not again.failed_files
    assert _shard_bytes(out) == _shard_bytes(reference)
    assert _counts(out) == _counts(reference)


def test_the_cli_says_error_once_per_file_and_builds_the_report(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "SMALL_FILE", 0)  # a task per file
    inputs = _write_inputs(tmp_path, files=2, rows=25)
    _full_disk(monkeypatch, lambda n, args: "kept/part-" in str(args[-1]))  # no shard fits
    out = tmp_path / "out"
    args = ["clean", *inputs, "-o", str(out), "--workers", "1", "--record-timeout", "0"]
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == [
        f"Error: {path}: cannot write its output: No space left on device" for path in inputs
    ]
    assert "Traceback" not in result.output
    assert (out / "report.html").exists()
    assert not list((out / "kept").iterdir()) and _committed(out)["rejected"] == 0


@pytest.mark.parametrize("stays_full", [True, False], ids=["stays-full", "one-failed-call"])
def test_a_full_disk_at_any_write_keeps_the_output_consistent(tmp_path, monkeypatch, stays_full):
    inputs = _write_inputs(tmp_path, files=3, rows=25)
    reference = _reference(tmp_path, inputs)
    calls = _full_disk(monkeypatch, lambda n, args: False)
    crawlsift.clean(inputs, str(tmp_path / "counted"), **OPTIONS)
    total = calls["n"]
    assert total > 20
    for fault in range(1, total + 1):
        out = tmp_path / f"out-{fault}"
        if stays_full:
            _full_disk(monkeypatch, lambda n, args, f=fault: n >= f)
        else:
            _full_disk(monkeypatch, lambda n, args, f=fault: n == f)
        try:
            crawlsift.clean(inputs, str(out), **OPTIONS)
        except crawlsift.OutputError as exc:  # a clear message, never a bare OSError
            assert "No space left on device" in str(exc)
        committed = _committed(out) if out.exists() else None
        if committed is not None:
            assert committed["kept"] == committed["marked_kept"], fault
            assert committed["rejected"] == committed["marked_rejected"], fault
        if (out / "stats.json").exists():
            stats = json.loads((out / "stats.json").read_text())
            assert (stats["kept"], stats["rejected"]) == (committed["kept"], committed["rejected"])
        monkeypatch.undo()
        crawlsift.clean(inputs, str(out), **OPTIONS)  # the disk has room again
        assert _shard_bytes(out) == _shard_bytes(reference), fault
        assert _counts(out) == _counts(reference), fault
