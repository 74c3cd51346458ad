"""Charset labels: those a browser knows are followed, the others give way to detection."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawlsift import schema as S
from crawlsift.extract.html_text import extract_html
from crawlsift.io import discover, read_task
from crawlsift.io.charset import encoding_of, resolve_charset

GERMAN = "Grüße aus Köln: Straßenbahn, Bäckerei und Käsekuchen für alle Gäste im Frühling."
FRENCH = (
    "Voilà l’été : « déjà vu » à Noël, où l’on mange des crêpes et boit du café très chaud "
    "près de la fenêtre, en lisant un roman policier."
)
JAPANESE = "日本語のテキストです。東京は晴れ、気温は二十度でした。明日も良い天気になるでしょう。"
SAMPLES = {"german": GERMAN, "french": FRENCH, "japanese": JAPANESE}


def _html(text: str) -> str:
    return (
        f"<html><head><title>t</title></head><body><article><p>{text}</p></article></body></html>"
    )


def _extract(payload: bytes, label: str | None) -> dict:
    table = S.input_table(id=["a"], html=[payload], charset=[label])
    (row,) = extract_html(table).to_pylist()
    return row


#: (label, sample, encoding of the bytes): each label with a page it is found on
UNKNOWN_LABELS = [
    ("utf8mb4", "german", "utf-8"),  # MySQL's name for UTF-8
    ("utf8mb3", "german", "utf-8"),
    ("x-sjis", "japanese", "shift_jis"),  # a WHATWG label of Shift_JIS
    ("none", "german", "utf-8"),  # unknown labels: the encoding is detected from the bytes
    ("none", "french", "cp1252"),
    ("ansi", "french", "cp1252"),
    ("ansi", "japanese", "shift_jis"),
    ("UTF-8,text/html", "german", "utf-8"),  # two headers' values joined by a comma
    ("punycode", "german", "utf-8"),  # Python codecs that are no text encodings
    ("undefined", "french", "cp1252"),
    ("utf-7", "german", "utf-8"),  # browsers refuse UTF-7
    ("", "german", "utf-8"),
]


@pytest.mark.parametrize(
    ("label", "sample", "encoding"), UNKNOWN_LABELS, ids=[f"{a}-{b}" for a, b, _ in UNKNOWN_LABELS]
)
def test_page_with_a_label_python_does_not_know_is_decoded_not_rejected(label, sample, encoding):
    text = SAMPLES[sample]
    row = _extract(_html(text).encode(encoding), label)
    assert row[S.REASON] is None
    assert text in row[S.TEXT]


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("utf8mb4", "utf-8"),
        ("UTF8MB4", "utf-8"),
        ("x-sjis", "shift_jis"),
        ("Shift_JIS", "shift_jis"),
        (" UTF-8 ", "utf-8"),
        ('"utf-8"', "utf-8"),
        ("UTF-8,text/html", "utf-8"),
        ("unicode-1-1-utf-8", "utf-8"),  # WHATWG labels Python does not know
        ("x-gbk", "gbk"),
        ("latin1", "cp1252"),  # browsers read ISO-8859-1 and ASCII as windows-1252
        ("us-ascii", "cp1252"),
        ("none", None),
        ("ansi", None),
        ("punycode", None),
        ("undefined", None),
        ("utf-7", None),
        (",utf-8", None),
        ("", None),
        (None, None),
    ],
)
def test_labels_resolve_as_in_the_whatwg_table(label, codec):
    assert resolve_charset(label) == codec


def test_latin1_label_reads_windows_1252_quotes_as_a_browser_does():
    row = _extract(
        _html("\u201cQuoted\u201d text, long enough to be content.").encode("cp1252"), "iso-8859-1"
    )
    assert "\u201cQuoted\u201d" in row[S.TEXT]


def test_byte_order_mark_outranks_the_label():
    payload = b"\xef\xbb\xbf" + _html(GERMAN).encode("utf-8")
    assert encoding_of(payload, "windows-1252") == "utf-8"
    row = _extract(payload, "windows-1252")
    assert GERMAN in row[S.TEXT]
    utf16 = b"\xff\xfe" + _html(GERMAN).encode("utf-16-le")
    assert GERMAN in _extract(utf16, "utf-8")[S.TEXT]


@given(st.text(max_size=40))
def test_any_label_resolves_to_a_usable_codec_or_none(label):
    codec = resolve_charset(label)
    if codec is not None:
        assert _html(GERMAN).encode("utf-8").decode(codec, "replace")


def _warc_response(body: bytes, content_type: str) -> bytes:
    http = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n".encode() + body
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        "WARC-Date: 2025-06-02T10:00:00Z\r\nWARC-Target-URI: https://example.org/\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    )
    return gzip.compress(head.encode() + http + b"\r\n\r\n")


@pytest.mark.parametrize("label", ["utf8mb4", "none", "ansi", "UTF-8,text/html"])
def test_warc_page_with_an_unknown_header_charset_is_extracted(tmp_path: Path, label):
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(_warc_response(_html(GERMAN).encode("utf-8"), f"text/html; charset={label}"))
    (task,) = discover([str(path)])
    (row,) = [r for t in read_task(task) for r in extract_html(t).to_pylist()]
    assert row[S.REASON] is None
    assert GERMAN in row[S.TEXT]
