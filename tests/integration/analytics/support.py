"""A small network with money in two unrelated instances and a food fund, for analytics tests.

``claf`` issues ``CLA`` and shares it with the producer ``goulues``; ``bisik`` and
``ressourcerie`` are unrelated venues selling in euros. Cards are refilled, granted, pay,
get refunds; ``goulues`` is remitted once.
"""

from __future__ import annotations

from core import Network
from core.instances import Instance
from core.wallets import WalletRef

__all__ = ["fill"]


def fill(network: Network) -> dict[str, int]:
    """Create the instances and the money; returns the assets' ids."""
    for slug in ("claf", "goulues", "bisik", "ressourcerie"):
        network.instances.create(Instance(slug=slug, name=slug.title()))
    money = network.money
    cla = money.assets.create(issuer="claf", code="CLA", name="CLAF-outils", category="fiat")
    money.federations.invite(cla.id, "goulues", by_instance="claf", author="a")
    money.federations.accept(cla.id, "goulues", author="b")
    cards = [money.cards.add(uid=f"04A1B2{i:02X}", number=f"{i:04d}") for i in range(1, 5)]
    for i, card in enumerate(cards):
        wallet = WalletRef.card(card.id)
        money.grant(operation_id=f"alloc-{i}", wallet=wallet, asset_id=cla.id, amount=5000)
        money.refill(
            operation_id=f"refill-{i}",
            wallet=wallet,
            asset_id=1,
            amount=3000,
            instance="bisik" if i % 2 else "ressourcerie",
        )
        money.sale(
            operation_id=f"cla-{i}",
            payer=wallet,
            instance="goulues",
            amount=1200,
            asset_ids=[cla.id],
        )
        place = "bisik" if i % 2 else "ressourcerie"
        money.sale(operation_id=f"eur-{i}", payer=wallet, instance=place, amount=700)
    money.refund(
        operation_id="refund-0",
        wallet=WalletRef.card(cards[0].id),
        asset_id=1,
        amount=500,
        instance="ressourcerie",
    )
    money.remittance(
        operation_id="VIR-1",
        instance="goulues",
        asset_id=cla.id,
        amount=2000,
        bank_reference="VIR-1",
        bank_date="2026-11-02",
        author="treasurer",
    )
    return {"FED": 1, "CLA": cla.id}
