"""What the register's services share: their collaborators, ids and input checks."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from core.i18n import N_
from core.store import Tx

from .errors import NotFound, Problem, RegisterError

if TYPE_CHECKING:
    from .service import Laboutik

__all__ = [
    "COLOUR_RE",
    "OPERATION_RE",
    "Part",
    "check_colour",
    "check_name",
    "check_operation_id",
    "new_id",
]

T = TypeVar("T")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
OPERATION_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


def new_id() -> str:
    """A fresh random record id (64 bits, 16 hex digits)."""
    return secrets.token_hex(8)


def check_name(value: str, limit: int = 60) -> Problem | None:
    """A problem if ``value`` (trimmed) is empty or longer than ``limit``."""
    cleaned = (value or "").strip()
    if not cleaned:
        return Problem.of(N_("This field is required."))
    if len(cleaned) > limit:
        return Problem.of(N_("%(limit)d characters at most."), limit=limit)
    return None


def check_colour(value: str, *, optional: bool = False) -> Problem | None:
    """A problem unless ``value`` is a colour ``#rrggbb`` (or empty when ``optional``)."""
    if optional and not value:
        return None
    if not COLOUR_RE.match(value or ""):
        return Problem.of(N_("Choose a colour written #rrggbb."))
    return None


def check_operation_id(value: object) -> str:
    """The caller's operation id: 1 to 100 letters, digits or ``_.:-``; else RegisterError."""
    if not isinstance(value, str) or not OPERATION_RE.match(value):
        raise RegisterError(
            "operation_id", N_("An operation id has 1 to 100 letters, digits or _.:-")
        )
    return value


class Part:
    """A part of the register's service, holding the facade's collaborators."""

    def __init__(self, lb: Laboutik) -> None:
        self.lb = lb
        self.store = lb.store
        self.money = lb.money
        self.records = lb.records

    def now(self) -> int:
        """The current moment in nanoseconds (the register's clock)."""
        return self.lb.clock_ns()

    def write(self, fn: Callable[[Tx], T], *, grouped: bool = True) -> T:
        """Run ``fn`` in one durable write, through the group-commit writer unless
        ``grouped=False`` (many cashiers, one fsync: the store's group commit)."""
        return self.store.write_grouped(fn) if grouped else self.store.write(fn)

    @staticmethod
    def owned(record: Any, instance: str, what: str) -> Any:
        """``record`` if it belongs to ``instance``; else NotFound (never another's)."""
        if record is None or record.instance != instance:
            raise NotFound(what, N_("Not found on this collective."))
        return record
