"""Small files grouped into tasks: stable ids, the same outputs, resume and unreadable
files as with a task per file."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crawlsift
from crawlsift import reasons
from crawlsift import schema as S
from crawlsift.engine import local, tasks
from crawlsift.engine.tasks import GROUP_BYTES, GROUP_FILES, SMALL_FILE, plan
from crawlsift.errors import UnreadableFileError
from crawlsift.io import ReadTask, discover
from crawlsift.io.writers import read_output
from tests.engine.test_local import PROSE, _shard_bytes


def _files(sizes: list[int]) -> list[ReadTask]:
    return [ReadTask(f"f{i}.jsonl", "jsonl", f"{i:016x}", size) for i, size in enumerate(sizes)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2 * SMALL_FILE), max_size=600))
def test_groups_keep_order_and_limits(sizes):
    files = _files(sizes)
    planned = plan(files)
    assert [f for t in planned for f in t.files] == files
    for task in planned:
        if len(task.files) == 1:
            assert task.task_id == task.files[0].task_id
        else:
            assert all(f.size < SMALL_FILE for f in task.files)
            assert len(task.files) <= GROUP_FILES and task.size <= GROUP_BYTES
    assert plan(files) == planned  # ids depend on the files only
    assert len({t.task_id for t in planned}) == len(planned)


def test_a_large_file_ends_a_group_and_is_a_task_of_its_own():
    files = _files([10, 20, SMALL_FILE, 30, 40, 50])
    assert [[f.path for f in t.files] for t in plan(files)] == [
        ["f0.jsonl", "f1.jsonl"],
        ["f2.jsonl"],
        ["f3.jsonl", "f4.jsonl", "f5.jsonl"],
    ]
    assert len(plan(_files([1] * (GROUP_FILES + 1)))) == 2


def _one_record_files(root: Path, n: int, fields: bool = False) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = "   " if i % 9 == 0 else f"Story {i}\n{PROSE} Item {i}."
        row = {"id": f"r{i}", "text": text}
        if fields and i % 4 == 0:  # fields that differ between files: batches break there
            row["score"] = i if i % 8 else f"#{i}"
        (root / f"f{i:04d}.jsonl").write_text(json.dumps(row) + "\n")
    return [str(root)]


def test_many_small_files_are_few_tasks_with_the_same_outputs(tmp_path):
    inputs = _one_record_files(tmp_path / "in", 600, fields=True)
    outputs = []
    for workers, batch_size in [(1, 1000), (2, 7), (2, 1)]:
        out = tmp_path / f"out-{workers}-{batch_size}"
        summary = crawlsift.clean(inputs, str(out), workers=workers, batch_size=batch_size)
        assert summary.stats.records_in == 600 and summary.tasks_total == 600
        assert len(list((out / "_done").glob("*.json"))) == 3  # 256 + 256 + 88 files
        outputs.append(_shard_bytes(out))
    assert outputs[0] and all(o == outputs[0] for o in outputs[1:])
    kept = read_output(str(tmp_path / "out-1-1000" / "kept"))
    rejected = read_output(str(tmp_path / "out-1-1000" / "rejected"))
    ids = kept.column(S.ID).to_pylist() + rejected.column(S.ID).to_pylist()
    assert sorted(ids) == sorted(f"r{i}" for i in range(600))


def test_an_interrupted_group_is_redone_whole(tmp_path, monkeypatch):
    inputs = _one_record_files(tmp_path / "in", 300)
    crawlsift.clean(inputs, str(tmp_path / "reference"), workers=1, record_timeout=None)
    real_read, calls = local.read_task, {"n": 0}

    def flaky_read(task, **limits):
        calls["n"] += 1
        if calls["n"] == 280:  # in the second group
            raise KeyboardInterrupt
        return real_read(task, **limits)

    monkeypatch.setattr(local, "read_task", flaky_read)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        crawlsift.clean(inputs, str(out), workers=1, record_timeout=None)
    assert len(list((out / "_done").glob("*.json"))) == 1
    monkeypatch.undo()
    summary = crawlsift.clean(inputs, str(out), workers=1, record_timeout=None)
    assert summary.tasks_skipped == 256
    assert _shard_bytes(out) == _shard_bytes(tmp_path / "reference")


def test_an_unreadable_file_of_a_group_is_reported_and_retried_alone(tmp_path):
    inputs = _one_record_files(tmp_path / "in", 5)
    broken = tmp_path / "in" / "f0002b.parquet"  # between the third and fourth file
    broken.write_bytes(b"not parquet at all")
    out = tmp_path / "out"
    first = crawlsift.clean(inputs, str(out), workers=1)
    assert len(first.failed_files) == 1 and "f0002b.parquet" in first.failed_files[0]
    assert first.stats.records_in == 5  # the other files of its group
    [marker] = (out / "_done").glob("*.json")
    assert list(json.loads(marker.read_text())["failed"].values()) == first.failed_files
    again = crawlsift.clean(inputs, str(out), workers=1)
    assert again.failed_files == first.failed_files  # tried again, alone
    assert again.tasks_skipped == 5 and again.stats.records_in == 5
    assert len(list((out / "_done").glob("*.json"))) == 1


def test_a_file_of_a_group_that_could_not_be_read_is_read_by_the_rerun(tmp_path, monkeypatch):
    inputs = _one_record_files(tmp_path / "in", 5)
    late = tmp_path / "in" / "f0002b.jsonl"
    late.write_text(json.dumps({"id": "late", "text": f"Late news\n{PROSE}"}) + "\n")
    real_read = local.read_task

    def unreadable_once(task, **limits):  # a file on a mount that was away
        if task.path == str(late):
            raise UnreadableFileError(task.path, "Input/output error")
        return real_read(task, **limits)

    monkeypatch.setattr(local, "read_task", unreadable_once)
    options = {"workers": 1, "record_timeout": None}
    out = tmp_path / "out"
    first = crawlsift.clean(inputs, str(out), **options)
    assert first.failed_files == [f"cannot read {late}: Input/output error"]
    monkeypatch.undo()
    second = crawlsift.clean(inputs, str(out), **options)
    assert not second.failed_files and second.tasks_skipped == 5
    assert second.stats.records_in == 6
    assert "late" in read_output(str(out / "kept")).column(S.ID).to_pylist()
    stats = json.loads((out / "stats.json").read_text())
    assert stats["records_in"] == stats["kept"] + stats["rejected"] == 6


def test_the_time_limit_knows_records_of_a_group_apart(tmp_path):
    from crawlsift.extract.html_text import ExtractOptions
    from tests.engine.test_record_timeout import ARTICLE, _deep
    from tests.io.test_warc import response, write_warc

    write_warc(tmp_path / "a.warc", [response(n, ARTICLE, "text/html") for n in range(3)])
    slow = [response(10, ARTICLE, "text/html"), response(11, _deep(20_000), "text/html")]
    write_warc(tmp_path / "b.warc", slow)  # its record 1, as a's record 1 is
    assert len(plan(discover([str(tmp_path)]))) == 1
    out = tmp_path / "out"
    pipeline = crawlsift.make_pipeline(extract=ExtractOptions(max_depth=10**6))
    crawlsift.clean([str(tmp_path)], str(out), pipeline=pipeline, workers=1, record_timeout=1.0)
    rejected = read_output(str(out / "rejected")).to_pylist()
    assert [(r[S.URL], r[S.REASON], r[S.SOURCE_INDEX]) for r in rejected] == [
        ("https://example.org/11", reasons.PARSE_TIMEOUT, 1)
    ]
    assert read_output(str(out / "kept")).num_rows == 4


def test_grouping_thresholds_are_sane():
    assert SMALL_FILE <= GROUP_BYTES and GROUP_FILES > 1
    assert tasks.single(_files([5])[0]).task_id == "0000000000000000"


def _flaky(monkeypatch, path: Path, error: BaseException, after_rows: int = 0) -> None:
    """Make reading ``path`` fail with ``error`` (after yielding its first table when
    ``after_rows``), in this process."""
    real_read = local.read_task

    def read(task, **limits):
        if task.path != str(path):
            return real_read(task, **limits)

        def tables():
            if after_rows:
                yield next(iter(real_read(task, **limits)))
            raise error

        return tables()

    monkeypatch.setattr(local, "read_task", read)


INLINE = {"workers": 1, "record_timeout": None}


def test_a_file_that_exhausts_memory_while_read_fails_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(tasks, "SMALL_FILE", 0)  # a task per file
    inputs = _one_record_files(tmp_path / "in", 4)
    _flaky(monkeypatch, tmp_path / "in" / "f0001.jsonl", MemoryError())
    summary = crawlsift.clean(inputs, str(tmp_path / "out"), **INLINE)
    assert summary.failed_files == [
        f"{tmp_path / 'in' / 'f0001.jsonl'}: out of memory while reading or writing it"
    ]
    assert summary.stats.records_in == 3


def test_a_file_of_a_group_too_large_to_hold_is_streamed(tmp_path, monkeypatch):
    inputs = _one_record_files(tmp_path / "in", 40)
    crawlsift.clean(inputs, str(tmp_path / "reference"), **INLINE)
    monkeypatch.setattr(local, "HELD_BYTES", 0)  # every file streamed
    crawlsift.clean(inputs, str(tmp_path / "streamed"), **INLINE)
    assert _shard_bytes(tmp_path / "streamed") == _shard_bytes(tmp_path / "reference")
    # a streamed file that fails after its first rows fails its whole task: no rows of it
    _flaky(monkeypatch, tmp_path / "in" / "f0007.jsonl", UnreadableFileError("x", "cut"), 1)
    out = tmp_path / "out"
    summary = crawlsift.clean(inputs, str(out), **INLINE)
    assert summary.failed_files == ["cannot read x: cut"]
    assert summary.stats.records_in == 0 and not list((out / "_done").glob("*.json"))
    assert not list((out / "kept").iterdir())


def test_a_group_batch_closes_at_the_batch_bytes(tmp_path):
    inputs = _one_record_files(tmp_path / "in", 60)
    [group] = plan(list(discover(inputs)))
    sizes = [len(json.loads(Path(f.path).read_text())["text"].encode()) for f in group.files]
    limit = 3 * max(sizes)
    batches = list(local.read_batches(group, {}, batch_size=1000, batch_bytes=limit))
    assert sum(t.num_rows for t, _ in batches) == 60
    assert len(batches) > 1
    for table, keys in batches:
        assert len(keys) == table.num_rows
        assert table.num_rows == 1 or local.payload_bytes(table) <= limit
    # a batch closes only when the next record would not fit
    for (table, _), (following, _) in itertools.pairwise(batches):
        assert local.payload_bytes(table) + local.payload_bytes(following.slice(0, 1)) > limit
