"""One WARC file of hostile records through `crawlsift clean`: the run finishes, every
record is kept or rejected with its reason, and the summary counts each reason."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawlsift import schema as S
from crawlsift.cli import main
from crawlsift.io.writers import read_output
from tests.io.test_discover import hostile_tree
from tests.io.test_file_names import ENDINGS, odd_path, write_input
from tests.io.test_parquet import damaged_file
from tests.io.test_warc import response, write_warc

ARTICLE = (
    "<html><body><article><p>The harbour authority confirmed on Monday that the old "
    "ferry terminal will be rebuilt, with work starting in spring.</p><p>The first "
    "sailings are expected the following summer, the authority said.</p></article></body></html>"
)


def test_hostile_records_are_each_accounted_for(tmp_path: Path) -> None:
    deep = "<html><body>" + "<div>" * 100_000 + "<p>Deep text.</p>" + "</div>" * 100_000
    cases = {
        "article": (ARTICLE.encode(), {}),
        "latin1_declared_utf8": (ARTICLE.replace("old", "öld").encode("latin-1"), {}),
        "nul_bytes_as_html": (b"\x00\x01\x02PK\x03\x04" + bytes(range(256)) * 4, {}),
        "empty": (b"", {}),
        "fifty_megabytes": (b"<html><body><p>" + b"word " * 10_000_000 + b"</p></body></html>", {}),
        "deep_nesting": (deep.encode(), {}),
        "gzip_bomb": (
            gzip.compress(b" " * (65 << 20), compresslevel=9),
            {"Content_Encoding": "gzip"},
        ),
    }
    records = [
        response(n, body, "text/html; charset=utf-8", **extra)
        for n, (body, extra) in enumerate(cases.values())
    ]
    path = write_warc(tmp_path / "hostile.warc", records)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    rows = (
        read_output(str(out / "kept")).to_pylist() + read_output(str(out / "rejected")).to_pylist()
    )
    by_name = {list(cases)[int(r[S.URL].rsplit("/", 1)[1])]: r for r in rows}
    assert sorted(by_name) == sorted(cases)  # every record came out exactly once
    assert len(rows) == len(cases)
    outcome = {name: r[S.REASON] for name, r in by_name.items()}
    assert outcome == {
        "article": None,
        "latin1_declared_utf8": None,
        "nul_bytes_as_html": "binary",
        "empty": "empty_text",
        "fifty_megabytes": "too_large",
        "deep_nesting": "too_short",
        "gzip_bomb": "too_large",
    }
    assert "öld ferry terminal" in by_name["latin1_declared_utf8"][S.TEXT]
    assert by_name["deep_nesting"][S.EXTRACT_NOTE] == "dom_too_deep"
    stats = json.loads((out / "stats.json").read_text())
    assert stats["records_in"] == len(cases)
    assert stats["rejected_by_reason"] == {
        "binary": 1,
        "empty_text": 1,
        "too_large": 2,
        "too_short": 1,
    }


def test_file_names_that_are_not_utf8_are_read_in_worker_processes(tmp_path: Path) -> None:
    """FastWARC panicked on such a name (a BaseException a worker cannot send back) and
    pyarrow could not encode it; every format is read, in worker processes too."""
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for ending in ENDINGS:
        write_input(odd_path(crawl, ending), ending)
    out = tmp_path / "out"
    args = ["clean", str(crawl), "-o", str(out), "--workers", "2"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    stats = json.loads((out / "stats.json").read_text())
    assert stats["failed_files"] == []
    assert stats["records_in"] == 2 * len(ENDINGS) - 1  # a .txt file is one record
    rows = [r for kind in ("kept", "rejected") for r in read_output(str(out / kind)).to_pylist()]
    sources = {r[S.SOURCE] for r in rows}
    assert sources == {f"{crawl}/caf\ufffd{ending}" for ending in ENDINGS}


def test_a_damaged_parquet_row_group_is_counted_record_by_record(tmp_path: Path) -> None:
    path = damaged_file(tmp_path / "ten-groups.parquet", "text")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    stats = json.loads((out / "stats.json").read_text())
    assert stats["records_in"] == stats["kept"] + stats["rejected"] == 20_000
    assert stats["rejected_by_reason"]["corrupt_row_group"] == 2_000
    assert "corrupt_row_group" in result.output  # the summary names it with its count


def test_inputs_the_search_cannot_read_are_each_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3 readable records present, and the summary said 1 in, without a word on the rest."""
    crawl = hostile_tree(tmp_path, monkeypatch)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["clean", str(crawl), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 1, result.output  # as for any file that cannot be read
    stats = json.loads((out / "stats.json").read_text())
    assert stats["records_in"] == 2  # a.jsonl and, behind the link, b.jsonl
    assert sorted(stats["failed_files"]) == [
        f"cannot read {crawl / 'gone.jsonl'}: broken symbolic link (to {tmp_path}/missing.jsonl)",
        f"cannot read {crawl / 'locked'}: cannot list directory: Permission denied",
        f"cannot read {crawl / 'pipe.jsonl'}: a named pipe (FIFO), not a regular file",
    ]
    assert "unreadable files (3):" in result.stdout
