"""The repair stage runs a batch as a few polars queries, not one per rule step.

Each polars query costs a fixed planning time, which for one short record is most of the
stage's time; this counts the queries (lazy collects, and eager DataFrame or Series
operations, which polars runs as queries too), and checks that rules run side by side in
one step mark what they mark one after another."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlsift import RepairOptions
from crawlsift import schema as S
from crawlsift.repair import stage, unicode
from crawlsift.repair.lines import (
    Rule,
    add_features,
    apply_rules,
    explode_lines,
    matches_where,
    run,
)
from crawlsift.repair.stage import _drop_blank_rows, _plan, _with_fixed, repair

PROSE = (
    "The council approved the new budget on Tuesday after a long debate about school funding, "
    "road repairs and the cost of the proposed library extension downtown."
)
TEXTS = [
    f"Page not found\n{PROSE}\n\n{PROSE}\nShare this article",
    "cafÃ© prices rose again this week, the owners said on Monday morning",
    "© 2024 Example News. All rights reserved.\nMost popular stories\n- Ten things to know",
]


@pytest.fixture
def queries(monkeypatch):
    """The number of polars queries run so far, as a one-item list."""
    count = [0]
    lazy, eager = pl.LazyFrame.collect, pl.LazyFrame._collect_eager

    def counted_lazy(self, *args, **kwargs):
        count[0] += 1
        return lazy(self, *args, **kwargs)

    def counted_eager(self, *args, **kwargs):
        count[0] += 1
        return eager(self, *args, **kwargs)

    monkeypatch.setattr(pl.LazyFrame, "collect", counted_lazy)
    monkeypatch.setattr(pl.LazyFrame, "_collect_eager", counted_eager)
    return count


@pytest.mark.parametrize(
    ("opts", "expected"),
    [
        # which texts ftfy may change, the lines it must see, before choosing the rules that
        # may hit, before the numpy runs, the rest
        (RepairOptions(), 5),
        (RepairOptions(unicode=False), 3),
        (RepairOptions(unicode=False, low_content=False), 2),
    ],
)
def test_a_batch_is_repaired_in_one_query_between_python_steps(queries, opts, expected):
    out = repair(S.input_table(text=TEXTS), opts=opts)
    assert out.num_rows == len(TEXTS)
    assert queries[0] == expected


def test_ftfy_sees_only_lines_of_texts_the_check_flags(queries, monkeypatch):
    """Without a text ftfy may change, the lines are not run for it: one query fewer."""
    seen: list[list[str]] = []

    def fix_unicode(line: pl.Series, flagged: pl.Series) -> dict[int, str]:
        seen.append(line.filter(flagged).to_list())
        return unicode.fix_unicode(line, flagged)

    monkeypatch.setattr(stage, "fix_unicode", fix_unicode)
    clean = [t for t in TEXTS if "Ã" not in t]
    repair(S.input_table(text=clean))
    assert (seen, queries[0]) == ([], 4)
    out = repair(S.input_table(text=[*clean, TEXTS[1]]))
    assert seen == [[TEXTS[1]]]
    assert out.column(S.TEXT)[len(clean)].as_py().startswith("café prices")


LINES = st.sampled_from(
    [
        PROSE,
        "Page not found",
        "Oops!",
        "Share this article",
        "Most popular stories",
        "- Ten things to know about the new tax year",
        "Disclaimer:",
        "The site accepts no liability for the accuracy or completeness of this content.",
        "© 2024 Example News. All rights reserved.",
        "We use cookies to improve your experience on our site.",
        "Subscribe to our newsletter",
        "Foto: dpa",
        "Read more: The mayor answers her critics",
        "Home",
        "",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(LINES, max_size=15).map("\n".join), min_size=1, max_size=4))
def test_rules_run_side_by_side_mark_what_they_mark_one_after_another(texts):
    docs = pl.DataFrame({"doc": range(len(texts)), "line": texts}).lazy()
    todo = pl.DataFrame({S.TEXT: texts})
    lines = _drop_blank_rows(explode_lines(docs))
    lines = add_features(_with_fixed(lines, todo, RepairOptions()))
    lines = lines.with_columns(pl.lit(None, dtype=pl.String).alias("reason"))
    rules = _line_rules()
    together = run(apply_rules(lines, rules))
    one_by_one = lines
    for rule in rules:
        one_by_one = apply_rules(one_by_one, [rule])
    alone = run(one_by_one)
    assert together.columns == alone.columns
    assert together["reason"].to_list() == alone["reason"].to_list()


def _line_rules() -> list[Rule]:
    """The default options' line rules, in the order they claim lines."""
    return [rule for part in _plan(RepairOptions()) if isinstance(part, tuple) for rule in part]


