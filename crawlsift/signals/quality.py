"""Quality classifier: a fastText model the user supplies scores each document's text.

``quality_score`` is the probability the model gives the positive label (``__label__hq`` by
default; 0 when the model does not rank it), the column dedup reads to choose which copy of a
cluster to keep. Rule ``quality_score`` rejects a text scored below a threshold; it is in no
preset: ``make_pipeline(classifier=..., min_quality=...)`` / ``--min-quality`` or a filters
file set it.

The text is prepared as datatrove's ``FastTextClassifierFilter`` does in document mode, with
DCLM's replacement: leading and trailing white space stripped, each newline replaced by a
space (fastText reads one line per example). Every text of a batch is scored in one call of
the model's list form (fastText's ``multilinePredict``), which returns, per text, the
probability of every label (``k=-1``); with the predict-only ``fasttext-predict`` build, whose
list form returns no probabilities, one call per text. The model file is loaded once per
process.

Models are supervised fastText ``.bin`` or ``.ftz`` files (DCLM's and FineWeb-Edu-style
classifiers are); ``crawlsift train-classifier`` trains one
(:mod:`crawlsift.signals.quality_train`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from crawlsift import schema as S
from crawlsift.errors import InputError, MissingExtraError
from crawlsift.registry import Rule, Signals, register
from crawlsift.signals._text import active_texts

STAGE = "quality"
SCORE = "quality_score"
#: the rule rejecting a text the classifier scores below its threshold
RULE = "quality_score"
LABEL_PREFIX = "__label__"
#: the label whose probability is the score, unless the options name another
POSITIVE_LABEL = "__label__hq"
#: the pip package that provides the ``fasttext`` module with training, and its extra
EXTRA = "classifier"

#: in no preset: a threshold comes from ``min_quality`` / ``--min-quality`` or a filters file
SIGNALS = Signals(
    stage=STAGE,
    columns={SCORE: pa.float64()},
    rules=(Rule(RULE, SCORE, "min", "the quality classifier scored the text too low"),),
)


def label_name(label: str) -> str:
    """``label`` with fastText's ``__label__`` prefix (given with or without it)."""
    return label if label.startswith(LABEL_PREFIX) else LABEL_PREFIX + label


@dataclass(frozen=True, kw_only=True)
class QualityOptions:
    """The model file, and which of its labels is the good one."""

    #: a supervised fastText model (``.bin`` or ``.ftz``); required
    model: str = ""
    #: the label whose probability is ``quality_score`` (``hq`` and ``__label__hq`` alike)
    label: str = POSITIVE_LABEL
    #: what replaces each newline before scoring (fastText reads one line per text)
    newline_replacement: str = " "

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", str(self.model))
        if not self.model:
            raise InputError("the quality classifier needs a model file (a fastText .bin or .ftz)")
        if not Path(self.model).is_file():
            raise InputError(f"classifier model not found: {self.model}")
        if not isinstance(self.label, str) or not self.label.strip():
            raise InputError("the classifier label must be a non-empty string, e.g. __label__hq")
        object.__setattr__(self, "label", label_name(self.label.strip()))
        if "\n" in self.newline_replacement:
            raise InputError("newline_replacement must not hold a newline")


def fasttext_module() -> Any:
    """The ``fasttext`` module (``fasttext-community`` or the predict-only ``fasttext-predict``);
    :class:`MissingExtraError` naming the extra when neither is installed."""
    try:
        import fasttext
    except ModuleNotFoundError:
        raise MissingExtraError("fastText (fasttext-community)", EXTRA) from None
    return fasttext


@cache
def load_model(path: str) -> Any:
    """The fastText model at ``path``, loaded once per process."""
    fasttext = fasttext_module()
    try:
        return fasttext.load_model(path)
    except (ValueError, RuntimeError, OSError) as exc:
        raise InputError(f"cannot load classifier model {path}: {exc}") from None


def model_labels(model: Any) -> list[str]:
    """The labels of a supervised model."""
    # the predict-only build cannot list them, but gives every label a score
    full = hasattr(model, "get_labels")
    labels = model.get_labels() if full else model.predict("", k=-1)[0]
    return [str(label) for label in labels]


def prepare(texts: Sequence[str], newline_replacement: str = " ") -> list[str]:
    """The texts as the model reads them: stripped, newlines replaced (see the module doc)."""
    return [t.strip().replace("\n", newline_replacement) for t in texts]


def scores(model: Any, texts: Sequence[str], label: str) -> np.ndarray:
    """The probability of ``label`` for each of the prepared ``texts`` (0 when the model gives
    it none), capped at 1 (fastText's softmax may exceed it by a rounding error)."""
    if not texts:
        return np.zeros(0)
    if hasattr(model, "get_labels"):  # the full build: one call for the batch
        labels, probs = model.predict(list(texts), k=-1)
    else:  # fasttext-predict, whose list form returns the labels without their probabilities
        pairs = [model.predict(text, k=-1) for text in texts]
        labels, probs = [p[0] for p in pairs], [p[1] for p in pairs]
    if len(labels) != len(texts) or len(probs) != len(texts):
        raise InputError(f"the fastText model scored {len(labels)} of {len(texts)} texts")
    out = np.zeros(len(texts))
    for i, (names, values) in enumerate(zip(labels, probs, strict=True)):
        for name, value in zip(names, values, strict=True):
            if name == label:
                out[i] = float(value)
                break
    return np.minimum(out, 1.0)


def checked_model(opts: QualityOptions) -> Any:
    """The options' model, after checking it has their label."""
    model = load_model(opts.model)
    known = model_labels(model)
    if opts.label not in known:
        raise InputError(
            f"classifier model {opts.model} has no label {opts.label}; its labels: "
            f"{', '.join(known)}"
        )
    return model


@register(STAGE, QualityOptions, columns=tuple(SIGNALS.columns))
def quality(table: pa.Table, *, opts: QualityOptions | None = None) -> pa.Table:
    """Score each text with a fastText classifier: ``quality_score`` (null on rejected rows)."""
    if opts is None:
        raise InputError("the quality stage needs QualityOptions(model=...)")
    model = checked_model(opts)
    texts = active_texts(table)
    active = np.flatnonzero(texts.is_not_null().to_numpy())
    values = texts.gather(active).to_list() if len(active) else []
    found = scores(model, prepare(values, opts.newline_replacement), opts.label)
    column = np.full(len(texts), np.nan)
    column[active] = found
    mask = np.ones(len(texts), bool)
    mask[active] = False
    return S.with_columns(table, {SCORE: pa.array(column, pa.float64(), mask=mask)})


def options_for(
    classifier: str | Path | QualityOptions, label: str | None = None
) -> QualityOptions:
    """Options from a model path (and optional label) or given options."""
    if isinstance(classifier, QualityOptions):
        if label is not None:
            raise InputError("give the label in QualityOptions or as label=, not both")
        return classifier
    if not isinstance(classifier, str | Path):
        raise InputError(
            f"classifier must be a model path or QualityOptions, not {type(classifier).__name__}"
        )
    return QualityOptions(model=str(classifier), label=label or POSITIVE_LABEL)
