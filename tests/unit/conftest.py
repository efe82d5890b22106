"""Fixtures of the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store of its own in a temporary directory, closed after the test."""
    s = Store(tmp_path / "store")
    yield s
    s.close()
