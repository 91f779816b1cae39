"""Fixtures of the association's console tests: a network (tests/network/network_support.py) with
perimeters A and B, a coordination account and a coach who coaches A only."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "network"))

from console_support import Console, close_console, make_console  # noqa: E402


@pytest.fixture(scope="session")
def console(tmp_path_factory) -> Console:
    """One network per test process, shared by the console's test files (it takes seconds to
    make): tests add what they need (a training day, a snapshot) and never count on being first."""
    made = make_console(tmp_path_factory.mktemp("console"))
    try:
        yield made
    finally:
        close_console(made)
