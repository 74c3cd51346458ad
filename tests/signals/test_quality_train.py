"""``train-classifier``: sets read from files or crawlsift outputs, a seeded held-out split,
the same model on every run, and held-out precision and recall."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawlsift.api import clean
from crawlsift.errors import InputError, MissingExtraError
from crawlsift.signals import quality, quality_train
from crawlsift.signals.quality_train import TrainOptions, read_texts, train_classifier
from tests.model_files import BOILERPLATE, PROSE, needs_trainer, texts, training_sets, write_jsonl

SMALL = TrainOptions(dim=16, bucket=1000, epoch=10)


def test_the_split_holds_out_the_fraction_of_each_set(tmp_path: Path) -> None:
    needs_trainer()
    good, bad = training_sets(tmp_path, n=100)
    result = train_classifier([str(good)], [str(bad)], str(tmp_path / "m.bin"), SMALL)
    assert (result.train_positive, result.heldout_positive) == (90, 10)
    assert (result.train_negative, result.heldout_negative) == (90, 10)
    assert result.precision == result.recall == result.f1 == 1.0
    assert (tmp_path / "m.bin").is_file()


def test_the_same_seed_gives_the_same_model(tmp_path: Path) -> None:
    needs_trainer()
    good, bad = training_sets(tmp_path, n=100)
    probe = quality.prepare(texts(PROSE + BOILERPLATE, 30, seed=11))
    found = []
    for name in ("a.bin", "b.bin"):
        train_classifier([str(good)], [str(bad)], str(tmp_path / name), SMALL)
        model = quality.load_model(str(tmp_path / name))
        found.append(quality.scores(model, probe, "__label__hq").tolist())
    assert found[0] == found[1]
    assert (tmp_path / "a.bin").read_bytes() == (tmp_path / "b.bin").read_bytes()


def test_a_set_may_be_a_crawlsift_output_or_parquet(tmp_path: Path) -> None:
    """An output directory gives its kept texts, not its rejected ones."""
    pages = write_jsonl(tmp_path / "pages.jsonl", ["First page of prose.", "Second page."])
    summary = clean(str(pages), str(tmp_path / "out"), workers=1)
    assert (summary.stats.kept, summary.stats.rejected) == (1, 1)
    assert read_texts(str(tmp_path / "out")) == ["First page of prose."]
    pq.write_table(pa.table({"text": ["one", None, " ", "two"]}), tmp_path / "set.parquet")
    assert read_texts(str(tmp_path / "set.parquet")) == ["one", "two"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"body": "x"}\n', "line 1: no text field"),
        ("not json\n", "cannot read training set"),
    ],
)
def test_bad_sets_are_input_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_texts(str(path))


def test_too_small_sets_and_bad_options_are_input_errors(tmp_path: Path) -> None:
    one = write_jsonl(tmp_path / "one.jsonl", ["only text"])
    good, _ = training_sets(tmp_path, n=10)
    with pytest.raises(InputError, match="negative set needs at least 2 texts"):
        train_classifier([str(good)], [str(one)], str(tmp_path / "m.bin"))
    with pytest.raises(InputError, match="not found"):
        read_texts(str(tmp_path / "missing.jsonl"))
    with pytest.raises(InputError, match="holdout"):
        TrainOptions(holdout=1.0)
    with pytest.raises(InputError, match="must differ"):
        TrainOptions(label="hq", negative_label="__label__hq")
    with pytest.raises(InputError, match="must be int"):
        TrainOptions(epoch="5")  # type: ignore[arg-type]


def test_a_predict_only_fasttext_names_the_trainer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class PredictOnly:
        load_model = None

    monkeypatch.setattr(quality_train, "fasttext_module", lambda: PredictOnly)
    good, bad = training_sets(tmp_path, n=10)
    with pytest.raises(MissingExtraError, match="predict-only fasttext-predict"):
        train_classifier([str(good)], [str(bad)], str(tmp_path / "m.bin"))
    assert not (tmp_path / "m.bin").exists()
    assert json.loads(good.read_text(encoding="utf-8").splitlines()[0])["text"]
