"""Model files the tests make for themselves: a tiny fastText classifier trained on generated
texts, and a tiny Hugging Face tokenizer trained in memory. Nothing is downloaded."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

#: words of the generated "good" texts (prose) and "bad" texts (navigation and ads)
_PROSE = (
    "the council said researchers measured river water quality over three years and found "
    "that pollution fell after new rules on farms were introduced while scientists warned "
    "that summer droughts could reverse the gains"
)
_BOILERPLATE = (
    "home login sign up subscribe cart menu share tweet cookie policy privacy terms contact "
    "click here buy now free shipping newsletter follow us copyright all rights reserved"
)
PROSE = _PROSE.split()
BOILERPLATE = _BOILERPLATE.split()


def texts(words: list[str], n: int, seed: int, length: tuple[int, int] = (8, 20)) -> list[str]:
    """``n`` texts of random words from ``words``, some over two lines."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        chosen = rng.choices(words, k=rng.randint(*length))
        if i % 3 == 0:
            chosen.insert(len(chosen) // 2, "\n")
        out.append(" ".join(chosen).replace(" \n ", "\n"))
    return out


def write_jsonl(path: Path, items: list[str]) -> Path:
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in items), encoding="utf-8")
    return path


def training_sets(directory: Path, n: int = 200) -> tuple[Path, Path]:
    """A positive (prose) and a negative (boilerplate) JSONL set of ``n`` texts each."""
    good = write_jsonl(directory / "good.jsonl", texts(PROSE, n, seed=1))
    bad = write_jsonl(directory / "bad.jsonl", texts(BOILERPLATE, n, seed=2, length=(3, 10)))
    return good, bad


def needs_trainer() -> None:
    """Skip unless the full fastText module (the ``classifier`` extra) is installed."""
    fasttext = pytest.importorskip("fasttext", reason="the [classifier] extra")
    if not hasattr(fasttext, "train_supervised"):
        pytest.skip("the fasttext module is predict-only; the [classifier] extra trains")


def tiny_classifier(directory: Path) -> Path:
    """A fastText model telling prose (``__label__hq``) from boilerplate (``__label__lq``)."""
    needs_trainer()
    from crawlsift.signals.quality_train import TrainOptions, train_classifier

    good, bad = training_sets(directory)
    model = directory / "quality.bin"
    train_classifier(
        [str(good)], [str(bad)], str(model), TrainOptions(dim=16, epoch=10, bucket=1000)
    )
    return model


def tiny_tokenizer(directory: Path) -> Path:
    """A word-level tokenizer over :data:`PROSE` (other words are ``[UNK]``), saved as
    ``tokenizer.json``: one token per word or punctuation mark."""
    pytest.importorskip("tokenizers", reason="the [tokens] extra")
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordLevelTrainer(special_tokens=["[UNK]"])
    tokenizer.train_from_iterator([" ".join(PROSE)], trainer=trainer)
    path = directory / "tokenizer.json"
    tokenizer.save(str(path))
    return path
