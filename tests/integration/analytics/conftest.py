"""Fixtures of the analytics tests: a real network (LMDB) with money, and its mirror (DuckDB)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core import Network, PluginManager, load_settings
from core.analytics import Mirror
from tests.integration.analytics.support import fill


@pytest.fixture
def network(tmp_path: Path) -> Iterator[Network]:
    """A network with two unrelated venues, a food fund and a producer, and money moved."""
    net = Network.open(
        load_settings(tmp_path / "data"), plugins=PluginManager(load_entry_points=False)
    )
    try:
        fill(net)
        yield net
    finally:
        net.close()


@pytest.fixture
def mirror(network: Network) -> Mirror:
    """The network's mirror, synced."""
    m = Mirror(network)
    m.sync(records=True)
    return m
