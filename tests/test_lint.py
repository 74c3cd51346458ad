"""The code base passes ruff's lint and format checks (configured in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ruff = shutil.which("ruff")


@pytest.mark.skipif(ruff is None, reason="ruff is not installed (pip install -e '.[test]')")
@pytest.mark.parametrize("args", [["check"], ["format", "--check"]])
def test_ruff(args):
    paths = [str(ROOT / p) for p in ("crawlsift", "tests", "bench", "scripts")]
    result = subprocess.run([ruff, *args, *paths], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
