"""Shared test helpers (the slow list and the parallel groups are in ../conftest.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def course_cli() -> list[str]:
    """The `course` command, run with this interpreter (no PATH assumptions)."""
    return [sys.executable, "-m", "course.cli"]
