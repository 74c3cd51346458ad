"""Corpora for the dedup tests: invented articles, planted copies, sites with chrome."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawlsift.io import read_output

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def vocabulary(seed: int = 0, size: int = 4000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(_LETTERS, k=rng.randint(2, 9))) for _ in range(size)]


def article(rng: random.Random, vocab: list[str], sentences: int = 12) -> str:
    """Invented prose: one sentence per line."""
    lines = []
    for _ in range(sentences):
        words = rng.choices(vocab, k=rng.randint(10, 22))
        lines.append(" ".join(words).capitalize() + ".")
    return "\n".join(lines)


def edit_lightly(text: str, rng: random.Random, vocab: list[str]) -> str:
    """A syndicated copy: one sentence rewritten and the last line cut."""
    lines = text.split("\n")
    i = rng.randrange(len(lines) - 1)
    lines[i] = " ".join(rng.choices(vocab, k=12)).capitalize() + "."
    return "\n".join(lines[:-1])


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def outputs(out: Path) -> tuple[pa.Table, pa.Table]:
    """(kept, rejected) of a dedup output directory."""
    return read_output(str(out / "kept")), read_output(str(out / "rejected"))


def decisions(out: Path) -> dict[str, tuple]:
    """Per id: ("kept", cluster, size, text) or (reason, duplicate_of, stage, text)."""
    kept, rejected = outputs(out)
    result = {}
    for row in kept.to_pylist():
        result[row["id"]] = ("kept", row["dedup_cluster"], row["dedup_cluster_size"], row["text"])
    for row in rejected.to_pylist():
        result[row["id"]] = (row["reason"], row["dedup_duplicate_of"], row["stage"], row["text"])
    return result


@pytest.fixture
def planted() -> dict[str, Any]:
    """200 distinct articles plus planted copies: exact (case/punctuation), near, unrelated."""
    rng = random.Random(7)
    vocab = vocabulary()
    rows = []
    for i in range(200):
        rows.append(
            {
                "id": f"doc-{i:03d}",
                "url": f"https://site{i % 9}.example/{i}",
                "date": f"2025-01-{1 + i % 28:02d}",
                "text": article(rng, vocab, 30),
            }
        )
    exact = dict(rows[10], id="copy-exact", date="2025-03-01")
    exact["text"] = rows[10]["text"].upper().replace(".", "!")
    near = dict(rows[20], id="copy-near", date="2025-03-01")
    near["text"] = edit_lightly(rows[20]["text"], rng, vocab)
    earlier = dict(rows[30], id="copy-earlier", date="2024-12-01")
    earlier["text"] = edit_lightly(rows[30]["text"], rng, vocab)
    rows += [exact, near, earlier]
    return {"rows": rows, "vocab": vocab}
