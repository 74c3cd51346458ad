"""The benches' whole-command harness (bench/harness.py) and anchor environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench import anchor, harness

BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < {s}: pass\n"


def test_a_run_is_charged_the_cpu_seconds_of_its_child_and_grandchild() -> None:
    """CPU seconds spent in a grandchild (a worker the command waits for) count."""
    grandchild = BURN.format(s=0.3)
    child = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {grandchild!r}])\n"
    wall, cpu = harness.run_once(harness.System("burn", [sys.executable, "-c", child]))
    assert cpu >= 0.3
    assert wall >= cpu * 0.5


def test_systems_alternate_and_medians_are_taken(tmp_path: Path) -> None:
    log = tmp_path / "order.txt"
    systems = [
        harness.System(name, [sys.executable, "-c", f"open({str(log)!r}, 'a').write('{name}')"])
        for name in "ab"
    ]
    timings = harness.measure(systems, runs=3)
    assert log.read_text() == "abbaab"
    assert [len(t.cpus) for t in timings] == [3, 3]
    assert timings[0].cpu == sorted(timings[0].cpus)[1]


def test_a_failing_command_or_an_empty_output_raises(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        harness.run_once(
            harness.System("bad", [sys.executable, "-c", "import sys; sys.exit('boom')"])
        )
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="wrote nothing"):
        harness.run_once(
            harness.System(
                "idle", [sys.executable, "-c", f"import os; os.makedirs({str(out)!r})"], out
            )
        )


def test_an_output_left_by_the_previous_run_is_removed_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "old").mkdir(parents=True)
    (out / "old" / "stale.txt").write_text("x")
    make = f"import os; os.makedirs({str(out)!r}); open({str(out / 'new.txt')!r}, 'w').write('y')"
    harness.run_once(harness.System("fresh", [sys.executable, "-c", make], out))
    assert sorted(p.name for p in out.iterdir()) == ["new.txt"]


def test_markdown_replaces_only_its_own_section(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        "intro\n<!-- bench:a -->\nold a\n<!-- /bench:a -->\nmiddle\n"
        "<!-- bench:b -->\nold b\n<!-- /bench:b -->\nend\n"
    )
    harness.write_markdown("a", "| new |", ["bench/a.py", "--runs", "3"], path=doc)
    text = doc.read_text()
    assert "old a" not in text and "| new |" in text
    assert "python bench/a.py --runs 3" in text
    assert "old b" in text and text.startswith("intro\n") and text.endswith("end\n")
    with pytest.raises(KeyError):
        harness.write_markdown("c", "x", ["bench/c.py"], path=doc)


def test_table_gives_each_system_its_cpu_ratio_to_the_first() -> None:
    a = harness.Timing(harness.System("ours", []), [2.0, 2.0, 2.0], [1.0, 2.0, 9.0])
    b = harness.Timing(harness.System("theirs", [], note="their pipeline"), [5.0], [10.0])
    text = harness.table([a, b], docs=100)
    assert "| ours | 2.00 | 2.00 | 50.0 | 1.00× |" in text
    assert "| theirs | 5.00 | 10.00 | 10.0 | 5.00× |" in text
    assert "- **theirs**: their pipeline" in text


def test_a_missing_anchor_environment_says_how_to_build_it(tmp_path: Path) -> None:
    problem = anchor.available(tmp_path / "nowhere")
    assert problem is not None and "bench/anchor.py build" in problem


def test_the_docs_hold_a_section_for_every_converted_bench() -> None:
    text = harness.DOCS.read_text()
    for name in ("filters", "end_to_end", "dedup_speed", "url_filter", "pii", "classifier"):
        assert f"<!-- bench:{name} -->" in text and f"<!-- /bench:{name} -->" in text


@pytest.mark.parametrize(
    "bench", ["filters", "end_to_end", "dedup", "url_filter", "pii", "recipe", "classifier"]
)
def test_a_bench_skips_cleanly_without_the_shared_data(bench: str, tmp_path: Path) -> None:
    import os
    import subprocess

    env = {**os.environ, "CRAWLSIFT_SHARED_DATA": str(tmp_path / "absent")}
    root = Path(harness.__file__).resolve().parents[1]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, str(root / "bench" / f"{bench}.py"), "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("skipped:")
