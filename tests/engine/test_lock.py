"""One run at a time per output directory and per dedup index; a dead run's lock is free."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import crawlsift
from crawlsift.io.writers import read_output
from tests.dedup.conftest import article, vocabulary, write
from tests.engine.faults import SLOW
from tests.engine.test_local import _shard_bytes, _write_inputs

ROOT = Path(__file__).parents[2]


def _start(code: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait_for(path: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the first run ended early: {proc.communicate()[1]}")
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _slow_clean(inputs: list[str], out: Path) -> subprocess.Popen:
    """``crawlsift.clean`` in another process, taking a few seconds per file."""
    return _start(
        "import crawlsift\n"
        "from tests.engine.faults import Faulty\n"
        f"crawlsift.clean({inputs!r}, {str(out)!r}, workers=1, batch_size=5,\n"
        "                pipeline=Faulty(sleep=1.0))\n"
    )


def _slow_inputs(tmp_path: Path) -> list[str]:
    inputs = _write_inputs(tmp_path, files=3, rows=10)
    for path in inputs:  # every batch of every file sleeps
        rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
        for row in rows[::5]:
            row["text"] += f" {SLOW}"
        Path(path).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return inputs


def test_a_second_clean_run_on_one_output_stops_and_names_the_first(tmp_path):
    inputs = _slow_inputs(tmp_path)
    out = tmp_path / "out"
    first = _slow_clean(inputs, out)
    try:
        _wait_for(out / "_run.json", first)
        with pytest.raises(crawlsift.OutputError) as caught:
            crawlsift.clean(inputs, str(out), workers=1)
        message = str(caught.value)
        assert "in use by another crawlsift run" in message
        assert f"pid {first.pid} on {socket.gethostname()}" in message
        assert first.poll() is None  # the first run was not disturbed
    finally:
        _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    stats = json.loads((out / "stats.json").read_text())
    kept, rejected = read_output(str(out / "kept")), read_output(str(out / "rejected"))
    assert stats["records_in"] == kept.num_rows + rejected.num_rows == 30
    assert stats["kept"] == kept.num_rows


def test_the_lock_of_a_killed_run_does_not_block_the_next(tmp_path):
    inputs = _slow_inputs(tmp_path)
    crawlsift.clean(inputs, str(tmp_path / "reference"), workers=1, batch_size=5)
    out = tmp_path / "out"
    first = _slow_clean(inputs, out)
    _wait_for(out / "_run.json", first)
    os.killpg(first.pid, signal.SIGKILL)  # the run and its worker
    first.communicate()
    assert json.loads((out / ".crawlsift.lock").read_text())["pid"] == first.pid
    crawlsift.clean(inputs, str(out), workers=1, batch_size=5)  # resumes, not refused
    assert _shard_bytes(out) == _shard_bytes(tmp_path / "reference")


def test_overwrite_keeps_the_lock_file_it_holds(tmp_path):
    inputs = _write_inputs(tmp_path, files=1, rows=5)
    out = tmp_path / "out"
    crawlsift.clean(inputs, str(out), workers=1)
    crawlsift.clean(inputs, str(out), workers=1, overwrite=True)
    assert (out / ".crawlsift.lock").exists() and (out / "stats.json").exists()


def _dedup_source(tmp_path: Path, name: str, n: int) -> Path:
    rng, vocab = random.Random(n), vocabulary()
    rows = [{"id": f"{name}-{i}", "text": article(rng, vocab)} for i in range(n)]
    return write(tmp_path / name / "part-0.parquet", rows)


def test_a_second_dedup_run_on_one_index_stops_and_names_the_first(tmp_path):
    first_input = _dedup_source(tmp_path, "a", 300)
    second_input = _dedup_source(tmp_path, "b", 200)
    index = tmp_path / "index"
    first = _start(
        "import crawlsift\n"
        "from tests.engine.faults import sleepy_steps\n"
        f"crawlsift.dedup({str(first_input)!r}, {str(tmp_path / 'out-a')!r},\n"
        f"                index_dir={str(index)!r}, progress=sleepy_steps)\n"
    )
    try:
        _wait_for(tmp_path / "out-a" / "_dedup.json", first)
        busy = f"in use by another crawlsift run \\(pid {first.pid} "
        with pytest.raises(crawlsift.OutputError, match=busy):
            crawlsift.dedup(str(second_input), str(tmp_path / "out-b"), index_dir=str(index))
        with pytest.raises(crawlsift.OutputError, match="in use by another crawlsift run"):
            crawlsift.dedup(str(first_input), str(tmp_path / "out-a"))  # the same output
    finally:
        _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    second = crawlsift.dedup(str(second_input), str(tmp_path / "out-b"), index_dir=str(index))
    assert second.documents == 200
    manifest = json.loads((index / "index.json").read_text())
    assert [b["name"] for b in manifest["batches"]] == ["batch-00000", "batch-00001"]
    assert manifest["docs"] == 500


def test_a_url_output_is_locked_on_this_machine(tmp_path):
    pytest.importorskip("fsspec")
    from crawlsift.engine.lock import DirectoryLock
    from crawlsift.engine.remote import staging_dir

    url = "memory://crawlsift-lock-test"
    inputs = _write_inputs(tmp_path, files=1, rows=5)
    busy = pytest.raises(crawlsift.OutputError, match="in use by another crawlsift run")
    with DirectoryLock(staging_dir(url)), busy:  # as a run of the same URL holds it
        crawlsift.clean(inputs, url, workers=1)
    crawlsift.clean(inputs, url, workers=1)  # free again
    fsspec = pytest.importorskip("fsspec")
    fsspec.filesystem("memory").rm("/crawlsift-lock-test", recursive=True)


def test_a_forked_child_does_not_keep_its_parents_lock(tmp_path):
    """A worker forked while its run holds the lock closes its copy of the descriptor:
    the lock ends with the run's release, while the worker still lives."""
    from crawlsift.engine.lock import DirectoryLock

    lock = DirectoryLock(tmp_path).acquire()
    ready, started = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child only waits to be ended
        os.write(started, b"x")  # after the fork handlers ran
        time.sleep(60)
        os._exit(0)
    try:
        assert os.read(ready, 1) == b"x"
        lock.release()
        DirectoryLock(tmp_path).acquire().release()  # free although the child lives
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os.close(ready)
        os.close(started)
