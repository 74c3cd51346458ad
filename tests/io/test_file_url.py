"""Local file:// URLs name the paths they stand for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import crawlsift
from crawlsift.engine.remote import is_url
from crawlsift.errors import InputError
from crawlsift.io.file_url import local_path

NAME = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"), min_size=1
).filter(lambda s: s not in (".", ".."))


@given(st.lists(NAME, min_size=1, max_size=4))
def test_as_uri_round_trips(parts: list[str]) -> None:
    path = Path("/", *parts)
    assert local_path(path.as_uri()) == str(path)


@pytest.mark.parametrize(
    ("location", "path"),
    [
        ("file:///abs/out", "/abs/out"),
        ("FILE:///abs/out/", "/abs/out/"),
        ("file://localhost/abs/out", "/abs/out"),
        ("file:/abs/out", "/abs/out"),
        ("file:///abs/a%20b/c#1", "/abs/a b/c#1"),
        ("file:///crawl/*.warc.gz", "/crawl/*.warc.gz"),
        ("out/", "out/"),  # not URLs: unchanged
        ("file:out", "file:out"),
        ("s3://bucket/out", "s3://bucket/out"),
        (Path("/abs/out"), "/abs/out"),
    ],
)
def test_local_path(location: str, path: str) -> None:
    assert local_path(location) == path


@pytest.mark.parametrize("location", ["file://server/share/out", "file://"])
def test_file_urls_not_on_this_machine_or_without_a_path_are_input_errors(location: str) -> None:
    with pytest.raises(InputError, match="file URL"):
        local_path(location)


def test_a_file_url_is_a_local_output_not_an_fsspec_one() -> None:
    assert not is_url("file:///abs/out") and not is_url("FILE:///abs/out")
    assert is_url("s3://bucket/out") and is_url("memory://x")


def test_the_library_takes_file_urls_for_inputs_and_outputs(tmp_path: Path, seed_text: str) -> None:
    src = tmp_path / "pages.jsonl"
    src.write_text("".join(json.dumps({"id": f"p{i}", "text": seed_text}) + "\n" for i in range(2)))
    out, deduped = tmp_path / "out", tmp_path / "deduped"
    summary = crawlsift.clean(src.as_uri(), out.as_uri(), workers=1)
    assert summary.output == str(out) and (out / "stats.json").exists()
    dedup = crawlsift.dedup(out.as_uri(), deduped.as_uri(), workers=1)
    assert dedup.kept == 1 and (deduped / "stats.json").exists()
