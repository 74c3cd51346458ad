"""The quality classifier stage: a fastText model scores each text (``quality_score``) and
rule ``quality_score`` rejects a text scored below its threshold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from click.testing import CliRunner

from crawlsift import schema as S
from crawlsift.api import clean_table, make_pipeline
from crawlsift.cli import main
from crawlsift.errors import InputError, MissingExtraError
from crawlsift.io.writers import read_output
from crawlsift.report import reason_docs
from crawlsift.signals import docs, quality
from crawlsift.signals.quality import SCORE, QualityOptions
from tests.model_files import BOILERPLATE, PROSE, texts, tiny_classifier, write_jsonl
from tests.signals.conftest import text_table

GOOD = "the council said researchers measured river water quality over three years"
BAD = "home login sign up subscribe cart menu share tweet cookie policy"
#: the pipelines below skip repair, which would remove BAD as boilerplate before scoring


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_classifier(tmp_path_factory.mktemp("classifier"))


def test_prose_scores_high_and_boilerplate_low(model: Path) -> None:
    table = text_table([GOOD, BAD, None, "x"], reasons=[None, None, None, "too_short"])
    out = quality.quality(table, opts=QualityOptions(model=str(model)))
    good, bad, missing, rejected = out.column(SCORE).to_pylist()
    assert good > 0.9 and bad < 0.1
    assert missing is None and rejected is None  # no text, or already rejected: not scored


def test_batch_scores_equal_one_text_at_a_time(model: Path) -> None:
    """The list form of predict gives each text the score it gets alone, newlines replaced
    by spaces (fastText refuses a newline)."""
    mixed = texts(PROSE, 20, seed=5) + texts(BOILERPLATE, 20, seed=6)
    table = text_table(mixed)
    batch = quality.quality(table, opts=QualityOptions(model=str(model))).column(SCORE)
    loaded = quality.load_model(str(model))
    for text, score in zip(mixed, batch.to_pylist(), strict=True):
        labels, probs = loaded.predict(text.strip().replace("\n", " "), k=-1)
        alone = dict(zip(labels, probs, strict=True))["__label__hq"]
        assert score == pytest.approx(min(float(alone), 1.0), abs=1e-6)


class _PredictOnly:
    """A model like fasttext-predict's: no ``get_labels``, and a list form that returns each
    text's labels without their probabilities."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def predict(self, text: str | list[str], k: int) -> Any:
        if isinstance(text, list):
            return self.model.predict(text, k=k)[0]
        return self.model.predict(text, k=k)


def test_a_build_without_batch_scores_scores_one_text_at_a_time(model: Path) -> None:
    mixed = quality.prepare(texts(PROSE, 10, seed=7) + texts(BOILERPLATE, 10, seed=8))
    loaded = quality.load_model(str(model))
    assert set(quality.model_labels(_PredictOnly(loaded))) == {"__label__hq", "__label__lq"}
    batch = quality.scores(loaded, mixed, "__label__hq")
    alone = quality.scores(_PredictOnly(loaded), mixed, "__label__hq")
    assert alone.tolist() == pytest.approx(batch.tolist(), abs=1e-6)


def test_the_score_is_the_named_labels_probability(model: Path) -> None:
    table = text_table([GOOD, BAD])
    hq = quality.quality(table, opts=QualityOptions(model=str(model)))
    lq = quality.quality(table, opts=QualityOptions(model=str(model), label="lq"))
    for a, b in zip(hq.column(SCORE).to_pylist(), lq.column(SCORE).to_pylist(), strict=True):
        assert a + b == pytest.approx(1.0, abs=1e-4)  # two labels: the probabilities sum to 1


def test_min_quality_rejects_low_scores_through_make_pipeline(model: Path) -> None:
    pipeline = make_pipeline(classifier=str(model), min_quality=0.5, skip_repair=True)
    assert pipeline.stages[-2:] == ("quality", "filter")
    out = clean_table(pa.table({"text": [GOOD, BAD]}), pipeline=pipeline)
    assert out.column(S.KEEP).to_pylist() == [True, False]
    assert out.column(S.REASON).to_pylist() == [None, "quality_score"]


def test_without_a_threshold_the_score_is_written_and_nothing_rejected(model: Path) -> None:
    pipeline = make_pipeline(classifier=str(model), skip_repair=True)
    assert "filter" not in pipeline.stages
    out = clean_table(pa.table({"text": [GOOD, BAD]}), pipeline=pipeline)
    assert out.column(S.KEEP).to_pylist() == [True, True]
    assert out.column(SCORE).null_count == 0


def test_the_classifier_runs_after_the_rule_filters_and_before_decontam(
    model: Path, tmp_path: Path
) -> None:
    bench = tmp_path / "bench.txt"
    bench.write_text("a question of some benchmark\n", encoding="utf-8")
    pipeline = make_pipeline(
        preset="gopher", classifier=str(model), decontaminate=[str(bench)], min_quality=0.2
    )
    stages = list(pipeline.stages)
    assert stages.index("gopher_quality") < stages.index("quality") < stages.index("decontam")
    assert stages[-1] == "filter"


def test_a_filters_file_sets_the_threshold(model: Path, tmp_path: Path) -> None:
    config = tmp_path / "filters.toml"
    config.write_text('preset = "none"\n[rules]\nquality_score = 0.5\n', encoding="utf-8")
    out = clean_table(
        pa.table({"text": [GOOD, BAD]}),
        pipeline=make_pipeline(filters=str(config), classifier=str(model), skip_repair=True),
    )
    assert out.column(S.REASON).to_pylist() == [None, "quality_score"]
    with pytest.raises(InputError, match="needs a classifier model"):
        make_pipeline(filters=str(config))


