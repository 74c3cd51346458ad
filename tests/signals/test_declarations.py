"""A filter has one home: the signal module declaring its columns, rules and stage.

The presets, the CLI's ``--preset`` choices, the schema and the tables of ``docs/filters.md``
all derive from those declarations; a toy module written here (not in the package) shows it.
"""

from __future__ import annotations

from pathlib import Path

from crawlsift.signals import docs
from tests.outside_module import run_with_module

TOY_MODULE = """
from dataclasses import dataclass

import polars as pl
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.registry import DEFAULT_PRESET, Rule, Signals, in_presets, register
from crawlsift.signals._text import active_texts, to_arrow

STAGE = "toy"
CAPS = "toy_caps_ratio"
SIGNALS = Signals(
    stage=STAGE,
    columns={CAPS: pa.float64()},
    rules=(Rule("toy_shouting", CAPS, "max", "capitals", in_presets(0.5, "toy", DEFAULT_PRESET)),),
)


@dataclass(frozen=True, kw_only=True)
class ToyOptions:
    pass


@register(STAGE, ToyOptions, columns=tuple(SIGNALS.columns))
def toy(table, *, opts=None):
    texts = active_texts(table)
    caps = texts.str.count_matches("[A-Z]") / texts.str.len_chars()
    return S.with_columns(table, to_arrow(pl.DataFrame({CAPS: caps}), texts))
"""

DRIVER = """
import json

from crawlsift import schema as S
from crawlsift.cli import main
from crawlsift.engine.pipeline import Pipeline
from crawlsift.signals.docs import render
from crawlsift.signals.filters import PRESETS, FilterOptions, quality_pipeline

(preset,) = [p for p in main.commands["clean"].params if p.name == "preset"]
stages = quality_pipeline("toy")
pipeline = Pipeline(stages=stages, options={"filter": FilterOptions(preset="toy")})
out = pipeline(S.input_table(text=["HELLO THERE", "a quiet text"]))
print(json.dumps({
    "toy": PRESETS.get("toy"),
    "default": PRESETS["crawlsift-default"].get("toy_shouting"),
    "stages": stages,
    "default_stages": quality_pipeline(),
    "choices": list(preset.type.choices),
    "type": str(S.COLUMN_TYPES.get("toy_caps_ratio")),
    "reasons": out.column("reason").to_pylist(),
    "docs": "| `toy_shouting` | `toy_caps_ratio` (`toy`) | reject above |" in render(
        __import__("crawlsift.registry").registry.signals()
    ),
}))
"""


def test_docs_filters_md_is_current():
    assert docs.main(["--check"]) == 0, "run: python -m crawlsift.signals.docs"


def test_a_toy_signal_module_is_all_a_new_filter_needs(tmp_path: Path):
    seen = run_with_module(tmp_path, "toy_signal", TOY_MODULE, "CRAWLSIFT_SIGNAL_MODULES", DRIVER)
    assert seen["toy"] == {"toy_shouting": 0.5}
    assert seen["default"] == 0.5
    assert seen["stages"] == ["toy", "filter"]
    assert seen["default_stages"][-2:] == ["toy", "filter"]  # after the other signal stages
    assert "toy" in seen["choices"] and "crawlsift-default" in seen["choices"]
    assert seen["type"] == "double"
    assert seen["reasons"] == ["toy_shouting", None]
    assert seen["docs"]
