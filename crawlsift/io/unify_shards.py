"""Rewriting shard files to one schema, and the JSON form of a row.

A shard writer starts a new temporary part when a table brings a field or a type its
part's schema lacks; at commit its parts are rewritten into one file of the unified
schema. At the end of a run, every committed shard whose schema differs from the run's
unified one is rewritten the same way (see :mod:`crawlsift.io.passthrough` for the rules).
Parquet parts are conformed as Arrow tables; JSONL parts value by value, since a line's
JSON holds no types: a value of a field whose type became text is written as its text, a
missing field as null.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from crawlsift.io.passthrough import as_text, conform

#: rows per Parquet row group (and per JSONL write) of every shard
ROW_GROUP_ROWS = 2000


def json_default(value: Any) -> Any:
    """JSON for the Python values Arrow gives that ``json`` cannot write."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, (dt.timedelta, decimal.Decimal)):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_lines(table: pa.Table) -> Iterator[bytes]:
    """The rows of a table as UTF-8 JSON lines, a record batch at a time."""
    for batch in table.to_batches(max_chunksize=ROW_GROUP_ROWS):
        lines = [
            json.dumps(row, ensure_ascii=False, default=json_default) + "\n"
            for row in batch.to_pylist()
        ]
        yield "".join(lines).encode("utf-8")


def schema_to_text(schema: pa.Schema) -> str:
    """A schema as ASCII text (for JSON manifests)."""
    return base64.b64encode(schema.serialize().to_pybytes()).decode("ascii")


def schema_from_text(text: str) -> pa.Schema:
    """Inverse of :func:`schema_to_text`."""
    return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(text)))


def _is_text(type_: pa.DataType) -> bool:
    return pa.types.is_string(type_) or pa.types.is_large_string(type_)


def _jsonl_rows(path: str, old: pa.Schema, new: pa.Schema) -> Iterator[dict[str, Any]]:
    """The rows of a JSONL part of schema ``old``, as rows of schema ``new``."""
    as_text_now = {
        f.name
        for f in new
        if _is_text(f.type) and f.name in old.names and not _is_text(old.field(f.name).type)
    }
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            yield {
                name: as_text(row.get(name)) if name in as_text_now else row.get(name)
                for name in new.names
            }


def _write_jsonl_rows(rows: Iterator[dict[str, Any]], fh: IO[bytes]) -> None:
    chunk: list[str] = []
    for row in rows:
        chunk.append(json.dumps(row, ensure_ascii=False, default=json_default) + "\n")
        if len(chunk) >= ROW_GROUP_ROWS:
            fh.write("".join(chunk).encode("utf-8"))
            chunk = []
    fh.write("".join(chunk).encode("utf-8"))


def write_parts(parts: Sequence[tuple[str, pa.Schema]], schema: pa.Schema, dest: str) -> None:
    """Write the rows of ``parts`` (files with their schemas, in order) to ``dest`` with
    ``schema``, in the format of ``dest``'s extension; ``dest`` is fsynced."""
    with open(dest, "wb") as fh:
        if dest.endswith(".jsonl"):
            for path, old in parts:
                _write_jsonl_rows(_jsonl_rows(path, old, schema), fh)
        else:
            with pq.ParquetWriter(fh, schema, compression="zstd") as writer:
                for path, _ in parts:
                    pf = pq.ParquetFile(path)
                    for batch in pf.iter_batches(batch_size=ROW_GROUP_ROWS):
                        writer.write_table(
                            conform(pa.Table.from_batches([batch]), schema),
                            row_group_size=ROW_GROUP_ROWS,
                        )
                    pf.close()
        fh.flush()
        os.fsync(fh.fileno())


def rewrite(path: Path, old: pa.Schema, schema: pa.Schema) -> None:
    """Replace a committed shard by the same rows with ``schema`` (atomic)."""
    tmp = path.with_name(f".tmp-{path.name}")
    write_parts([(str(path), old)], schema, str(tmp))
    os.replace(tmp, path)