def test_bad_models_and_labels_are_input_errors(model: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="model not found"):
        QualityOptions(model=str(tmp_path / "missing.bin"))
    with pytest.raises(InputError, match="needs a model file"):
        QualityOptions()
    with pytest.raises(InputError, match="needs a classifier model"):
        make_pipeline(min_quality=0.5)
    with pytest.raises(InputError, match="quality_score: expected a number"):
        make_pipeline(classifier=str(model), min_quality="high")  # type: ignore[arg-type]
    broken = tmp_path / "broken.bin"
    broken.write_bytes(b"not a fastText model")
    with pytest.raises(InputError, match="cannot load classifier model"):
        quality.quality(text_table([GOOD]), opts=QualityOptions(model=str(broken)))
    with pytest.raises(InputError, match="has no label __label__good; its labels: __label__"):
        quality.quality(text_table([GOOD]), opts=QualityOptions(model=str(model), label="good"))


def test_a_missing_fasttext_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "fasttext", None)
    with pytest.raises(MissingExtraError, match=r"crawlsift\[classifier\]"):
        quality.fasttext_module()


def test_train_then_apply_with_two_commands(tmp_path: Path) -> None:
    """A user trains a model with train-classifier and applies it with clean."""
    from tests.model_files import needs_trainer, training_sets

    needs_trainer()
    good, bad = training_sets(tmp_path)
    model = tmp_path / "model.bin"
    runner = CliRunner()
    trained = runner.invoke(
        main,
        ["train-classifier", "--positive", str(good), "--negative", str(bad), "-o", str(model)],
    )
    assert trained.exit_code == 0, trained.output
    assert "precision 1.000, recall 1.000" in trained.output
    inputs = write_jsonl(tmp_path / "pages.jsonl", [GOOD, BAD])
    out = tmp_path / "out"
    cleaned = runner.invoke(
        main,
        ["clean", str(inputs), "-o", str(out), "--no-repair", *CLASSIFY, str(model), *MIN],
    )
    assert cleaned.exit_code == 0, cleaned.output
    kept = read_output(str(out / "kept"))
    rejected = read_output(str(out / "rejected"))
    assert kept.column(S.TEXT).to_pylist() == [GOOD]
    assert rejected.column(S.REASON).to_pylist() == ["quality_score"]
    assert kept.column(SCORE).to_pylist()[0] > 0.5 > rejected.column(SCORE).to_pylist()[0]
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    assert stats["rejected_by_reason"] == {"quality_score": 1}


CLASSIFY, MIN = ("--classifier",), ("--min-quality", "0.5")


def test_cli_errors_are_one_line(model: Path, tmp_path: Path) -> None:
    inputs = write_jsonl(tmp_path / "pages.jsonl", [GOOD])
    runner = CliRunner()
    no_model = runner.invoke(main, ["clean", str(inputs), "--stdout", "--min-quality", "0.5"])
    assert no_model.exit_code != 0 and "--min-quality needs --classifier" in no_model.output
    wrong_label = runner.invoke(
        main,
        ["clean", str(inputs), "--stdout", "--classifier", str(model), "--classifier-label", "x"],
    )
    assert wrong_label.exit_code == 1
    assert "Error: classifier model" in wrong_label.output
    assert "Traceback" not in wrong_label.output


def test_the_rule_and_column_are_in_the_generated_docs() -> None:
    assert docs.main(["--check"]) == 0, "run: python -m crawlsift.signals.docs"
    assert reason_docs.main(["--check"]) == 0, "run: python -m crawlsift.report.reason_docs"
    filters_md = docs.DOC.read_text(encoding="utf-8")
    assert "| `quality_score` | `quality_score` (`quality`) | reject below |" in filters_md
    reasons_md = (docs.DOC.parent / "reasons.md").read_text(encoding="utf-8")
    assert "| `quality_score` | `filter` | reject |" in reasons_md


def test_dedup_keeps_the_copy_the_classifier_scored_highest(model: Path, tmp_path: Path) -> None:
    """``quality_score`` written by clean is what dedup's ``quality`` keep order reads."""
    from crawlsift.api import clean
    from crawlsift.dedup import dedup
    from crawlsift.dedup.options import DedupOptions

    base = " ".join(texts(PROSE, 1, seed=12, length=(60, 60))[0].split())
    copies = [base + " home login cart menu.", base + ".", base + " share tweet."]
    pages = tmp_path / "pages.jsonl"
    pages.write_text(
        "".join(json.dumps({"id": f"p{i}", "text": t}) + "\n" for i, t in enumerate(copies)),
        encoding="utf-8",
    )
    pipeline = make_pipeline(classifier=str(model), skip_repair=True)
    clean(str(pages), str(tmp_path / "out"), pipeline=pipeline, workers=1)
    scored = read_output(str(tmp_path / "out" / "kept"))
    by_id = dict(
        zip(scored.column(S.ID).to_pylist(), scored.column(SCORE).to_pylist(), strict=True)
    )
    assert len(set(by_id.values())) == 3  # the copies score differently
    options = DedupOptions(keep_order=("quality", "date", "length"), boilerplate=False)
    dedup([str(tmp_path / "out")], str(tmp_path / "deduped"), options=options)
    kept = read_output(str(tmp_path / "deduped" / "kept")).column(S.ID).to_pylist()
    assert kept == [max(by_id, key=lambda k: by_id[k])]


def test_the_classifier_scores_the_text_before_pii_redaction(model: Path) -> None:
    pipeline = make_pipeline(pii=True, classifier=str(model))
    assert pipeline.stages[-2:] == ("quality", "pii")
