"""The pii stage: redactions as edits against input_text, on kept rows only, through the
API and the CLI, counted in stats.json."""

from __future__ import annotations

import itertools
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift import clean_text, make_pipeline
from crawlsift import schema as S
from crawlsift.cli import main
from crawlsift.errors import InputError
from crawlsift.pii import options as pii_options
from crawlsift.pii.find import cards, emails, ips
from crawlsift.pii.options import PiiOptions
from crawlsift.pii.stage import pii

NO_PHONE = PiiOptions(kinds=("email", "ip", "card", "iban"))
PROSE = (
    "The council approved the new budget on Tuesday after a long debate about school "
    "funding, road repairs and the cost of the proposed library extension downtown."
)
PII_LINE = (
    "Questions go to clerk.office@town-hall.org or the server 151.101.1.69; "
    "the intranet at 192.168.0.10 is private. Pay by 4111 1111 1111 1111 "
    "or to DE89 3704 0044 0532 0130 00 please."
)


def apply_edits(source: str, edits: list[dict] | None) -> str:
    out, at = [], 0
    for e in sorted(edits or [], key=lambda e: e["start"]):
        assert at <= e["start"] <= e["end"]
        out += [source[at : e["start"]], e["replacement"] or ""]
        at = e["end"]
    return "".join(out) + source[at:]


def table(texts, inputs=None, edits=None, keep=None, **extra) -> pa.Table:
    n = len(texts)
    columns = {
        S.ID: pa.array([str(i) for i in range(n)]),
        S.TEXT: pa.array(texts, pa.large_string()),
        S.REASON: pa.array([None if k is None or k else "too_short" for k in keep or [None] * n]),
    }
    if inputs is not None:
        columns[S.INPUT_TEXT] = pa.array(inputs, pa.large_string())
        columns[S.EDITS] = pa.array(edits or [None] * n, S.EDITS_TYPE)
    if keep is not None:
        columns[S.KEEP] = pa.array(keep)
    for name, values in extra.items():
        columns[name] = pa.array(values)
    return pa.table(columns)


def test_each_reason_is_an_edit_with_its_token() -> None:
    text = f"{PROSE}\n{PII_LINE}"
    [row] = pii(table([text]), opts=PiiOptions(kinds=tuple(pii_options.KINDS))).to_pylist()
    found = {(text[e["start"] : e["end"]], e["reason"], e["replacement"]) for e in row[S.EDITS]}
    expected = {
        ("clerk.office@town-hall.org", "pii_email", "email@example.com"),
        ("151.101.1.69", "pii_ip", "22.214.171.124"),
        ("4111 1111 1111 1111", "pii_card", "<CARD>"),
        ("DE89 3704 0044 0532 0130 00", "pii_iban", "<IBAN>"),
    }
    assert expected <= found
    assert "192.168.0.10" in row[S.TEXT]
    assert row[S.TEXT] == apply_edits(row[S.INPUT_TEXT], row[S.EDITS])


def test_phone_reason_and_region_from_the_url() -> None:
    pytest.importorskip("phonenumbers")
    text = f"{PROSE}\nRufen Sie uns an: 030 1234567."
    rows = pii(
        table([text, text], url=["https://www.example.de/kontakt", "https://example.com/"]),
        opts=PiiOptions(),
    ).to_pylist()
    assert [e["reason"] for e in rows[0][S.EDITS]] == ["pii_phone"]
    assert rows[0][S.TEXT].endswith("an: <PHONE>.")
    assert rows[1][S.EDITS] is None  # not a valid number in the US, the fallback region


def test_only_kept_rows_are_redacted() -> None:
    text = f"{PROSE} Mail a@b.org"
    out = pii(table([text, text], keep=[True, False]), opts=NO_PHONE).to_pylist()
    assert out[0][S.TEXT].endswith("Mail email@example.com")
    assert out[1][S.TEXT] == text and out[1][S.EDITS] is None


def test_tokens_are_options() -> None:
    opts = PiiOptions(kinds=("email",), email_token="[EMAIL]")
    [row] = pii(table(["x a@b.org y"]), opts=opts).to_pylist()
    assert row[S.TEXT] == "x [EMAIL] y"


