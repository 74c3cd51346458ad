"""Shared fixtures of the input-layer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    """The tests/fixtures directory (real sample files, copied into the repository)."""
    return FIXTURES
