"""Incremental mode: a new batch is checked against everything indexed before."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from crawlsift.dedup import dedup
from crawlsift.errors import InputError
from tests.dedup.conftest import article, decisions, edit_lightly, outputs, vocabulary, write


def test_reingested_and_edited_docs_are_marked(tmp_path: Path, planted: dict) -> None:
    rows = planted["rows"]
    index = str(tmp_path / "index")
    day1 = dedup(str(write(tmp_path / "d1.parquet", rows)), str(tmp_path / "o1"), index_dir=index)
    assert day1.index_batch == "batch-00000" and day1.matched_index == 0
    rng = random.Random(5)
    vocab = planted["vocab"]
    fresh = [{"id": f"new-{i}", "text": article(rng, vocab, 30)} for i in range(20)]
    again = dict(rows[0])  # the same record ingested again, same id
    edited = {"id": "new-edit", "text": edit_lightly(rows[50]["text"], rng, vocab)}
    near_dup = {"id": "copy-of-dup", "text": rows[-3]["text"]}  # removed on day 1
    day2 = dedup(
        str(write(tmp_path / "d2.parquet", [*fresh, again, edited, near_dup])),
        str(tmp_path / "o2"),
        index_dir=index,
    )
    kept, rejected = outputs(tmp_path / "o2")
    got = {r["id"]: (r["reason"], r["dedup_duplicate_of"]) for r in rejected.to_pylist()}
    assert got == {
        "doc-000": ("dedup_exact", "doc-000"),
        "new-edit": ("dedup_near", "doc-050"),
        "copy-of-dup": ("dedup_exact", "doc-010"),
    }
    assert sorted(kept.column("id").to_pylist()) == sorted(r["id"] for r in fresh)
    assert day2.matched_index == 3
    sizes = {r["id"]: r["dedup_cluster_size"] for r in rejected.to_pylist()}
    assert sizes == {"doc-000": 2, "new-edit": 2, "copy-of-dup": 3}  # doc-010 had one copy
    manifest = json.loads((tmp_path / "index" / "index.json").read_text())
    assert [b["name"] for b in manifest["batches"]] == ["batch-00000", "batch-00001"]
    # day 3: day 2's fresh documents are indexed too
    dedup(str(write(tmp_path / "d3.parquet", fresh[:2])), str(tmp_path / "o3"), index_dir=index)
    _, rejected3 = outputs(tmp_path / "o3")
    assert sorted(rejected3.column("dedup_duplicate_of").to_pylist()) == ["new-0", "new-1"]


def test_index_refuses_other_hashing(tmp_path: Path) -> None:
    src = write(tmp_path / "in.parquet", [{"id": "a", "text": "x y z"}])
    dedup(str(src), str(tmp_path / "o1"), index_dir=str(tmp_path / "ix"))
    with pytest.raises(InputError, match="built with"):
        dedup(str(src), str(tmp_path / "o2"), index_dir=str(tmp_path / "ix"), bands=20)
    with pytest.raises(InputError, match=r"built with.*'fold_digits': False"):
        dedup(str(src), str(tmp_path / "o3"), index_dir=str(tmp_path / "ix"), fold_digits=True)


def test_cluster_sizes_grow_across_batches(tmp_path: Path, planted: dict) -> None:
    rows = planted["rows"]
    index = str(tmp_path / "index")
    dedup(str(write(tmp_path / "d1.parquet", rows)), str(tmp_path / "o1"), index_dir=index)
    kept1, _ = outputs(tmp_path / "o1")
    assert {r["id"]: r["dedup_cluster_size"] for r in kept1.to_pylist()}["doc-010"] == 2
    for day in (2, 3):
        copy = {"id": f"again-{day}", "text": rows[10]["text"]}
        dedup(
            str(write(tmp_path / f"d{day}.parquet", [copy])),
            str(tmp_path / f"o{day}"),
            index_dir=index,
        )
        _, rejected = outputs(tmp_path / f"o{day}")
        assert rejected.to_pylist()[0]["dedup_cluster"] == "doc-010"
        assert rejected.to_pylist()[0]["dedup_cluster_size"] == day + 1


def _site_page(rng: random.Random, vocab: list[str], i: int) -> dict[str, str]:
    chrome = ["Home | World | Sport | Weather", "Subscribe to the Daily Tribune newsletter"]
    body = article(rng, vocab, 6)
    return {
        "id": f"page-{i}",
        "url": f"https://tribune.example/{i}",
        "text": "\n".join([chrome[0], body, chrome[1]]),
    }


def test_site_boilerplate_is_learned_across_batches(tmp_path: Path) -> None:
    rng = random.Random(11)
    vocab = vocabulary(11)
    first = [_site_page(rng, vocab, i) for i in range(3)]
    second = [_site_page(rng, vocab, i) for i in range(3, 5)]
    index = str(tmp_path / "index")
    day1 = dedup(str(write(tmp_path / "d1.parquet", first)), str(tmp_path / "o1"), index_dir=index)
    assert day1.boilerplate_rules == 0  # 3 pages of the site: under boilerplate_min_docs
    alone = dedup(str(write(tmp_path / "d2.parquet", second)), str(tmp_path / "alone"))
    assert alone.boilerplate_rules == 0
    day2 = dedup(str(tmp_path / "d2.parquet"), str(tmp_path / "o2"), index_dir=index)
    assert day2.boilerplate_rules == 2 and day2.boilerplate_lines_removed == 4
    kept, _ = outputs(tmp_path / "o2")
    for row in kept.to_pylist():
        assert "Tribune" not in row["text"] and "Home |" not in row["text"]
        assert [e["reason"] for e in row["edits"]] == ["site_boilerplate"] * 2


def _small_sites() -> list[dict[str, str]]:
    """Five small sites, each with one article twice (a page and its copy) and another."""
    rng = random.Random(1)
    vocab = vocabulary()
    rows = []
    for h in range(5):
        story = article(rng, vocab, 8)
        rows += [
            {"id": f"h{h}-a", "url": f"https://host{h}.example/a", "text": story},
            {"id": f"h{h}-b", "url": f"https://host{h}.example/b", "text": story},
            {"id": f"h{h}-c", "url": f"https://host{h}.example/c", "text": article(rng, vocab, 8)},
        ]
    return rows


def test_copies_of_an_indexed_batch_are_rejected_with_their_text(tmp_path: Path) -> None:
    """The same pages again, under new ids: every one is a duplicate of its indexed twin,
    nothing is kept, and no text is emptied by boilerplate learned from the copies."""
    rows = _small_sites()
    index = str(tmp_path / "index")
    day1 = dedup(str(write(tmp_path / "d1.parquet", rows)), str(tmp_path / "o1"), index_dir=index)
    assert (day1.kept, day1.removed_exact, day1.boilerplate_rules) == (10, 5, 0)
    kept1 = {r["id"] for r in outputs(tmp_path / "o1")[0].to_pylist()}
    copies = [dict(r, id=f"{r['id']}-again") for r in rows]
    day2 = dedup(str(write(tmp_path / "d2.parquet", copies)), str(tmp_path / "o2"), index_dir=index)
    assert (day2.kept, day2.matched_index, day2.boilerplate_rules) == (0, 15, 0)
    _, rejected = outputs(tmp_path / "o2")
    text = {r["id"]: r["text"] for r in rows}
    for row in rejected.to_pylist():
        twin = row["id"].removesuffix("-again")
        assert row["reason"] == "dedup_exact" and row["stage"] == "dedup"
        # the kept twin (for a copy of a removed page: the page that was kept for it)
        assert row["dedup_duplicate_of"] in kept1
        assert text[row["dedup_duplicate_of"]] == text[twin]
        assert row["text"] == text[twin]
    # and the same records again, same ids: the same decisions
    day3 = dedup(str(tmp_path / "d1.parquet"), str(tmp_path / "o3"), index_dir=index)
    assert (day3.kept, day3.matched_index) == (0, 15)


def test_copy_of_a_removed_near_duplicate_is_rejected(tmp_path: Path, planted: dict) -> None:
    """A page removed on day 1 as a loose near-duplicate (threshold 0.6) comes back as an
    exact copy on day 2, checked at 0.8: it is found by its exact key in the index, not by
    signature agreement with the page kept for it (about 0.67 here)."""
    rows = planted["rows"]
    rng = random.Random(4)
    vocab = planted["vocab"]
    lines = rows[60]["text"].split("\n")
    loose = dict(rows[60], id="loose", date="2025-06-01")
    loose["text"] = "\n".join(  # every sixth sentence rewritten: Jaccard 0.69
        line if i % 6 else " ".join(rng.choices(vocab, k=15)) for i, line in enumerate(lines)
    )
    index = str(tmp_path / "index")
    day1 = dedup(
        str(write(tmp_path / "d1.parquet", [*rows, loose])),
        str(tmp_path / "o1"),
        index_dir=index,
        jaccard_threshold=0.6,
    )
    _, rejected1 = outputs(tmp_path / "o1")
    removed = {r["id"]: r["dedup_duplicate_of"] for r in rejected1.to_pylist()}
    assert removed["loose"] == "doc-060" and day1.removed_near >= 1
    back = [dict(r, id=f"{r['id']}-back") for r in [*rows, loose]]  # every page, kept or not
    day2 = dedup(str(write(tmp_path / "d2.parquet", back)), str(tmp_path / "o2"), index_dir=index)
    kept2, rejected2 = outputs(tmp_path / "o2")
    assert kept2.num_rows == 0 and day2.matched_index == len(back)
    got = {r["id"]: (r["reason"], r["dedup_duplicate_of"]) for r in rejected2.to_pylist()}
    # as in one run holding all three: an exact copy of a near-duplicate of doc-060
    assert got["loose-back"] == ("dedup_near", "doc-060")
    assert got["doc-060-back"] == ("dedup_exact", "doc-060")
    assert got["copy-exact-back"] == ("dedup_exact", "doc-010")
    assert got["doc-030-back"] == ("dedup_near", "copy-earlier")


def test_a_copy_matches_its_indexed_twin_whatever_boilerplate_was_learned_since(
    tmp_path: Path,
) -> None:
    """Day 1: three pages of a site share a footer (too few to be boilerplate) and are
    indexed with it. Day 2: three more pages make it boilerplate; a copy of a day-1 page,
    stripped of the footer, is still an exact duplicate of that page as it was read."""
    rng = random.Random(8)
    vocab = vocabulary(8)
    footer = "Sign up for the Harbour Post morning briefing, delivered daily"

    def page(i: int) -> dict[str, str]:
        text = article(rng, vocab, 6) + "\n" + footer
        return {"id": f"p{i}", "url": f"https://harbour.example/{i}", "text": text}

    day1 = [page(i) for i in range(3)]
    index = str(tmp_path / "index")
    dedup(str(write(tmp_path / "d1.parquet", day1)), str(tmp_path / "o1"), index_dir=index)
    copy = dict(day1[0], id="p0-copy", url="https://harbour.example/0?ref=feed")
    day2 = dedup(
        str(write(tmp_path / "d2.parquet", [page(i) for i in range(3, 6)] + [copy])),
        str(tmp_path / "o2"),
        index_dir=index,
    )
    assert day2.boilerplate_rules == 1  # the footer, in 6 distinct pages of 6
    got = decisions(tmp_path / "o2")
    assert got["p0-copy"] == ("dedup_exact", "p0", "dedup", day1[0]["text"])
    assert all(footer not in got[f"p{i}"][3] for i in range(3, 6))


def test_an_index_of_an_older_version_is_refused_with_what_to_do(tmp_path: Path) -> None:
    index = tmp_path / "index"
    index.mkdir()
    (index / "index.json").write_text(json.dumps({"version": 2, "hashing": {}, "docs": 0}))
    src = write(tmp_path / "in.parquet", [{"id": "a", "text": "x y z"}])
    with pytest.raises(InputError, match=r"version 2 .*older crawlsift.*crawlsift dedup --index"):
        dedup(str(src), str(tmp_path / "o"), index_dir=str(index))
    assert not (tmp_path / "o").exists()


def test_matched_index_counts_new_documents_only(tmp_path: Path) -> None:
    """A new page near two indexed pages that are not near each other (Jaccard about 0.85
    to each, 0.71 between them; threshold 0.8) joins them in one cluster: one new document
    matched."""
    rng = random.Random(1)
    vocab = vocabulary(9)
    first = article(rng, vocab, 30).split("\n")

    def rewrite(lines: list[str], which: set[int]) -> list[str]:
        return [
            " ".join(rng.choices(vocab, k=15)) if i in which else s for i, s in enumerate(lines)
        ]

    middle = rewrite(first, {3, 17})
    last = rewrite(middle, {9, 24})
    index = str(tmp_path / "index")
    day1 = [{"id": "k1", "text": "\n".join(first)}, {"id": "k2", "text": "\n".join(last)}]
    assert (
        dedup(
            str(write(tmp_path / "d1.parquet", day1)),
            str(tmp_path / "o1"),
            index_dir=index,
            jaccard_threshold=0.8,
        ).kept
        == 2
    )
    day2 = [{"id": "n", "text": "\n".join(middle)}]
    summary = dedup(
        str(write(tmp_path / "d2.parquet", day2)),
        str(tmp_path / "o2"),
        index_dir=index,
        jaccard_threshold=0.8,
    )
    assert summary.candidate_pairs == 2 and summary.pairs_rejected_by_verification == 0
    assert summary.matched_index == 1
    assert decisions(tmp_path / "o2")["n"][:2] == ("dedup_near", "k1")
