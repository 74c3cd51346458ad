"""Incremental mode: a new batch is checked against everything indexed before."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from crawlsift.dedup import dedup
from crawlsift.errors import InputError
from tests.dedup.conftest import article, edit_lightly, outputs, write


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
    manifest = json.loads((tmp_path / "index" / "index.json").read_text())
    assert manifest["batches"] == ["batch-00000", "batch-00001"]
    # day 3: day 2's fresh documents are indexed too
    dedup(str(write(tmp_path / "d3.parquet", fresh[:2])), str(tmp_path / "o3"), index_dir=index)
    _, rejected3 = outputs(tmp_path / "o3")
    assert sorted(rejected3.column("dedup_duplicate_of").to_pylist()) == ["new-0", "new-1"]


def test_index_refuses_other_hashing(tmp_path: Path) -> None:
    src = write(tmp_path / "in.parquet", [{"id": "a", "text": "x y z"}])
    dedup(str(src), str(tmp_path / "o1"), index_dir=str(tmp_path / "ix"))
    with pytest.raises(InputError, match="built with"):
        dedup(str(src), str(tmp_path / "o2"), index_dir=str(tmp_path / "ix"), bands=20)
