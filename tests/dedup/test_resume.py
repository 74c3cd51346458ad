"""An interrupted dedup run, run again, finishes without redoing its finished passes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawlsift.dedup import dedup, run
from crawlsift.dedup.progress import Progress
from tests.dedup.conftest import decisions, write


class Killed(Exception):
    """Stands for the process being stopped."""


def _fail(*_: Any, **__: Any) -> None:
    raise Killed


def test_interrupted_in_clustering(tmp_path: Path, planted: dict, monkeypatch) -> None:
    src = str(write(tmp_path / "in.parquet", planted["rows"]))
    dedup(src, str(tmp_path / "whole"))
    with monkeypatch.context() as m:
        m.setattr(run._Run, "_cluster", _fail)
        with pytest.raises(Killed):
            dedup(src, str(tmp_path / "out"))
    with monkeypatch.context() as m:  # the streaming passes must not run again
        m.setattr(run.Hasher, "__call__", _fail)
        m.setattr(run.bp, "line_table", _fail)
        summary = dedup(src, str(tmp_path / "out"))
    assert summary.resumed == ["boilerplate", "hash"]
    assert decisions(tmp_path / "out") == decisions(tmp_path / "whole")
    assert not (tmp_path / "out" / "_work").exists()


def test_interrupted_in_the_middle_of_hashing(tmp_path: Path, planted: dict, monkeypatch) -> None:
    src = str(write(tmp_path / "in.parquet", planted["rows"]))
    whole = dedup(src, str(tmp_path / "whole"), batch_size=40, workers=1)
    original = run.Hasher.__call__
    calls: list[int] = []

    def third_fails(self: run.Hasher, k: int, row0: int, table: Any, read: Any) -> run.HashResult:
        if k == 2:
            raise Killed
        return original(self, k, row0, table, read)

    def counted(self: run.Hasher, k: int, row0: int, table: Any, read: Any) -> run.HashResult:
        calls.append(k)
        return original(self, k, row0, table, read)

    with monkeypatch.context() as m:
        m.setattr(run.Hasher, "__call__", third_fails)
        with pytest.raises(Killed):
            dedup(src, str(tmp_path / "out"), batch_size=40, workers=1)
    with monkeypatch.context() as m:
        m.setattr(run.Hasher, "__call__", counted)
        summary = dedup(src, str(tmp_path / "out"), batch_size=40, workers=1)
    assert calls == [2, 3, 4, 5]  # 203 rows in batches of 40: 0 and 1 were done
    assert summary.boilerplate_lines_removed == whole.boilerplate_lines_removed
    assert decisions(tmp_path / "out") == decisions(tmp_path / "whole")


def test_index_batch_is_added_once(tmp_path: Path, planted: dict, monkeypatch) -> None:
    src = str(write(tmp_path / "in.parquet", planted["rows"]))
    index = tmp_path / "index"
    with monkeypatch.context() as m:  # stopped after the index took the batch
        m.setattr(Progress, "complete_run", _fail)
        with pytest.raises(Killed):
            dedup(src, str(tmp_path / "out"), index_dir=str(index))
    summary = dedup(src, str(tmp_path / "out"), index_dir=str(index))
    assert summary.resumed == ["boilerplate", "hash", "cluster", "write", "index"]
    manifest = json.loads((index / "index.json").read_text())
    assert [b["name"] for b in manifest["batches"]] == ["batch-00000"]
    assert manifest["docs"] == len(planted["rows"])
    assert summary.index_batch == "batch-00000" and summary.kept == len(planted["rows"]) - 3
