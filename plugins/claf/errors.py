"""The CLAF plugin's errors: what a person did wrong, with the field and a message to translate.

A :class:`ClafError` carries the form ``field`` it is about and an English message id (marked
with ``N_``), translated by the page that shows it next to the field. Money rules broken in the
core raise :class:`core.wallets.MoneyError` subclasses, which the pages translate themselves.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BalanceChanged", "ClafError", "NotReady"]


class ClafError(ValueError):
    """Bad input or a broken CLAF rule; ``field`` names the form field, ``message`` says why."""

    def __init__(self, field: str, message: str, **values: Any) -> None:
        super().__init__(f"{field}: {message % values if values else message}")
        self.field = field
        self.message = message
        self.values = values


class NotReady(ClafError):
    """The instance cannot do this yet: not a food fund, or its fund is not set up.

    ``reason`` is ``not_a_fund`` or ``not_set_up``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__("instance", message)
        self.reason = reason


class BalanceChanged(ClafError):
    """The producer's balance is not the one shown when the treasurer validated: nothing moved.

    ``current`` is the balance now (cents); the page shows it for a new validation.
    """

    def __init__(self, shown: int, current: int) -> None:
        super().__init__("amount", "the balance changed")
        self.shown = shown
        self.current = current
