"""dedup end to end: planted duplicates, keep rule, invariance, input checks."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from crawlsift.dedup import DedupOptions, dedup
from crawlsift.errors import InputError
from tests.dedup.conftest import decisions, outputs, write

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_planted_copies_are_found(tmp_path: Path, planted: dict) -> None:
    src = write(tmp_path / "in" / "a.parquet", planted["rows"])
    summary = dedup(str(src), str(tmp_path / "out"))
    got = decisions(tmp_path / "out")
    assert len(got) == len(planted["rows"])  # kept + rejected = input
    assert got["copy-exact"][:3] == ("dedup_exact", "doc-010", "dedup")
    assert got["copy-near"][:3] == ("dedup_near", "doc-020", "dedup")
    # the earlier-dated copy is the one kept, whatever the ids say
    assert got["doc-030"][:2] == ("dedup_near", "copy-earlier")
    assert got["copy-earlier"][:3] == ("kept", "copy-earlier", 2)
    assert got["doc-010"][:3] == ("kept", "doc-010", 2)
    removed = {k for k, v in got.items() if v[0] != "kept"}
    assert removed == {"copy-exact", "copy-near", "doc-030"}
    assert (summary.removed_exact, summary.removed_near, summary.clusters) == (1, 2, 3)
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())
    assert stats["kept"] == len(planted["rows"]) - 3


def test_same_result_for_any_order_batch_size_and_workers(tmp_path: Path, planted: dict) -> None:
    rows = planted["rows"]
    write(tmp_path / "a" / "x.parquet", rows)
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    write(tmp_path / "b" / "1.parquet", shuffled[:77])  # two files, other order
    write(tmp_path / "b" / "2.parquet", shuffled[77:])
    first = dedup(str(tmp_path / "a"), str(tmp_path / "o1"), batch_size=1000, workers=1)
    second = dedup(str(tmp_path / "b"), str(tmp_path / "o2"), batch_size=13, workers=3)
    assert decisions(tmp_path / "o1") == decisions(tmp_path / "o2")
    assert first.removed_near == second.removed_near == 2


def test_keep_rule_options(tmp_path: Path) -> None:
    text = "the same story about the river and the bridge told once again here"
    rows = [
        {"id": "b", "date": "2025-01-01", "text": text, "quality_score": 0.2},
        {"id": "a", "date": "2025-02-01", "text": text + "!", "quality_score": 0.9},
        {"id": "c", "date": None, "text": text.upper(), "quality_score": None},
    ]
    src = write(tmp_path / "in.parquet", rows)
    dedup(str(src), str(tmp_path / "o1"))
    assert decisions(tmp_path / "o1")["b"][0] == "kept"  # earliest date
    dedup(str(src), str(tmp_path / "o2"), keep_order=("quality", "date"))
    got = decisions(tmp_path / "o2")
    assert got["a"][0] == "kept"
    assert got["b"][:2] == got["c"][:2] == ("dedup_exact", "a")


def test_near_only_and_verification_threshold(tmp_path: Path, planted: dict) -> None:
    src = write(tmp_path / "in.parquet", planted["rows"])
    summary = dedup(str(src), str(tmp_path / "o1"), exact=False)
    got = decisions(tmp_path / "o1")
    assert got["copy-exact"][:2] == ("dedup_exact", "doc-010")  # found by LSH, same hash
    strict = dedup(str(src), str(tmp_path / "o2"), jaccard_threshold=0.99)
    assert strict.removed_near == 0 and strict.pairs_rejected_by_verification == 2
    assert summary.removed_near == 2


def test_input_checks(tmp_path: Path) -> None:
    src = write(tmp_path / "in.parquet", [{"id": "x", "text": "a"}, {"id": "y", "text": "b"}])
    bad = write(tmp_path / "bad.parquet", [{"text": "no id"}])
    with pytest.raises(InputError, match="'id'"):
        dedup(str(bad), str(tmp_path / "o2"))
    with pytest.raises(InputError, match="unknown dedup option"):
        dedup(str(src), str(tmp_path / "o3"), bandz=3)
    with pytest.raises(InputError, match="keep_order"):
        DedupOptions(keep_order=("newest",))


def test_empty_input_and_jsonl(tmp_path: Path) -> None:
    empty = pa.table({"id": pa.array([], pa.string()), "text": pa.array([], pa.string())})
    pq.write_table(empty, tmp_path / "empty.parquet")
    summary = dedup(str(tmp_path / "empty.parquet"), str(tmp_path / "o1"))
    assert (summary.documents, summary.kept) == (0, 0)
    assert json.loads((tmp_path / "o1" / "stats.json").read_text())["kept"] == 0
    lines = [{"id": f"j{i}", "text": t} for i, t in enumerate(["a b c d e f", "A b c, d e f!"])]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    dedup(str(tmp_path / "in.jsonl"), str(tmp_path / "o2"))
    _, rejected = outputs(tmp_path / "o2")
    assert rejected.column("dedup_duplicate_of").to_pylist() == ["j1"]  # the longer copy stays


def test_output_directory_rules(tmp_path: Path, planted: dict) -> None:
    src = write(tmp_path / "in.parquet", planted["rows"][:5])
    out = tmp_path / "out"
    first = dedup(str(src), str(out))
    again = dedup(str(src), str(out))  # the same run, finished: nothing is redone
    assert again.resumed == ["all"] and again.kept == first.kept
    assert not (out / "_work").exists()
    with pytest.raises(InputError, match="other inputs or options"):
        dedup(str(src), str(out), format="jsonl")
    dedup(str(src), str(out), overwrite=True, format="jsonl")
    assert sorted(p.name for p in (out / "kept").iterdir()) == ["part-00000.jsonl"]
    assert not (out / "_work").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("mine")
    with pytest.raises(InputError, match="not a dedup output"):
        dedup(str(src), str(other))


def test_reads_a_clean_output_and_passes_columns_through(tmp_path: Path) -> None:
    edits = pa.array(
        [[{"start": 0, "end": 3, "reason": "repair_x", "replacement": None}], None],
        type=pa.list_(
            pa.struct(
                [
                    ("start", pa.int64()),
                    ("end", pa.int64()),
                    ("reason", pa.string()),
                    ("replacement", pa.string()),
                ]
            )
        ),
    )
    table = pa.table(
        {"id": ["p", "q"], "text": ["one two three", "four"], "edits": edits, "lang": ["en", "de"]}
    )
    (tmp_path / "run" / "kept").mkdir(parents=True)
    pq.write_table(table, tmp_path / "run" / "kept" / "part-x-00000.parquet")
    (tmp_path / "run" / "rejected").mkdir()
    dedup(str(tmp_path / "run"), str(tmp_path / "out"))
    kept, rejected = outputs(tmp_path / "out")
    assert kept.column("lang").to_pylist() == ["en", "de"]
    assert kept.column("edits").to_pylist()[0][0]["reason"] == "repair_x"
    assert rejected.num_rows == 0


def _draws(seed: int, n: int) -> list[dict[str, str]]:
    """Lottery result pages: the same words, different numbers."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        lines = [f"Results of draw {1000 + i} held on 2025-03-{1 + i % 28:02d}"]
        for game in ("Main draw", "Bonus ball", "Second chance", "Jackpot", "Raffle"):
            numbers = " ".join(str(rng.randint(1, 59)) for _ in range(12))
            lines.append(f"{game} winning numbers: {numbers}")
        lines.append(f"Prize fund {rng.randint(10**5, 10**7)} pounds, {rng.randint(2, 90)} winners")
        rows.append(
            {"id": f"draw-{i}", "url": f"https://lotto{i}.example/", "text": "\n".join(lines)}
        )
    return rows


