"""Batches bounded by payload bytes as well as rows, in every reader.

Whatever the records' sizes, a batch holds at most ``batch_size`` rows and at most
``batch_bytes`` of payload (HTML bytes, or text in UTF-8) unless it is a single record;
a batch is closed only when the next record would not fit; and the rows read are the
same, in the same order, for any limits.
"""

from __future__ import annotations

import gzip
import itertools
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift import schema as S
from crawlsift.errors import InputError
from crawlsift.io import discover, read_task
from crawlsift.io._rows import BATCH_BYTES
from tests.io.test_reader_properties import _arc
from tests.io.test_warc import request, response


def _html(n: int, size: int) -> bytes:
    head = f"<html><body><p>Page {n}</p>".encode()
    return head + b"x" * max(size - len(head), 0)


def _text(n: int, size: int) -> str:
    # two-byte characters in every other record: sizes are UTF-8 bytes, not characters
    head = f"Record {n}. "
    return head + ("é" * ((size - len(head)) // 2) if n % 2 else "x" * (size - len(head)))


def write_jsonl(path: Path, sizes: list[int]) -> None:
    path.write_text("".join(json.dumps({"text": _text(n, s)}) + "\n" for n, s in enumerate(sizes)))


def write_parquet(path: Path, sizes: list[int]) -> None:
    table = pa.table({"text": pa.array([_text(n, s) for n, s in enumerate(sizes)], pa.string())})
    pq.write_table(table, path, row_group_size=7)


def write_warc(path: Path, sizes: list[int]) -> None:
    records = []
    for n, size in enumerate(sizes):
        records.append(request(2 * n))  # not a document: rides on the next row
        records.append(response(2 * n + 1, _html(n, size), "text/html"))
    path.write_bytes(b"".join(gzip.compress(r) for r in records))


def write_arc(path: Path, sizes: list[int]) -> None:
    path.write_bytes(_arc([("text/html", _html(n, s)) for n, s in enumerate(sizes)]))


WRITERS: dict[str, tuple[str, Callable[[Path, list[int]], None]]] = {
    "jsonl": ("in.jsonl", write_jsonl),
    "parquet": ("in.parquet", write_parquet),
    "warc": ("in.warc.gz", write_warc),
    "arc": ("in.arc", write_arc),
}


def payloads(table: pa.Table) -> list[int]:
    """Bytes of each row's payload, as the readers count them."""
    html = table.column(S.HTML).to_pylist()
    text = table.column(S.TEXT).to_pylist()
    return [
        len(h) if h is not None else len(t.encode()) if t is not None else 0
        for h, t in zip(html, text, strict=True)
    ]


def read(path: Path, **limits: int) -> list[pa.Table]:
    [task] = discover([str(path)])
    return list(read_task(task, **limits))


@settings(max_examples=25, deadline=None, database=None)
@given(
    st.sampled_from(sorted(WRITERS)),
    st.lists(st.integers(min_value=20, max_value=3000), min_size=1, max_size=24),
    st.integers(min_value=1, max_value=6000),
    st.integers(min_value=1, max_value=9),
)
def test_batches_close_at_rows_or_bytes(
    fmt: str, sizes: list[int], batch_bytes: int, batch_size: int
) -> None:
    name, write = WRITERS[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        write(path, sizes)
        tables = read(path, batch_size=batch_size, batch_bytes=batch_bytes)
        whole = read(path, batch_size=10_000, batch_bytes=2**40)
    rows = [r for t in tables for r in t.to_pylist()]
    assert rows == [r for t in whole for r in t.to_pylist()]
    assert len(rows) == len(sizes)
    held = [payloads(t) for t in tables]
    for batch in held:
        assert 1 <= len(batch) <= batch_size
        assert sum(batch) <= batch_bytes or len(batch) == 1
    if fmt != "parquet":  # Parquet batches never span the slices it reads at a time
        for batch, after in itertools.pairwise(held):
            assert len(batch) == batch_size or sum(batch) + after[0] > batch_bytes


def test_large_records_are_batches_of_their_own_by_default(tmp_path: Path) -> None:
    """At the default limits, records of more than half the batch bytes come one a batch,
    whatever the row limit."""
    size = BATCH_BYTES // 2 + 1
    path = tmp_path / "big.warc.gz"
    write_warc(path, [size, 300, size, size])
    [task] = discover([str(path)])
    tables = list(read_task(task, batch_size=1000))
    assert [t.num_rows for t in tables] == [2, 1, 1]
    assert [sum(payloads(t)) for t in tables] == [size + 300, size, size]


def test_a_text_file_larger_than_the_batch_bytes_is_one_batch(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text("A line of text.\n" * 100)
    [table] = read(path, batch_bytes=10)
    assert table.num_rows == 1 and len(table.column(S.TEXT)[0].as_py()) == 1600


@pytest.mark.parametrize("limits", [{"batch_bytes": 0}, {"batch_size": 0}])
def test_limits_below_one_are_input_errors(tmp_path: Path, limits: dict[str, int]) -> None:
    path = tmp_path / "a.jsonl"
    write_jsonl(path, [100])
    with pytest.raises(InputError, match=next(iter(limits))):
        read(path, **limits)
