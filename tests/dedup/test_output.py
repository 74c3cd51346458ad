"""Output shards: one schema for every shard of kept/ and one for every shard of rejected/."""

from __future__ import annotations

import json
import random
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from crawlsift.dedup import dedup
from tests.dedup.conftest import article, vocabulary


def _mixed_inputs(root: Path) -> int:
    """Three files with different columns (and a clash: ``lang`` is text in one, an int in
    another), planted copies across them, and JSONL rows the reader rejects."""
    rng = random.Random(2)
    vocab = vocabulary(2)
    texts = [article(rng, vocab, 5) for _ in range(60)]
    root.mkdir()
    a = pa.table(
        {
            "id": [f"a{i}" for i in range(30)],
            "url": [f"https://a.example/{i}" for i in range(30)],
            "text": texts[:30],
            "lang": ["en"] * 30,
            "score": pa.array(range(30), pa.int64()),
            "date": ["2025-01-01"] * 30,
        }
    )
    b = pa.table(
        {
            "id": [f"b{i}" for i in range(30)],
            "text": texts[30:50] + texts[:10],  # ten copies of a's pages
            "lang": pa.array([7] * 30, pa.int64()),
            "tags": [["x", str(i)] for i in range(30)],
            "score": pa.array([0.5] * 30, pa.float64()),
        }
    )
    pq.write_table(a, root / "a.parquet")
    pq.write_table(b, root / "b.parquet")
    lines = [json.dumps({"id": f"c{i}", "text": t, "note": "n"}) for i, t in enumerate(texts[45:])]
    lines += ["{broken", json.dumps({"id": "c-none", "note": "no text"})]
    (root / "c.jsonl").write_text("\n".join(lines) + "\n")  # five copies of b's pages
    return 30 + 30 + len(lines)


def test_every_shard_of_a_run_has_one_schema(tmp_path: Path) -> None:
    total = _mixed_inputs(tmp_path / "in")
    out = tmp_path / "out"
    summary = dedup(str(tmp_path / "in"), str(out), batch_size=7, shard_rows=9)
    assert summary.removed_exact == 15 and summary.rejected_before == 2
    for kind in ("kept", "rejected"):
        shards = sorted((out / kind).glob("*.parquet"))
        assert len(shards) > 1
        schemas = {pq.read_schema(p).remove_metadata() for p in shards}
        assert len(schemas) == 1, kind
    kept = pl.read_parquet(str(out / "kept" / "*.parquet"))
    rejected = pl.read_parquet(str(out / "rejected" / "*.parquet"))
    assert kept.height + rejected.height == total
    assert kept.schema["lang"] == pl.String  # text in a.parquet, int64 in b.parquet
    assert sorted(set(kept["lang"].drop_nulls())) == ["7", "en"]
    assert kept.schema["score"] == pl.Float64  # int64 and float64 promote to float64
    assert kept.schema["tags"] == pl.List(pl.String)
    assert "html" not in kept.columns  # as in clean's outputs
    assert kept["keep"].to_list() == [True] * kept.height
    assert set(rejected["reason"]) == {"dedup_exact", "bad_json", "missing_text"}
    assert rejected.columns == [*kept.columns, "dedup_duplicate_of"]


def test_files_with_other_columns_share_the_shards_schema(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    a = pa.table({"id": ["a1", "a2"], "text": ["one two three four", "five six seven"]})
    b = pa.table({"id": ["b1", "b2"], "text": ["eight nine ten", "one two three four"]})
    pq.write_table(a.append_column("lang", pa.array(["en", "de"])), tmp_path / "in" / "a.parquet")
    pq.write_table(b.append_column("tags", pa.array([[1], [2]])), tmp_path / "in" / "b.parquet")
    dedup(str(tmp_path / "in"), str(tmp_path / "out"), batch_size=1, shard_rows=1)
    kept = pl.read_parquet(str(tmp_path / "out" / "kept" / "*.parquet"))
    assert kept.sort("id").select("id", "lang", "tags").rows() == [
        ("a1", "en", None), ("a2", "de", None), ("b1", None, [1])
    ]  # fmt: skip
