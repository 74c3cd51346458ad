"""A rejection by a threshold rule reads as the measured value against the threshold."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlsift.errors import InputError
from crawlsift.report.why import measured, number, rule_text, run_thresholds
from crawlsift.signals.filters import FilterOptions, thresholds

GOPHER = thresholds(FilterOptions(preset="gopher"))


def rejected(reason: str, **signals) -> dict:
    return {"id": "r", "keep": False, "reason": reason, "stage": "filter", **signals}


def test_a_min_rule_shows_value_below_threshold():
    row = rejected("gopher_below_alpha_threshold", gopher_alpha_words_ratio=0.79994)
    assert measured(row, GOPHER) == (
        "gopher_below_alpha_threshold: 0.7999 < 0.8 (gopher_alpha_words_ratio)"
    )


def test_a_value_just_below_the_threshold_never_reads_as_equal_to_it():
    row = rejected("gopher_below_alpha_threshold", gopher_alpha_words_ratio=0.79996)
    assert measured(row, GOPHER).startswith("gopher_below_alpha_threshold: 0.79996 < 0.8")


def test_a_max_rule_and_a_count():
    assert measured(rejected("gopher_long_doc", gopher_word_count=123_456), GOPHER) == (
        "gopher_long_doc: 123456 > 100000 (gopher_word_count)"
    )
    assert measured(rejected("gopher_short_doc", gopher_word_count=12), GOPHER) == (
        "gopher_short_doc: 12 < 50 (gopher_word_count)"
    )


def test_flag_in_and_null_rules():
    c4 = thresholds(FilterOptions(preset="c4"))
    assert measured(rejected("c4_curly_bracket", c4_curly_bracket=True), c4) == (
        "c4_curly_bracket: c4_curly_bracket = true"
    )
    langs = {"language": ["en", "de"]}
    assert measured(rejected("language", language="fr"), langs) == (
        "language: fr not in en, de (language)"
    )
    assert "cannot be measured" in measured(
        rejected("gopher_empty", gopher_dup_para_char_frac=None), GOPHER
    )


def test_kept_rows_and_other_reasons_have_no_measurement():
    assert measured({"keep": True, "gopher_word_count": 10}, GOPHER) is None
    assert measured(rejected("error_page"), GOPHER) is None


def test_without_the_runs_thresholds_the_value_still_shows():
    row = rejected("gopher_short_doc", gopher_word_count=7)
    assert measured(row, {}) == "gopher_short_doc: gopher_word_count = 7"


def test_rule_text_says_what_a_rule_rejects():
    assert rule_text("gopher_below_alpha_threshold", GOPHER) == "gopher_alpha_words_ratio < 0.8"
    assert rule_text("error_page", GOPHER) is None


def test_run_thresholds_read_the_manifest_filter_options(tmp_path):
    toml = tmp_path / "rules.toml"
    toml.write_text('preset = "gopher"\n[rules]\ngopher_short_doc = 80\n')
    pipeline = {"repair": {}, "filter": {"preset": None, "config": str(toml), "rules": []}}
    assert run_thresholds(pipeline)["gopher_short_doc"] == 80
    assert run_thresholds({"repair": {}}) == {}
    toml.unlink()
    with pytest.raises(InputError):
        run_thresholds(pipeline)


limits = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)
offsets = st.floats(min_value=1e-12, max_value=1e3, allow_nan=False)


@settings(deadline=None)
@given(limit=limits, offset=offsets, below=st.booleans())
def test_a_written_value_stays_on_its_side_of_the_threshold(limit, offset, below):
    value = limit - offset * limit if below else limit + offset * limit
    if value == limit:
        return
    shown = float(number(value, limit))
    assert (shown < limit) == (value < limit) and shown != limit
