"""Progress: the library reports each pass to a callback and prints nothing itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlsift.dedup import dedup, run
from crawlsift.dedup.steps import Step
from tests.dedup.conftest import write
from tests.dedup.test_resume import Killed, _fail


def test_every_pass_and_batch_is_reported(
    tmp_path: Path, planted: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = planted["rows"]  # 203 documents: batches of 50 make 5
    src = str(write(tmp_path / "in.parquet", rows))
    steps: list[Step] = []
    dedup(
        src,
        str(tmp_path / "out"),
        index_dir=str(tmp_path / "ix"),
        batch_size=50,
        progress=steps.append,
    )
    assert capsys.readouterr() == ("", "")  # the library never prints
    done = [s for s in steps if s.done]
    assert [(s.number, s.passes, s.name) for s in done] == [
        (1, 5, "lines"), (2, 5, "hash"), (3, 5, "cluster"), (4, 5, "write"), (5, 5, "index")
    ]  # fmt: skip
    assert all(s.documents == s.total == len(rows) for s in done)
    hashed = [s for s in steps if s.name == "hash" and not s.done]
    assert [(s.batches, s.documents) for s in hashed[1:]] == [
        (1, 50), (2, 100), (3, 150), (4, 200), (5, 203)
    ]  # fmt: skip
    assert hashed[0].batches == 0  # the pass starting


def test_without_boilerplate_or_index_there_are_three_passes(tmp_path: Path, planted: dict) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in planted["rows"][:9]))
    steps: list[Step] = []
    dedup(str(src), str(tmp_path / "out"), boilerplate=False, progress=steps.append)
    assert [s.name for s in steps if s.done] == ["hash", "cluster", "write"]
    assert steps[0].total is None  # JSONL: not known before it is read
    assert all(s.total == 9 for s in steps if s.done)


def test_a_resumed_run_counts_the_passes_it_does_not_redo(
    tmp_path: Path, planted: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = str(tmp_path / "in.jsonl")  # JSONL: the total is learnt from the first pass
    Path(src).write_text("".join(json.dumps(r) + "\n" for r in planted["rows"]))
    with monkeypatch.context() as m:
        m.setattr(run._Run, "_cluster", _fail)
        with pytest.raises(Killed):
            dedup(src, str(tmp_path / "out"), batch_size=50)
    steps: list[Step] = []
    dedup(src, str(tmp_path / "out"), batch_size=50, progress=steps.append)
    done = [s for s in steps if s.done]
    assert [s.name for s in done] == ["lines", "hash", "cluster", "write"]
    assert all(s.documents == s.total == len(planted["rows"]) for s in done)
