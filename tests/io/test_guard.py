"""The guard stage rejects binary and oversized records before parsing, keeping them."""

from __future__ import annotations

import json

import crawlsift
from crawlsift import schema as S
from crawlsift.io.guard import GuardOptions, guard
from crawlsift.io.writers import read_output

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def test_nul_bytes_in_text_are_binary():
    result = crawlsift.clean_text("JFIF\x00\x00\x01 some bytes that are not text at all")
    assert result.rejected and result.reason == "binary"
    assert result.text.startswith("JFIF")  # kept for the rejected output, not lost


def test_control_characters_beyond_the_share_are_binary():
    assert crawlsift.clean_text("ab\x01\x02cd\x03" * 50).reason == "binary"


def test_text_with_tabs_and_newlines_is_not_binary():
    text = "A column\tof values\nand a second line of ordinary prose for the reader."
    assert crawlsift.clean_text(text).reason != "binary"


def test_image_served_as_html_is_binary():
    assert crawlsift.clean_html(PNG).reason == "binary"


def test_limit_is_configurable():
    pipeline = crawlsift.Pipeline(options={"guard": GuardOptions(max_record_bytes=100)})
    result = crawlsift.clean_text("word " * 100, pipeline=pipeline)
    assert result.reason == "too_large"


def test_a_too_large_row_says_its_size():
    table = S.input_table(id=["big", "small"], text=["word " * 100, "word"], source_index=[0, 1])
    out = guard(table, opts=GuardOptions(max_record_bytes=100))
    assert out.column(S.REASON).to_pylist() == ["too_large", None]
    assert out.column(S.RECORD_BYTES).to_pylist() == [500, None]
    assert out.column(S.TEXT).to_pylist()[0] == "word " * 100  # kept, not lost


def test_the_guard_limit_reaches_the_readers(tmp_path):
    """A .txt file and a WARC record over the limit are rejected unread (stage "read"); a
    JSONL text, parsed with its line, by the guard, which keeps it. Each says its size."""
    from tests.io.test_warc import response, write_warc

    big = "A line of ordinary text for the record.\n" * 200  # 8,000 bytes
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.txt").write_text(big)
    write_warc(tmp_path / "in" / "page.warc", [response(1, big.encode(), "text/html")])
    (tmp_path / "in" / "page.jsonl").write_text(json.dumps({"id": "j", "text": big}) + "\n")
    pipeline = crawlsift.make_pipeline(guard=GuardOptions(max_record_bytes=4000))
    summary = crawlsift.clean([str(tmp_path / "in")], str(tmp_path / "out"), pipeline=pipeline)
    assert summary.stats.rejected_by_reason == {"too_large": 3}
    rows = read_output(str(tmp_path / "out" / "rejected")).to_pylist()
    by_format = {r[S.SOURCE_FORMAT]: r for r in rows}
    assert {f: r[S.STAGE] for f, r in by_format.items()} == {
        "text": "read",
        "warc": "read",
        "jsonl": "guard",
    }
    assert {f: r[S.RECORD_BYTES] for f, r in by_format.items()} == {
        "text": 8000,
        "warc": 8000,
        "jsonl": 8000,
    }
    assert by_format["jsonl"][S.TEXT] == big and by_format["text"][S.TEXT] is None


def test_fifty_megabyte_record_is_rejected_and_the_run_goes_on(tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("w") as f:
        f.write(json.dumps({"id": "huge", "text": "lorem ipsum dolor " * 2_900_000}) + "\n")
        f.write(json.dumps({"id": "small", "text": "A short but real record.\n" * 3}) + "\n")
    summary = crawlsift.clean([str(path)], str(tmp_path / "out"), workers=1)
    assert summary.stats.rejected_by_reason["too_large"] == 1
    rejected = read_output(str(tmp_path / "out" / "rejected"))
    assert rejected.column(S.ID).to_pylist() == ["huge"]
    assert rejected.column(S.STAGE).to_pylist() == ["guard"]
    assert summary.stats.kept == 1
