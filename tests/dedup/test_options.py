"""dedup's settings arrive as two dataclasses; bad ones are InputError, never merged."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlsift.dedup import DedupOptions, DedupRunOptions, dedup
from crawlsift.errors import InputError
from tests.dedup.conftest import decisions, write


def test_options_and_run_are_taken_as_dataclasses(tmp_path: Path, planted: dict) -> None:
    src = str(write(tmp_path / "in.parquet", planted["rows"]))
    by_keywords = dedup(src, str(tmp_path / "kw"), workers=1, batch_size=7, bands=20, rows=4)
    given = dedup(
        src,
        str(tmp_path / "dc"),
        options=DedupOptions(bands=20, rows=4),
        run=DedupRunOptions(workers=1, batch_size=7),
    )
    assert decisions(tmp_path / "kw") == decisions(tmp_path / "dc")
    assert (given.kept, given.removed_near) == (by_keywords.kept, by_keywords.removed_near)


def test_a_keyword_beside_its_dataclass_is_refused_not_merged(tmp_path: Path) -> None:
    src = str(write(tmp_path / "in.parquet", [{"id": "a", "text": "one two three"}]))
    with pytest.raises(InputError, match="bands in options= or as keywords, not both"):
        dedup(src, str(tmp_path / "o1"), options=DedupOptions(bands=20), bands=10)
    with pytest.raises(InputError, match="workers in run= or as keywords, not both"):
        dedup(src, str(tmp_path / "o2"), run=DedupRunOptions(), workers=2)
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda: DedupOptions(bands="14"),  # type: ignore[arg-type]
        lambda: DedupOptions(jaccard_threshold="high"),  # type: ignore[arg-type]
        lambda: DedupOptions(verify=1),  # type: ignore[arg-type]
        lambda: DedupRunOptions(workers="2"),  # type: ignore[arg-type]
        lambda: DedupRunOptions(batch_size=0),
        lambda: DedupRunOptions(format="csv"),
        lambda: DedupRunOptions(engine="spark"),
    ],
)
def test_bad_values_are_input_errors(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        make()


def test_bad_keyword_values_are_input_errors(tmp_path: Path) -> None:
    src = str(write(tmp_path / "in.parquet", [{"id": "a", "text": "one two three"}]))
    with pytest.raises(InputError, match="workers must be int"):
        dedup(src, str(tmp_path / "o"), workers="2")
    with pytest.raises(InputError, match="unknown dedup option"):
        dedup(src, str(tmp_path / "o"), bandz=3)
