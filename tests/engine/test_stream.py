"""processed(): the records clean --stdout and explain show, under a run's record limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import crawlsift
from crawlsift import reasons
from crawlsift import schema as S
from crawlsift.cli import main
from crawlsift.engine.stream import processed
from crawlsift.errors import CrawlsiftError
from crawlsift.extract.html_text import ExtractOptions
from crawlsift.io import discover
from tests.engine.test_record_timeout import ARTICLE, _deep
from tests.io.test_warc import response, write_warc


def _rows(tables) -> list[dict]:  # type: ignore[no-untyped-def]
    return [row for table in tables for row in table.to_pylist()]


def test_a_slow_record_is_rejected_and_each_record_comes_once_in_order(tmp_path: Path) -> None:
    records = [response(n, ARTICLE, "text/html") for n in range(4)]
    records.insert(2, response(9, _deep(20_000), "text/html"))  # about 12 s to parse
    path = write_warc(tmp_path / "in.warc.gz", records)
    slow = crawlsift.make_pipeline(extract=ExtractOptions(max_depth=10**6))
    rows = _rows(processed(discover([str(path)]), slow, batch_size=2, record_timeout=1.0))
    assert [r[S.URL].rsplit("/", 1)[1] for r in rows] == ["0", "1", "9", "2", "3"]
    assert [r[S.REASON] for r in rows] == [None, None, reasons.PARSE_TIMEOUT, None, None]


def test_without_a_limit_the_stream_equals_the_pipeline(tmp_path: Path) -> None:
    rows = [
        {"id": f"r{n}", "text": f"Line {n} of a short note about the harbour."} for n in range(5)
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    pipeline = crawlsift.make_pipeline()
    free = _rows(processed(discover([str(path)]), pipeline, batch_size=2, record_timeout=None))
    limited = _rows(processed(discover([str(path)]), pipeline, batch_size=2, record_timeout=30.0))
    assert [r[S.ID] for r in free] == [r["id"] for r in rows]
    assert free == limited


def test_an_unreadable_file_raises_its_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(CrawlsiftError):
        _rows(processed(discover([str(path)]), crawlsift.make_pipeline(), record_timeout=30.0))


def test_clean_stdout_applies_max_record_mb(tmp_path: Path) -> None:
    path = tmp_path / "two.jsonl"
    rows = [
        {"id": "big", "text": "A sentence that repeats. " * 50_000},
        {"id": "small", "text": "x"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = CliRunner().invoke(main, ["clean", str(path), "--stdout", "--max-record-mb", "1"])
    assert "big rejected: too_large" in result.stderr
    assert "A sentence that repeats." not in result.stdout
