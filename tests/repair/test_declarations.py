"""A repair rule has one home: the module declaring it in ``RULES``.

The repair stage, ``RepairOptions.rules`` and the reason list (``docs/reasons.md``) all read
the declarations; a toy module written here (not in the package) shows it.
"""

from __future__ import annotations

from pathlib import Path

from tests.outside_module import run_with_module

TOY_MODULE = """
from dataclasses import dataclass
from functools import cache

import polars as pl

from crawlsift.repair.lines import Rule
from crawlsift.repair.registry import RepairRule

REASON = "toy_shouting_line"


@dataclass(frozen=True, kw_only=True)
class ShoutOptions:
    min_words: int = 3


@cache
def shout_rule(opts: ShoutOptions) -> Rule:
    line = pl.col("shown")
    shouting = (line == line.str.to_uppercase()) & line.str.contains("[A-Z]")
    return Rule(REASON, hit=shouting & (pl.col("nwords") >= opts.min_words))


RULES = (
    RepairRule(
        code=REASON,
        meaning="a line in capitals alone",
        options=ShoutOptions,
        switch="boilerplate",
        line_rule=shout_rule,
    ),
)
"""

DRIVER = """
import json

from toy_rule import ShoutOptions

from crawlsift import RepairOptions, clean_text, make_pipeline
from crawlsift.reasons import every_reason
from crawlsift.report.reason_docs import render

prose = (
    "The council approved the new budget on Tuesday after a long debate about school "
    "funding, road repairs and the cost of the library extension downtown."
)
text = f"{prose}\\nBUY NOW AT HALF PRICE\\n{prose}\\nBIG SALE\\n{prose}"


def reasons(**options):
    pipeline = make_pipeline(RepairOptions(**options))
    return [e.reason for e in clean_text(text, pipeline=pipeline).edits]


print(json.dumps({
    "default": reasons(),
    "two_words": reasons(rules=(ShoutOptions(min_words=2),)),
    "off": reasons(boilerplate=False),
    "listed": [r.code for r in every_reason()].index("toy_shouting_line")
    > [r.code for r in every_reason()].index("repair_repeated_block"),
    "docs": "| `toy_shouting_line` | `repair` | edit | a line in capitals alone |" in render(),
}))
"""


def test_a_toy_rule_module_is_all_a_new_repair_rule_needs(tmp_path: Path):
    seen = run_with_module(tmp_path, "toy_rule", TOY_MODULE, "CRAWLSIFT_REPAIR_MODULES", DRIVER)
    assert seen["default"] == ["toy_shouting_line"]  # "BIG SALE" is two words
    assert seen["two_words"] == ["toy_shouting_line", "toy_shouting_line"]
    assert seen["off"] == []  # its switch turns it off
    assert seen["listed"]  # in the reason list, after the package's rules
    assert seen["docs"]


def test_docs_reasons_md_is_current_with_the_declared_rules():
    from crawlsift.report import reason_docs

    assert reason_docs.main(["--check"]) == 0, "run: python -m crawlsift.report.reason_docs"
