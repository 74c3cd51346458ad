"""``crawlsift clean --url-filter`` on a WARC: kept + rejected = input, rejected pages
unextracted, each reason counted; ``explain`` names the reason; bad lists are one Error line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawlsift import reasons as R
from crawlsift import schema as S
from crawlsift.cli import main
from crawlsift.io.writers import read_output
from tests.io.test_warc import record, write_warc
from tests.urlfilter.test_stage import LISTED_DOMAIN, LISTED_URL

pytest.importorskip("tldextract")
pytest.importorskip("ahocorasick")

PROSE = (
    "The harbour authority confirmed on Monday that the old ferry terminal will be rebuilt, "
    "with work starting in spring and the first sailings expected the following summer. "
)
URLS = {
    f"https://{LISTED_DOMAIN}/page": R.URL_BLOCKED_DOMAIN,
    f"http://{LISTED_URL}": R.URL_BLOCKED_URL,
    "https://news.example/blowjob": R.URL_BANNED_WORD,
    "https://news.example/sexy-nude": R.URL_SOFT_BANNED_WORDS,
    "https://news.example/xpornhubx": R.URL_BANNED_SUBWORD,
    "https://spam.example/a": R.URL_USER_BLOCKED,
    "https://news.example/ads/123": R.URL_USER_REGEX,
    "https://harbour.example/ferry": None,
    "https://www.spam.example/allowed/page": None,  # allowlisted
}


def _warc(path: Path) -> Path:
    records = []
    for n, url in enumerate(URLS):
        body = f"<html><head><title>Page {n}</title></head><body><article><p>{PROSE * 3}</p>"
        http = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{body}</article></body></html>"
        msg = "application/http; msgtype=response"
        records.append(record("response", n, http.encode(), msg, uri=url))
    return write_warc(path, records)


def _lists(tmp_path: Path) -> list[str]:
    (tmp_path / "block.txt").write_text("spam.example\n", encoding="utf-8")
    (tmp_path / "regex.txt").write_text("/ads/[0-9]+$\n", encoding="utf-8")
    (tmp_path / "allow.txt").write_text("spam.example/allowed\n", encoding="utf-8")
    return [
        "--url-filter",
        "--url-blocklist",
        str(tmp_path / "block.txt"),
        "--url-regex",
        str(tmp_path / "regex.txt"),
        "--url-allowlist",
        str(tmp_path / "allow.txt"),
    ]


def test_clean_with_url_lists_rejects_each_reason_and_loses_nothing(tmp_path: Path) -> None:
    warc = _warc(tmp_path / "crawl.warc.gz")
    out = tmp_path / "out"
    args = ["clean", str(warc), "-o", str(out), "--workers", "1", *_lists(tmp_path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    stats = json.loads((out / "stats.json").read_text())
    assert stats["records_in"] == len(URLS) == stats["kept"] + stats["rejected"]
    rejected = {r[S.URL]: r for r in read_output(str(out / "rejected")).to_pylist()}
    kept = {r[S.URL] for r in read_output(str(out / "kept")).to_pylist()}
    assert kept == {url for url, reason in URLS.items() if reason is None}
    assert {url: r[S.REASON] for url, r in rejected.items()} == {
        url: reason for url, reason in URLS.items() if reason is not None
    }
    assert all(r[S.STAGE] == "url_filter" and r[S.URL_MATCH] for r in rejected.values())
    assert all(r[S.TITLE] is None for r in rejected.values())  # never extracted
    assert rejected[f"https://{LISTED_DOMAIN}/page"][S.URL_MATCH] == LISTED_DOMAIN


def test_without_the_flag_nothing_is_judged_by_url(tmp_path: Path) -> None:
    warc = _warc(tmp_path / "crawl.warc.gz")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["clean", str(warc), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "stats.json").read_text())["kept"] == len(URLS)


def test_explain_names_the_url_reason(tmp_path: Path) -> None:
    warc = _warc(tmp_path / "crawl.warc.gz")
    result = CliRunner().invoke(main, ["explain", str(warc), "--no-color", "--url-filter"])
    assert result.exit_code == 0, result.output
    assert f"rejected: {R.URL_BLOCKED_DOMAIN} (stage url_filter)" in result.output
    assert f"url list entry: {LISTED_DOMAIN}" in result.output


def test_a_bad_list_is_one_error_line(tmp_path: Path) -> None:
    warc = _warc(tmp_path / "crawl.warc.gz")
    (tmp_path / "regex.txt").write_text("(unclosed\n", encoding="utf-8")
    args = ["clean", str(warc), "-o", str(tmp_path / "o"), "--url-regex"]
    result = CliRunner().invoke(main, [*args, str(tmp_path / "regex.txt")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "regex.txt:1" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
