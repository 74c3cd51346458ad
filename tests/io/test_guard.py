"""The guard stage rejects binary and oversized records before parsing, keeping them."""

from __future__ import annotations

import json

import crawlsift
from crawlsift import schema as S
from crawlsift.io.guard import GuardOptions
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
