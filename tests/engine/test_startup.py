"""What the processes of a run import: no pandas for pyarrow, no Ray or trafilatura
unless asked for, and a light ``import crawlsift``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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
