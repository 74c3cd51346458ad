"""Parquet input: known columns cast, pass-through columns kept, streaming batches."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawlsift import schema
from crawlsift.errors import UnreadableFileError
from crawlsift.io import discover, read_task


def read_all(path: Path, batch_size: int = 1000) -> tuple[list[pa.Table], list[dict]]:
    [task] = discover([str(path)])
    tables = list(read_task(task, batch_size=batch_size))
    return tables, [row for t in tables for row in t.to_pylist()]


def test_round_trip_with_casts_and_pass_through(tmp_path: Path) -> None:
    source = pa.table(
        {
            "tags": pa.array([["a"], [], None], pa.list_(pa.string())),
            "text": ["one", None, "three"],
            "id": ["a", None, "c"],
            "http_status": pa.array([200, 404, None], pa.int64()),
            "url": ["https://x/1", "https://x/2", None],
            "score": pa.array([1.5, 2.5, 3.5], pa.float32()),
            "source": ["old", "old", "old"],
        }
    )
    path = tmp_path / "in.parquet"
    pq.write_table(source, path)
    [table], rows = read_all(path)
    assert table.schema == schema.input_schema(
        [
            pa.field("tags", pa.list_(pa.string())),
            pa.field("score", pa.float32()),
            pa.field("given_source", pa.string()),
        ]
    )
    assert [r["id"] for r in rows] == ["a", "in.parquet#1", "c"]
    assert [r["text"] for r in rows] == ["one", None, "three"]
    assert [r["reason"] for r in rows] == [None, "missing_text", None]
    assert [r["stage"] for r in rows] == [None, "read", None]
    assert [r["http_status"] for r in rows] == [200, 404, None]
    assert [r["tags"] for r in rows] == [["a"], [], None]
    assert [r["score"] for r in rows] == [1.5, 2.5, 3.5]
    assert {r["source"] for r in rows} == {str(path)}
    assert {r["given_source"] for r in rows} == {"old"}
    assert [r["source_index"] for r in rows] == [0, 1, 2]
    assert {r["source_format"] for r in rows} == {"parquet"}


def test_batches_are_bounded_and_indexed(tmp_path: Path) -> None:
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"text": [f"t{i}" for i in range(23)]}), path, row_group_size=7)
    tables, rows = read_all(path, batch_size=5)
    assert all(t.num_rows <= 5 for t in tables)
    assert [r["source_index"] for r in rows] == list(range(23))
    assert [r["text"] for r in rows] == [f"t{i}" for i in range(23)]


def test_uncastable_status_is_coerced(tmp_path: Path) -> None:
    path = tmp_path / "status.parquet"
    pq.write_table(pa.table({"text": ["a", "b", "c"], "http_status": ["200", "n/a", None]}), path)
    _, rows = read_all(path)
    assert [r["http_status"] for r in rows] == [200, None, None]


def test_missing_text_column(tmp_path: Path) -> None:
    path = tmp_path / "notext.parquet"
    pq.write_table(pa.table({"body": ["x"]}), path)
    with pytest.raises(UnreadableFileError, match=r"notext\.parquet.*'text'"):
        read_all(path)


def test_text_column_of_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "inttext.parquet"
    pq.write_table(pa.table({"text": [1, 2]}), path)
    with pytest.raises(UnreadableFileError, match="not a string"):
        read_all(path)


def test_not_a_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_text("hello")
    with pytest.raises(UnreadableFileError, match=r"fake\.parquet"):
        read_all(path)


@pytest.mark.parametrize("names", [["text", "x", "x"], ["text", "text"]])
def test_repeated_column_names_make_the_file_unreadable(tmp_path: Path, names: list[str]) -> None:
    table = pa.Table.from_arrays([pa.array(["a"]) for _ in names], names=names)
    path = tmp_path / "twice.parquet"
    pq.write_table(table, path)
    [task] = discover([str(path)])
    with pytest.raises(UnreadableFileError, match="repeated column names"):
        list(read_task(task))