def test_pages_differing_only_in_numbers_are_kept_unless_digits_are_folded(
    tmp_path: Path,
) -> None:
    src = write(tmp_path / "in.parquet", _draws(5, 12))
    summary = dedup(str(src), str(tmp_path / "o1"))
    assert (summary.kept, summary.candidate_pairs) == (12, 0)  # neither exact nor near
    folded = dedup(str(src), str(tmp_path / "o2"), fold_digits=True)
    assert (folded.kept, folded.removed_exact) == (1, 11)
    assert DedupOptions().fold_digits is False
    assert "fold_digits" in DedupOptions().hashing()  # an index is built with one setting


def test_repeated_ids_are_told_apart_by_position(tmp_path: Path) -> None:
    """dedup refused a corpus whose ids repeat ("ids must be unique"): a file read twice,
    a user's JSONL with repeated ids."""
    story = "the same story about the river and the bridge told once again here by the town"
    other = "a different page entirely on the weather in the mountains this week and next"
    rows = [
        {"id": "x", "text": story},
        {"id": "x", "text": story.upper()},  # the same words: an exact copy, with its id
        {"id": "x", "text": other},
        {"id": "z", "text": story.title()},
    ]
    src = write(tmp_path / "in.parquet", rows)
    first = dedup(str(src), str(tmp_path / "o1"))
    second = dedup(str(src), str(tmp_path / "o2"), batch_size=1, workers=3)
    kept, rejected = outputs(tmp_path / "o1")
    assert sorted(kept.column("text").to_pylist()) == sorted([story, other])  # row 0 wins
    assert rejected.column("dedup_duplicate_of").to_pylist() == ["x", "x"]  # the kept id
    assert sorted(rejected.column("text").to_pylist()) == sorted([story.upper(), story.title()])
    assert (first.kept, first.removed_exact) == (second.kept, second.removed_exact) == (2, 2)
    assert outputs(tmp_path / "o2")[0].column("text").to_pylist() == kept.column("text").to_pylist()


def test_clean_then_dedup_on_real_warc_files_and_a_file_read_twice(tmp_path: Path) -> None:
    """warcio's test files repeat WARC-Record-IDs (one crawl, stored several ways), and a
    file copied under another name repeats all of them: dedup refused the corpus."""
    from crawlsift import clean

    crawl = tmp_path / "crawl"
    shutil.copytree(FIXTURES / "warc", crawl / "warc")
    shutil.copy(FIXTURES / "warc" / "example.warc.gz", crawl / "again.warc.gz")
    clean([str(crawl)], str(tmp_path / "out"), workers=1)
    kept = outputs(tmp_path / "out")[0]
    ids = kept.column("id").to_pylist()
    assert len(set(ids)) < len(ids)  # the given ids repeat
    summary = dedup(str(tmp_path / "out"), str(tmp_path / "deduped"))
    kept_after, rejected = outputs(tmp_path / "deduped")
    assert kept_after.num_rows + rejected.num_rows == kept.num_rows
    assert summary.removed_exact >= 1  # again.warc.gz's page is a copy of example.warc.gz's
    copies = rejected.filter(pc.equal(rejected.column("source"), str(crawl / "again.warc.gz")))
    assert copies.num_rows == 1
    [row] = copies.to_pylist()
    assert row["reason"] == "dedup_exact"
    assert row["dedup_duplicate_of"] in kept_after.column("id").to_pylist()
    assert ids.count(row["id"]) >= 2  # its twin in example.warc.gz has its id
