"""The demo network's money: assets, federation, cards and a history, all through the services.

:func:`populate_money` runs once, when ``tirelire demo`` creates its data directory (after the
demo instances and their admins exist):

- the primary asset (``FED``, made with the network) and, at the venue *Le Bisik*, a local
  currency (``BSK``, "Monnaie du Bisik", 1 unit = 1 euro, people may give it to each other);
  at *La Ressourcerie du Coin*, a time currency (``HRS``, hours, 0 decimals);
- federation: Le Bisik shares ``BSK`` with La Ressourcerie, which accepts it;
- cards imported by Le Bisik's admin: three anonymous cards holding money (to try the card
  page and claiming), one claimed by each demo admin, one staff card of Le Bisik;
- a history: refills at the counter, grants, sales at both places, a person-to-person
  transfer, every one with an operation id, as a real day would make them.

:func:`money_summary` lists what the start-up banner shows: the assets and the pages of the
anonymous cards (their balances are printed for the operator; the pages never show them).
"""

from __future__ import annotations

from core.network import Network
from core.wallets import PRIMARY_ASSET_ID, AssetCategory, WalletRef
from core.wallets.amounts import format_amount

__all__ = ["DEMO_CARDS", "money_summary", "populate_money"]

VENUE, ASSOCIATION = "le-bisik", "la-ressourcerie"

#: uid, printed number, QR code (fixed, so the demo's card pages are always the same)
DEMO_CARDS = (
    ("04D3E0A1", "B-0001", "demo-carte-0001"),
    ("04D3E0A2", "B-0002", "demo-carte-0002"),
    ("04D3E0A3", "B-0003", "demo-carte-0003"),
    ("04D3E0A4", "B-0004", "demo-carte-0004"),
    ("04D3E0A5", "B-0005", "demo-carte-0005"),
    ("04D3E0A6", "B-0006", "demo-carte-0006"),
)


def populate_money(network: Network, admins: dict[str, str]) -> None:
    """Make the demo's assets, federation, cards and history (``admins``: slug → e-mail)."""
    money = network.money
    bsk = money.assets.create(
        issuer=VENUE, code="BSK", name="Monnaie du Bisik", category=AssetCategory.FIAT,
        transferable=True,
    )  # fmt: skip
    hours = money.assets.create(
        issuer=ASSOCIATION, code="HRS", name="Heures de la Ressourcerie",
        category=AssetCategory.TIME, decimals=0,
    )  # fmt: skip
    money.federations.invite(bsk.id, ASSOCIATION, by_instance=VENUE, author=admins[VENUE])
    money.federations.accept(bsk.id, ASSOCIATION, author=admins[ASSOCIATION])

    rows = "\n".join(",".join(card) for card in DEMO_CARDS)
    cards = {c.number: c for c in money.import_cards(rows, by_instance=VENUE).cards}
    people = {slug: network.accounts.user_by_email(email) for slug, email in admins.items()}
    venue_admin, association_admin = people[VENUE], people[ASSOCIATION]
    if venue_admin is None or association_admin is None:
        raise RuntimeError("the demo admins must exist before the demo's money")
    money.cards.claim(cards["B-0004"].id, venue_admin.id)
    money.cards.claim(cards["B-0005"].id, association_admin.id)
    money.cards.set_primary(cards["B-0006"].id, VENUE)

    def card(number: str) -> WalletRef:
        return WalletRef.card(cards[number].id)

    fed = PRIMARY_ASSET_ID
    # the day's refills at Le Bisik's counter (euros in cash or by bank card)
    for number, amount in (("B-0001", 2000), ("B-0002", 1500), ("B-0003", 500), ("B-0004", 3000)):
        money.refill(
            operation_id=f"demo-refill-{number}", wallet=card(number), asset_id=fed,
            amount=amount, author=admins[VENUE], instance=VENUE,
        )  # fmt: skip
    money.refill(
        operation_id="demo-refill-bsk-B-0001", wallet=card("B-0001"), asset_id=bsk.id,
        amount=1000, author=admins[VENUE], instance=VENUE,
    )  # fmt: skip
    money.grant(
        operation_id="demo-grant-bsk-B-0002", wallet=card("B-0002"), asset_id=bsk.id,
        amount=500, author=admins[VENUE], reason="Bienvenue au Bisik",
    )  # fmt: skip
    money.grant(
        operation_id="demo-grant-hours", wallet=WalletRef.user(association_admin.id),
        asset_id=hours.id, amount=6, author=admins[ASSOCIATION], reason="Atelier vélo",
    )  # fmt: skip
    # sales: the bar at Le Bisik (local currency first, then euros), the shop at the Ressourcerie
    for number, amount, place in (
        ("B-0001", 450, VENUE), ("B-0002", 800, VENUE), ("B-0004", 1200, VENUE),
        ("B-0001", 300, ASSOCIATION), ("B-0003", 250, VENUE),
    ):  # fmt: skip
        money.sale(
            operation_id=f"demo-sale-{number}-{place}-{amount}", payer=card(number),
            instance=place, amount=amount,
        )  # fmt: skip
    money.transfer(
        operation_id="demo-transfer-1", payer=WalletRef.user(venue_admin.id),
        payee=WalletRef.user(association_admin.id), asset_id=fed, amount=500,
        author=admins[VENUE],
    )  # fmt: skip


def money_summary(network: Network, venue_url: str) -> list[tuple[str, str]]:
    """(label, value) lines for the start-up banner: assets, and the anonymous cards' pages."""
    money = network.money
    lines = []
    for asset in money.assets.all(include_archived=False):
        issuer = asset.issuer or "network"
        lines.append((f"Asset {asset.code}", f"{asset.name} ({asset.category}, by {issuer})"))
    for uid, number, qr_id in DEMO_CARDS:
        card = money.cards.by_qr(qr_id)
        if card is None or card.owner or card.lost or card.primary_for:
            continue
        held = ", ".join(
            _amount(network, b.asset_id, b.amount)
            for b in money.balances(WalletRef.card(card.id))
            if b.amount
        )
        lines.append((f"Card {number} ({uid})", f"{venue_url}/carte/{qr_id}  [{held or 'empty'}]"))
    return lines


def _amount(network: Network, asset_id: int, amount: int) -> str:
    asset = network.money.assets.get(asset_id)
    if asset is None:
        return f"{amount} (asset {asset_id})"
    return f"{format_amount(amount, asset.decimals, lang='en')} {asset.code}"
