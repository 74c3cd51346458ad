"""A record that exhausts memory or kills its worker is rejected with a reason and the
run goes on; every other record comes out exactly as it would have."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import crawlsift
from crawlsift import schema as S
from crawlsift.engine import isolate
from crawlsift.io.writers import read_output
from tests.engine.faults import (
    KILL_IN_COMMIT,
    KILL_WORKER,
    RAISE_ARROW_MEMORY,
    RAISE_MEMORY,
    SLOW,
    Faulty,
)
from tests.engine.test_local import _shard_bytes, _write_inputs


def _mark(path: str, row: int, mark: str) -> str:
    """Append ``mark`` to the text of one record of a JSONL file; returns its id."""
    rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
    rows[row]["text"] += f" {mark}"
    Path(path).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return rows[row]["id"]


def _rows(out: Path) -> dict[str, dict]:
    rows = {}
    for kind in ("kept", "rejected"):
        table = read_output(str(out / kind))
        rows.update({r[S.ID]: r for r in table.to_pylist()})
    return rows


def _inputs(tmp_path: Path, grouped: bool, mark: str) -> tuple[list[str], str]:
    # grouped: four small files, one task; else four files of their own, so that two
    # workers run at once and the death of one ends the other's task too
    inputs = _write_inputs(tmp_path, files=4, rows=25, pad=0 if grouped else 12_000)
    return inputs, _mark(inputs[1], 12, mark)


def _check(tmp_path: Path, inputs: list[str], out: Path, marked: str, reason: str) -> None:
    """The marked record is rejected with ``reason``; every other one is as in a run of
    the default pipeline; the counts add up."""
    reference = tmp_path / "reference"
    crawlsift.clean(inputs, str(reference), workers=1, batch_size=5)
    got, want = _rows(out), _rows(reference)
    assert got.keys() == want.keys()
    row = got.pop(marked)
    assert (row[S.REASON], row[S.STAGE], row[S.KEEP]) == (reason, isolate.STAGE, False)
    assert marked in row[S.TEXT]  # the record as read, nothing lost
    want.pop(marked)
    assert got == want
    stats = json.loads((out / "stats.json").read_text())
    assert stats["records_in"] == stats["kept"] + stats["rejected"] == 100
    assert stats["rejected_by_reason"][reason] == 1


@pytest.mark.parametrize("mark", [RAISE_MEMORY, RAISE_ARROW_MEMORY])
@pytest.mark.parametrize(("workers", "timeout"), [(2, 30.0), (1, None)], ids=["pool", "inline"])
def test_a_record_that_raises_memory_error_is_rejected(tmp_path, mark, workers, timeout):
    inputs, marked = _inputs(tmp_path, grouped=False, mark=mark)
    out = tmp_path / "out"
    crawlsift.clean(
        inputs, str(out), pipeline=Faulty(), workers=workers, record_timeout=timeout, batch_size=5
    )
    _check(tmp_path, inputs, out, marked, isolate.OUT_OF_MEMORY)


@pytest.mark.parametrize("grouped", [False, True], ids=["file-tasks", "grouped"])
def test_a_record_that_kills_its_worker_is_rejected_and_the_run_goes_on(tmp_path, grouped):
    inputs, marked = _inputs(tmp_path, grouped=grouped, mark=KILL_WORKER)
    out = tmp_path / "out"
    summary = crawlsift.clean(inputs, str(out), pipeline=Faulty(), workers=2, batch_size=5)
    assert not summary.failed_files
    _check(tmp_path, inputs, out, marked, isolate.WORKER_DIED)
    logs = list((out / isolate.FAULTS).glob("*.jsonl"))  # with the other worker's, per file
    [log] = [p for p in logs if isolate.WORKER_DIED in p.read_text()]
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert entries[-1]["reason"] == isolate.WORKER_DIED  # the batch, then its record
    assert entries[-1]["record"] == f"{inputs[1]} record 12"
    assert {"first", "last"} <= entries[0].keys()
    again = crawlsift.clean(inputs, str(out), pipeline=Faulty(), workers=2, batch_size=5)
    assert again.tasks_skipped == 4  # done: the rerun does not die there again


@pytest.mark.parametrize("workers", [1, 2])
def test_a_record_slow_in_any_stage_is_rejected_at_the_time_limit(tmp_path, workers):
    # Faulty sleeps in the pipeline as a whole, outside HTML parsing: only the limit on
    # batches and on records processed alone can end it
    inputs, marked = _inputs(tmp_path, grouped=False, mark=SLOW)
    out = tmp_path / "out"
    summary = crawlsift.clean(
        inputs,
        str(out),
        pipeline=Faulty(sleep=60.0),
        workers=workers,
        record_timeout=4.0,
        batch_size=5,
    )
    assert not summary.failed_files
    _check(tmp_path, inputs, out, marked, isolate.RECORD_TIMEOUT)


def test_a_worker_killed_once_from_outside_loses_nothing(tmp_path):
    inputs, _ = _inputs(tmp_path, grouped=False, mark=KILL_WORKER)
    reference = tmp_path / "reference"
    crawlsift.clean(inputs, str(reference), workers=2, batch_size=5)
    out, once = tmp_path / "out", tmp_path / "killed-once"
    crawlsift.clean(inputs, str(out), pipeline=Faulty(once=str(once)), workers=2, batch_size=5)
    assert once.exists()  # a worker really was killed
    assert _shard_bytes(out) == _shard_bytes(reference)


def test_a_worker_that_dies_outside_any_record_fails_its_task_alone(tmp_path):
    inputs, _ = _inputs(tmp_path, grouped=False, mark=KILL_IN_COMMIT)
    reference = tmp_path / "reference"
    crawlsift.clean(inputs, str(reference), workers=2, batch_size=5)
    once = tmp_path / "killed-once"
    out = tmp_path / "out"  # killed once while committing: retried alone, nothing lost
    crawlsift.clean(inputs, str(out), pipeline=Faulty(once=str(once)), workers=2, batch_size=5)
    assert once.exists()
    assert _shard_bytes(out) == _shard_bytes(reference)
    out = tmp_path / "out-always"  # killed every time: that file fails, the others commit
    summary = crawlsift.clean(inputs, str(out), pipeline=Faulty(), workers=2, batch_size=5)
    assert len(summary.failed_files) == 1
    assert summary.failed_files[0].startswith(f"{inputs[1]}: a worker process died while")
    assert summary.stats.records_in == 75
    ids = {r for r in _rows(out)}
    assert ids == {r for r in _rows(reference) if not r.startswith("1-")}


def test_suspect_records_alone_give_the_batch_output_and_culprits_are_rejected(tmp_path):
    from crawlsift.engine.tasks import plan, record_keys
    from crawlsift.io import discover, read_task

    [path] = _write_inputs(tmp_path, files=1, rows=12)
    [task] = plan(discover([path]))
    [table] = read_task(task.files[0], batch_size=100)
    keys = record_keys(table, 0)
    pipeline = crawlsift.make_pipeline()
    log = isolate.Log(suspects=[(2, 5), (9, 9)], rejected={7: isolate.WORKER_DIED})
    with isolate.Guard(tmp_path / "faults", task.task_id) as guard:
        pieces = list(isolate.process(pipeline, table, keys, log, guard))
    # 0-1 together, 2, 3, 4, 5 alone, 6 together, 7 rejected, 8 together, 9 alone, 10-11
    assert [p.num_rows for p in pieces] == [2, 1, 1, 1, 1, 1, 1, 1, 1, 2]
    got = pa.concat_tables(pieces)
    want = pipeline(table)
    assert got.schema.equals(want.schema)
    others = pc.not_equal(got.column(S.SOURCE_INDEX), 7)
    assert got.filter(others).equals(want.filter(others))
    culprit = got.slice(7, 1).to_pylist()[0]
    assert (culprit[S.REASON], culprit[S.STAGE], culprit[S.KEEP]) == (
        isolate.WORKER_DIED,
        isolate.STAGE,
        False,
    )
    assert culprit[S.TEXT] == table.slice(7, 1).column(S.TEXT)[0].as_py()
    assert not (tmp_path / "faults" / f"{task.task_id}.inflight").exists()
