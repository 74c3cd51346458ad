"""ShardWriter (atomic Parquet/JSONL shards) and read_output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawlsift import schema
from crawlsift.io import RollingWriter, ShardWriter, read_output

EDITS = [{"start": 0, "end": 3, "reason": "boilerplate", "replacement": None}]


def sample(start: int, n: int) -> pa.Table:
    return pa.table(
        {
            "id": [f"r{i}" for i in range(start, start + n)],
            "text": pa.array([f"text é {i}" for i in range(start, start + n)], pa.large_string()),
            "edits": pa.array([EDITS] * n, schema.EDITS_TYPE),
            "keep": [i % 2 == 0 for i in range(start, start + n)],
        }
    )


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_commit_is_atomic_and_round_trips(tmp_path: Path, fmt: str) -> None:
    writer = ShardWriter(str(tmp_path), "part-00000", fmt)
    writer.write(sample(0, 3))
    writer.write(sample(3, 2))
    assert os.listdir(tmp_path) == [f".tmp-part-00000.{fmt}"]
    assert read_output(str(tmp_path)).num_rows == 0  # nothing visible before commit
    paths = writer.commit()
    assert paths == [str(tmp_path / f"part-00000.{fmt}")]
    assert os.listdir(tmp_path) == [f"part-00000.{fmt}"]
    out = read_output(str(tmp_path))
    assert out.column("id").to_pylist() == [f"r{i}" for i in range(5)]
    assert out.column("text").to_pylist() == [f"text é {i}" for i in range(5)]
    assert out.column("edits").to_pylist() == [EDITS] * 5
    assert out.column("keep").to_pylist() == [True, False, True, False, True]
    assert out.schema.field("edits").type == schema.EDITS_TYPE


def test_jsonl_is_utf8_nested_json(tmp_path: Path) -> None:
    table = sample(0, 1).append_column("blob", pa.array([b"\x00\xff"], pa.large_binary()))
    writer = ShardWriter(str(tmp_path), "s", "jsonl")
    writer.write(table)
    [path] = writer.commit()
    raw = Path(path).read_text(encoding="utf-8")
    assert "text é 0" in raw  # not \u-escaped
    obj = json.loads(raw)
    assert obj["edits"] == EDITS and obj["blob"] == "AP8="


def test_abort_removes_temporary_file(tmp_path: Path) -> None:
    writer = ShardWriter(str(tmp_path), "s")
    writer.write(sample(0, 2))
    assert (tmp_path / ".tmp-s.parquet").exists()
    writer.abort()
    writer.abort()  # idempotent
    assert os.listdir(tmp_path) == []


def test_context_manager_aborts_on_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError), ShardWriter(str(tmp_path), "s") as writer:
        writer.write(sample(0, 2))
        raise KeyError("boom")
    assert os.listdir(tmp_path) == []


def test_nothing_written_commits_nothing(tmp_path: Path) -> None:
    writer = ShardWriter(str(tmp_path / "new"), "s")
    writer.write(sample(0, 0))
    assert writer.commit() == []
    assert os.listdir(tmp_path / "new") == []
    with pytest.raises(RuntimeError):
        writer.write(sample(0, 1))


def test_compatible_schemas_share_one_file(tmp_path: Path) -> None:
    writer = ShardWriter(str(tmp_path), "s")
    writer.write(pa.table({"text": ["a"], "x": pa.nulls(1)}))
    writer.write(pa.table({"x": ["b"], "text": ["c"]}))
    writer.write(pa.table({"text": ["d"]}))
    assert writer.commit() == [str(tmp_path / "s.parquet")]
    out = read_output(str(tmp_path))
    assert out.to_pylist() == [
        {"text": "a", "x": None},
        {"text": "c", "x": "b"},
        {"text": "d", "x": None},
    ]


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_widening_tables_commit_one_file_of_the_unified_schema(tmp_path: Path, fmt: str) -> None:
    writer = ShardWriter(str(tmp_path), "s", fmt)
    writer.write(pa.table({"text": ["a"], "n": [1]}))
    writer.write(pa.table({"text": ["b"], "extra": [1.5], "n": [2]}))
    writer.write(pa.table({"text": ["c"], "n": ["three"]}))
    assert writer.commit() == [str(tmp_path / f"s.{fmt}")]
    assert os.listdir(tmp_path) == [f"s.{fmt}"]
    rows = (
        pq.read_table(tmp_path / "s.parquet").to_pylist()
        if fmt == "parquet"
        else [json.loads(line) for line in (tmp_path / "s.jsonl").read_text().splitlines()]
    )
    assert rows == [
        {"text": "a", "n": "1", "extra": None},
        {"text": "b", "n": "2", "extra": 1.5},
        {"text": "c", "n": "three", "extra": None},
    ]
    if fmt == "parquet":
        assert pq.read_schema(tmp_path / "s.parquet").field("n").type == pa.string()


def test_rolling_writer_unifies_clashing_batches(tmp_path: Path) -> None:
    """An int field that turns into a string mid-buffer is one string column, not a crash."""
    writer = RollingWriter(str(tmp_path), "part", "parquet", shard_rows=100_000)
    writer.write(pa.table({"text": ["x"] * 1500, "tag": pa.array(range(1500), pa.int64())}))
    writer.write(pa.table({"text": ["y"] * 1500, "tag": ["s"] * 1500}))
    writer.commit()
    table = read_output(str(tmp_path))
    assert table.schema.field("tag").type == pa.string()
    assert table.column("tag").to_pylist() == [str(i) for i in range(1500)] + ["s"] * 1500


def test_read_output_orders_shards_and_ignores_temporaries(tmp_path: Path) -> None:
    for name, start in [("part-00001", 10), ("part-00000", 0)]:
        writer = ShardWriter(str(tmp_path), name)
        writer.write(sample(start, 2))
        writer.commit()
    pending = ShardWriter(str(tmp_path), "part-00002")
    pending.write(sample(20, 2))
    (tmp_path / "notes.txt").write_text("not a shard")
    ids = read_output(str(tmp_path)).column("id").to_pylist()
    assert ids == ["r0", "r1", "r10", "r11"]
    pending.abort()
