"""Decoding text payloads: charset labels as browsers read them, and no label ever fails."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawlsift.io.charset import decode_text, resolve_charset

GERMAN = "Grüße aus Köln: Straßenbahn, Bäckerei und Käsekuchen für alle Gäste im Frühling."
FRENCH = "Voilà l’été : « déjà vu » à Noël, où l’on mange des crêpes et boit du café."
JAPANESE = "日本語のテキストです。東京は晴れ、気温は二十度でした。明日も良い天気になるでしょう。"
RUSSIAN = "Погода в Москве сегодня тёплая, а завтра обещают дождь и сильный ветер."


@pytest.mark.parametrize(
    ("label", "text", "encoding"),
    [
        ("undefined", FRENCH, "utf-8"),  # Python codecs that are no text encodings
        ("undefined", FRENCH, "cp1252"),
        ("punycode", GERMAN, "utf-8"),
        ("idna", GERMAN, "cp1252"),
        ("rot13", GERMAN, "utf-8"),
        ("utf8mb4", GERMAN, "utf-8"),  # MySQL's name for UTF-8
        ("x-sjis", JAPANESE, "shift_jis"),  # a WHATWG label Python does not know
        ("none", JAPANESE, "shift_jis"),  # unknown: detected from the bytes
        ("ansi", RUSSIAN, "cp1251"),
        ("UTF-8,text/plain", GERMAN, "utf-8"),  # two headers' values joined by a comma
        ("iso-8859-1", "Price: 5 € — “quoted”", "cp1252"),  # browsers read latin1 as cp1252
        ("utf-8", FRENCH, "cp1252"),  # a wrong label: the bytes decide
        ("", GERMAN, "utf-8"),
        (None, FRENCH, "cp1252"),
    ],
)
def test_labels_python_cannot_use_never_fail_and_the_text_comes_through(
    label: str | None, text: str, encoding: str
) -> None:
    decoded, _ = decode_text(text.encode(encoding), label)
    assert decoded == text


def test_a_byte_order_mark_outranks_the_label_and_is_consumed() -> None:
    assert decode_text(b"\xef\xbb\xbfplain", "iso-8859-1") == ("plain", "utf-8")
    assert decode_text("\ufeffGrüße".encode("utf-16-le"), None) == ("Grüße", "utf-16-le")


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("UTF8MB4", "utf-8"),
        (" Shift_JIS ", "shift_jis"),
        ('"utf-8"', "utf-8"),
        ("latin1", "cp1252"),
        ("punycode", None),
        ("undefined", None),
        ("x-user-defined", None),
        ("", None),
        (None, None),
    ],
)
def test_resolve_charset(label: str | None, codec: str | None) -> None:
    assert resolve_charset(label) == codec


@given(st.binary(max_size=200), st.one_of(st.none(), st.text(max_size=20)))
def test_any_bytes_with_any_label_decode(data: bytes, label: str | None) -> None:
    text, codec = decode_text(data, label)
    assert isinstance(text, str) and codec
