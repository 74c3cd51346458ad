"""The per-record time limit: a record that runs too long inside C code is rejected as
parse_timeout, its worker restarted, and nothing else is lost or duplicated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import crawlsift
from crawlsift import reasons, watchdog
from crawlsift import schema as S
from crawlsift.errors import InputError
from crawlsift.extract.html_text import ExtractOptions
from crawlsift.io.writers import read_output
from tests.io.test_warc import response, write_warc

ARTICLE = (
    b"<html><body><article><h1>Harbour works</h1><p>The harbour authority confirmed on "
    b"Monday that the old ferry terminal will be rebuilt, with work starting in spring.</p>"
    b"<p>The first sailings are expected the following summer, the authority said.</p>"
    b"</article></body></html>"
)


def _deep(levels: int) -> bytes:
    return b"<html><body>" + b"<div>" * levels + b"<p>deep</p>" + b"</div>" * levels + b"</body>"


def test_a_slow_record_is_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    # With the depth guard lifted, resiliparse's main-content scoring of 20,000 nested
    # divs takes about 12 s: far past a 1 s limit.
    records = [response(n, ARTICLE, "text/html") for n in range(3)]
    records.insert(1, response(9, _deep(20_000), "text/html"))
    path = write_warc(tmp_path / "in.warc.gz", records)
    slow = crawlsift.make_pipeline(extract=ExtractOptions(max_depth=10**6))
    out = tmp_path / "out"
    summary = crawlsift.clean(
        [str(path)], str(out), pipeline=slow, workers=1, record_timeout=1.0, batch_size=2
    )
    rejected = read_output(str(out / "rejected")).to_pylist()
    assert [(r[S.URL], r[S.REASON], r[S.STAGE]) for r in rejected] == [
        ("https://example.org/9", reasons.PARSE_TIMEOUT, "extract")
    ]
    kept = read_output(str(out / "kept"))
    assert sorted(kept.column(S.URL).to_pylist()) == [f"https://example.org/{n}" for n in range(3)]
    assert summary.stats.records_in == 4
    assert summary.stats.to_dict()["rejected_by_reason"] == {reasons.PARSE_TIMEOUT: 1}
    [log] = (out / "_timeouts").glob("*.jsonl")
    assert [json.loads(line)["source_index"] for line in log.read_text().splitlines()] == [1]


def test_deep_html_is_fast_and_keeps_its_text(tmp_path: Path) -> None:
    records = [response(1, _deep(100_000), "text/html"), response(2, ARTICLE, "text/html")]
    path = write_warc(tmp_path / "in.warc", records)
    out = tmp_path / "out"
    crawlsift.clean([str(path)], str(out), workers=1, record_timeout=20.0)
    rows = {r[S.URL]: r for r in read_output(str(out / "kept")).to_pylist()}
    rows.update({r[S.URL]: r for r in read_output(str(out / "rejected")).to_pylist()})
    deep, article = rows["https://example.org/1"], rows["https://example.org/2"]
    assert deep[S.EXTRACT_NOTE] == "dom_too_deep" and deep[S.TEXT] == "deep"
    assert article[S.EXTRACT_NOTE] is None and article[S.KEEP]
    assert not (out / "_timeouts").exists() or not list((out / "_timeouts").iterdir())


def test_record_timeout_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="record_timeout"):
        crawlsift.clean([], str(tmp_path / "o"), record_timeout=0)


def test_watchdog_is_inert_without_an_engine() -> None:
    assert not watchdog.timed_out(0)
    with watchdog.watch(0):
        pass
    assert crawlsift.clean_html(ARTICLE).text.startswith("The harbour authority")
