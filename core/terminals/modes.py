"""Terminal modes: what plugins offer a terminal to do with a tap, and the outcomes they give.

A mode is registered by a plugin through ``register_terminal_modes(instance, register)``,
called through the instance's hooks, so a mode of a plugin the instance did not enable is not
offered there. The core offers ``charge`` itself (:mod:`core.terminals.charge_mode`).

The helpers turn what the money services answered into a :class:`TapOutcome`, so every mode
reports a sale, a shortfall or a refusal the same way (and the terminal prints them alike).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import lmdb

from core.i18n import gettext as _
from core.instances import Instance
from core.plugins import InstanceHooks, PluginError
from core.terminals.model import PaidLeg, TapOutcome, TapStatus, TerminalMode
from core.wallets import (
    CardLost,
    InsufficientFunds,
    MoneyError,
    Operation,
    UnknownCard,
)
from core.wallets.amounts import format_amount as _format_amount

__all__ = [
    "MODE_RE",
    "collect_modes",
    "format_amount",
    "refusal_outcome",
    "sale_outcome",
    "status_label",
]

MODE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def collect_modes(hooks: InstanceHooks, instance: Instance) -> list[TerminalMode]:
    """The modes offered on ``instance`` (its enabled plugins and the core), in order."""
    found: dict[str, TerminalMode] = {}

    def register(key: str, label: str, href: str = "", order: int = 100) -> None:
        key = str(key)
        if not MODE_RE.match(key):
            raise PluginError(
                f"terminal mode {key!r}: use 1 to 40 lowercase letters, digits, '_' or '-'"
            )
        found[key] = TerminalMode(key=key, label=str(label), href=str(href), order=int(order))

    hooks.register_terminal_modes(instance=instance, register=register)
    return sorted(found.values(), key=lambda m: (m.order, m.label))


def format_amount(amount: int, decimals: int = 2) -> str:
    """``1250`` → ``12.50``: amounts in a terminal's messages (its console speaks English)."""
    return _format_amount(amount, decimals, lang="en")


AssetLookup = Callable[[lmdb.Transaction, int], Any]


def sale_outcome(
    txn: lmdb.Transaction, asset_of: AssetLookup, operation: Operation, *, card_number: str = ""
) -> TapOutcome:
    """A ``paid`` outcome from a sale's operation (its legs, with the assets' codes)."""
    legs = []
    for leg in operation.legs:
        asset = asset_of(txn, leg.asset_id)
        legs.append(
            PaidLeg(
                asset_id=leg.asset_id,
                asset_code=asset.code if asset is not None else str(leg.asset_id),
                amount=leg.amount,
                decimals=asset.decimals if asset is not None else 2,
            )
        )
    decimals = legs[0].decimals if legs else 2
    parts = " + ".join(
        f"{leg.asset_code} {format_amount(leg.amount, leg.decimals)}" for leg in legs
    )
    return TapOutcome(
        status=TapStatus.PAID,
        message=f"paid {format_amount(operation.amount, decimals)} ({parts})",
        amount=operation.amount,
        decimals=decimals,
        legs=legs,
        operation=operation.key,
        card_number=card_number,
    )


def refusal_outcome(
    txn: lmdb.Transaction,
    asset_of: AssetLookup,
    exc: MoneyError,
    *,
    amount: int = 0,
    card_number: str = "",
) -> TapOutcome:
    """The outcome of a refused money action: shortfall, unknown or lost card, or refused."""
    if isinstance(exc, InsufficientFunds):
        asset = asset_of(txn, exc.asset)
        code = asset.code if asset is not None else str(exc.asset)
        decimals = asset.decimals if asset is not None else 2
        return TapOutcome(
            status=TapStatus.SHORTFALL,
            message=f"shortfall: {format_amount(exc.shortfall, decimals)} {code} missing",
            amount=amount,
            shortfall=exc.shortfall,
            asset_id=exc.asset,
            asset_code=code,
            decimals=decimals,
            card_number=card_number,
            data={"available": exc.available},
        )
    if isinstance(exc, UnknownCard):
        return TapOutcome(status=TapStatus.UNKNOWN_CARD, message="unknown card", amount=amount)
    if isinstance(exc, CardLost):
        return TapOutcome(
            status=TapStatus.CARD_LOST, message="this card was declared lost", amount=amount,
            card_number=card_number,
        )  # fmt: skip
    return TapOutcome(
        status=TapStatus.REFUSED, message=str(exc), amount=amount, card_number=card_number,
        data={"code": exc.code},
    )  # fmt: skip


def status_label(status: str) -> str:
    """What people read for a core status (translated); other statuses are shown as they are."""
    labels: dict[str, str] = {
        TapStatus.PAID: _("Paid"),
        TapStatus.SHORTFALL: _("Insufficient balance"),
        TapStatus.UNKNOWN_CARD: _("Unknown card"),
        TapStatus.CARD_LOST: _("Card declared lost"),
        TapStatus.IDLE: _("Nothing to pay"),
        TapStatus.REFUSED: _("Refused"),
        TapStatus.UNAVAILABLE: _("Mode unavailable"),
        TapStatus.DONE: _("Done"),
    }
    return labels.get(status, status)
