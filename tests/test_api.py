"""The batch API over in-memory records: ``clean_batch`` (records in, results out) and
``clean_table`` (an Arrow table in and out), against the single-record calls."""

from __future__ import annotations

import gzip

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crawlsift
from crawlsift import InputError
from crawlsift import schema as S
from tests.conftest import FIXTURES

PROSE = (
    "The council approved the new budget on Tuesday after a long debate about school funding, "
    "road repairs and the cost of the proposed library extension downtown."
)
PROSE2 = (
    "Critics said the plan leaves too little for maintenance, while supporters argued that the "
    "library will draw visitors and help local shops through the winter months."
)
TEXTS = [
    f"Page not found\n{PROSE}\n{PROSE2}",
    f"Share this article\n{PROSE}\n\n{PROSE2}\n{PROSE}\n{PROSE2}",
    "Home",
    "cafÃ© prices rose again this week, the owners said on Monday morning",
    "",
]
LINES = st.sampled_from(
    [
        PROSE,
        PROSE2,
        "Page not found",
        "Oops!",
        "Share this article",
        "Most popular stories",
        "- Ten things to know",
        "© 2024 Example News. All rights reserved.",
        "",
        "  ",
        "Home",
    ]
)


def page(name: str) -> bytes:
    return gzip.decompress((FIXTURES / "html" / name).read_bytes())


def test_text_records_give_what_each_clean_text_call_gives_in_order():
    results = crawlsift.clean_batch(TEXTS)
    assert [r.input_text for r in results] == TEXTS
    for text, result in zip(TEXTS, results, strict=True):
        assert result == crawlsift.clean_text(text)
    assert results[0].edits[0].reason == "repair_error_banner"
    assert results[2].rejected and results[4].rejected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(LINES, max_size=12).map("\n".join), min_size=1, max_size=6))
def test_a_batch_equals_single_calls_for_any_texts(texts):
    assert crawlsift.clean_batch(texts) == [crawlsift.clean_text(t) for t in texts]


def test_bytes_are_html_pages_as_clean_html_takes_them():
    pages = [page("0004.html.gz"), page("0012.html.gz")]
    results = crawlsift.clean_batch(pages)
    assert results == [crawlsift.clean_html(p) for p in pages]
    assert all(r.text and not r.rejected for r in results)


def test_dict_records_carry_their_fields_and_mix_with_other_records():
    html = page("0557.html.gz")
    records = [
        {
            "text": TEXTS[0],
            "url": "https://example.org/a",
            "date": "2025-06-02",
            "http_status": "404",
            "id": "a",
        },
        html,
        {"html": html.decode("utf-8"), "url": "https://example.org/b", "http_status": 200},
        TEXTS[1],
    ]
    a, b, c, d = crawlsift.clean_batch(records)
    assert (a.url, a.date, a.http_status) == ("https://example.org/a", "2025-06-02", 404)
    assert a == crawlsift.clean_text(
        TEXTS[0], url="https://example.org/a", http_status=404, date="2025-06-02"
    )
    assert b == crawlsift.clean_html(html)
    assert c.text == b.text and (c.url, c.http_status) == ("https://example.org/b", 200)
    assert d == crawlsift.clean_text(TEXTS[1])


def test_a_record_without_text_or_html_is_rejected_as_missing_text():
    results = crawlsift.clean_batch([{"url": "https://example.org/"}, {"text": None}, PROSE])
    assert [(r.rejected, r.reason) for r in results] == [
        (True, "missing_text"),
        (True, "missing_text"),
        (False, None),
    ]
    assert results[0].url == "https://example.org/"


def test_no_records_no_results():
    assert crawlsift.clean_batch([]) == []
    assert crawlsift.clean_batch(iter([PROSE])) == [crawlsift.clean_text(PROSE)]


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([PROSE, 42], "record 1: a record is a str (text), bytes (HTML) or dict, not int"),
        ([None], "record 0: a record is a str"),
        ([{"txt": PROSE}], "record 0: unknown key(s) 'txt'"),
        ([{"text": PROSE, "html": "<p>x</p>"}], "record 0: give text or html, not both"),
        ([{"text": 3}], "record 0: text must be a string, not int"),
        ([{"html": 3}], "record 0: html must be str or bytes, not int"),
        ([{"text": PROSE, "http_status": "forbidden"}], "record 0: http_status must be an integer"),
        ([{"text": PROSE, "http_status": True}], "record 0: http_status must be an integer"),
        ([{"text": PROSE, "url": 7}], "record 0: url must be a string, not int"),
        (PROSE, "clean_batch takes a list of records"),
        (pa.table({"text": [PROSE]}), "clean_batch takes a list of records"),
    ],
)
def test_bad_records_raise_input_error_naming_the_record(records, message):
    with pytest.raises(InputError) as err:
        crawlsift.clean_batch(records)
    assert message in str(err.value)


