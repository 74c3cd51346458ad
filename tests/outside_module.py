"""Run a driver script in a fresh interpreter with a module from outside the package.

The declaration tests (a filter, a repair rule) write a toy module to a temporary folder,
name it in the environment variable that adds outside modules, and read what the driver
prints as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_with_module(
    tmp_path: Path, name: str, source: str, env_var: str, driver: str
) -> dict[str, Any]:
    """Write ``source`` as module ``name`` under ``tmp_path``, set ``env_var`` to its name and
    run ``driver``; the JSON object it prints."""
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]), env_var: name}
    done = subprocess.run(
        [sys.executable, "-c", driver], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)
