"""The local engine: conservation, resume after interruption, workers, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

import crawlsift
from crawlsift import schema as S
from crawlsift.engine import local, tasks
from crawlsift.io.writers import read_output

PROSE = (
    "The harbour authority confirmed on Monday that the old ferry terminal will be rebuilt, "
    "with work starting in spring and the first sailings expected the following summer."
)


def _write_inputs(root: Path, files: int = 3, rows: int = 25, pad: int = 0) -> list[str]:
    """JSONL files of news-like records; ``pad`` characters of a pass-through field per
    record make the files large enough to be tasks of their own."""
    paths = []
    for f in range(files):
        path = root / f"in-{f}.jsonl"
        with path.open("w") as fh:
            for i in range(rows):
                if i % 5 == 0:
                    text = "Error 404\nThe page you were looking for does not exist."
                elif i % 7 == 0:
                    text = "   "
                else:
                    text = (
                        f"Story {f}-{i}\n{PROSE} Item {i}.\nShare this article\n{PROSE} Item {i}."
                    )
                row = {"id": f"{f}-{i}", "text": text, "lang_hint": "en"}
                if pad:
                    row["pad"] = "x" * pad
                fh.write(json.dumps(row) + "\n")
        paths.append(str(path))
    return paths


def _ids(directory: Path) -> list[str]:
    table = read_output(str(directory))
    return sorted(table.column(S.ID).to_pylist()) if table.num_rows else []


def test_kept_plus_rejected_equals_input(tmp_path):
    inputs = _write_inputs(tmp_path)
    summary = crawlsift.clean(inputs, str(tmp_path / "out"), workers=1)
    kept, rejected = _ids(tmp_path / "out" / "kept"), _ids(tmp_path / "out" / "rejected")
    assert len(kept) + len(rejected) == 75
    assert sorted(kept + rejected) == sorted(f"{f}-{i}" for f in range(3) for i in range(25))
    assert summary.stats.records_in == 75
    assert summary.stats.kept == len(kept)
    rej = read_output(str(tmp_path / "out" / "rejected"))
    assert set(rej.column(S.REASON).to_pylist()) == {"error_page", "empty_text"}
    assert rej.column(S.STAGE).null_count == 0
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert stats["rejected_by_reason"] == {"empty_text": 9, "error_page": 15}
    assert stats["kept"] + stats["rejected"] == stats["records_in"] == 75


def test_pass_through_columns_survive(tmp_path):
    inputs = _write_inputs(tmp_path, files=1)
    crawlsift.clean(inputs, str(tmp_path / "out"), workers=1)
    kept = read_output(str(tmp_path / "out" / "kept"))
    assert set(kept.column("lang_hint").to_pylist()) == {"en"}
    assert S.HTML not in kept.column_names
    assert S.INPUT_TEXT not in kept.column_names
    rejected = read_output(str(tmp_path / "out" / "rejected"))
    assert S.INPUT_TEXT in rejected.column_names


def test_interrupted_run_resumes_without_loss_or_duplicates(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "SMALL_FILE", 0)  # a task per file
    inputs = _write_inputs(tmp_path)
    reference = crawlsift.clean(inputs, str(tmp_path / "ref"), workers=1, batch_size=4)
    real_read = local.read_task
    calls = {"batches": 0}

    def flaky_read(task, **limits):
        for batch in real_read(task, **limits):
            calls["batches"] += 1
            if calls["batches"] == 10:  # in the middle of the second file
                raise KeyboardInterrupt
            yield batch

    monkeypatch.setattr(local, "read_task", flaky_read)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):  # in-process: one worker and no time limit
        crawlsift.clean(inputs, str(out), workers=1, batch_size=4, record_timeout=None)
    assert len(list((out / "_done").glob("*.json"))) == 1
    monkeypatch.setattr(local, "read_task", real_read)
    summary = crawlsift.clean(inputs, str(out), workers=1, batch_size=4)
    assert summary.tasks_skipped == 1
    for kind in ("kept", "rejected"):
        assert _ids(out / kind) == _ids(tmp_path / "ref" / kind)
        assert not list((out / kind).glob(".tmp-*"))
    assert summary.stats.to_dict() == reference.stats.to_dict()


def test_rerun_of_finished_run_skips_everything(tmp_path):
    inputs = _write_inputs(tmp_path)
    crawlsift.clean(inputs, str(tmp_path / "out"), workers=1)
    again = crawlsift.clean(inputs, str(tmp_path / "out"), workers=1)
    assert again.tasks_skipped == 3
    assert again.stats.records_in == 75


def test_other_options_in_same_output_are_refused(tmp_path):
    inputs = _write_inputs(tmp_path)
    crawlsift.clean(inputs, str(tmp_path / "out"), workers=1)
    with pytest.raises(crawlsift.InputError, match="other inputs or options"):
        crawlsift.clean(inputs[:1], str(tmp_path / "out"), workers=1)


def test_foreign_directory_is_never_overwritten(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("precious")
    inputs = _write_inputs(tmp_path)
    with pytest.raises(crawlsift.InputError, match="not a crawlsift output"):
        crawlsift.clean(inputs, str(tmp_path / "mine"), workers=1, overwrite=True)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "precious"


def test_two_workers_give_the_same_records_as_one(tmp_path):
    inputs = _write_inputs(tmp_path)
    crawlsift.clean(inputs, str(tmp_path / "one"), workers=1)
    crawlsift.clean(inputs, str(tmp_path / "two"), workers=2)
    for kind in ("kept", "rejected"):
        a = read_output(str(tmp_path / "one" / kind)).sort_by(S.ID)
        b = read_output(str(tmp_path / "two" / kind)).sort_by(S.ID)
        assert a.equals(b)


def test_jsonl_output_and_sharding(tmp_path):
    inputs = _write_inputs(tmp_path, files=1, rows=40)
    crawlsift.clean(inputs, str(tmp_path / "out"), workers=1, format="jsonl", shard_rows=10)
    shards = sorted((tmp_path / "out" / "kept").glob("*.jsonl"))
    assert len(shards) >= 2
    assert all(len(p.read_text().splitlines()) <= 10 for p in shards)
    first = json.loads(shards[0].read_text().splitlines()[0])
    assert isinstance(first[S.EDITS], list)


def test_unreadable_file_is_reported_and_others_finish(tmp_path):
    inputs = _write_inputs(tmp_path, files=1)
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"this is not parquet")
    summary = crawlsift.clean([*inputs, str(bad)], str(tmp_path / "out"), workers=1)
    assert summary.stats.records_in == 25
    assert len(summary.failed_files) == 1 and "broken.parquet" in summary.failed_files[0]


def test_same_output_bytes_for_any_batch_size(tmp_path):
    inputs = _write_inputs(tmp_path, files=1)
    crawlsift.clean(inputs, str(tmp_path / "a"), workers=1, batch_size=3)
    crawlsift.clean(inputs, str(tmp_path / "b"), workers=1, batch_size=1000)
    a = read_output(str(tmp_path / "a" / "kept"))
    b = read_output(str(tmp_path / "b" / "kept"))
    assert pa.Table.equals(a, b)


@pytest.mark.parametrize(
    ("option", "value"),
    [("workers", -1), ("batch_size", 0), ("batch_bytes", 0), ("shard_rows", 0), ("format", "csv")],
)
def test_bad_run_options_are_input_errors(tmp_path, option, value):
    with pytest.raises(crawlsift.InputError, match=option if option != "format" else "csv"):
        crawlsift.clean([], str(tmp_path / "out"), **{option: value})


def _shard_bytes(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for kind in ("kept", "rejected")
        for p in sorted((out / kind).iterdir())
    }


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_outputs_are_byte_identical_for_any_workers_and_batch_size(tmp_path, fmt):
    demo = Path(crawlsift.__file__).parent / "data" / "demo"
    inputs = [*_write_inputs(tmp_path, files=2, rows=30), str(demo)]
    # (workers, rows, bytes): batches of one record by bytes, and of a few
    runs = [(1, 1000, 2**24), (2, 7, 2**24), (4, 3, 2**24), (1, 1000, 1), (2, 1000, 20_000)]
    outputs = []
    for workers, batch_size, batch_bytes in runs:
        out = tmp_path / f"out-{workers}-{batch_size}-{batch_bytes}"
        crawlsift.clean(
            inputs,
            str(out),
            workers=workers,
            batch_size=batch_size,
            batch_bytes=batch_bytes,
            format=fmt,
        )
        outputs.append(_shard_bytes(out))
    assert outputs[0] and all(o == outputs[0] for o in outputs[1:])


def test_a_file_that_cannot_be_read_is_logged_not_printed(tmp_path, capsys, caplog):
    """Library code never prints: the CLI turns the logged error into an Error: line."""
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"not parquet at all")
    with caplog.at_level("ERROR", logger="crawlsift"):
        summary = crawlsift.clean([str(bad)], str(tmp_path / "out"), workers=1)
    assert summary.failed_files and capsys.readouterr().err == ""
    assert [r.getMessage() for r in caplog.records] == summary.failed_files
