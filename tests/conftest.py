"""Fixtures and helpers shared by the whole suite.

``require_program(name)`` returns the path of a system program a test needs (``wrk``,
``chromium``...). Where it is missing the test is skipped with the reason, so the README's test
command works on a machine that has only Python; under ``CI=true`` (where ``.ci/run`` installs
them) a missing program fails the test instead of hiding it.
"""

from __future__ import annotations

import os
import shutil

import pytest


def in_ci() -> bool:
    """True when the suite runs in CI (``CI=true``)."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_program(name: str, *candidates: str) -> str:
    """The path of ``name`` (or of the first candidate path that exists); skip or fail if none."""
    for candidate in candidates:
        if os.path.exists(candidate):
            return candidate
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (apt-get install {name}; .ci/run does it)"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)