def test_bad_options_are_input_errors(monkeypatch) -> None:
    with pytest.raises(InputError, match="choose from"):
        PiiOptions(kinds=("email", "ssn"))
    with pytest.raises(InputError, match="two-letter"):
        PiiOptions(kinds=("email",), default_region="USA")
    monkeypatch.setattr(pii_options, "phonenumbers_installed", lambda: False)
    with pytest.raises(InputError, match=r"crawlsift\[pii\]"):
        PiiOptions()
    PiiOptions(kinds=("email", "ip"))  # e-mail and IP need no extra


def test_cli_without_the_extra_says_which(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(pii_options, "phonenumbers_installed", lambda: False)
    page = tmp_path / "page.txt"
    page.write_text(PROSE)
    result = CliRunner().invoke(main, ["explain", str(page), "--redact-pii"])
    assert result.exit_code != 0
    assert "Error:" in result.output and "crawlsift[pii]" in result.output
    ok = CliRunner().invoke(main, ["explain", str(page), "--pii-kinds", "email,ip"])
    assert ok.exit_code == 0, ok.output


def test_positions_map_to_input_text_after_earlier_stages() -> None:
    """Repair removed a line and squeezed white space: edits still index input_text."""
    source = f"Menu Home About\n{PROSE}\nMail  to   a@b.org now\n\n\nor 8.8.8.8 today."
    removed = {"start": 0, "end": 16, "reason": "repair_nav", "replacement": None}
    text = f"{PROSE}\nMail to a@b.org now\nor 8.8.8.8 today."
    [row] = pii(table([text], [source], [[removed]]), opts=NO_PHONE).to_pylist()
    new = [e for e in row[S.EDITS] if e["reason"].startswith("pii_")]
    assert [source[e["start"] : e["end"]] for e in new] == ["a@b.org", "8.8.8.8"]
    assert row[S.EDITS][0] == removed
    assert row[S.TEXT] == f"{PROSE}\nMail to email@example.com now\nor 22.214.171.124 today."


def test_a_span_inside_an_earlier_rewrite_is_redacted_there() -> None:
    source = "CafÃ© owner: jean@cafe.fr"
    rewrite = {"start": 0, "end": len(source), "reason": "repair_unicode"}
    text = "Café owner: jean@cafe.fr"
    [row] = pii(
        table([text], [source], [[{**rewrite, "replacement": text}]]), opts=NO_PHONE
    ).to_pylist()
    assert row[S.TEXT] == "Café owner: email@example.com"
    assert row[S.EDITS] == [{**rewrite, "replacement": "Café owner: email@example.com"}]
    assert row[S.TEXT] == apply_edits(source, row[S.EDITS])


def test_hostile_texts_never_raise() -> None:
    many = " ".join(f"u{i}@h{i % 89}.mailhost.net" for i in range(100_000))
    digits = "4" * 200_000 + "\n" + "1.2." * 50_000
    odd = (
        "Контакт: иван@почта.рф, ☎ +7 495 123-45-67, ١٢٣٤٥٦٧٨٩٠, \u202e8.8.8.8\ufeff "
        "电邮 用户@mail.cn"
    )
    out = pii(table([many, digits, odd, "", None]), opts=PiiOptions()).to_pylist()
    assert out[0][S.TEXT] == " ".join(["email@example.com"] * 100_000)
    assert len(out[0][S.EDITS]) == 100_000
    assert out[1][S.TEXT] == digits
    assert "8.8.8.8" not in out[2][S.TEXT] and "用户@mail.cn" not in out[2][S.TEXT]
    for row in out[:3]:
        assert row[S.TEXT] == apply_edits(row[S.INPUT_TEXT], row[S.EDITS])


PIECE = st.sampled_from(
    [
        "word",
        "the",
        " ",
        "  ",
        "\n",
        "a@b.org",
        "x.y@mail.corp.com",
        "8.8.8.8",
        "10.0.0.1",
        "999.1.1.1",
        "2001:4860::8888:1",
        "4111 1111 1111 1111",
        "é",
        ".",
        "@",
        "1",
    ]
)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.lists(PIECE, max_size=12).map(" ".join), max_size=8), data=st.data())
def test_output_text_is_input_text_with_the_edits_applied(lines, data) -> None:
    """Whatever the text and whichever lines an earlier stage removed (as edits), the
    output text is input_text with every edit applied, and edits never overlap."""
    source = "\n".join(lines)
    drop = data.draw(st.sets(st.integers(0, max(len(lines) - 1, 0))))
    kept, edits, at = [], [], 0
    for i, line in enumerate(lines):
        end = at + len(line) + (1 if i < len(lines) - 1 else 0)
        if i in drop and len(lines) > 1:
            edits.append({"start": at, "end": end, "reason": "repair_nav", "replacement": None})
        else:
            kept.append(line)
        at = end
    text = apply_edits(source, edits)
    [row] = pii(table([text], [source], [edits or None]), opts=NO_PHONE).to_pylist()
    assert row[S.TEXT] == apply_edits(source, row[S.EDITS])
    spans = [(e["start"], e["end"]) for e in row[S.EDITS] or []]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    # what is left of the kinds redacted is the tokens (pieces are apart: two tokens glued
    # together can read as a new address)
    left = [row[S.TEXT][a:b] for finder in (emails, ips, cards) for a, b in finder(row[S.TEXT])]
    assert set(left) <= {NO_PHONE.email_token, NO_PHONE.ip_token}


