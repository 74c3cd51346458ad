"""Fixtures of the signal tests: real pages' all-visible text and datatrove's verdicts on them.

Built by ``scripts/build_signal_fixtures.py`` from WCXB v1.0 dev (CC-BY-4.0).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from crawlsift import schema as S

FIXTURES = Path(__file__).parents[1] / "fixtures" / "signals"


def text_table(texts: list[str | None], reasons: list[str | None] | None = None) -> pa.Table:
    """A batch of texts as the signal stages see it after repair."""
    n = len(texts)
    return pa.table(
        {
            S.ID: pa.array([str(i) for i in range(n)], pa.string()),
            S.TEXT: pa.array(texts, pa.large_string()),
            S.REASON: pa.array(reasons or [None] * n, pa.string()),
            S.STAGE: pa.array([("repair" if r else None) for r in reasons or [None] * n]),
        }
    )


@pytest.fixture(scope="session")
def wcxb_docs() -> list[dict[str, str]]:
    with gzip.open(FIXTURES / "wcxb-visible.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="session")
def datatrove_golden() -> dict[str, Any]:
    return json.loads((FIXTURES / "datatrove-golden.json").read_text(encoding="utf-8"))
