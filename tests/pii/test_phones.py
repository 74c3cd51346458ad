"""Phone numbers: found in the region the page suggests; dates, prices and codes are not."""

from __future__ import annotations

import pytest

pytest.importorskip("phonenumbers")

from crawlsift.pii.phones import phones, region_of


def found(text: str, region: str | None) -> list[str]:
    return [text[s:e] for s, e in phones(text, region)]


def test_region_rule() -> None:
    assert region_of("https://www.shop.de/kontakt", "en-US", "en", "US") == "DE"
    assert region_of("http://news.bbc.co.uk/x", None, None, "US") == "GB"
    assert region_of("https://example.com/", "en-GB", "en", "US") == "GB"
    assert region_of("https://example.com/", "fr", None, "US") == "FR"
    assert region_of("https://example.com/", None, "pt", "US") == "BR"
    assert region_of("https://example.io/", None, None, "US") == "IO"  # a known ccTLD
    assert region_of("https://example.com/", None, None, "US") == "US"
    assert region_of(None, None, None, None) is None
    assert region_of("http://[::1", "xx", None, "CA") == "CA"  # an unparsable URL


def test_numbers_of_the_region() -> None:
    assert found("Ruf an: 030 1234567 oder schreib.", "DE") == ["030 1234567"]
    assert found("Call (415) 555-0132 today", "US") == ["(415) 555-0132"]
    # a national number is not read in another country's plan; an international one is
    assert found("Call (415) 555-0132 today", "DE") == []
    assert found("Tel. +44 20 7946 0958.", "US") == ["+44 20 7946 0958"]
    assert found("Tel. +44 20 7946 0958.", None) == ["+44 20 7946 0958"]
    assert found("Call (415) 555-0132 today", None) == []
    assert found("the number (+18777804236). 5. Save", "US") == ["(+18777804236"]
    assert found("Call 1-888-888-4532 (8am - 11:59pm ET)", "US") == ["1-888-888-4532"]


@pytest.mark.parametrize(
    "text",
    [
        "Posted on 2021-03-04 at 12:30:45.",
        "Price: $1,234,567.00 or 1.234.567,00 EUR",
        "ISBN 978-3-16-148410-0",
        "Order 12345678 shipped",
        "Population 7 800 000 000",
        "Pages 1023-1047 of vol. 12",
        "7" * 5000,
        "Versions: 9.6 / 9.5 / 9.4 / 9.3 / 9.2 / 9.1",
        "rated 4.904761905 / 5.0",
        "https://1aaa-123-45-678-910.ngrok-free.app",
        "console path 2/0/4.283.0.0.0.0.0",
    ],
)
def test_not_phone_numbers(text: str) -> None:
    assert found(text, "US") == []


@pytest.mark.parametrize(
    "text",
    ["am 05.11.2021 in der Kategorie", "Preis vom 02.01.2023 12:53 Uhr", "Data: 28-04-2021, 09:29"],
)
def test_european_dates_are_not_numbers(text: str) -> None:
    assert found(text, "DE") == []


def test_dotted_numbers_that_are_not_dates() -> None:
    assert found("Tél. 01.42.68.53.00 ou", "FR") == ["01.42.68.53.00"]
