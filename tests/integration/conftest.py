"""Fixtures of the web host's and the CLI's integration tests: real networks in tmp_path.

- ``network``: a :class:`core.Network` on a real LMDB store in ``tmp_path`` with the installed
  plugins, closed afterwards;
- ``example_plugin``: installs ``tests/example_plugin`` **through an entry point**, like a
  published distribution (a ``*.dist-info`` folder with ``entry_points.txt`` in a directory put
  on ``sys.path``), and removes every trace afterwards;
- ``fetch``: ``fetch(client, host, path)``, a GET with a given Host header through Litestar's
  test client (a fixture rather than an import, so no test module imports a conftest).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from core import Network, PluginManager, load_settings

TESTS = Path(__file__).resolve().parents[1]
EXAMPLE_PACKAGE = TESTS / "example_plugin"


Fetch = Callable[..., httpx.Response]


def _fetch(client: TestClient[Any], host: str, path: str, **headers: str) -> httpx.Response:
    """GET ``path`` as a browser would at ``http://<host><path>`` (the Host header decides)."""
    return client.get(path, headers={"host": host, **headers})


@pytest.fixture
def fetch() -> Fetch:
    """``fetch(client, host, path, **headers)``: a GET with that Host header."""
    return _fetch


@pytest.fixture
def network(tmp_path: Path) -> Iterator[Network]:
    """A network on a real store in ``tmp_path``, with the installed plugins."""
    net = Network.open(load_settings(tmp_path / "data"))
    try:
        yield net
    finally:
        net.close()


def _forget_example_modules() -> None:
    for name in list(sys.modules):
        if name == "example_plugin" or name.startswith("example_plugin."):
            del sys.modules[name]


@pytest.fixture
def example_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PluginManager]:
    """A plugin manager that found the example plugin through its entry point."""
    site = tmp_path / "site-packages"
    dist_info = site / "example_plugin-0.1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: example-plugin\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        "[tirelire.plugins]\nexample = example_plugin\n", encoding="utf-8"
    )
    shutil.copytree(
        EXAMPLE_PACKAGE, site / "example_plugin", ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.delenv("TIRELIRE_PLUGINS", raising=False)
    monkeypatch.syspath_prepend(str(site))  # undone at teardown, import caches invalidated
    _forget_example_modules()
    try:
        yield PluginManager()
    finally:
        _forget_example_modules()
