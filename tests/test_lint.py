"""The code base passes ruff's lint and format checks and mypy's type check (configured in
pyproject.toml)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ruff = shutil.which("ruff")
has_mypy = importlib.util.find_spec("mypy") is not None


@pytest.mark.skipif(ruff is None, reason="ruff is not installed (pip install -e '.[test]')")
@pytest.mark.parametrize("args", [["check"], ["format", "--check"]])
def test_ruff(args):
    paths = [str(ROOT / p) for p in ("crawlsift", "tests", "bench", "scripts")]
    result = subprocess.run([ruff, *args, *paths], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not has_mypy, reason="mypy is not installed (pip install -e '.[test]')")
def test_mypy():
    # the package and settings come from [tool.mypy]; the cache is .mypy_cache in the checkout
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
