"""Shared fixtures: paths to bundled test data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the same examples every time, so a landing never hinges on a random draw;
# local runs explore new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
SEED = FIXTURES / "000_54a851cabf0a182d.txt"


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def seed_text() -> str:
    """The seed record's page text, without its `date ... STATUS` header line."""
    return SEED.read_text(encoding="utf-8").split("\n", 1)[1]
