"""The url_filter stage: each reason, the allowlist, user lists, hostile URLs, and rejected
records never extracted."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift import reasons as R
from crawlsift import schema as S
from crawlsift.api import make_pipeline
from crawlsift.errors import InputError, MissingExtraError
from crawlsift.urlfilter import stage
from crawlsift.urlfilter.stage import STAGE, UrlFilterOptions, judge, url_filter

pytest.importorskip("tldextract")
pytest.importorskip("ahocorasick")

#: entries of the shipped lists (UT1's domains and URLs)
LISTED_DOMAIN = "0-1sex.com"
LISTED_IDN = "在線色情.com"  # listed as xn--3dsq7teoyo9d.com
LISTED_URL = (
    "0149614511.strimbat.fr/porno-anal-escort-granville-faire-sa-salope-baise-une-vache-video"
    "-gratuite-x-escort-girl-auxerre"
)
PAGE = (
    b"<html><head><title>Harbour</title></head><body><article><p>The harbour authority "
    b"confirmed on Monday that the old ferry terminal will be rebuilt.</p></article></body>"
    b"</html>"
)


def _verdict(url: str | None, opts: UrlFilterOptions | None = None) -> tuple[str, str] | None:
    return judge([url], opts or UrlFilterOptions())[0]


@pytest.mark.parametrize(
    ("url", "reason", "match"),
    [
        (f"https://{LISTED_DOMAIN}/videos", R.URL_BLOCKED_DOMAIN, LISTED_DOMAIN),
        (f"http://www.cams.{LISTED_DOMAIN}/", R.URL_BLOCKED_DOMAIN, LISTED_DOMAIN),
        (f"https://{LISTED_URL}", R.URL_BLOCKED_URL, LISTED_URL),
        (f"https://www.{LISTED_URL}/page-2", R.URL_BLOCKED_URL, LISTED_URL),
        ("https://news.example/blowjob-tips", R.URL_BANNED_WORD, "blowjob"),
        ("https://news.example/sexy/nude", R.URL_SOFT_BANNED_WORDS, "nude,sexy"),
        ("https://news.example/a-xpornhubx-story", R.URL_BANNED_SUBWORD, "pornhub"),
    ],
)
def test_each_shipped_reason(url: str, reason: str, match: str) -> None:
    assert _verdict(url) == (reason, match)


def test_clean_urls_and_single_soft_words_are_kept() -> None:
    urls = [
        "https://www.bbc.co.uk/news/science-environment-12345",
        "https://en.wikipedia.org/wiki/Sex_education",  # one soft word is not enough
        "https://example.org/essex-county-council",  # "sex" inside a word is no word
    ]
    assert judge(urls, UrlFilterOptions()) == [None, None, None]


def test_a_listed_domain_is_found_in_unicode_and_punycode() -> None:
    punycode = LISTED_IDN.encode("idna").decode()
    assert _verdict(f"https://{LISTED_IDN}/") == (R.URL_BLOCKED_DOMAIN, punycode)
    assert _verdict(f"https://{punycode}/") == (R.URL_BLOCKED_DOMAIN, punycode)
    assert _verdict(f"https://WWW.{punycode.upper()}./x") == (R.URL_BLOCKED_DOMAIN, punycode)


def _file(tmp_path: Path, name: str, *lines: str) -> str:
    path = tmp_path / name
    path.write_text("\n".join(["# a comment", *lines, ""]), encoding="utf-8")
    return str(path)


def test_user_block_lists_of_domains_urls_and_regexes(tmp_path: Path) -> None:
    opts = UrlFilterOptions(
        shipped=False,
        blocklist=(_file(tmp_path, "b.txt", "spam.example", "bücher.example", "x.example/a/b"),),
        regexes=(_file(tmp_path, "r.txt", r"/ads?/\d+$"),),
    )
    urls = [
        "http://deep.sub.spam.example/",
        "https://xn--bcher-kva.example/",
        "https://www.x.example/a/b/c.html",
        "https://x.example/a/other",
        "https://ok.example/ad/123",
        f"https://{LISTED_DOMAIN}/",  # the shipped lists are off
    ]
    assert judge(urls, opts) == [
        (R.URL_USER_BLOCKED, "spam.example"),
        (R.URL_USER_BLOCKED, "xn--bcher-kva.example"),
        (R.URL_USER_BLOCKED, "x.example/a/b"),
        None,
        (R.URL_USER_REGEX, r"/ads?/\d+$"),
        None,
    ]


def test_the_allowlist_wins_over_every_block(tmp_path: Path) -> None:
    opts = UrlFilterOptions(
        blocklist=(_file(tmp_path, "b.txt", "school.example"),),
        regexes=(_file(tmp_path, "r.txt", "health"),),
        allowlist=(
            _file(tmp_path, "a.txt", "school.example", LISTED_DOMAIN, "news.example/health"),
        ),
    )
    urls = [
        "https://www.school.example/sex-education/nude-art",
        f"https://{LISTED_DOMAIN}/",
        "https://news.example/health/blowjob-myths",
        "https://news.example/other/blowjob-myths",
    ]
    assert judge(urls, opts) == [None, None, None, (R.URL_BANNED_WORD, "blowjob")]


def test_hostile_urls_never_raise() -> None:
    urls = [
        None,
        "",
        "   ",
        "x" * 1_000_000,
        "http://" + "a." * 500_000 + "com/",
        "https://example.com/" + "porn-" * 200_000,  # thousands of banned-word matches
        "https://example.com/" + "pornhub" * 100_000,  # thousands of subword matches
        "example.com/no-scheme",
        "http://[2001:db8::1]:8080/a",
        "http://[::1",
        "http://user:pw@host.example:99999/",
        "HTTP://EXAMPLE.COM./",
        "http://bücher.example/",
        "http://" + "ü" * 100 + ".example/",  # an IDNA label too long: kept in Unicode
        "http://a..b/",
        "http://%zz/",
        "\x00\ud800",
        "mailto:someone@example.com",
    ]
    verdicts = judge(urls, UrlFilterOptions())
    assert verdicts[:5] == [None] * 5
    assert verdicts[5] == (R.URL_BANNED_WORD, "porn")
    assert verdicts[6] is not None and verdicts[6][0] == R.URL_BANNED_SUBWORD
    assert all(v is None or v[0] in R.by_stage(STAGE) for v in verdicts)


@settings(deadline=None)  # the first example loads the shipped lists (about 0.2 s)
@given(st.lists(st.one_of(st.none(), st.text(max_size=200)), max_size=20))
def test_any_urls_give_a_listed_reason_or_keep(urls: list[str | None]) -> None:
    verdicts = judge(urls, UrlFilterOptions())
    assert len(verdicts) == len(urls)
    for url, verdict in zip(urls, verdicts, strict=True):
        if url is None or not url.strip():
            assert verdict is None
        elif verdict is not None:
            assert verdict[0] in R.by_stage(STAGE) and verdict[1]


def _table(urls: list[str | None]) -> pa.Table:
    n = len(urls)
    return S.input_table(
        id=[str(i) for i in range(n)],
        url=urls,
        html=[PAGE] * n,
        content_type=["text/html"] * n,
        source_index=list(range(n)),
    )


def test_rejected_rows_are_not_extracted_and_keep_their_html() -> None:
    pipeline = make_pipeline(url_filter=True)
    assert pipeline.stages[:3] == ("guard", STAGE, "extract")
    out = pipeline(_table([f"https://{LISTED_DOMAIN}/a", "https://harbour.example/a", None]))
    rows = out.to_pylist()
    assert [r[S.KEEP] for r in rows] == [False, True, True]  # no URL: kept
    assert rows[0][S.REASON] == R.URL_BLOCKED_DOMAIN and rows[0][S.STAGE] == STAGE
    assert rows[0][S.URL_MATCH] == LISTED_DOMAIN and rows[1][S.URL_MATCH] is None
    assert rows[0][S.TEXT] is None and rows[0][S.TITLE] is None  # never extracted
    assert rows[0][S.HTML] == PAGE
    assert rows[1][S.TITLE] == "Harbour" and "ferry terminal" in rows[1][S.TEXT]


def test_rows_rejected_earlier_keep_their_reason() -> None:
    table = _table([f"https://{LISTED_DOMAIN}/a"])
    table = S.with_columns(table, {S.REASON: pa.array([R.BINARY]), S.STAGE: pa.array(["guard"])})
    out = url_filter(table, opts=UrlFilterOptions())
    assert out.column(S.REASON).to_pylist() == [R.BINARY]
    assert out.column(S.STAGE).to_pylist() == ["guard"]


def test_bad_options_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        UrlFilterOptions(blocklist=(str(tmp_path / "missing.txt"),))
    with pytest.raises(InputError, match=r"r\.txt:2: not a regular expression"):
        UrlFilterOptions(regexes=(_file(tmp_path, "r.txt", "(unclosed"),))
    with pytest.raises(InputError, match=r"b\.txt:2: not a domain"):
        UrlFilterOptions(blocklist=(_file(tmp_path, "b.txt", "mailto:x"),))
    with pytest.raises(InputError, match="soft_word_threshold"):
        UrlFilterOptions(soft_word_threshold=0)
    with pytest.raises(InputError, match="allowlist"):
        stage.options_from(False, (), (), (_file(tmp_path, "a.txt", "a.example"),))
    assert stage.options_from(False) is None


def test_a_missing_extra_is_one_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "tldextract" else real(name, *a),
    )
    with pytest.raises(MissingExtraError, match=r"tldextract.*crawlsift\[url\]"):
        make_pipeline(url_filter=True)


def test_no_network_and_no_cache_in_the_home_directory(tmp_path: Path) -> None:
    """tldextract is built to use its bundled suffix list and to write no cache: a process
    whose sockets refuse to connect, with an empty home, judges URLs and leaves home empty."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    env.pop("TLDEXTRACT_CACHE", None)
    code = (
        "import socket\n"
        "def refuse(*args, **kwargs):\n"
        "    raise SystemExit('a connection was attempted')\n"
        "socket.socket.connect = socket.create_connection = socket.getaddrinfo = refuse\n"
        "from crawlsift.urlfilter.stage import judge, UrlFilterOptions, _registered\n"
        "print(judge(['https://a.b.example.co.uk/x'], UrlFilterOptions(shipped=False)))\n"
        "print(_registered()('a.b.example.co.uk'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[1] == "example.co.uk"
    assert list(home.rglob("*")) == []
