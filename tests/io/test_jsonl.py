"""JSONL input: plain/gz/zst, pass-through fields, bad lines, truncation, batching."""

from __future__ import annotations

import gzip
import json
import random
import tempfile
import zlib
from pathlib import Path

import pyarrow as pa
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift import schema
from crawlsift.errors import UnreadableFileError
from crawlsift.io import discover, read_task

RECORDS = [
    {"id": "doc-1", "url": "https://a.example/", "text": "First page.", "lang": "en", "score": 0.5},
    {"text": "Second page.", "http_status": 200, "meta": {"tags": ["x", "y"], "n": 1}},
    {"id": 3, "text": "Third page.", "date": "2024-05-18", "lang": "de", "score": 1},
]


def write(path: Path, lines: list[str]) -> Path:
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def read_all(path: Path, batch_size: int = 1000) -> tuple[list[pa.Table], list[dict]]:
    [task] = discover([str(path)])
    tables = list(read_task(task, batch_size=batch_size))
    return tables, [row for t in tables for row in t.to_pylist()]


@pytest.mark.parametrize("name", ["in.jsonl", "in.jsonl.gz", "in.jsonl.zst"])
def test_records_and_pass_through(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, [json.dumps(r) for r in RECORDS])
    [table], rows = read_all(path)
    n = len(schema.INPUT_COLUMNS)
    assert table.schema.names[:n] == list(schema.INPUT_COLUMNS)
    assert table.schema.names[n:] == ["lang", "score", "meta"]
    assert table.schema.field("score").type == pa.float64()
    assert pa.types.is_struct(table.schema.field("meta").type)
    assert [r["id"] for r in rows] == ["doc-1", f"{name}#1", "3"]
    assert [r["text"] for r in rows] == ["First page.", "Second page.", "Third page."]
    assert [r["lang"] for r in rows] == ["en", None, "de"]
    assert rows[1]["meta"] == {"tags": ["x", "y"], "n": 1}
    assert rows[1]["http_status"] == 200 and rows[0]["http_status"] is None
    assert rows[0]["url"] == "https://a.example/" and rows[2]["date"] == "2024-05-18"
    assert [r["source_index"] for r in rows] == [0, 1, 2]
    assert {r["source_format"] for r in rows} == {"jsonl"}
    assert {r["source"] for r in rows} == {str(path)}
    assert all(r["reason"] is None and r["stage"] is None for r in rows)


def test_bad_lines_become_rows(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "ok", "url": "u0"}),
        "{not json",
        "",
        "   ",
        json.dumps({"url": "u3", "lang": "fr"}),
        json.dumps({"text": 42, "id": "num"}),
        json.dumps(["a", "list"]),
        json.dumps({"text": "last"}),
    ]
    _, rows = read_all(write(tmp_path / "bad.jsonl", lines))
    assert len(rows) == 6  # two blank lines are not records
    assert [r["reason"] for r in rows] == [
        None,
        "bad_json",
        "missing_text",
        "missing_text",
        "bad_json",
        None,
    ]
    assert [r["stage"] for r in rows] == [None, "read", "read", "read", "read", None]
    assert rows[2]["url"] == "u3" and rows[2]["lang"] == "fr" and rows[2]["text"] is None
    assert rows[3]["id"] == "num"
    assert rows[1]["id"] == "bad.jsonl#1"
    assert [r["source_index"] for r in rows] == list(range(6))


def test_batch_size_is_respected(tmp_path: Path) -> None:
    path = write(tmp_path / "many.jsonl.gz", [json.dumps({"text": f"t{i}"}) for i in range(25)])
    tables, rows = read_all(path, batch_size=10)
    assert [t.num_rows for t in tables] == [10, 10, 5]
    assert [r["source_index"] for r in rows] == list(range(25))
    assert [r["text"] for r in rows] == [f"t{i}" for i in range(25)]


def test_pass_through_types_may_differ_between_batches(tmp_path: Path) -> None:
    lines = [json.dumps({"text": "a", "x": None}), json.dumps({"text": "b", "x": "s"})]
    tables, _ = read_all(write(tmp_path / "drift.jsonl", lines), batch_size=1)
    assert [t.schema.field("x").type for t in tables] == [pa.null(), pa.string()]


