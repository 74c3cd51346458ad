"""Train a fastText quality classifier from two local sets of texts (``train-classifier``).

The positive and the negative texts come from JSONL files (the ``text`` field of each line),
Parquet files (the ``text`` column) or crawlsift output directories (the texts of their
``kept/`` shards). Each set is shuffled with ``seed`` and its last ``holdout`` fraction is held
out: the model is trained on the rest, and precision, recall and F1 of the positive label are
measured on the held-out texts (a text is positive when its score is at least ``threshold``).
Texts are prepared exactly as the ``quality`` stage prepares them, so training and scoring
read the same strings.

Training needs the full fastText module (``pip install 'crawlsift[classifier]'``: the
``fasttext-community`` wheels, which train and predict under NumPy 2). fastText with one
thread and a fixed seed gives the same model on every run.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from crawlsift.errors import InputError, MissingExtraError
from crawlsift.settings import check_types
from crawlsift.signals.quality import (
    EXTRA,
    LABEL_PREFIX,
    POSITIVE_LABEL,
    fasttext_module,
    label_name,
    prepare,
    scores,
)

#: the label the negative texts get
NEGATIVE_LABEL = "__label__lq"


@dataclass(frozen=True, kw_only=True)
class TrainOptions:
    """How the classifier is trained and measured. The fastText settings are DCLM's
    (``wordNgrams=2``, ``lr=0.1``, ``dim=100``) with fewer epochs by default, and a tenth of
    fastText's 2,000,000 hash buckets for word pairs: a model is then about 80 MB, not 800."""

    label: str = POSITIVE_LABEL
    negative_label: str = NEGATIVE_LABEL
    holdout: float = 0.1  # fraction of each set held out for measuring
    seed: int = 0
    epoch: int = 5
    lr: float = 0.1
    dim: int = 100
    word_ngrams: int = 2
    bucket: int = 200_000  # hash buckets of the word n-grams (a model holds bucket x dim floats)
    min_count: int = 1
    threads: int = 1  # one thread: the same model on every run
    threshold: float = 0.5  # the score from which a held-out text counts as positive

    def __post_init__(self) -> None:
        check_types(self, "train-classifier")
        object.__setattr__(self, "label", label_name(self.label))
        object.__setattr__(self, "negative_label", label_name(self.negative_label))
        if self.label == self.negative_label:
            raise InputError("the positive and the negative label must differ")
        for name in (self.label, self.negative_label):
            if any(c.isspace() for c in name) or name == LABEL_PREFIX:
                raise InputError(f"a label is one word after {LABEL_PREFIX}, not {name!r}")
        if not 0.0 < self.holdout < 1.0:
            raise InputError("holdout must lie strictly between 0 and 1")
        sizes = (self.epoch, self.dim, self.word_ngrams, self.bucket, self.min_count, self.threads)
        if min(sizes) < 1:
            raise InputError(
                "epoch, dim, word_ngrams, bucket, min_count and threads must be at least 1"
            )
        if not self.lr > 0 or not 0.0 <= self.threshold <= 1.0:
            raise InputError("lr must be positive and threshold lie in [0, 1]")


@dataclass(frozen=True)
class TrainResult:
    """What training gave: the model's path, the set sizes and the held-out measures."""

    model: str
    train_positive: int
    train_negative: int
    heldout_positive: int
    heldout_negative: int
    precision: float
    recall: float
    f1: float
    seconds: float  # training only, without reading the sets or measuring

    def describe(self) -> str:
        """Two lines for the command line."""
        return (
            f"trained on {self.train_positive:,} positive and {self.train_negative:,} negative "
            f"texts in {self.seconds:.1f} s; wrote {self.model}\n"
            f"held out {self.heldout_positive:,} positive and {self.heldout_negative:,} "
            f"negative: precision {self.precision:.3f}, recall {self.recall:.3f}, "
            f"F1 {self.f1:.3f}"
        )


def _texts_of_table(table: pa.Table, where: str) -> list[str]:
    if "text" not in table.column_names:
        raise InputError(f"{where} has no text column")
    return [t for t in table.column("text").to_pylist() if isinstance(t, str)]