def _line_table(texts: list[str]) -> pl.LazyFrame:
    docs = pl.DataFrame({"doc": range(len(texts)), "line": texts}).lazy()
    todo = pl.DataFrame({S.TEXT: texts})
    lines = _drop_blank_rows(explode_lines(docs))
    lines = add_features(_with_fixed(lines, todo, RepairOptions()))
    return lines.with_columns(pl.lit(None, dtype=pl.String).alias("reason"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(LINES, max_size=15).map("\n".join), min_size=1, max_size=4))
def test_a_rule_whose_needed_masks_hold_nowhere_marks_nothing(texts):
    """``Rule.needs`` is necessary: run alone and in full, a rule marks a line only where one
    of its needed masks holds on some line, so leaving out the others changes nothing."""
    lines = _line_table(texts)
    for rule in _line_rules():
        if not rule.needs:
            continue
        names = [mask.meta.output_name() for mask in rule.masks]
        masks = run(lines.with_columns(*rule.masks)).select(names)
        marked = run(apply_rules(lines, [rule], skip_idle=False))["reason"].is_not_null().any()
        held = any(masks[name].cast(pl.Boolean).any() for name in rule.needs)
        assert held or not marked, rule.reason


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(LINES, max_size=15).map("\n".join), min_size=1, max_size=4))
def test_rules_left_out_as_idle_change_no_mark(texts):
    lines = _line_table(texts)
    rules = _line_rules()
    skipped = run(apply_rules(lines, rules))
    full = run(apply_rules(lines, rules, skip_idle=False))
    assert skipped.columns == full.columns
    assert skipped["reason"].to_list() == full["reason"].to_list()


def test_idle_rules_are_left_out_of_the_query(queries):
    """A page without banners, legal or cookie wording runs none of those rules' steps."""
    lines = _line_table([PROSE])
    before = _plan(RepairOptions())[0]  # the line rules before the low-content step
    assert isinstance(before, tuple)
    plan = apply_rules(lines, before).explain(optimizations=pl.QueryOptFlags.none())
    assert "repair_error_banner" not in plan and "repair_cookie_notice" not in plan
    assert "repair_title" in plan  # a rule without needed masks always runs
    full = apply_rules(lines, before, skip_idle=False).explain(
        optimizations=pl.QueryOptFlags.none()
    )
    assert "repair_error_banner" in full


def test_the_masks_every_page_runs_do_not_count_legal_terms():
    """Counting the distinct legal terms of a line is a layer, run only on a page with one."""
    rules = _line_rules()
    assert not any("extract_all" in str(mask) for rule in rules for mask in rule.masks)
    assert any("extract_all" in str(e) for r in rules for layer in r.layers for e in layer)


@pytest.mark.parametrize("pattern", [r"^$", r"x*", r"\bpage\b", r"^(?:a|b)$", r"[(]"])
def test_matches_where_is_hit_and_contains(pattern):
    """Whether or not the pattern matches the empty string a line ``hit`` rules out is
    matched as, ``matches_where`` is ``hit`` and-ed with the pattern run where ``hit``
    holds, a null ``hit`` included."""
    frame = pl.DataFrame(
        {"norm": ["", "page", "x page", "a", "b"], "nwords": [0, 1, 2, 1, None]},
        schema={"norm": pl.String, "nwords": pl.Int64},
    )
    hit = pl.col("nwords") <= 1
    got = frame.select(matches_where(pattern, hit)).to_series().to_list()
    where = pl.when(hit).then(pl.col("norm")).otherwise(pl.lit(""))
    want = frame.select(hit & where.str.contains(pattern)).to_series().to_list()
    assert got == want
