"""The finders: what each kind takes, and the look-alikes each leaves."""

from __future__ import annotations

import pytest

from crawlsift.pii.find import cards, emails, iban_valid, ibans, ips, luhn


def found(finder, text: str) -> list[str]:
    return [text[s:e] for s, e in finder(text)]


def test_emails() -> None:
    text = "Write to jane.doe+news@mail.example.co.uk, or to bob@school.edu. Logo: logo@2x.png"
    assert found(emails, text) == ["jane.doe+news@mail.example.co.uk", "bob@school.edu"]
    assert found(emails, "no@ sign, a @ b, user@localhost") == []
    # reserved example domains, URL paths (message ids, module versions), leading marks
    reserved = "me@example.com a@mail.example.org b@x.test c@host.invalid"
    assert found(emails, reserved) == []
    paths = "lore.kernel.org/r/abc.123@host.org go get example.com/mod@v1.2.3"
    assert found(emails, paths) == []
    assert found(emails, "auth('fred@corp.com') //x@corp.com") == ["fred@corp.com"]


def test_public_ips_are_taken_private_and_reserved_kept() -> None:
    public = ["8.8.8.8", "151.101.1.69", "2001:4860:4860::8888", "2a00:1450:4001:82b::200e"]
    for ip in public:
        assert found(ips, f"server at {ip}, see") == [ip]
    kept = [
        "192.168.1.1",
        "10.0.0.7",
        "172.16.5.4",
        "127.0.0.1",
        "169.254.10.1",
        "100.64.0.1",  # shared address space
        "192.0.2.1",  # documentation
        "0.0.0.0",
        "255.255.255.255",
        "fe80::1",
        "::1",
        "2001:db8::1",  # documentation
        "fd00::1:2:3",
    ]
    for ip in kept:
        assert found(ips, f"server at {ip}, see") == [], ip


@pytest.mark.parametrize(
    "text",
    [
        "999.1.1.1",
        "8.8.8.256",
        "08.8.8.8",  # leading zero
        "1.2.3.4.5",  # a longer dotted number
        "version 1.2.3.4",
        "Version 8.8.8.8",
        "v8.8.8.8",
        "ver. 8.8.8.8",
        "std::map<a::b, c::d>",
        "at 12:30:45 sharp",
        "MAC 00:1A:2B:3C:4D:5E",
        "a::b",
        "Server: openresty/1.9.7.1",  # product/version
    ],
)
def test_not_an_address(text: str) -> None:
    assert found(ips, text) == []


def test_cards_need_luhn_and_a_network_digit() -> None:
    assert found(cards, "card 4111 1111 1111 1111 ok") == ["4111 1111 1111 1111"]
    assert found(cards, "card 5500-0000-0000-0004 ok") == ["5500-0000-0000-0004"]
    assert found(cards, "card 4111 1111 1111 1112 fails Luhn") == []
    assert found(cards, "order 1111111111111117 starts with 1") == []
    assert found(cards, "5555555555555555") == []  # one digit repeated
    assert found(cards, "card 4111111111111111.") == ["4111111111111111"]
    # a table of scores is no card, whatever its digits' checksum
    assert found(cards, "42 21 .667 3.5 21-10 21-11 9-5 27-14 114.5") == []
    assert found(cards, "4111 1111-1111 1111") == []  # separators of two kinds
    assert luhn("79927398713") and not luhn("79927398710")


def test_ibans_need_the_mod97_check() -> None:
    assert found(ibans, "IBAN: DE89 3704 0044 0532 0130 00 BIC X") == [
        "DE89 3704 0044 0532 0130 00"
    ]
    assert found(ibans, "GB82WEST12345698765432.") == ["GB82WEST12345698765432"]
    assert found(ibans, "DE88 3704 0044 0532 0130 00") == []  # wrong check digits
    assert not iban_valid("DE89")


def test_hostile_inputs_stay_linear() -> None:
    many = " ".join(f"user{i}@host{i % 97}.mailer.org" for i in range(100_000))
    assert len(emails(many)) == 100_000
    long_runs = "7" * 1_000_000 + " " + "a" * 1_000_000 + "@" + "1." * 300_000
    for finder in (emails, ips, cards, ibans):
        assert finder(long_runs) == []


def test_non_ascii_text() -> None:
    text = "Kontakt: müller@example.de — Straße 5, IP 8.8.4.4; 电子邮件 wang@example.cn。"
    assert found(emails, text) == ["müller@example.de", "wang@example.cn"]
    assert found(ips, text) == ["8.8.4.4"]
