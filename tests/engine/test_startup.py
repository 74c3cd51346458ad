"""What the processes of a run import: no pandas for pyarrow, no Ray or trafilatura
unless asked for, and a light ``import crawlsift``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=ENV, capture_output=True, text=True, check=True
    )
    return done.stdout


def _imported(stderr: str) -> set[str]:
    """Modules that ``python -X importtime`` reports as imported (in any process of the
    command: workers inherit stderr), not counting imports that failed."""
    found = set()
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s*(\S+)$", line)
        if match:
            found.add(match.group(2))
    return found


def test_pyarrow_conversions_skip_pandas_but_import_statements_work():
    out = _python(
        "import sys\n"
        "from crawlsift.engine.startup import skip_pandas\n"
        "skip_pandas()\n"
        "import pyarrow as pa, pyarrow.dataset\n"
        "pa.array(['a', None]); pa.scalar(1); pa.Table.from_pylist([{'a': 1}])\n"
        "print('pandas' in sys.modules)\n"
        "import pandas as pd\n"
        "print(pa.array(pd.Series([1, 2])).to_pylist(), pa.table({'a': [1]}).to_pandas().shape)\n"
    )
    assert out.split("\n")[:2] == ["False", "[1, 2] (1, 1)"]


def test_import_crawlsift_loads_no_engine_or_arrow():
    out = _python(
        "import sys, crawlsift\n"
        "print(sorted(m for m in ('pyarrow', 'polars', 'ray', 'trafilatura', 'pandas') "
        "if m in sys.modules))\n"
        "from crawlsift import clean, dedup, RunOptions\n"
        "print(callable(clean), callable(dedup), RunOptions.__name__)\n"
    )
    assert out.split("\n")[:2] == ["[]", "True True RunOptions"]


def test_import_of_a_subpackage_keeps_the_public_dedup_function():
    out = _python(
        "import crawlsift.dedup.options, crawlsift\n"
        "from crawlsift import dedup\n"
        "print(callable(dedup), crawlsift.dedup is dedup)\n"
    )
    assert out.strip() == "True True"


def test_clean_command_imports_no_ray_trafilatura_or_pandas(tmp_path):
    """Main process and worker (the default record time limit runs a worker)."""
    page = tmp_path / "page.txt"
    page.write_text("The harbour authority confirmed on Monday that the terminal reopens.\n")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "crawlsift", "clean", str(page),
         "-o", str(tmp_path / "out"), "--no-progress"],
        env=ENV, capture_output=True, text=True, check=True,
    )  # fmt: skip
    imported = _imported(done.stderr)
    assert "crawlsift.engine.isolate" in imported  # the trace covers the run
    assert not {"ray", "trafilatura", "pandas.core"} & imported


def _import_counts(stderr: str) -> dict[str, int]:
    """How many processes of a command imported each module (``-X importtime`` lines)."""
    counts: dict[str, int] = {}
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", line)
        if match:
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return counts


@pytest.mark.parametrize("progress", ["--no-progress", "--progress"])
def test_clean_command_forks_its_worker_with_the_stages_imported(tmp_path, progress):
    """The worker is forked from the CLI's process, which imported pyarrow, polars and the
    stages already: no process imports them a second time (with a progress bar too)."""
    page = tmp_path / "page.txt"
    page.write_text("The harbour authority confirmed on Monday that the terminal reopens.\n")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "crawlsift", "clean", str(page),
         "-o", str(tmp_path / "out"), progress],
        env=ENV, capture_output=True, text=True, check=True,
    )  # fmt: skip
    counts = _import_counts(done.stderr)
    assert counts.get("crawlsift.engine.isolate") == 1
    assert counts.get("crawlsift.repair.stage") == 1
    assert counts.get("polars") == 1
    assert (tmp_path / "out" / "kept").is_dir()


def test_fork_is_safe_until_polars_starts_its_thread_pool():
    out = _python(
        "import polars as pl, pyarrow as pa, pyarrow.compute as pc\n"
        "from crawlsift.engine.startup import fork_is_safe, worker_context\n"
        "pc.sum(pa.array(range(10)))\n"
        "print(fork_is_safe(), worker_context().get_start_method())\n"
        "pl.DataFrame({'a': list(range(100_000))}).select(pl.col('a').sum())\n"
        "print(fork_is_safe(), worker_context().get_start_method())\n"
    )
    assert out.split("\n")[:2] == ["True fork", "False spawn"]


def test_a_run_after_polars_ran_spawns_its_workers_and_finishes(tmp_path):
    """A forked child of a process whose polars thread pool runs would deadlock in its first
    polars call: such a process spawns its workers; its run's results are the same."""
    page = tmp_path / "page.txt"
    page.write_text("The harbour authority confirmed on Monday that the terminal reopens.\n")
    code = (
        "import sys, polars as pl, crawlsift\n"
        "from crawlsift.engine.startup import fork_is_safe\n"
        "from crawlsift.io.writers import read_output\n"
        "first = crawlsift.clean(sys.argv[1], sys.argv[2], workers=1)\n"
        "pl.DataFrame({'a': list(range(100_000))}).select(pl.col('a').sum())\n"
        "print(fork_is_safe())\n"
        "second = crawlsift.clean(sys.argv[1], sys.argv[3], workers=1)\n"
        "a, b = (read_output(d + '/kept').drop_columns(['id']) for d in sys.argv[2:])\n"
        "print(first.stats.kept, second.stats.kept, a.equals(b))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(page), str(tmp_path / "a"), str(tmp_path / "b")],
        env=ENV, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    assert done.stdout.split("\n")[:2] == ["False", "1 1 True"]


def test_the_command_line_imports_no_dedup_passes_or_report_until_used():
    out = _python(
        "import sys, crawlsift.cli\n"
        "print(sorted(m for m in ('crawlsift.dedup.run', 'crawlsift.dedup.entry', "
        "'crawlsift.report.html_report') if m in sys.modules))\n"
        "from crawlsift.dedup import DedupSummary, dedup, minhash\n"
        "print(callable(dedup), DedupSummary.__name__, minhash.__name__)\n"
    )
    assert out.split("\n")[:2] == ["[]", "True DedupSummary crawlsift.dedup.minhash"]


def test_a_command_leaves_its_objects_uncollected_at_exit():
    """The cycle collector's pass over every object at exit is skipped (gc.freeze); the
    exit handlers registered before still run after it."""
    out = _python(
        "import atexit, gc\n"
        "from crawlsift.cli import main\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "main(['stages'])\n"
    )
    assert out.splitlines()[-1] == "frozen True"


def test_clean_to_stdout_forks_the_process_that_runs_the_stages(tmp_path):
    """``clean --stdout`` (and ``explain``) run the stages in a child under the record time
    limit: forked, so it does not import polars and the stages again."""
    page = tmp_path / "page.txt"
    page.write_text("The harbour authority confirmed on Monday that the terminal reopens.\n")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "crawlsift", "clean", str(page), "--stdout"],
        env=ENV, capture_output=True, text=True, check=True,
    )  # fmt: skip
    counts = _import_counts(done.stderr)
    assert counts.get("crawlsift.engine.isolate") == 1
    assert counts.get("polars") == 1
    assert "harbour authority" in done.stdout
