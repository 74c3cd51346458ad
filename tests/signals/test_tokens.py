"""Token counts: ``token_count`` from a tokenizer file the user supplies, and the token totals
of a run in stats.json, the summary and report.html."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner

from crawlsift import schema as S
from crawlsift.api import clean_table, make_pipeline
from crawlsift.cli import main
from crawlsift.errors import InputError, MissingExtraError
from crawlsift.io.writers import read_output
from crawlsift.report.stats import RunStats
from crawlsift.signals import tokens
from crawlsift.signals.tokens import TOKEN_COUNT, TokenOptions
from tests.model_files import PROSE, texts, tiny_tokenizer, write_jsonl
from tests.signals.conftest import text_table


@pytest.fixture
def short_docs(tmp_path: Path) -> str:
    """A filters file rejecting texts of fewer than 10 words, and nothing else."""
    path = tmp_path / "filters.toml"
    path.write_text('preset = "none"\n[rules]\ngopher_short_doc = 10\n', encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_tokenizer(tmp_path_factory.mktemp("tokenizer"))


def test_counts_are_the_tokenizers_own(tokenizer: Path) -> None:
    from tokenizers import Tokenizer

    sample = [*texts(PROSE, 30, seed=3), "unknown words, all of them!", ""]
    out = tokens.tokens(text_table([*sample, None]), opts=TokenOptions(tokenizer=str(tokenizer)))
    own = Tokenizer.from_file(str(tokenizer))
    expected = [len(own.encode(t, add_special_tokens=False).ids) for t in sample]
    assert out.column(TOKEN_COUNT).to_pylist() == [*expected, None]
    assert expected[-2] == 7  # WordLevel + Whitespace: one token per word and mark


def test_rejected_texts_are_counted_too(tokenizer: Path) -> None:
    table = text_table(["the council said", "the river"], reasons=[None, "too_short"])
    out = tokens.tokens(table, opts=TokenOptions(tokenizer=str(tokenizer)))
    assert out.column(TOKEN_COUNT).to_pylist() == [3, 2]


def test_the_stage_runs_last_on_the_text_written(tokenizer: Path) -> None:
    pipeline = make_pipeline(preset="gopher", tokenizer=str(tokenizer))
    assert pipeline.stages[-1] == "tokens"
    out = clean_table(pa.table({"text": ["the council said", None]}), pipeline=pipeline)
    assert out.column(TOKEN_COUNT).to_pylist() == [3, None]


def test_stats_hold_token_totals_of_kept_and_rejected(tokenizer: Path, short_docs: str) -> None:
    pipeline = make_pipeline(filters=short_docs, tokenizer=str(tokenizer))
    long = " ".join(PROSE * 4) + "."
    out = clean_table(pa.table({"text": [long, "the river", long]}), pipeline=pipeline)
    assert out.column(S.KEEP).to_pylist() == [True, False, True]
    stats = RunStats()
    stats.add_batch(out)
    assert (stats.tokens_kept, stats.tokens_rejected) == (2 * (len(PROSE) * 4 + 1), 2)
    again = RunStats.from_dict(json.loads(json.dumps(stats.to_dict())))
    again.merge(stats)
    assert (again.tokens_kept, again.tokens_rejected) == (4 * (len(PROSE) * 4 + 1), 4)
    without = RunStats()
    without.add_batch(out.drop_columns([TOKEN_COUNT]))
    assert "tokens_kept" not in without.to_dict()  # no tokenizer: no totals, not zeros


def test_cli_counts_tokens_into_stats_summary_and_report(
    tokenizer: Path, tmp_path: Path, short_docs: str
) -> None:
    long = " ".join(PROSE * 4) + "."
    inputs = write_jsonl(tmp_path / "pages.jsonl", [long, "the river"])
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "clean",
            str(inputs),
            "-o",
            str(out),
            "--filters",
            short_docs,
            "--tokenizer",
            str(tokenizer),
        ],
    )
    assert result.exit_code == 0, result.output
    n = len(PROSE) * 4 + 1
    assert f"tokens     {n:,} kept, 2 rejected" in result.output
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    assert (stats["tokens_kept"], stats["tokens_rejected"]) == (n, 2)
    assert read_output(str(out / "kept")).column(TOKEN_COUNT).to_pylist() == [n]
    assert f"{n:,} kept, 2 rejected" in (out / "report.html").read_text(encoding="utf-8")


def test_bad_tokenizer_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="tokenizer file not found"):
        TokenOptions(tokenizer=str(tmp_path / "tokenizer.json"))
    with pytest.raises(InputError, match="need a tokenizer file"):
        TokenOptions()
    broken = tmp_path / "broken.json"
    broken.write_text("{}", encoding="utf-8")
    pytest.importorskip("tokenizers")
    with pytest.raises(InputError, match="cannot load tokenizer"):
        tokens.tokens(text_table(["x"]), opts=TokenOptions(tokenizer=str(broken)))
    inputs = write_jsonl(tmp_path / "a.jsonl", ["x"])
    result = CliRunner().invoke(
        main, ["clean", str(inputs), "--stdout", "--tokenizer", str(broken)]
    )
    assert result.exit_code == 1 and "Error: cannot load tokenizer" in result.output


def test_a_missing_tokenizers_package_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tokenizer.json"
    path.write_text("{}", encoding="utf-8")
    monkeypatch.setitem(__import__("sys").modules, "tokenizers", None)
    tokens.load_tokenizer.cache_clear()
    with pytest.raises(MissingExtraError, match=r"tokenizers .*crawlsift\[tokens\]"):
        tokens.load_tokenizer(str(path))


def test_tokens_are_counted_after_pii_redaction(tokenizer: Path) -> None:
    """The count is of the text as written: after the pii stage replaced what it redacts."""
    pipeline = make_pipeline(pii=True, tokenizer=str(tokenizer), skip_repair=True)
    assert pipeline.stages[-2:] == ("pii", "tokens")
