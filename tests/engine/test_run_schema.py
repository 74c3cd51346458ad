"""One run, one schema: every shard of kept/ (and of rejected/) has the same columns and types,
whatever mix of inputs the run read, so common tools load the output as one table."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import crawlsift
from crawlsift import schema as S
from crawlsift.engine import local, tasks

PROSE = (
    "The harbour authority confirmed on Monday that the old ferry terminal will be rebuilt, "
    "with work starting in spring and the first sailings expected the following summer."
)


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def mixed_inputs(root: Path) -> Path:
    """A text record, two JSONL files whose fields differ and clash, a Parquet file and a
    WARC of HTML pages, in one input tree."""
    root.mkdir()
    (root / "record.txt").write_text(f"2025-06-02 200\nA headline\n{PROSE}\n{PROSE}\n")
    _jsonl(
        root / "a" / "part-0.jsonl",
        [
            {
                "id": f"a{i}",
                "text": f"Story {i}. {PROSE}",
                "lang": "en",
                "score": i,
                "meta": {"crawl": "CC-2024", "n": i},
                "keep": "user value",
            }
            for i in range(5)
        ]
        + [{"id": "a-bad", "text": None, "score": 1}],
    )
    _jsonl(
        root / "b" / "part-0.jsonl",
        [
            {
                "id": f"b{i}",
                "text": f"Report {i}. {PROSE}",
                "score": "high",
                "tags": ["x", "y"],
                "author": "A. Writer",
            }
            for i in range(4)
        ],
    )
    pq.write_table(
        pa.table(
            {
                "id": ["p0", "p1"],
                "text": [f"Parquet one. {PROSE}", "   "],
                "rating": pa.array([4.5, 3.0], pa.float32()),
            }
        ),
        root / "c.parquet",
    )
    demo = resources.files("crawlsift") / "data" / "demo" / "pages.warc.gz"
    with resources.as_file(demo) as warc:
        shutil.copy(warc, root / "pages.warc.gz")
    return root


def _shards(directory: Path, ext: str = "parquet") -> list[Path]:
    return sorted(directory.glob(f"*.{ext}"))


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("mixed")
    inputs = mixed_inputs(tmp / "in")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks, "SMALL_FILE", 0)  # a task per file: shards of each schema
        crawlsift.clean([str(inputs)], str(tmp / "out"), workers=1)
    return inputs, tmp / "out"


@pytest.mark.parametrize("kind", ["kept", "rejected"])
def test_every_shard_has_the_same_schema(mixed_run: tuple[Path, Path], kind: str) -> None:
    _, out = mixed_run
    shards = _shards(out / kind)
    assert len(shards) >= 3  # one per input file that has rows of this kind
    schemas = [pq.read_schema(p) for p in shards]
    assert all(s.equals(schemas[0]) for s in schemas)


def test_polars_pyarrow_and_datasets_load_the_run(
    mixed_run: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out = mixed_run
    kept = out / "kept"
    frame = pl.read_parquet(str(kept / "*.parquet"))
    table = ds.dataset(str(kept), format="parquet").to_table()
    assert frame.height == table.num_rows
    # nothing is dropped: metadata of WARC pages, fields of each JSONL file and of Parquet
    for name in (S.AUTHOR, S.SITE_NAME, S.HTML_LANG, "lang", "tags", "meta", "rating"):
        assert table.column(name).null_count < table.num_rows, name
    assert table.column(S.ID).to_pylist().count("b1") == 1
    # a user field named like a crawlsift column is kept, renamed
    assert set(table.column("given_keep").drop_null().to_pylist()) == {"user value"}
    # score is an int in one file and a string in another: one string column
    assert table.schema.field("score").type == pa.string()
    scores = dict(zip(table.column(S.ID).to_pylist(), table["score"].to_pylist(), strict=True))
    assert (scores["a3"], scores["b0"]) == ("3", "high")
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    loaded = datasets.load_dataset(
        "parquet", data_dir=str(kept), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert loaded.num_rows == table.num_rows
    assert set(loaded.column_names) == set(table.column_names)


def test_column_order_is_crawlsift_columns_then_pass_through(mixed_run: tuple[Path, Path]) -> None:
    _, out = mixed_run
    names = pq.read_schema(_shards(out / "rejected")[0]).names
    own = [n for n in names if n in S.COLUMN_TYPES]
    assert names[: len(own)] == own
    assert own == [n for n in S.COLUMN_TYPES if n in own]
    assert names[len(own) :] == ["lang", "score", "meta", "given_keep", "tags", "rating"]


def test_jsonl_lines_have_the_same_keys_and_types(tmp_path: Path) -> None:
    inputs = mixed_inputs(tmp_path / "in")
    crawlsift.clean([str(inputs)], str(tmp_path / "out"), format="jsonl", workers=1)
    for kind in ("kept", "rejected"):
        rows = [
            json.loads(line)
            for path in _shards(tmp_path / "out" / kind, "jsonl")
            for line in path.read_text().splitlines()
        ]
        keys = {tuple(r) for r in rows}
        assert len(keys) == 1, kind
        for key in next(iter(keys)):
            kinds = {type(r[key]).__name__ for r in rows if r[key] is not None}
            assert len(kinds - {"int"} if kinds == {"int", "float"} else kinds) <= 1, (kind, key)


def test_shards_do_not_depend_on_batch_size(tmp_path: Path) -> None:
    """A batch without HTML payloads, or with one row, has the run's columns too."""
    inputs = mixed_inputs(tmp_path / "in")
    for name, size in (("one", 1), ("many", 1000)):
        crawlsift.clean([str(inputs)], str(tmp_path / name), workers=1, batch_size=size)
    for kind in ("kept", "rejected"):
        a, b = _shards(tmp_path / "one" / kind), _shards(tmp_path / "many" / kind)
        assert [p.name for p in a] == [p.name for p in b]
        for x, y in zip(a, b, strict=True):
            assert x.read_bytes() == y.read_bytes(), (kind, x.name)


