"""What dedup reads: input without text is refused, rows rejected before pass through."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawlsift.dedup import dedup
from crawlsift.errors import InputError
from tests.dedup.conftest import decisions, outputs
from tests.io.test_warc import response, write_warc

PAGE = b"<html><body><article><p>%d: the river rose overnight and the bridge closed.</p>"


def test_a_raw_warc_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    records = [response(n, PAGE % n + b"</article></body></html>", "text/html") for n in range(5)]
    warc = write_warc(tmp_path / "crawl.warc.gz", records)
    with pytest.raises(InputError, match=r"crawl\.warc\.gz: .*run `crawlsift clean` on it first"):
        dedup(str(warc), str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_records_without_text_are_refused(tmp_path: Path) -> None:
    html_only = pa.table(
        {
            "id": [f"r{i}" for i in range(300)],
            "text": pa.nulls(300, pa.string()),
            "html": [PAGE % i for i in range(300)],
        }
    )
    pq.write_table(html_only, tmp_path / "html.parquet")
    with pytest.raises(InputError, match=r"HTML but no text; run `crawlsift clean`"):
        dedup(str(tmp_path / "html.parquet"), str(tmp_path / "o1"))
    no_text = pa.table({"id": ["a"], "html": [b"<p>hello</p>"]})
    pq.write_table(no_text, tmp_path / "no-text.parquet")
    with pytest.raises(InputError, match=r"no 'text' column; run `crawlsift clean`"):
        dedup(str(tmp_path / "no-text.parquet"), str(tmp_path / "o2"))
    assert not (tmp_path / "o2").exists()
    (tmp_path / "html.jsonl").write_text(json.dumps({"id": "j", "html": "<p>hi</p>"}) + "\n")
    with pytest.raises(InputError, match=r"html\.jsonl: no record has a 'text' field; run `cr"):
        dedup(str(tmp_path / "html.jsonl"), str(tmp_path / "o3"))
    for out in ("o1", "o3"):  # refused while reading: no half-made output is left
        assert not (tmp_path / out).exists()


def test_rows_without_words_and_rows_rejected_before_are_never_kept(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "good", "text": "the river rose overnight and the bridge closed"}),
        "{not json",
        json.dumps({"id": "no-text", "url": "https://a.example/"}),
        json.dumps({"id": "blank", "text": "  \n "}),
        json.dumps({"id": "dashes", "text": "— … —"}),
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    summary = dedup(str(tmp_path / "in.jsonl"), str(tmp_path / "out"))
    got = decisions(tmp_path / "out")
    assert len(got) == 5  # kept + rejected = input
    assert got["good"][0] == "kept"
    assert got["in.jsonl#1"][:3] == ("bad_json", None, "read")  # the reader's reason stays
    assert got["no-text"][:3] == ("missing_text", None, "read")
    assert got["blank"] == ("dedup_empty_text", None, "dedup", "  \n ")
    assert got["dashes"][:3] == ("dedup_empty_text", None, "dedup")
    assert (summary.kept, summary.empty_text, summary.rejected_before) == (1, 2, 2)
    kept, _ = outputs(tmp_path / "out")
    assert kept.column("id").to_pylist() == ["good"]
