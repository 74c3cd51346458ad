"""Fixtures of the engine tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawlsift.engine import tasks


@pytest.fixture
def task_per_file() -> Iterator[None]:
    """Every input file a task of its own: the tests' files are small enough to be grouped
    (crawlsift.engine.tasks), and some test what happens between tasks."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks, "SMALL_FILE", 0)
        yield