def test_mixed_types_fall_back_to_text(tmp_path: Path) -> None:
    values = [1, "one", {"a": 1}, True, None]
    lines = [json.dumps({"text": "a", "x": v}) for v in values]
    [table], rows = read_all(write(tmp_path / "mixed.jsonl", lines))
    assert table.schema.field("x").type == pa.string()
    assert [r["x"] for r in rows] == ["1", "one", '{"a": 1}', "true", None]


def test_fields_named_like_crawlsift_columns_are_renamed(tmp_path: Path) -> None:
    record = {"text": "t", "source": "elsewhere", "reason": "old", "keep": 7, "given_keep": 8}
    [table], [row] = read_all(write(tmp_path / "own.jsonl", [json.dumps(record)]))
    assert row["source"] == str(tmp_path / "own.jsonl")
    assert row["reason"] is None
    assert (row["given_source"], row["given_reason"]) == ("elsewhere", "old")
    assert (row["given_keep"], row["given_given_keep"]) == (7, 8)
    assert "keep" not in table.column_names
    assert table.schema.names.count("source") == 1


def test_page_metadata_is_given(tmp_path: Path) -> None:
    record = {"text": "t", "title": 12, "author": "A. B.", "published": "2024-01-02"}
    [table], [row] = read_all(write(tmp_path / "meta.jsonl", [json.dumps(record)]))
    assert (row["title"], row["author"], row["published"]) == ("12", "A. B.", "2024-01-02")
    assert table.schema.field("title").type == pa.string()


@pytest.mark.parametrize("name", ["cut.jsonl.gz", "cut.jsonl.zst"])
def test_truncated_compressed_file(tmp_path: Path, name: str) -> None:
    lines = [json.dumps({"text": f"record {i} " + "x" * 200}) for i in range(2000)]
    path = write(tmp_path / name, lines)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _, rows = read_all(path)
    assert 0 < len(rows) < 2000
    assert rows[-1]["reason"] == "truncated_file" and rows[-1]["text"] is None
    assert all(r["reason"] is None for r in rows[:-1])
    assert [r["text"] for r in rows[:-1]] == [json.loads(x)["text"] for x in lines[: len(rows) - 1]]


def test_multi_frame_zstd(tmp_path: Path) -> None:
    c = zstandard.ZstdCompressor()
    frames = [c.compress(f'{{"text": "frame {i}"}}\n'.encode()) for i in range(3)]
    path = tmp_path / "frames.jsonl.zst"
    path.write_bytes(b"".join(frames))
    _, rows = read_all(path)
    assert [r["text"] for r in rows] == ["frame 0", "frame 1", "frame 2"]


def test_not_gzip_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "fake.jsonl.gz"
    path.write_text('{"text": "plain"}\n')
    with pytest.raises(UnreadableFileError, match=r"fake\.jsonl\.gz"):
        read_all(path)


def test_lone_surrogate_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "a\\ud800b"}\n{"text": "ok\\r"}')
    _, rows = read_all(path)
    assert [r["text"] for r in rows] == ["a\ufffdb", "ok\r"]


def test_invalid_utf8_line_is_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "bytes.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n{"text": "fine"}\n')
    _, rows = read_all(path)
    assert [r["reason"] for r in rows] == ["bad_json", None]


LINE = st.one_of(
    st.fixed_dictionaries({"text": st.text()}).map(json.dumps),
    st.dictionaries(st.sampled_from(["text", "id", "url", "x"]), st.integers() | st.text()).map(
        json.dumps
    ),
    st.text(alphabet=st.characters(exclude_characters="\n")),
    st.sampled_from(["", "  ", "\t", "\r", "{", "null", "[]", '"text"']),
)


