"""File names that are not valid UTF-8 (bytes a Linux file name may hold) are read like any
other: the ``source`` column holds the name with each undecodable byte as U+FFFD."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawlsift import schema as S
from crawlsift.io import discover, read_task
from tests.io.test_warc import response, write_warc

#: a Latin-1 "é": one byte that is no UTF-8
LATIN1_NAME = b"caf\xe9"


def odd_path(directory: Path, ending: str) -> str:
    """A path whose file name holds a byte that is not UTF-8, as Python spells it."""
    return os.fsdecode(os.fsencode(directory) + b"/" + LATIN1_NAME + ending.encode())


def write_input(path: str, ending: str) -> None:
    text = "A short page about the harbour."
    if ending == ".parquet":
        with open(path, "wb") as fh:
            pq.write_table(pa.table({"text": [text, text]}), fh)
    elif ending == ".jsonl.gz":
        with open(path, "wb") as fh:
            fh.write(gzip.compress(f"{json.dumps({'text': text})}\n".encode() * 2))
    elif ending == ".txt":
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        records = [response(n, f"<html><p>{text}</p></html>".encode(), "text/html") for n in (1, 2)]
        write_warc(Path(path), records)


ENDINGS = [".parquet", ".warc.gz", ".warc", ".jsonl.gz", ".txt"]


@pytest.mark.parametrize("ending", ENDINGS)
def test_a_name_that_is_not_utf8_is_read(tmp_path: Path, ending: str) -> None:
    path = odd_path(tmp_path, ending)
    write_input(path, ending)
    [task] = discover([str(tmp_path)])
    assert task.path == path
    rows = [row for table in read_task(task) for row in table.to_pylist()]
    assert rows and all(r[S.REASON] is None for r in rows)
    assert {r[S.SOURCE] for r in rows} == {f"{tmp_path}/caf\ufffd{ending}"}
