"""What the pages and the API say about a payment request, for staff and for the payer.

- :func:`pay_url` is the link in the QR code: the request's instance address + ``/payer/<id>``;
- :func:`status_text` is the one sentence the staff page shows (and its live updates send);
  once paid it names what paid (:func:`paid_with`: ``12,50 CLA`` at a food fund's producer);
- :func:`payer_view` is what the payer sees before confirming: their balances in the assets
  the instance accepts (in the order the sale will take them), what would be taken from each,
  the shortfall if any, and what they hold that is not accepted there. It is a preview for the
  reader; the sale itself (``money.sale_in``) decides, in its write.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.i18n import gettext as _
from core.network import Network
from core.wallets import ActionKind, Asset, WalletRef, sale_order
from core.wallets.model import MONEY_CATEGORIES
from core.wallets.requests import PaymentRequest, operation_id_of
from hosts.web.instances import Site
from hosts.web.wallet_format import counterparty_label, money, when

__all__ = ["PayerView", "paid_with", "pay_url", "payer_view", "status_text"]


def pay_url(site: Site, request: PaymentRequest) -> str:
    """The link a phone camera opens: ``http://<instance>.<domain>/payer/<id>``."""
    return f"{site.url_for(request.instance)}/payer/{request.id}"


def status_text(network: Network, request: PaymentRequest) -> str:
    """The request's state in one sentence for the staff (``Paid by Ada at 14:05``)."""
    state = request.state(network.payment_requests.clock())
    price = money(request.amount, network.money.assets.primary())
    if state == "paid":
        return _(
            "Paid: %(amount)s by %(payer)s at %(time)s.",
            amount=paid_with(network, request) or price,
            payer=counterparty_label(network, request.payer), time=when(request.paid_at),
        )  # fmt: skip
    if state == "cancelled":
        return _("Cancelled.")
    if state == "expired":
        return _("Expired without payment: make a new request.")
    return _("Waiting for the payment of %(amount)s (until %(time)s)…",
             amount=price, time=when(request.expires_at))  # fmt: skip


def paid_with(network: Network, request: PaymentRequest) -> str:
    """What a paid request was paid with, asset by asset (``12,50 CLA``, ``10,00 CLA + 2,50
    FED``): a food fund's producer sees CLA, not the unit the price was typed in. ``""``
    while it is not paid."""
    if request.status != "paid":
        return ""
    operation = network.money.operation(ActionKind.SALE, operation_id_of(request.id))
    if operation is None:
        return ""
    parts = []
    for leg in operation.legs:
        asset = network.money.assets.get(leg.asset_id)
        parts.append(money(leg.amount, asset))
    return " + ".join(parts)


@dataclass
class PayerView:
    """The payer's side of a request before (or after) paying."""

    #: (asset, balance, what the sale would take from it), in the sale's order
    usable: list[tuple[Asset, int, int]] = field(default_factory=list)
    #: what is missing after every usable balance (0: it can be paid)
    shortfall: int = 0
    #: assets held but not accepted here (or in another unit)
    elsewhere: list[tuple[Asset, int]] = field(default_factory=list)


def payer_view(network: Network, request: PaymentRequest, user_id: str) -> PayerView:
    """The payer's balances in what the request's instance accepts, and the plan of the sale."""
    money = network.money
    held = {b.asset_id: b.amount for b in money.balances(WalletRef.user(user_id)) if b.amount > 0}
    accepted = [
        a
        for a in money.federations.accepted_assets(request.instance)
        if a.category in MONEY_CATEGORIES and a.decimals == request.decimals
    ]
    ordered = sale_order(accepted, money.orders.get(request.instance))
    view = PayerView()
    left = request.amount
    for asset in ordered:
        have = held.get(asset.id, 0)
        take = min(have, left)
        left -= take
        if have or asset.issuer == "":
            view.usable.append((asset, have, take))
    view.shortfall = left
    usable_ids = {a.id for a in ordered}
    for asset_id, amount in sorted(held.items()):
        if asset_id not in usable_ids:
            asset = money.assets.get(asset_id)
            if asset is not None:
                view.elsewhere.append((asset, amount))
    return view
