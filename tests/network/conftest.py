"""Fixtures of the network tests (network_support.py makes the network)."""

from __future__ import annotations

import pytest

from network_support import close_network, make_network, seed_perimeter


@pytest.fixture(scope="module")
def perimeters(tmp_path_factory):
    """Perimeters A (`/a/`) and B (`/b/`) of one network, seeded; shared by a module's tests."""
    made = make_network(tmp_path_factory.mktemp("network"))
    try:
        for slug in ("a", "b"):
            seed_perimeter(made.app(slug), slug)
        yield made
    finally:
        close_network(made)