def test_a_jsonl_field_changing_type_mid_file(tmp_path: Path) -> None:
    """An int for 1,500 lines and a string after: one string column at any batch size."""
    rows = [{"text": f"Item {i}. {PROSE}", "ref": i if i < 1500 else f"r{i}"} for i in range(3000)]
    _jsonl(tmp_path / "in" / "big.jsonl", rows)
    for size in (1000, 3000):
        out = tmp_path / f"out-{size}"
        summary = crawlsift.clean([str(tmp_path / "in")], str(out), workers=1, batch_size=size)
        assert summary.stats.records_in == 3000
        kept = pl.read_parquet(str(out / "kept" / "*.parquet"))
        assert kept.schema["ref"] == pl.String
        assert kept["ref"].to_list()[1499:1501] == ["1499", "r1500"]


def _interrupt_at(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make reading the input file ``name`` end the run (in-process, like Ctrl-C)."""
    real_read = local.read_task

    def read(task, batch_size):  # type: ignore[no-untyped-def]
        if Path(task.path).name == name:
            raise KeyboardInterrupt
        yield from real_read(task, batch_size=batch_size)

    monkeypatch.setattr(local, "read_task", read)


def test_a_resumed_run_gives_earlier_shards_the_run_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, task_per_file: None
) -> None:
    inputs = mixed_inputs(tmp_path / "in")
    out = tmp_path / "out"
    _interrupt_at(monkeypatch, "c.parquet")  # after the JSONL files, before the Parquet one
    with pytest.raises(KeyboardInterrupt):
        crawlsift.clean([str(inputs)], str(out), workers=1, record_timeout=None)
    monkeypatch.undo()
    summary = crawlsift.clean([str(inputs)], str(out), workers=1)
    assert summary.tasks_skipped == 2  # the two JSONL files, whose shards lack "rating"
    for kind in ("kept", "rejected"):
        schemas = [pq.read_schema(p) for p in _shards(out / kind)]
        assert "rating" in schemas[0].names
        assert all(s.equals(schemas[0]) for s in schemas)


def test_a_url_output_gets_the_run_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards uploaded by an interrupted attempt are fetched, rewritten and uploaded again."""
    fsspec = pytest.importorskip("fsspec")
    fs, root = fsspec.filesystem("memory"), "/crawlsift-run-schema"
    if fs.exists(root):
        fs.rm(root, recursive=True)
    inputs = mixed_inputs(tmp_path / "in")
    _interrupt_at(monkeypatch, "pages.warc.gz")  # the last input: three tasks are uploaded
    with pytest.raises(KeyboardInterrupt):
        crawlsift.clean([str(inputs)], f"memory://{root}", workers=1, record_timeout=None)
    monkeypatch.undo()
    crawlsift.clean([str(inputs)], f"memory://{root}", workers=1)
    crawlsift.clean([str(inputs)], str(tmp_path / "local"), workers=1)
    for kind in ("kept", "rejected"):
        remote = {
            p.rsplit("/", 1)[-1]: fs.cat_file(p) for p in fs.ls(f"{root}/{kind}", detail=False)
        }
        local_shards = {p.name: p.read_bytes() for p in _shards(tmp_path / "local" / kind)}
        assert remote == local_shards
    fs.rm(root, recursive=True)
