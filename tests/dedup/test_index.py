"""Incremental mode: a new batch is checked against everything indexed before."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from crawlsift.dedup import dedup
from crawlsift.errors import InputError
from tests.dedup.conftest import article, edit_lightly, outputs, vocabulary, write


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
