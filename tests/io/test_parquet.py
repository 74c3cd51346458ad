"""Parquet input: known columns cast, pass-through columns kept, streaming batches."""

from __future__ import annotations

import random
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


def damaged_file(path: Path, column: str, where: float = 0.5, plain_pages: bool = False) -> Path:
    """20,000 records in ten row groups of 2,000; in row group 5, 64 bytes of ``column``'s
    chunk (at ``where`` of its length) overwritten."""
    rng = random.Random(3)
    words = ["harbour", "ferry", "terminal", "spring", "sailing", "summer", "bridge"]
    n = 20_000
    table = pa.table(
        {
            "id": [f"d{i}" for i in range(n)],
            "text": [" ".join(rng.choices(words, k=30)) for _ in range(n)],
            "url": [f"https://example.org/{i}" for i in range(n)],
            "lang": ["en"] * n,
        }
    )
    options = {"use_dictionary": False, "data_page_size": 4096} if plain_pages else {}
    pq.write_table(table, path, row_group_size=2_000, **options)
    meta = pq.ParquetFile(path).metadata.row_group(5)
    chunk = next(
        meta.column(i) for i in range(meta.num_columns) if meta.column(i).path_in_schema == column
    )
    first = chunk.dictionary_page_offset or chunk.data_page_offset
    at = first + int(chunk.total_compressed_size * where)
    data = bytearray(path.read_bytes())
    data[at : at + 64] = bytes(rng.randrange(256) for _ in range(64))
    path.write_bytes(data)
    return path


def test_a_damaged_row_group_costs_only_its_own_records(tmp_path: Path) -> None:
    """The four intact row groups after the damaged one (8,000 records) were dropped."""
    path = damaged_file(tmp_path / "ten-groups.parquet", "text")
    tables, rows = read_all(path, batch_size=700)
    assert len(rows) == 20_000  # one row per record of the file
    assert [r["source_index"] for r in rows] == list(range(20_000))
    assert [r["id"] for r in rows] == [f"d{i}" for i in range(20_000)]  # ids still read
    lost = [r for r in rows if r["reason"] is not None]
    assert [r["source_index"] for r in lost] == list(range(10_000, 12_000))
    assert {(r["reason"], r["stage"], r["text"]) for r in lost} == {
        ("corrupt_row_group", "read", None)
    }
    assert lost[0]["url"] == "https://example.org/10000"
    assert all(r["text"] for r in rows if r["reason"] is None)
    assert all(t.num_rows <= 700 for t in tables)


def test_a_damaged_id_column_gives_position_ids(tmp_path: Path) -> None:
    path = damaged_file(tmp_path / "ids.parquet", "id", where=0.3)
    _, rows = read_all(path)
    lost = [r for r in rows if r["reason"] is not None]
    assert [r["id"] for r in lost] == [f"ids.parquet#{i}" for i in range(10_000, 12_000)]
    assert sum(r["reason"] is None for r in rows) == 18_000


def test_records_of_a_row_group_read_before_its_damage_are_kept(tmp_path: Path) -> None:
    path = damaged_file(tmp_path / "pages.parquet", "text", where=0.8, plain_pages=True)
    _, rows = read_all(path, batch_size=100)
    assert len(rows) == 20_000
    lost = [r["source_index"] for r in rows if r["reason"] == "corrupt_row_group"]
    assert lost and lost == list(range(lost[0], 12_000)) and lost[0] > 10_000
