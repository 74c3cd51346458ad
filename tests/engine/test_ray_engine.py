"""The Ray engine runs the same pipeline and writes what the local engine writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import crawlsift
from crawlsift.engine import tasks
from crawlsift.errors import InputError
from tests.engine.faults import KILL_WORKER, RAISE_MEMORY
from tests.engine.test_local import _shard_bytes, _write_inputs

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'crawlsift[ray]'")
DEMO = Path(crawlsift.__file__).parent / "data" / "demo"
FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield
    ray.shutdown()


def _counts(out: Path) -> dict:
    stats = json.loads((out / "stats.json").read_text())
    for run_only in ("output", "seconds", "tasks_skipped"):
        stats.pop(run_only)
    return stats


@pytest.mark.ray
@pytest.mark.parametrize("per_file", [True, False], ids=["task-per-file", "grouped"])
def test_ray_outputs_equal_local_outputs(local_ray, tmp_path, monkeypatch, per_file):
    if per_file:
        monkeypatch.setattr(tasks, "SMALL_FILE", 0)
    inputs = [
        *_write_inputs(tmp_path, files=3, rows=700),
        str(DEMO),
        str(FIXTURES / "warc"),
        str(FIXTURES / "000_54a851cabf0a182d.txt"),
    ]
    crawlsift.clean(inputs, str(tmp_path / "local"), workers=2, batch_size=200)
    crawlsift.clean(inputs, str(tmp_path / "ray"), engine="ray", batch_size=200)
    local, on_ray = _shard_bytes(tmp_path / "local"), _shard_bytes(tmp_path / "ray")
    assert len(local) >= (6 if per_file else 2) and local == on_ray
    assert _counts(tmp_path / "local") == _counts(tmp_path / "ray")


@pytest.mark.ray
def test_a_file_name_that_is_not_utf8_runs_on_ray_as_locally(local_ray, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    line = b'{"text": "The council met on Tuesday to discuss the new library and its hours."}\n'
    (folder / "plain.jsonl").write_bytes(line)
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.jsonl"), "wb") as fh:
        fh.write(line.replace(b"Tuesday", b"Monday"))
    crawlsift.clean(str(folder), str(tmp_path / "local"), workers=1)
    summary = crawlsift.clean(str(folder), str(tmp_path / "ray"), engine="ray")
    assert summary.stats.records_in == 2 and not summary.failed_files
    assert _shard_bytes(tmp_path / "local") == _shard_bytes(tmp_path / "ray")
    with open(os.path.join(os.fsencode(folder), b"caf\xe8.jsonl"), "wb") as fh:
        fh.write(line)  # the same name as caf\xe9 once undecodable bytes are replaced
    with pytest.raises(InputError, match="differ only in bytes that are not UTF-8"):
        crawlsift.clean(str(folder), str(tmp_path / "ray2"), engine="ray")
    assert not (tmp_path / "ray2").exists()


@pytest.mark.ray
def test_ray_rerun_skips_finished_tasks(local_ray, tmp_path):
    inputs = _write_inputs(tmp_path, files=2, rows=20)
    crawlsift.clean(inputs, str(tmp_path / "out"), engine="ray")
    again = crawlsift.clean(inputs, str(tmp_path / "out"), engine="ray")
    assert again.tasks_skipped == 2 and again.stats.records_in == 40


@pytest.mark.ray
def test_a_worker_lost_mid_run_loses_and_duplicates_nothing(local_ray, tmp_path):
    inputs = _write_inputs(tmp_path, files=3, rows=300)
    crawlsift.clean(inputs, str(tmp_path / "local"), workers=1, batch_size=50)
    marker = tmp_path / "killed-once"
    base = crawlsift.make_pipeline()

    class DiesOnce(type(base)):  # defined here, so Ray ships it to its workers by value
        def __call__(self, table):
            if table.column("source_index")[0].as_py() >= 100 and not marker.exists():
                marker.touch()
                os._exit(1)  # the Ray worker process dies in the middle of the run
            return super().__call__(table)

    dies_once = DiesOnce(stages=base.stages, options=base.options)
    crawlsift.clean(inputs, str(tmp_path / "ray"), engine="ray", batch_size=50, pipeline=dies_once)
    assert marker.exists()  # a worker really was lost
    assert _shard_bytes(tmp_path / "local") == _shard_bytes(tmp_path / "ray")
    assert _counts(tmp_path / "local") == _counts(tmp_path / "ray")


SHARED = Path(__file__).parents[3] / "shared" / "data" / "extraction"


@pytest.mark.ray
@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/data (real pages)")
def test_ray_equals_local_on_two_thousand_real_documents(local_ray, tmp_path):
    """The WCXB dev ground-truth texts (1,497, JSONL) and 600 trafilatura-eval pages (WARC),
    through extraction, repair and the crawlsift-default filters."""
    import gzip

    from tests.io.test_warc import response, write_warc

    texts = tmp_path / "wcxb.jsonl"
    with texts.open("w") as fh:
        for path in sorted((SHARED / "wcxb-dev" / "ground-truth").glob("*.json")):
            page = json.loads(path.read_text())
            row = {"id": path.stem, "url": page.get("url")}
            text = page["ground_truth"].get("main_content") or ""
            fh.write(json.dumps({**row, "text": text}) + "\n")
    pages = sorted((SHARED / "trafilatura-eval" / "html").glob("*.html.gz"))[:600]
    records = [
        response(n, gzip.decompress(p.read_bytes()), "text/html") for n, p in enumerate(pages)
    ]
    warc = write_warc(tmp_path / "pages.warc.gz", records)
    inputs = [str(texts), str(warc)]
    options = {"batch_size": 250, "preset": "crawlsift-default"}  # signals and filters too
    local = crawlsift.clean(inputs, str(tmp_path / "local"), workers=2, **options)
    crawlsift.clean(inputs, str(tmp_path / "ray"), engine="ray", **options)
    assert local.stats.records_in == 1497 + 600
    assert local.stats.to_dict()["rejected_by_reason"].keys() & {
        "gopher_short_doc",
        "c4_too_few_sentences",
    }
    assert _shard_bytes(tmp_path / "local") == _shard_bytes(tmp_path / "ray")
    assert _counts(tmp_path / "local") == _counts(tmp_path / "ray")


@pytest.mark.ray
def test_ray_writes_to_a_url_output(local_ray, tmp_path, task_per_file):
    fsspec = pytest.importorskip("fsspec")
    fs, root = fsspec.filesystem("memory"), "/crawlsift-ray-url"
    inputs = _write_inputs(tmp_path, files=2, rows=20)
    crawlsift.clean(inputs, str(tmp_path / "local"), workers=1)
    crawlsift.clean(inputs, f"memory://{root}", engine="ray")
    try:
        remote = {
            f"{kind}/{p.rsplit('/', 1)[-1]}": fs.cat_file(p)
            for kind in ("kept", "rejected")
            for p in fs.ls(f"{root}/{kind}", detail=False)
        }
        assert remote == _shard_bytes(tmp_path / "local")
        assert len(fs.ls(f"{root}/_done")) == 2
    finally:
        fs.rm(root, recursive=True)


@pytest.mark.ray
def test_ray_enforces_the_record_time_limit(local_ray, tmp_path):
    from crawlsift.extract.html_text import ExtractOptions
    from tests.engine.test_record_timeout import ARTICLE, _deep
    from tests.io.test_warc import response, write_warc

    records = [response(n, ARTICLE, "text/html") for n in range(3)]
    records.insert(1, response(9, _deep(20_000), "text/html"))  # ~12 s without the guard
    path = str(write_warc(tmp_path / "in.warc.gz", records))
    slow = crawlsift.make_pipeline(extract=ExtractOptions(max_depth=10**6))
    options = {"pipeline": slow, "record_timeout": 1.0, "batch_size": 2}
    crawlsift.clean([path], str(tmp_path / "local"), workers=1, **options)
    crawlsift.clean([path], str(tmp_path / "ray"), engine="ray", **options)
    assert _shard_bytes(tmp_path / "local") == _shard_bytes(tmp_path / "ray")
    assert _counts(tmp_path / "ray")["rejected_by_reason"] == {"parse_timeout": 1}


@pytest.mark.ray
@pytest.mark.parametrize("mark", [KILL_WORKER, RAISE_MEMORY])
def test_ray_rejects_a_record_that_kills_its_worker(local_ray, tmp_path, mark):
    import cloudpickle

    from tests.engine import faults

    cloudpickle.register_pickle_by_value(faults)  # Ray workers need not import tests/
    inputs = _write_inputs(tmp_path, files=4, rows=25)  # small files: one task of four
    rows = [json.loads(line) for line in Path(inputs[2]).read_text().splitlines()]
    rows[7]["text"] += f" {mark}"
    Path(inputs[2]).write_text("".join(json.dumps(r) + "\n" for r in rows))
    options = {"pipeline": faults.Faulty(), "batch_size": 5}
    crawlsift.clean(inputs, str(tmp_path / "local"), workers=2, **options)
    crawlsift.clean(inputs, str(tmp_path / "ray"), engine="ray", **options)
    assert _shard_bytes(tmp_path / "local") == _shard_bytes(tmp_path / "ray")
    assert _counts(tmp_path / "local") == _counts(tmp_path / "ray")
    reason = "worker_died" if mark == KILL_WORKER else "out_of_memory"
    assert _counts(tmp_path / "ray")["rejected_by_reason"][reason] == 1
