"""What "Ma tirelire" shows, computed once for the page and for the JSON API.

:func:`wallet_rows` lists a person's balances, one row per asset (the primary asset always,
even at zero), with where each asset is accepted and the last transaction; :func:`card_rows`
their claimed cards and what each one pays from; :func:`accepted_here` the currencies the
collective whose address is open accepts (the seed's "voir quelles monnaies sont acceptées par
ce collectif": a producer that accepted a food fund's currency sees it there). Reads only: a
few short read transactions, never held across an ``await``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.network import Network
from core.wallets import PRIMARY_ASSET_ID, Asset, AssetCategory, Card, HistoryEntry, WalletRef
from core.wallets.model import MONEY_CATEGORIES

__all__ = [
    "AcceptedRow",
    "CardRow",
    "WalletRow",
    "accepted_by",
    "accepted_here",
    "card_rows",
    "wallet_rows",
]


@dataclass(frozen=True)
class WalletRow:
    """One balance of a wallet, ready for a page."""

    asset: Asset
    amount: int
    #: True for the primary asset: every collective of the network accepts it
    everywhere: bool
    #: the collectives that accept it otherwise: (slug, name), the issuer first
    accepted_by: list[tuple[str, str]] = field(default_factory=list)
    last: HistoryEntry | None = None


@dataclass(frozen=True)
class CardRow:
    """A card a person claimed, and the balances it pays from (their wallet's)."""

    card: Card
    balances: list[tuple[Asset, int]]


@dataclass(frozen=True)
class AcceptedRow:
    """A currency the collective accepts, and who issues it (a name to read)."""

    asset: Asset
    #: the issuing collective's name; "" for the network's primary asset
    issuer_name: str


def accepted_here(network: Network, slug: str) -> list[AcceptedRow]:
    """The money assets ``slug`` accepts (the primary asset, its own, those it accepted), the
    primary asset first, then by code."""
    assets = [
        a for a in network.money.federations.accepted_assets(slug) if a.category in MONEY_CATEGORIES
    ]
    assets.sort(key=lambda a: (a.category != AssetCategory.PRIMARY, a.code))
    rows = []
    for asset in assets:
        issuer = network.instances.get(asset.issuer) if asset.issuer else None
        rows.append(AcceptedRow(asset, issuer.name if issuer is not None else asset.issuer))
    return rows


def accepted_by(network: Network, asset: Asset) -> list[tuple[str, str]]:
    """The collectives that accept a local asset: its issuer, then the federated ones."""
    slugs = [asset.issuer] if asset.issuer else []
    slugs += [s for s in network.money.federations.federated_instances(asset.id) if s not in slugs]
    out = []
    for slug in slugs:
        found = network.instances.get(slug)
        out.append((slug, found.name if found is not None else slug))
    return out


def wallet_rows(network: Network, wallet: WalletRef) -> list[WalletRow]:
    """Every balance of ``wallet`` with where it is accepted and its last transaction."""
    money = network.money
    amounts = {b.asset_id: b.amount for b in money.balances(wallet)}
    amounts.setdefault(PRIMARY_ASSET_ID, 0)
    rows = []
    for asset_id in sorted(amounts):
        asset = money.assets.get(asset_id)
        if asset is None:
            continue
        everywhere = asset.category == AssetCategory.PRIMARY
        last = money.history(wallet, asset_id, limit=1)
        rows.append(
            WalletRow(
                asset=asset,
                amount=amounts[asset_id],
                everywhere=everywhere,
                accepted_by=[] if everywhere else accepted_by(network, asset),
                last=last[0] if last else None,
            )
        )
    return rows


def card_rows(network: Network, user_id: str) -> list[CardRow]:
    """The cards ``user_id`` claimed; a claimed card pays from its user's wallet."""
    money = network.money
    rows = []
    for card in money.cards.of_user(user_id):
        balances = []
        for balance in money.balances(WalletRef.card(card.id)):
            asset = money.assets.get(balance.asset_id)
            if asset is not None and balance.amount:
                balances.append((asset, balance.amount))
        rows.append(CardRow(card=card, balances=balances))
    return rows
