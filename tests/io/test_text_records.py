"""The seed text format: optional `date YYYY-MM-DD STATUS` header, then the page text."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlsift import schema
from crawlsift.io import discover, read_task
from crawlsift.io.text_records import parse_text_record


def read_one(path: Path) -> dict:
    [task] = discover([str(path)])
    tables = list(read_task(task))
    assert len(tables) == 1 and tables[0].num_rows == 1
    assert tables[0].schema == schema.input_schema()
    return tables[0].to_pylist()[0]


def test_seed_fixture(fixtures: Path) -> None:
    path = fixtures / "000_54a851cabf0a182d.txt"
    row = read_one(path)
    assert row["id"] == "000_54a851cabf0a182d.txt"
    assert row["date"] == "2025-06-02"
    assert row["http_status"] == 403
    assert row["text"].startswith("Sorry!!\nError! We're sorry")
    assert row["source"] == str(path)
    assert row["source_index"] == 0
    assert row["source_format"] == "text"
    assert row["charset"] == "utf-8"
    assert row["html"] is None and row["reason"] is None and row["stage"] is None
    raw = path.read_bytes().decode("utf-8")
    assert row["text"] == raw.split("\n", 1)[1]  # byte-exact after the header line
    assert "Türkiye" in row["text"]


def test_without_header_text_is_whole_file(tmp_path: Path) -> None:
    content = "Just a page.\ndate 2025-01-01 200\n  trailing  \n\n"
    path = tmp_path / "plain.txt"
    path.write_text(content)
    row = read_one(path)
    assert row["text"] == content
    assert row["date"] is None and row["http_status"] is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("date 2025-06-02 403\nbody", ("2025-06-02", 403, "body")),
        (" \tdate 2025-06-02 200\r\nbody\r\n", ("2025-06-02", 200, "body\r\n")),
        ("date 2025-06-02\nbody", ("2025-06-02", None, "body")),
        ("date 2025-06-02 404", ("2025-06-02", 404, "")),
        ("date 2025-06-02 40x\nbody", (None, None, "date 2025-06-02 40x\nbody")),
        ("\ndate 2025-06-02 200\nbody", (None, None, "\ndate 2025-06-02 200\nbody")),
        ("updated 2025-06-02\nbody", (None, None, "updated 2025-06-02\nbody")),
    ],
)
def test_parse_header(content: str, expected: tuple) -> None:
    assert parse_text_record(content) == expected


def test_cp1252_fallback(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(b"date 2024-01-01 200\ncaf\xe9 \x93quoted\x94")
    row = read_one(path)
    assert row["text"] == "café “quoted”"
    assert row["charset"] == "cp1252"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    row = read_one(path)
    assert row["text"] == "" and row["reason"] is None


def test_a_file_over_the_limit_is_a_too_large_row_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crawlsift.io import text_records

    path = tmp_path / "huge.txt"
    path.write_bytes(b"date 2025-06-02 200\n" + b"A line of text.\n" * 5000)
    reads: list[int] = []

    class Counted:  # the file as the reader opens it, counting what it takes out
        def __init__(self, *args: object) -> None:
            self.fh = open(*args)  # noqa: SIM115 - closed by __exit__

        def __enter__(self) -> Counted:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def read(self, n: int = -1) -> bytes:
            data = self.fh.read(n)
            reads.append(len(data))
            return data

        def __getattr__(self, name: str) -> object:
            return getattr(self.fh, name)

    monkeypatch.setattr(text_records, "open", Counted, raising=False)
    [task] = discover([str(path)])
    [table] = list(read_task(task, max_record_bytes=1000))
    [row] = table.to_pylist()
    assert reads and max(reads) <= text_records.HEAD_BYTES  # only the header was read
    assert row["reason"] == "too_large" and row["stage"] == "read"
    assert row["record_bytes"] == path.stat().st_size
    assert row["text"] is None and row["id"] == "huge.txt"
    assert (row["date"], row["http_status"]) == ("2025-06-02", 200)  # its header, kept


def test_a_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "edge.txt"
    path.write_bytes(b"x" * 1000)
    [task] = discover([str(path)])
    [row] = [r for t in read_task(task, max_record_bytes=1000) for r in t.to_pylist()]
    assert row["reason"] is None and row["text"] == "x" * 1000 and row["record_bytes"] is None
