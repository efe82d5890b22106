"""Reading fields of Stripe objects (as dicts) that may be absent, null or expanded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["euros", "id_of", "int_of", "metadata_of"]


def id_of(value: Any) -> str:
    """An object's id whether the API sent it expanded (an object) or as a plain id."""
    if isinstance(value, Mapping):
        return str(value.get("id") or "")
    return str(value or "")


def metadata_of(obj: Mapping[str, Any]) -> dict[str, str]:
    """The object's ``metadata`` as a dict of strings (empty when absent)."""
    raw = obj.get("metadata") or {}
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): str(v) for k, v in raw.items()}


def int_of(value: Any) -> int:
    """An integer field (an amount, a timestamp), 0 when absent or not an integer."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def euros(cents: int) -> str:
    """An amount in cents as people read it: ``12,50 €``."""
    return f"{cents // 100},{cents % 100:02d} €"
