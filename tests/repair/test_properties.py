"""Invariants of the repair stage, for any text (hypothesis)."""

from __future__ import annotations

import re

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crawlsift
from crawlsift import RepairOptions
from crawlsift import schema as S
from crawlsift.repair.lines import WHITESPACE
from crawlsift.repair.stage import repair

# lines a crawl page is made of: prose, menus, banners, widgets, repeats, odd characters
LINES = st.sampled_from(
    [
        "The committee published its findings on Friday, a year after the inquiry began.",
        "Residents said the new timetable makes the morning commute far more predictable.",
        "Home",
        "Contact us",
        "Page not found",
        "Sorry!!",
        "Share this article",
        "CommentsNo comment",
        "Most popular stories",
        "- Ten things to know about the new tax year",
        "Disclaimer:",
        "The site accepts no liability for the accuracy or completeness of this content.",
        "© 2024 Example News. All rights reserved.",
        "We use cookies to improve your experience on our site.",
        "cafÃ© prices rose again this week",
        "",
        "   ",
    ]
)
TEXTS = st.one_of(
    st.lists(LINES, max_size=30).map("\n".join),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300),
)


def _batch(texts: list[str]) -> pa.Table:
    return S.input_table(text=texts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_edits_lie_inside_the_input_sorted_and_disjoint(text):
    result = crawlsift.clean_text(text)
    previous_end = 0
    for e in result.edits:
        assert 0 <= previous_end <= e.start < e.end <= len(text)
        previous_end = e.end
    assert result.input_text == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_every_kept_line_comes_from_the_input(text):
    result = crawlsift.clean_text(text)
    assert result.rejected == (result.reason is not None)
    if result.rejected:
        return
    replaced = {e.replacement for e in result.edits if e.replacement is not None}
    source = {re.sub(WHITESPACE, " ", line).strip(" ") for line in text.split("\n")}
    for line in result.text.split("\n"):
        assert line == "" or line in source or line in replaced
    assert result.text.strip()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTS, min_size=1, max_size=8))
def test_a_batch_gives_what_each_record_gives_alone(texts):
    together = repair(_batch(texts)).drop_columns([S.HTML])
    for i, text in enumerate(texts):
        alone = repair(_batch([text])).drop_columns([S.HTML])
        assert together.slice(i, 1).to_pylist() == alone.to_pylist()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_cleaning_clean_text_changes_nothing(text):
    pipeline = crawlsift.make_pipeline(repair=RepairOptions(title=False))
    once = crawlsift.clean_text(text, pipeline=pipeline)
    if once.rejected:
        return
    twice = crawlsift.clean_text(once.text, pipeline=pipeline)
    assert twice.text == once.text
    assert not twice.rejected
