"""A run killed with SIGKILL at random points and restarted ends with the same outputs."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.engine.test_local import _shard_bytes, _write_inputs


def _command(inputs: list[str], out: Path) -> list[str]:
    return [sys.executable, "-m", "crawlsift", "clean", *inputs, "-o", str(out),
            "--workers", "2", "--batch-size", "5", "--no-progress"]  # fmt: skip


#: input files, a task each: enough that a kill a few tasks in lands before the run ends
FILES = 12


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_then_restart_loses_and_duplicates_nothing(tmp_path, seed):
    inputs = _write_inputs(tmp_path, files=FILES, rows=40, pad=7000)  # a task per file
    reference = tmp_path / "reference"
    subprocess.run(_command(inputs, reference), check=True, capture_output=True)
    out = tmp_path / "out"
    rng = random.Random(seed)
    done = out / "_done"
    kills = []  # finished tasks when each kill landed
    while len(kills) < 3:
        before = len(list(done.glob("*.json"))) if done.exists() else 0
        target = before + rng.randint(1, 2)
        proc = subprocess.Popen(
            _command(inputs, out), start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        while (
            proc.poll() is None and len(list(done.glob("*.json")) if done.exists() else []) < target
        ):
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.3))  # somewhere inside the next tasks
        if proc.poll() is not None:
            break
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, like a lost machine
        proc.wait()
        kills.append(len(list(done.glob("*.json"))))
    assert kills and min(kills) < FILES  # at least one kill landed mid-run
    final = subprocess.run(_command(inputs, out), capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    assert _shard_bytes(out) == _shard_bytes(reference)
    counts, expected = (json.loads((d / "stats.json").read_text()) for d in (out, reference))
    for run_only in ("output", "seconds", "tasks_skipped"):
        counts.pop(run_only), expected.pop(run_only)
    assert counts == expected


def _counts(out: Path) -> dict:
    stats = json.loads((out / "stats.json").read_text())
    for run_only in ("output", "seconds", "tasks_skipped"):
        stats.pop(run_only)
    return stats


def test_output_inside_the_input_tree_resumes_after_sigkill_and_is_never_read(tmp_path):
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    _write_inputs(crawl, files=6, rows=40, pad=7000)  # a task per file
    reference = tmp_path / "reference"  # the same inputs, output outside them
    subprocess.run(_command([str(crawl)], reference), check=True, capture_output=True)
    out = crawl / "out"
    proc = subprocess.Popen(
        _command([str(crawl)], out), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    while proc.poll() is None and len(list(out.glob("_done/*.json"))) < 2:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list(out.glob("kept/*.parquet"))  # shards of the killed run lie inside crawl/

    resumed = subprocess.run(_command([str(crawl)], out), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"not reading {out}: it is a crawlsift output" in resumed.stderr
    assert _shard_bytes(out) == _shard_bytes(reference)
    assert _counts(out) == _counts(reference)
    assert _counts(out)["records_in"] == 6 * 40

    again = subprocess.run(_command([str(crawl)], out), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr  # a finished run: every task skipped
    assert "6 (6 already done, skipped)" in again.stdout

    overwritten = subprocess.run(
        [*_command([str(crawl)], out), "--overwrite"], capture_output=True, text=True
    )
    assert overwritten.returncode == 0, overwritten.stderr
    assert _shard_bytes(out) == _shard_bytes(reference)
    assert _counts(out) == _counts(reference)
