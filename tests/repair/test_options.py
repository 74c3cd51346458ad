"""Every threshold a repair rule has is an option of its options dataclass, which
``RepairOptions.rules`` passes to the rule."""

from __future__ import annotations

import inspect

import pytest

from crawlsift import RepairOptions
from crawlsift import schema as S
from crawlsift.errors import InputError
from crawlsift.repair import boilerplate, content_density
from crawlsift.repair.registry import repair_rules
from crawlsift.repair.stage import repair

PROSE = (
    "The council approved the new budget on Tuesday after a long debate about school funding, "
    "road repairs and the cost of the proposed library extension downtown."
)


def _text(opts: RepairOptions, text: str) -> str:
    return repair(S.input_table(text=[text]), opts=opts).column(S.TEXT)[0].as_py()


def test_each_rule_takes_its_options_dataclass_and_nothing_else():
    rules = repair_rules()
    assert len(rules) == 10
    for rule in rules:
        marks = rule.line_rule or rule.step
        assert marks is not None
        params = inspect.signature(marks).parameters
        names = [n for n in params if n not in ("lines", "markup")]  # a step's table and flag
        assert len(names) == 1, rule.code  # no threshold outside the options
        assert rule.options.__name__ in str(params[names[0]].annotation), rule.code
        assert rule.switch is None or isinstance(getattr(RepairOptions(), rule.switch), bool)


def test_a_rule_threshold_set_in_repair_options_changes_what_the_rule_removes():
    cookie = "We use cookies to improve your experience. Accept all cookies to continue."
    text = f"{PROSE}\n{cookie}\n{PROSE[::-1]}"
    assert cookie not in _text(RepairOptions(), text)
    strict = RepairOptions(rules=(boilerplate.CookieOptions(max_words=3),))
    assert cookie in _text(strict, text)


def test_low_content_thresholds_reach_the_rule():
    menu = "\n".join(["Home", "News", "Sport", "Weather", "Contact"])
    text = f"{menu}\n{PROSE}\n{PROSE}."
    assert "Weather" not in _text(RepairOptions(), text)
    lenient = RepairOptions(rules=[content_density.LowContentOptions(threshold=0, max_runs=1)])
    assert lenient.rules == (content_density.LowContentOptions(threshold=0, max_runs=1),)
    assert "Weather" in _text(lenient, text)


@pytest.mark.parametrize(
    "rules, message",
    [
        ((object(),), "is not the options of a repair rule"),
        ((boilerplate.CreditOptions(), boilerplate.CreditOptions()), "CreditOptions given twice"),
    ],
)
def test_options_of_no_rule_or_given_twice_are_input_errors(rules, message):
    with pytest.raises(InputError, match=message):
        RepairOptions(rules=rules)
