"""How money reads on a page: amounts with their asset, dates, action names, counterparties.

These helpers are Jinja globals (see :func:`hosts.web.pages.jinja_engine`) and are used by the
JSON API's answers where a label is given. Amounts are integers in the smallest unit; they are
formatted with integer arithmetic (:func:`core.wallets.amounts.format_amount`), in the reader's
language.
"""

from __future__ import annotations

import datetime
from typing import Any

from core.i18n import N_, current_language
from core.i18n import gettext as _
from core.network import Network
from core.wallets import ActionKind, Asset, AssetCategory, WalletRef
from core.wallets.amounts import format_amount

__all__ = [
    "CATEGORY_LABELS",
    "KIND_LABELS",
    "amount_text",
    "counterparty_label",
    "money",
    "when",
]

KIND_LABELS = {
    ActionKind.REFILL: N_("Refill"),
    ActionKind.GRANT: N_("Credit offered"),
    ActionKind.SALE: N_("Payment"),
    ActionKind.TRANSFER: N_("Transfer"),
    ActionKind.REFUND: N_("Refund"),
    ActionKind.REMITTANCE: N_("Bank remittance"),
    ActionKind.FUSION: N_("Card merged"),
    ActionKind.CORRECTION: N_("Correction"),
}

CATEGORY_LABELS = {
    AssetCategory.PRIMARY: N_("Federated euro"),
    AssetCategory.FIAT: N_("Local currency"),
    AssetCategory.GIFT: N_("Gift"),
    AssetCategory.TIME: N_("Time"),
    AssetCategory.LOYALTY: N_("Loyalty points"),
    AssetCategory.BADGE: N_("Badge"),
}


def amount_text(amount: int, decimals: int = 2) -> str:
    """``1250`` → ``12,50`` (French) or ``12.50`` (English)."""
    return format_amount(amount, decimals, lang=current_language())


def money(amount: int, asset: Asset | None, *, signed: bool = False) -> str:
    """An amount with its asset's code: ``12,50 FED`` (``+12,50 FED`` with ``signed``)."""
    decimals = asset.decimals if asset is not None else 2
    text = amount_text(amount, decimals)
    if signed and amount > 0:
        text = "+" + text
    return f"{text} {asset.code}" if asset is not None else text


def when(timestamp: float | int) -> str:
    """A date and time for a reader (``21/11/2026 14:05``); ledger nanoseconds accepted."""
    if not timestamp:
        return ""
    seconds = timestamp / 1e9 if timestamp > 1e12 else float(timestamp)
    moment = datetime.datetime.fromtimestamp(seconds)
    if current_language() == "fr":
        return moment.strftime("%d/%m/%Y %H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


def kind_label(kind: ActionKind | int) -> str:
    """What an action is called for a reader."""
    return _(KIND_LABELS.get(ActionKind(kind), "Operation"))


def counterparty_label(network: Network, owner: str) -> str:
    """Who the other side of a transfer is, for a reader (never an internal id)."""
    try:
        ref = WalletRef.parse(owner)
    except ValueError:
        return ""
    if ref.kind.value == "instance":
        found = network.instances.get(ref.id)
        return found.name if found is not None else ref.id
    if ref.kind.value == "user":
        person = network.accounts.user(ref.id)
        if person is None:
            return _("someone")
        return person.name or person.email
    if ref.kind.value == "card":
        card = network.money.cards.get(ref.id)
        return _("card %(number)s", number=card.number) if card is not None else _("a card")
    asset = network.money.assets.get(int(ref.id)) if ref.id.isdigit() else None
    if asset is None or not asset.issuer:
        return network.settings.network_name
    issuer = network.instances.get(asset.issuer)
    return issuer.name if issuer is not None else asset.issuer


def jinja_globals() -> dict[str, Any]:
    """The helpers templates call: ``money``, ``amount_text``, ``when``, ``kind_label``."""
    return {
        "money": money,
        "amount_text": amount_text,
        "when": when,
        "kind_label": kind_label,
        "category_label": lambda c: _(CATEGORY_LABELS.get(AssetCategory(c), "Asset")),
    }