def test_pipeline_api_cli_and_stats(tmp_path) -> None:
    pipeline = make_pipeline(pii=NO_PHONE)
    assert pipeline.stages[-1] == "pii"
    filtered = make_pipeline(preset="gopher", pii=True)
    assert filtered.stages[-2:] == ("filter", "pii")
    result = clean_text(f"{PROSE}\n{PII_LINE}", pipeline=pipeline)
    assert {e.reason for e in result.edits} == {"pii_email", "pii_ip", "pii_card", "pii_iban"}
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps({"id": "1", "text": f"{PROSE}\n{PII_LINE}"}) + "\n")
    out = tmp_path / "out"
    run = CliRunner().invoke(
        main, ["clean", str(pages), "-o", str(out), "--redact-pii", "--pii-kinds", "email,ip"]
    )
    assert run.exit_code == 0, run.output
    [row] = pq.read_table(out / "kept").to_pylist()
    assert "clerk.office" not in row[S.TEXT] and "4111 1111" in row[S.TEXT]
    stats = json.loads((out / "stats.json").read_text())
    assert stats["edits_by_reason"]["pii_email"] == 1
    assert stats["edits_by_reason"]["pii_ip"] == 1
    shown = CliRunner().invoke(main, ["explain", str(pages), "--pii-kinds", "email"])
    assert "[-clerk.office@town-hall.org-]{+email@example.com+}{pii_email}" in shown.output


def test_edits_index_input_text_after_the_real_repair_stage() -> None:
    """Through guard, extract and repair (which drop and squeeze lines), each pii edit
    still covers the address in ``input_text``."""
    text = (
        "Home | About | Contact | Login\n\n\n"
        f"{PROSE}\n"
        f"Write   to  clerk.office@town-hall.org   or 151.101.1.69 today.\n\n\n\n"
        f"{PROSE}\nShare this article"
    )
    result = clean_text(text, pipeline=make_pipeline(pii=NO_PHONE))
    assert not result.rejected
    assert {e.reason for e in result.edits} > {"pii_email", "pii_ip"}  # lines went too
    assert not result.text.startswith("Home")
    ours = [e for e in result.edits if e.reason.startswith("pii_")]
    assert sorted(result.input_text[e.start : e.end] for e in ours) == [
        "151.101.1.69",
        "clerk.office@town-hall.org",
    ]
    assert "clerk.office" not in result.text and "email@example.com" in result.text


def test_an_address_whose_local_part_is_not_ascii_passes_the_prefilter() -> None:
    [row] = pii(table(["电邮 用户@mail.cn"]), opts=NO_PHONE).to_pylist()
    assert row[S.TEXT] == "电邮 email@example.com"
