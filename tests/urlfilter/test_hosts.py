"""URLs to hosts, parent domains and URL keys: normalised, and never an exception."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crawlsift.urlfilter.hosts import (
    entry_domain,
    entry_url,
    host_of,
    parents,
    split_url,
    url_keys,
)


def test_hosts_are_normalised() -> None:
    assert host_of("HTTPS://User:Pw@WWW.Example.COM.:8443/a?b#c") == "www.example.com"
    assert host_of("example.com/path") == "example.com"  # no scheme
    assert host_of("//example.com/path") == "example.com"
    assert host_of("example.com:8080/path") == "example.com"
    assert host_of("http://[2001:DB8::1]:80/a") == "2001:db8::1"
    assert host_of("http://192.0.2.7:80/") == "192.0.2.7"
    assert host_of("http://bücher.example/x") == "xn--bcher-kva.example"
    assert host_of("http://xn--bcher-kva.example/x") == "xn--bcher-kva.example"
    assert host_of("http://bücher。example/x") == "xn--bcher-kva.example"  # ideographic dot


def test_urls_without_a_host_give_none() -> None:
    for url in ("", "   ", "mailto:someone@example.com", "javascript:void(0)", "http:/x", "/"):
        assert host_of(url) == ""


def test_paths_lose_query_and_fragment() -> None:
    assert split_url("http://a.example/b/c?d=/e#f") == ("a.example", "/b/c")
    assert split_url("http://a.example?q=1") == ("a.example", "")


def test_parents_stop_at_the_registered_domain() -> None:
    assert parents("a.b.example.co.uk", "example.co.uk") == [
        "a.b.example.co.uk",
        "b.example.co.uk",
        "example.co.uk",
    ]
    assert parents("a.b.intranet", "") == ["a.b.intranet", "b.intranet"]  # unknown suffix
    assert parents("192.0.2.7", "") == ["192.0.2.7"]
    assert parents("2001:db8::1", "") == ["2001:db8::1"]
    assert parents("localhost", "") == ["localhost"]
    assert parents("", "") == []


def test_url_keys_are_the_path_prefixes_without_www() -> None:
    assert url_keys("www.example.com", "/a/b/") == ["example.com/a/b", "example.com/a"]
    assert url_keys("example.com", "") == []


def test_list_entries_are_normalised_as_urls_are() -> None:
    assert entry_domain("  *.Example.COM. ") == "example.com"
    assert entry_domain("https://example.com/x") == "example.com"
    assert entry_domain("# a comment") == ""
    assert entry_url("www.example.com/A/b/") == "example.com/A/b"
    assert entry_url("https://example.com/a?x=1") == "example.com/a"


@given(st.text(max_size=300))
def test_any_string_parses_without_raising(url: str) -> None:
    host = host_of(url)
    assert host == host.strip() and len(host) <= 253 * 4
    url_keys(host, split_url(url)[1])
    entry_domain(url)
    entry_url(url)


def test_a_million_character_url_is_cut() -> None:
    authority, path = split_url("http://example.com/" + "a/" * 500_000)
    assert authority == "example.com" and len(path) <= 8192
    assert len(url_keys("example.com", path)) == 16
    assert host_of("http://" + "a" * 1_000_000 + ".com/") == ""  # longer than a host can be
