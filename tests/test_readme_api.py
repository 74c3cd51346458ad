"""The README's "Python API" example runs as written and shows what it says it shows."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)
    assert len(section) == 2, "README has no '## Python API' section"
    body = section[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(.*?)\n```", body, re.S)
    assert block, "the Python API section has no python example"
    return block.group(1)


def test_the_python_api_example_runs(capsys):
    exec(compile(_example(), str(README), "exec"), {"__name__": "readme_example"})
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("False None 'The council met")  # banner and widget removed
    assert out[1].startswith("repair_error_banner") and out[2].startswith("repair_widget")
    assert "(True, 'missing_text')" in out[4]
    assert "'reason': 'too_short'" in out[5] and "'lang': 'en'" in out[5]
