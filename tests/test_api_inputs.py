"""The one-record API checks what it is given: missing text is a rejected record, a value of
the wrong type one InputError, never a kept empty record or a raw Arrow error."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crawlsift
from crawlsift.errors import InputError

TEXT = "The council met on Tuesday to discuss the new library.\nIt will open next spring."


def test_missing_text_is_rejected_as_missing_text():
    result = crawlsift.clean_text(None, url="https://example.org/a")
    assert result.rejected and result.reason == "missing_text"
    assert result.text == "" and result.url == "https://example.org/a"


@settings(max_examples=25, deadline=None)  # each call runs the whole pipeline
@given(st.integers(min_value=0, max_value=999), st.sampled_from(["{}", " {} ", "{}\n"]))
def test_an_http_status_given_as_digits_is_the_number(status, form):
    result = crawlsift.clean_text(TEXT, http_status=form.format(status))
    assert result.http_status == status


def test_an_http_status_string_makes_the_same_decision_as_the_number():
    as_text = crawlsift.clean_text("Forbidden\nYou do not have access.", http_status="403")
    as_int = crawlsift.clean_text("Forbidden\nYou do not have access.", http_status=403)
    assert (as_text.rejected, as_text.reason) == (as_int.rejected, as_int.reason)


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"http_status": "403 Forbidden"}, "http_status must be"),
        ({"http_status": "-1"}, "http_status must be"),
        ({"http_status": True}, "http_status must be"),
        ({"http_status": 2**40}, "http_status must be"),
        ({"http_status": [403]}, "http_status must be"),
        ({"url": 5}, "url must be a str"),
        ({"date": 20240101}, "date must be a str"),
    ],
)
def test_a_value_of_the_wrong_type_is_an_input_error(kwargs, said):
    with pytest.raises(InputError, match=said):
        crawlsift.clean_text(TEXT, **kwargs)


@pytest.mark.parametrize("text", [b"bytes are not text", 42, ["a list"]])
def test_text_that_is_not_a_string_is_an_input_error(text):
    with pytest.raises(InputError, match="text must be a str or None"):
        crawlsift.clean_text(text)


PAGE = f"<html><body><article><p>{TEXT}</p></article></body></html>"


def test_a_missing_page_is_rejected_as_missing_text():
    result = crawlsift.clean_html(None, url="https://example.org/a")
    assert result.rejected and result.reason == "missing_text"
    assert result.text == "" and result.url == "https://example.org/a"


def test_a_missing_page_in_a_batch_or_table_is_rejected_as_missing_text():
    results = crawlsift.clean_batch([{"html": None, "url": "https://example.org/a"}, PAGE])
    assert [(r.rejected, r.reason) for r in results] == [(True, "missing_text"), (False, None)]
    assert results[0] == crawlsift.clean_html(None, url="https://example.org/a")
    out = crawlsift.clean_table(pa.table({"html": pa.array([None, PAGE.encode()], pa.binary())}))
    assert out.column("reason").to_pylist() == ["missing_text", None]


@pytest.mark.parametrize(
    ("html", "kwargs", "said"),
    [
        (42, {}, "html must be str or bytes or None"),
        (["<p>x</p>"], {}, "html must be str or bytes or None"),
        (PAGE, {"url": 5}, "url must be a str"),
    ],
)
def test_a_page_of_the_wrong_type_is_an_input_error(html, kwargs, said):
    with pytest.raises(InputError, match=said):
        crawlsift.clean_html(html, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"pipeline": crawlsift.make_pipeline(), "preset": "gopher"}, "not both"),
        ({"pipeline": crawlsift.make_pipeline(), "filters": "rules.toml"}, "not both"),
        ({"wokers": 2}, "unknown run option"),
        ({"workers": "2"}, "workers must be int"),
        ({"run": crawlsift.RunOptions(output="x"), "workers": 1}, "not both"),
    ],
)
def test_clean_settings_are_checked_before_anything_runs(tmp_path, kwargs, said):
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    with pytest.raises(InputError, match=said):
        crawlsift.clean(str(src), str(tmp_path / "out"), **kwargs)
    assert not (tmp_path / "out").exists()


def test_clean_takes_its_run_options_as_a_dataclass(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    run = crawlsift.RunOptions(output="ignored", workers=1, format="jsonl", record_timeout=None)
    summary = crawlsift.clean(str(src), str(tmp_path / "out"), run=run)
    assert summary.stats.records_in == 1
    assert list((tmp_path / "out" / "kept").glob("*.jsonl"))
