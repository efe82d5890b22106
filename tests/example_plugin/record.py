"""The calls the example plugin received, for its test (a real plugin would not keep this)."""

from __future__ import annotations

__all__ = ["CALLS", "record"]

#: (hook or route name, instance slug or None) for every call received, oldest first.
CALLS: list[tuple[str, str | None]] = []


def record(name: str, slug: str | None = None) -> None:
    """Note that the hook or route ``name`` was called (for the instance ``slug``)."""
    CALLS.append((name, slug))
