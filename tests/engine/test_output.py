"""The output layer clean and dedup share: claiming, manifests, markers, atomic JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from crawlsift.dedup.progress import Progress
from crawlsift.engine.output import (
    Markers,
    check_manifest,
    claim,
    refuse_foreign,
    write_json,
)
from crawlsift.errors import InputError


def test_write_json_replaces_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    write_json(path, {"n": 1})
    write_json(path, {"n": 2})
    assert json.loads(path.read_text()) == {"n": 2}
    assert path.read_text().endswith("}\n")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_write_json_that_fails_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.json"
    write_json(path, {"n": 1})

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        write_json(path, {"n": 2})
    assert json.loads(path.read_text()) == {"n": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_a_dedup_marker_that_cannot_be_written_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dedup's done markers are written by the shared atomic write."""
    progress = Progress(tmp_path / "out", {"inputs": []}, overwrite=False)
    try:

        def full_disk(*args: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", full_disk)
        with pytest.raises(OSError):
            progress.finish("hash-000000", {"removed": 0})
        monkeypatch.undo()
        assert list((tmp_path / "out" / "_work" / "done").iterdir()) == []
    finally:
        progress.close()


def test_claim_refuses_a_directory_of_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not a dedup output; choose an empty directory"):
        claim(tmp_path, "_dedup.json", "dedup", overwrite=True)
    with pytest.raises(InputError, match="not a crawlsift output"):
        refuse_foreign(tmp_path, "_run.json", "crawlsift")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_claim_returns_the_earlier_manifest_or_clears_it_on_overwrite(tmp_path: Path) -> None:
    assert claim(tmp_path / "new", "_run.json", "crawlsift", overwrite=False) is None
    write_json(tmp_path / "_run.json", {"inputs": ["a"]})
    (tmp_path / "kept").mkdir()
    assert claim(tmp_path, "_run.json", "crawlsift", overwrite=False) == {"inputs": ["a"]}
    assert claim(tmp_path, "_run.json", "crawlsift", overwrite=True) is None
    assert list(tmp_path.iterdir()) == []


def test_check_manifest_compares_as_read_back_from_json(tmp_path: Path) -> None:
    check_manifest(tmp_path, {"keys": ["a", "b"]}, {"keys": ("a", "b")}, "dedup")
    with pytest.raises(InputError, match="holds a dedup run with other inputs or options"):
        check_manifest(tmp_path, {"keys": ["a"]}, {"keys": ("a", "b")}, "dedup")


def test_markers_mark_get_drop_and_list(tmp_path: Path) -> None:
    markers = Markers(tmp_path)
    assert markers.get("hash") is None
    markers.put("hash-000001", {"removed": 2})
    markers.put("hash-000000", {"removed": 1})
    markers.put("hash")
    assert markers.get("hash") == {}
    assert markers.all("hash-") == [{"removed": 1}, {"removed": 2}]
    markers.drop("hash", "absent")
    assert markers.get("hash") is None


def test_run_options_of_the_wrong_type_are_input_errors(tmp_path: Path) -> None:
    from crawlsift.engine.local import RunOptions

    with pytest.raises(InputError, match="workers must be int"):
        RunOptions(output=str(tmp_path), workers="2")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="record_timeout must be float"):
        RunOptions(output=str(tmp_path), record_timeout="30")  # type: ignore[arg-type]
    assert RunOptions(output=str(tmp_path), record_timeout=5).record_timeout == 5
