"""Every threshold a repair rule has is an option of RepairOptions, and reaches its rule."""

from __future__ import annotations

import inspect
from dataclasses import fields, replace

from crawlsift import RepairOptions
from crawlsift import schema as S
from crawlsift.repair import boilerplate, content_density, error_banner, repeated_blocks, title
from crawlsift.repair.stage import repair

PROSE = (
    "The council approved the new budget on Tuesday after a long debate about school funding, "
    "road repairs and the cost of the proposed library extension downtown."
)
RULE_MODULES = (boilerplate, error_banner, repeated_blocks, title)


def _text(opts: RepairOptions, text: str) -> str:
    return repair(S.input_table(text=[text]), opts=opts).column(S.TEXT)[0].as_py()


def test_each_rule_takes_one_options_dataclass_that_repair_options_holds():
    held = {type(getattr(RepairOptions(), f.name)) for f in fields(RepairOptions)}
    rules = [
        fn
        for module in RULE_MODULES
        for name, fn in vars(module).items()
        if name.endswith("_rule") and callable(fn)
    ]
    assert len(rules) == 9
    for fn in rules:
        [param] = inspect.signature(fn).parameters.values()  # no threshold outside it
        option_type = getattr(inspect.getmodule(fn), param.annotation.split(" | ")[0])
        assert option_type in held, fn.__name__
    assert content_density.LowContentOptions in held


def test_a_rule_threshold_set_in_repair_options_changes_what_the_rule_removes():
    cookie = "We use cookies to improve your experience. Accept all cookies to continue."
    text = f"{PROSE}\n{cookie}\n{PROSE[::-1]}"
    default = RepairOptions()
    assert cookie not in _text(default, text)
    strict = replace(default, cookie_rule=boilerplate.CookieOptions(max_words=3))
    assert cookie in _text(strict, text)


def test_low_content_thresholds_reach_the_rule():
    menu = "\n".join(["Home", "News", "Sport", "Weather", "Contact"])
    text = f"{menu}\n{PROSE}\n{PROSE}."
    default = RepairOptions()
    assert "Weather" not in _text(default, text)
    lenient = replace(
        default, low_content_rule=content_density.LowContentOptions(threshold=0, max_runs=1)
    )
    assert "Weather" in _text(lenient, text)
