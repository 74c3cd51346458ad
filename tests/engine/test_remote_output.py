"""Outputs at an fsspec URL: the same files as a local run, uploaded task by task,
and a rerun skips what the store already holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import crawlsift
from crawlsift.errors import InputError
from tests.engine.test_local import _shard_bytes, _write_inputs

fsspec = pytest.importorskip("fsspec")


@pytest.fixture
def store():
    fs = fsspec.filesystem("memory")
    root = "/crawlsift-test"
    if fs.exists(root):
        fs.rm(root, recursive=True)
    yield fs, root
    if fs.exists(root):
        fs.rm(root, recursive=True)


def _remote_shards(fs, root: str) -> dict[str, bytes]:
    found = {}
    for kind in ("kept", "rejected"):
        for path in fs.ls(f"{root}/{kind}", detail=False):
            found[f"{kind}/{path.rsplit('/', 1)[-1]}"] = fs.cat_file(path)
    return found


def test_url_output_holds_what_a_local_run_writes(store, tmp_path: Path, task_per_file) -> None:
    fs, root = store
    inputs = _write_inputs(tmp_path, files=3, rows=40)
    crawlsift.clean(inputs, str(tmp_path / "local"), workers=1, batch_size=16)
    summary = crawlsift.clean(inputs, f"memory://{root}", workers=2, batch_size=16)
    assert summary.output == f"memory://{root}"
    local = _shard_bytes(tmp_path / "local")
    assert len(local) >= 3 and _remote_shards(fs, root) == local
    for name in ("_run.json", "stats.json", "report.html"):
        assert fs.exists(f"{root}/{name}")
    assert len(fs.ls(f"{root}/_done")) == 3
    again = crawlsift.clean(inputs, f"memory://{root}", workers=1)
    assert again.tasks_skipped == 3 and again.stats.records_in == 120


def test_a_task_without_its_marker_is_redone(store, tmp_path: Path, task_per_file) -> None:
    fs, root = store
    inputs = _write_inputs(tmp_path, files=2, rows=30)
    crawlsift.clean(inputs, f"memory://{root}", workers=1)
    before = _remote_shards(fs, root)
    [marker, *_] = sorted(fs.ls(f"{root}/_done", detail=False))
    fs.rm(marker)  # as if the run died after uploading the shards but not the marker
    again = crawlsift.clean(inputs, f"memory://{root}", workers=1)
    assert again.tasks_skipped == 1
    assert _remote_shards(fs, root) == before


def test_url_output_that_is_not_a_crawlsift_output_is_refused(store, tmp_path: Path) -> None:
    fs, root = store
    fs.pipe(f"{root}/precious.txt", b"not ours")
    with pytest.raises(InputError, match="not a crawlsift output"):
        crawlsift.clean(_write_inputs(tmp_path, files=1, rows=3), f"memory://{root}")
    assert fs.cat_file(f"{root}/precious.txt") == b"not ours"


def test_unknown_protocol_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nosuchfs://"):
        crawlsift.clean(_write_inputs(tmp_path, files=1, rows=3), "nosuchfs://bucket/out")


def test_dedup_output_at_a_url(store, tmp_path: Path) -> None:
    fs, root = store
    text = "The harbour authority confirmed on Monday that the old ferry terminal will be rebuilt."
    rows = [{"id": str(i), "text": f"{text} Story {i // 2}."} for i in range(6)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    local = crawlsift.dedup(str(src), str(tmp_path / "local"))
    remote = crawlsift.dedup(str(src), f"memory://{root}")
    assert remote.output == f"memory://{root}" and remote.kept == local.kept == 1
    assert _remote_shards(fs, root) == _shard_bytes(tmp_path / "local")
    assert fs.exists(f"{root}/stats.json") and fs.exists(f"{root}/_run.json")
    assert not fs.exists(f"{root}/_work")
