"""The record crawlsift was created from must come out right (see the first issue)."""

from __future__ import annotations

import pytest

import crawlsift
from crawlsift import schema as S
from crawlsift.io import discover, read_task
from tests.conftest import GOLDEN

ABSENT = [
    "Sorry!!",
    "Error! We're sorry",
    "Legal Disclaimer",
    "MENAFN provides the information",
    "Most popular stories",
    "Market Research",
    "Bet20 Launches Premium Casino Platform",
    "Reppo Launches World's First Liquid Node Sale",
    "BTSE Announces Bitcoin Pizza Day Campaign Milestones",
    "SPAYZ.Io To Roll Out Payment Solutions",
    "Moonx: Bydfi's On-Chain Trading Engine",
    "Superfunded Unveils A Revolutionary Transparency Upgrade",
    "NEXPACE Launches Maplestory N And NXPC Token",
    "CommentsNo comment",
]


def _seed_row(seed_path):
    tasks = discover([str(seed_path)])
    tables = [crawlsift.make_pipeline()(b) for b in read_task(tasks[0])]
    assert sum(t.num_rows for t in tables) == 1
    return tables[0].to_pylist()[0]


def test_seed_gives_one_kept_article(seed_path):
    row = _seed_row(seed_path)
    assert row[S.KEEP] is True
    assert row[S.REASON] is None
    assert row[S.TITLE] == "Lavrov, Rubio Discuss Ukraine Conflict"
    assert row[S.DATE] == "2025-06-02"
    assert row[S.HTTP_STATUS] == 403
    golden = (GOLDEN / "000_54a851cabf0a182d.text.txt").read_text(encoding="utf-8")
    assert row[S.TEXT] == golden.rstrip("\n")


def test_seed_paragraphs_once_in_order_with_quotes(seed_path):
    text = _seed_row(seed_path)[S.TEXT]
    paragraphs = text.split("\n")
    assert len(paragraphs) == 11
    assert paragraphs[0].startswith("(MENAFN) Russian Foreign Minister Sergey Lavrov")
    assert paragraphs[-1].endswith("emphasizing Washington’s commitment to diplomatic engagement.")
    assert len(set(paragraphs)) == 11
    quoted = [p for p in paragraphs if p.endswith("”")]
    assert len(quoted) == 4  # the paragraphs C4's line filter deletes
    for needle in ABSENT:
        assert needle not in text, needle


def test_seed_edits_name_every_removal(seed_path):
    row = _seed_row(seed_path)
    source = row[S.INPUT_TEXT]
    by_reason = {}
    for e in row[S.EDITS]:
        by_reason.setdefault(e["reason"], []).append(source[e["start"] : e["end"]])
    assert by_reason["repair_error_banner"] == [
        "Sorry!!\nError! We're sorry, but the page you were looking for doesn't exist."
    ]
    assert by_reason["repair_title"] == ["Lavrov, Rubio Discuss Ukraine Conflict"]
    (repeat,) = by_reason["repair_repeated_block"]
    assert repeat.startswith("They also addressed") and repeat.endswith("diplomatic engagement.")
    (legal,) = by_reason["repair_legal_boilerplate"]
    assert legal.startswith("Legal Disclaimer:") and "kindly contact the provider" in legal
    (links,) = by_reason["repair_link_list"]
    assert links.startswith("Most popular stories") and links.endswith("Maplestory Universe")
    assert by_reason["repair_widget"] == ["CommentsNo comment"]


def test_edits_and_kept_text_cover_the_input(seed_text):
    """Every non-blank input line is either in the output or inside an edit."""
    result = crawlsift.clean_text(seed_text)
    covered = set()
    for e in result.edits:
        covered.update(range(e.start, e.end))
    kept_lines = set(result.text.split("\n"))
    pos = 0
    for line in seed_text.split("\n"):
        if line.strip():
            in_edit = all(i in covered for i in range(pos, pos + len(line)))
            assert in_edit or line.strip() in kept_lines, line
        pos += len(line) + 1


def test_error_banner_only_record_is_rejected_as_error_page():
    result = crawlsift.clean_text(
        "Oops!\nError 404: the page you are looking for could not be found.\n", http_status=404
    )
    assert result.rejected
    assert result.reason == "error_page"
    assert result.text == ""
    assert [e.reason for e in result.edits] == ["repair_error_banner"]


def test_non_200_status_alone_does_not_reject(seed_text):
    result = crawlsift.clean_text(seed_text, http_status=403)
    assert not result.rejected


@pytest.mark.parametrize("preset", ["gopher", "c4", "fineweb-quality", "crawlsift-default"])
def test_repaired_seed_passes_the_filters_that_drop_the_raw_record(seed_text, preset):
    """Gopher repetition and FineWeb reject the raw seed; after repair it passes all presets."""
    result = crawlsift.clean_text(seed_text, pipeline=crawlsift.make_pipeline(preset=preset))
    assert not result.rejected, result.reason
    golden = (GOLDEN / "000_54a851cabf0a182d.text.txt").read_text(encoding="utf-8")
    assert result.text == golden.rstrip("\n")


def test_fineweb_recipe_drops_the_raw_seed_and_keeps_it_repaired(seed_text):
    """FineWeb's recipe has no repair: like datatrove's chain it throws the article away for
    its repeated paragraphs; with crawlsift's repair put back, the article passes it whole."""
    raw = crawlsift.clean_text(seed_text, pipeline=crawlsift.make_pipeline(preset="fineweb"))
    assert raw.rejected and raw.reason.startswith("gopher_"), raw.reason
    repaired = crawlsift.make_pipeline(preset="fineweb", skip_repair=False)
    result = crawlsift.clean_text(seed_text, pipeline=repaired)
    assert not result.rejected, result.reason
    golden = (GOLDEN / "000_54a851cabf0a182d.text.txt").read_text(encoding="utf-8")
    assert result.text == golden.rstrip("\n")