def test_preset_and_filters_work_as_in_make_pipeline(tmp_path):
    texts = [f"{PROSE}\n{PROSE2}", "Too short to pass the word count but kept by repair alone"]
    gopher = crawlsift.make_pipeline(preset="gopher")
    expected = [crawlsift.clean_text(t, pipeline=gopher) for t in texts]
    assert crawlsift.clean_batch(texts, preset="gopher") == expected
    assert expected[1].rejected and expected[1].reason.startswith("gopher_")
    assert not crawlsift.clean_batch(texts)[1].rejected
    rules = tmp_path / "rules.toml"
    rules.write_text('preset = "gopher"\n[rules]\ngopher_short_doc = 5\n', encoding="utf-8")
    filtered = crawlsift.make_pipeline(filters=str(rules))
    assert crawlsift.clean_batch(texts, filters=str(rules)) == [
        crawlsift.clean_text(t, pipeline=filtered) for t in texts
    ]


def test_preset_errors_are_input_errors():
    with pytest.raises(InputError, match="unknown preset"):
        crawlsift.clean_batch([PROSE], preset="nope")
    with pytest.raises(InputError, match="not both"):
        crawlsift.clean_batch([PROSE], preset="gopher", pipeline=crawlsift.make_pipeline())


# -- clean_table ---------------------------------------------------------------------------


def test_a_text_table_comes_back_row_for_row_with_its_own_columns():
    table = pa.table({"text": TEXTS, "lang": ["en", "en", "de", "fr", None]})
    out = crawlsift.clean_table(table)
    assert out.num_rows == len(TEXTS)
    assert out.column("lang").to_pylist() == ["en", "en", "de", "fr", None]
    assert out.column(S.ID).to_pylist() == [f"record#{i}" for i in range(len(TEXTS))]
    results = crawlsift.clean_batch(TEXTS)
    assert out.column(S.INPUT_TEXT).to_pylist() == TEXTS
    assert out.column(S.KEEP).to_pylist() == [not r.rejected for r in results]
    assert out.column(S.REASON).to_pylist() == [r.reason for r in results]
    kept = [
        t if k else None
        for t, k in zip(out.column(S.TEXT).to_pylist(), out.column(S.KEEP).to_pylist(), strict=True)
    ]
    assert kept == [None if r.rejected else r.text for r in results]
    edits = out.column(S.EDITS).to_pylist()
    assert [[e["reason"] for e in es or []] for es in edits] == [
        [e.reason for e in r.edits] for r in results
    ]


def test_an_html_table_is_extracted_binary_or_string_and_html_is_not_returned():
    pages = [page("0004.html.gz"), page("4412.html.gz")]
    as_bytes = crawlsift.clean_table(pa.table({"html": pages, "id": ["p1", "p2"]}))
    as_text = crawlsift.clean_table(pa.table({"html": [p.decode("utf-8") for p in pages]}))
    assert S.HTML not in as_bytes.column_names
    expected = [crawlsift.clean_html(p).text for p in pages]
    assert as_bytes.column(S.TEXT).to_pylist() == expected
    assert as_text.column(S.TEXT).to_pylist() == expected
    assert as_bytes.column(S.ID).to_pylist() == ["p1", "p2"]


def test_table_rows_without_text_or_html_are_rejected_and_statuses_read():
    table = pa.table(
        {
            "text": [PROSE, None, None],
            "html": [None, None, page("0012.html.gz")],
            "http_status": ["200", None, "403"],
            "id": ["a", None, "c"],
        }
    )
    out = crawlsift.clean_table(table)
    assert out.column(S.REASON).to_pylist()[1] == "missing_text"
    assert out.column(S.HTTP_STATUS).to_pylist() == [200, None, 403]
    assert out.column(S.ID).to_pylist() == ["a", "record#1", "c"]
    assert out.column(S.KEEP).to_pylist() == [True, False, True]


def test_an_empty_table_gives_an_empty_table():
    out = crawlsift.clean_table(pa.table({"text": pa.array([], pa.string())}))
    assert out.num_rows == 0 and S.KEEP in out.column_names


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pa.table({"body": ["x"]}), "neither a 'text' nor an 'html' column"),
        (pa.table({"text": ["x"], "keep": [True]}), "'keep' are written by crawlsift"),
        (pa.table({"text": [1]}), "column 'text' is int64, not a string"),
        (pa.table({"text": ["x"], "http_status": ["ok"]}), "row 0: http_status must be"),
        (pa.table({"html": [1.5]}), "column 'html' is double"),
        ({"text": ["x"]}, "clean_table takes a pyarrow.Table, not dict"),
    ],
)
def test_bad_tables_raise_input_error_naming_the_column(table, message):
    with pytest.raises(InputError) as err:
        crawlsift.clean_table(table)
    assert message in str(err.value)


def test_skip_repair_filters_the_text_as_read():
    text = f"Page not found\n{PROSE}\n{PROSE2}"
    pipeline = crawlsift.make_pipeline(preset="gopher", skip_repair=True)
    assert "repair" not in pipeline.stages and "gopher_quality" in pipeline.stages
    [raw] = crawlsift.clean_batch([text], pipeline=pipeline)
    [repaired] = crawlsift.clean_batch([text], pipeline=crawlsift.make_pipeline(preset="gopher"))
    assert raw.text.startswith("Page not found") and not raw.edits
    assert not repaired.text.startswith("Page not found")
    with pytest.raises(InputError, match="skip_repair"):
        crawlsift.make_pipeline(repair=crawlsift.RepairOptions(), skip_repair=True)
