"""What the register's pages say about its card terminals: each one's state, taps in words.

The register page (and its live stream) shows, for each terminal serving the point of sale,
whether an order waits there for a card, the last tap's outcome in the reader's language, and
the exact shortfall when a card did not hold enough for the order on the screen.
"""

from __future__ import annotations

from typing import Any

from core.i18n import gettext as _
from core.terminals import TapOutcome, TapStatus, format_amount, status_label

from ..model import Order, PointOfSale
from ..service import Laboutik
from ..terminals import OPENED
from .common import money

__all__ = ["tap_text", "terminal_rows"]


def _amount(amount: int, decimals: int) -> str:
    """An amount of an asset in the reader's language (cents like the register's)."""
    return money(amount) if decimals == 2 else format_amount(amount, decimals)


def tap_text(outcome: TapOutcome) -> str:
    """One sentence saying what a tap did at the register, in the reader's language."""
    status = outcome.status
    data = outcome.data
    if status == TapStatus.PAID:
        legs = " + ".join(f"{leg.asset_code} {_amount(leg.amount, leg.decimals)}"
                          for leg in outcome.legs)  # fmt: skip
        text = _("Order #%(number)s: %(amount)s paid by card (%(legs)s).",
                 number=data.get("order_number", "?"), amount=money(outcome.amount),
                 legs=legs)  # fmt: skip
        if data.get("remaining"):
            text += " " + _("%(remaining)s left to pay.", remaining=money(data["remaining"]))
        return text
    if status == TapStatus.SHORTFALL:
        return _("Order #%(number)s: the card holds %(available)s, %(missing)s %(code)s are "
                 "missing; nothing was taken.", number=data.get("order_number", "?"),
                 available=money(int(data.get("available", 0))),
                 missing=_amount(outcome.shortfall, outcome.decimals),
                 code=outcome.asset_code)  # fmt: skip
    if status == OPENED:
        return _("The point of sale was opened with this staff card.")
    texts: dict[str, str] = {
        TapStatus.IDLE: _("Nothing was waiting on this terminal."),
        TapStatus.UNKNOWN_CARD: _("This card is not known in the network."),
        TapStatus.CARD_LOST: _("This card was declared lost."),
        TapStatus.UNAVAILABLE: _("This terminal's mode is not available here."),
    }
    if status in texts:
        return texts[status]
    code = data.get("code")
    if code == "closed":
        return _("The point of sale is closed: only a staff card opens it.")
    if code == "not_bound":
        return _("This terminal serves no point of sale.")
    return _("Refused: %(reason)s", reason=outcome.message)


def _label(status: str) -> str:
    return _("Opened") if status == OPENED else status_label(status)


def terminal_rows(
    service: Laboutik, instance: str, point: PointOfSale, order: Order | None
) -> list[dict[str, Any]]:
    """The terminals serving ``point``: waiting state and last tap, for the register page."""
    rows = []
    for terminal, link in service.terminals.of_point(instance, point.id):
        last = link.last_outcome
        here = order is not None and link.order_id == order.id
        about_order = order is not None and link.last_order_id == order.id
        rows.append(
            {
                "terminal": terminal,
                "link": link,
                "waiting_here": here,
                "waiting_other": link.order_id if link.order_id and not here else "",
                "last": None if last is None else {
                    "status": _label(last.status), "css": last.status, "text": tap_text(last),
                    "card": last.card_number,
                },
                "shortfall": last if about_order and last is not None
                and last.status == TapStatus.SHORTFALL else None,
            }
        )  # fmt: skip
    return rows
