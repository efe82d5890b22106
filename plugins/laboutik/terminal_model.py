"""The register's record of each card terminal in ``cash_register`` mode.

A terminal (paired in the admin panel, core side) is bound to one point of sale by an admin
of the register; what it waits for lives in the same record, keyed by the terminal's id, as
the core's charge mode keeps its slot. Stored in ``laboutik_terminals``; keyword-only with
defaults for every later field (msgspec's schema-evolution rules).
"""

from __future__ import annotations

import msgspec

from core.terminals import TapOutcome

__all__ = ["CASH_REGISTER_MODE", "TerminalLink"]

#: the terminal mode the plugin offers (``register_terminal_modes``)
CASH_REGISTER_MODE = "cash_register"


class TerminalLink(msgspec.Struct, kw_only=True):
    """A terminal's point of sale, the order waiting for a card there, and the last tap."""

    terminal_id: str
    instance: str
    #: the point of sale whose register this terminal serves ("" when unbound)
    pos_id: str = ""
    bound_by: str = ""
    bound_at: int = 0
    #: the order waiting for a card on this terminal ("" when nothing waits)
    order_id: str = ""
    #: the next card pays what it holds when it does not cover what is left
    partial: bool = False
    asked_by: str = ""
    asked_at: int = 0
    #: grows at every change (live pages compare it)
    version: int = 0
    last_tap: str = ""
    last_outcome: TapOutcome | None = None
    #: the order the last tap was about ("" for a tap that opened the point of sale)
    last_order_id: str = ""
    updated_at: int = 0

    @property
    def waiting(self) -> bool:
        """True while an order waits for a card on this terminal."""
        return bool(self.order_id)