def read_texts(path: str) -> list[str]:
    """The non-blank texts of one set file or crawlsift output directory."""
    p = Path(path)
    try:
        if p.is_dir():
            from crawlsift.io.writers import read_output

            kept = p / "kept"
            if not kept.is_dir():
                raise InputError(f"{path}: a directory must be a crawlsift output (with kept/)")
            texts = _texts_of_table(read_output(str(kept)), f"{path}/kept")
        elif not p.is_file():
            raise InputError(f"training set not found: {path}")
        elif p.name.lower().endswith(".parquet"):
            texts = _texts_of_table(pq.read_table(p, columns=["text"]), path)
        else:
            opener: Any = gzip.open if p.name.lower().endswith(".gz") else open
            texts = []
            with opener(p, "rt", encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    text = record.get("text") if isinstance(record, dict) else None
                    if not isinstance(text, str):
                        raise InputError(f"{path} line {number}: no text field")
                    texts.append(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, pa.ArrowException) as exc:
        raise InputError(f"cannot read training set {path}: {exc}") from None
    return [t for t in texts if t.strip()]


def _split(texts: list[str], holdout: float, seed: int) -> tuple[list[str], list[str]]:
    """(train, held out): a seeded shuffle, the last ``holdout`` fraction (at least one text)
    held out."""
    order = list(texts)
    random.Random(seed).shuffle(order)
    n_out = max(1, round(len(order) * holdout))
    return order[:-n_out], order[-n_out:]


def _measure(
    model: Any, positive: list[str], negative: list[str], opts: TrainOptions
) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive label on held-out texts."""
    pos = scores(model, prepare(positive), opts.label) >= opts.threshold
    neg = scores(model, prepare(negative), opts.label) >= opts.threshold
    tp, fp, fn = int(pos.sum()), int(neg.sum()), int((~pos).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _trainer() -> Any:
    fasttext = fasttext_module()
    if not hasattr(fasttext, "train_supervised"):
        raise MissingExtraError(
            "fastText with training (the installed fasttext module is the predict-only "
            "fasttext-predict; pip install --force-reinstall --no-deps fasttext-community)",
            EXTRA,
        )
    return fasttext


def train_classifier(
    positive: Sequence[str],
    negative: Sequence[str],
    output: str,
    options: TrainOptions | None = None,
) -> TrainResult:
    """Train on the ``positive`` and ``negative`` sets (files or crawlsift output
    directories), write the model to ``output`` and measure it on held-out texts."""
    opts = options or TrainOptions()
    if not positive or not negative:
        raise InputError("give at least one positive and one negative set")
    sets = []
    for name, paths in (("positive", positive), ("negative", negative)):
        texts = [t for path in paths for t in read_texts(str(path))]
        if len(texts) < 2:
            raise InputError(
                f"the {name} set needs at least 2 texts (one held out); it has {len(texts)}"
            )
        sets.append(_split(texts, opts.holdout, opts.seed))
    (pos_train, pos_out), (neg_train, neg_out) = sets
    out = Path(output)
    if out.is_dir():
        raise InputError(f"{output} is a directory; give the model file to write")
    fasttext = _trainer()
    examples = [f"{opts.label} {t}" for t in prepare(pos_train)]
    examples += [f"{opts.negative_label} {t}" for t in prepare(neg_train)]
    random.Random(opts.seed).shuffle(examples)  # fastText reads the file in order
    with tempfile.TemporaryDirectory(prefix="crawlsift-train-") as tmp:
        train_file = os.path.join(tmp, "train.txt")
        Path(train_file).write_text("\n".join(examples) + "\n", encoding="utf-8")
        start = time.perf_counter()
        try:
            model = fasttext.train_supervised(
                input=train_file,
                epoch=opts.epoch,
                lr=opts.lr,
                dim=opts.dim,
                wordNgrams=opts.word_ngrams,
                bucket=opts.bucket,
                minCount=opts.min_count,
                thread=opts.threads,
                seed=opts.seed,
                verbose=0,
            )
        except (RuntimeError, ValueError) as exc:
            raise InputError(f"fastText could not train on these sets: {exc}") from None
        seconds = time.perf_counter() - start
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(str(out))
    precision, recall, f1 = _measure(model, pos_out, neg_out, opts)
    return TrainResult(
        model=str(out),
        train_positive=len(pos_train),
        train_negative=len(neg_train),
        heldout_positive=len(pos_out),
        heldout_negative=len(neg_out),
        precision=precision,
        recall=recall,
        f1=f1,
        seconds=seconds,
    )