@settings(max_examples=75, deadline=None, database=None)
@given(st.lists(LINE, max_size=30), st.integers(min_value=1, max_value=7))
def test_every_non_blank_line_is_one_row(lines: list[str], batch_size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "prop.jsonl"
        raw = "\n".join(lines).encode("utf-8", "surrogatepass")
        path.write_bytes(raw)
        tables, rows = read_all(path, batch_size=batch_size)
        expected = [line for line in raw.split(b"\n") if line.strip()]
        assert len(rows) == len(expected)
        assert all(t.num_rows <= batch_size for t in tables)
        assert [r["source_index"] for r in rows] == list(range(len(rows)))
        assert all((r["text"] is None) == (r["reason"] is not None) for r in rows)


def test_gzip_bomb_line_is_a_too_large_row_not_a_memory_blowup(tmp_path: Path, monkeypatch) -> None:
    from crawlsift.io import jsonl

    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 1 << 20)
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wb") as f:
        f.write(b'{"id": "ok1", "text": "fine"}\n')
        f.write(b'{"id": "bomb", "text": "' + b"a" * (8 << 20) + b'"}\n')  # 8 MiB, ~8 KiB gz
        f.write(b'{"id": "ok2", "text": "also fine"}\n')
    assert path.stat().st_size < 100_000
    (task,) = discover([str(path)])
    rows = [r for t in read_task(task) for r in t.to_pylist()]
    assert [r["reason"] for r in rows] == [None, "too_large", None]
    assert [r["id"] for r in rows] == ["ok1", "bomb.jsonl.gz#1", "ok2"]  # position-based id
    assert rows[1]["stage"] == "read"


def _records(n: int) -> list[str]:
    rng = random.Random(5)
    words = ["harbour", "ferry", "terminal", "spring", "sailing", "summer", "bridge", "tide"]
    return [
        json.dumps({"id": f"r{i}", "text": " ".join(rng.choices(words, k=60))}) for i in range(n)
    ]


def _recovered_lines(data: bytes) -> list[bytes]:
    """The whole, non-blank lines zlib recovers from damaged gzip data, fed byte by byte
    (damaged deflate data may decode to garbage for a while before zlib notices)."""
    dobj, out = zlib.decompressobj(31), []
    try:
        for i in range(len(data)):
            out.append(dobj.decompress(data[i : i + 1]))
    except zlib.error:
        pass
    return [line for line in b"".join(out).split(b"\n")[:-1] if line.strip()]


def _damage(kind: str, data: bytes) -> bytes:
    if kind == "trailing garbage":
        return data + b"GARBAGE!"  # 8 bytes after the last member
    if kind == "cut at 90%":
        return data[: len(data) * 9 // 10]
    middle = len(data) * 6 // 10
    return data[:middle] + bytes(range(200, 232)) + data[middle + 32 :]  # "damaged at 60%"


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("trailing garbage", "corrupt_file"),
        ("cut at 90%", "truncated_file"),
        ("damaged at 60%", "corrupt_file"),
    ],
)
def test_gzip_records_before_the_damage_are_kept(tmp_path: Path, kind: str, reason: str) -> None:
    """GzipFile lost what its buffer held: the last 35 records before 8 bytes of trailing
    garbage, 13 records of a file cut at 90% that zlib recovers."""
    lines = _records(3000)
    path = write(tmp_path / "damaged.jsonl.gz", lines)
    damaged = _damage(kind, path.read_bytes())
    path.write_bytes(damaged)
    recovered = _recovered_lines(damaged)
    assert recovered[: len(lines) // 2] == [line.encode() for line in lines[: len(lines) // 2]]
    _, rows = read_all(path, batch_size=256)
    assert len(rows) == len(recovered) + 1  # a row per line zlib recovers, and the damage
    for row, line in zip(rows, recovered, strict=False):
        try:  # damaged data may decode to garbage before zlib notices: rows as it parses
            obj = json.loads(line)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and isinstance(obj.get("text"), str):
            assert (row["text"], row["reason"]) == (obj["text"], None)
        else:
            assert row["reason"] == ("missing_text" if isinstance(obj, dict) else "bad_json")
    assert rows[-1]["reason"] == reason and rows[-1]["text"] is None


def test_gzip_members_and_zero_padding(tmp_path: Path) -> None:
    path = tmp_path / "members.jsonl.gz"
    members = [gzip.compress(f'{{"text": "member {i}"}}\n'.encode()) for i in range(3)]
    path.write_bytes(members[0] + members[1] + b"\0" * 10 + members[2] + b"\0" * 3)
    _, rows = read_all(path)
    assert [(r["text"], r["reason"]) for r in rows] == [(f"member {i}", None) for i in range(3)]
