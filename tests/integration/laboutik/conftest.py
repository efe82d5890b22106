"""Fixtures of the register's tests: a real network (LMDB store) with a bar ready to sell.

``shop`` is a network in ``tmp_path`` with two instances: ``bar`` (the register's venue,
issuing a local currency ``BLC`` and a gift currency ``BGF``) and ``other``. The bar has a
point of sale (bonus: +10 % in BGF from 20.00), two categories, three articles (20 %, 10 %,
5.5 % VAT) and an open session; cards are added on demand. Every test ends with the money
invariants checked and the ledger verified.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core import Instance, Network, load_settings
from core.wallets import Asset, AssetCategory, Card, WalletRef, account_id_for
from core.wallets.model import ActionKind
from plugins.laboutik.model import ArticleInput, CategoryInput, Method, PointInput
from plugins.laboutik.service import Laboutik, laboutik_of


@dataclass
class Shop:
    """The bar of these tests and helpers to use it."""

    network: Network
    lb: Laboutik
    local: Asset
    gift: Asset
    pos: str
    articles: dict[str, str]
    categories: dict[str, str]
    cards: dict[str, Card] = field(default_factory=dict)
    ops: int = 0

    def card(self, name: str, primary: int = 0, local: int = 0, gift: int = 0) -> Card:
        """A new anonymous card holding these amounts (primary, local, gift)."""
        uid = f"0A{len(self.cards) + 1:06X}"
        card = self.network.money.cards.add(uid=uid, number=f"N-{name}")
        wallet = WalletRef.card(card.id)
        for asset_id, amount in ((1, primary), (self.local.id, local), (self.gift.id, gift)):
            if amount:
                self.network.money.grant(
                    operation_id=f"fund-{uid}-{asset_id}", wallet=wallet, asset_id=asset_id,
                    amount=amount,
                )  # fmt: skip
        self.cards[name] = card
        return card

    def op(self) -> str:
        """A fresh operation id."""
        self.ops += 1
        return f"op-{self.ops}"

    def order(self, *items: tuple[str, int], table: str = "") -> str:
        """A new order of (article name, quantity) at the bar; its id."""
        order = self.lb.orders.new_order(
            "bar", self.pos, author="test", table_id=table,
            items=[(self.articles[name], quantity) for name, quantity in items],
        )  # fmt: skip
        return order.id

    def pay_card(self, order_id: str, card: Card, **options):
        """Pay with a card (a fresh operation id unless given)."""
        options.setdefault("operation_id", self.op())
        return self.lb.payments.pay_with_card(
            "bar", order_id, uid=card.uid, author="test", **options
        )

    def pay(self, order_id: str, method: Method, received: int):
        """A cash or bank card part."""
        return self.lb.payments.pay(
            "bar", order_id, method=method, received=received, operation_id=self.op(),
            author="test",
        )  # fmt: skip

    def balance(self, card: Card, asset_id: int) -> int:
        """What a card's wallet holds in an asset."""
        return self.network.money.balance(WalletRef.card(card.id), asset_id)

    def ledger_sales(self, start: int, end: int) -> dict[int, int]:
        """By asset: the ledger's sale transfers crediting the bar in ``[start, end)``."""
        found: dict[int, int] = {}
        for asset in self.network.money.assets.all():
            account = account_id_for("instance:bar", asset.id)
            for t in self.network.ledger.account_transfers(account, limit=100_000):
                credit = t.credit_account_id == account
                if credit and t.code == ActionKind.SALE and start <= t.timestamp < end:
                    found[asset.id] = found.get(asset.id, 0) + t.amount
        return found


def build_shop(network: Network) -> Shop:
    """Set up the bar on an open network."""
    for slug in ("bar", "other"):
        network.instances.create(Instance(slug=slug, name=slug.title()))
        network.instances.set_plugin(slug, "laboutik", True)
    money = network.money
    local = money.assets.create(
        issuer="bar", code="BLC", name="Bar local", category=AssetCategory.FIAT
    )
    gift = money.assets.create(
        issuer="bar", code="BGF", name="Bar gift", category=AssetCategory.GIFT
    )
    lb = laboutik_of(network)
    pos = lb.catalog.save_point(
        "bar", PointInput(name="Bar", bonus_asset=gift.id, bonus_rate=1000, bonus_threshold=2000)
    )
    drinks = lb.catalog.save_category("bar", CategoryInput(name="Drinks", colour="#f2b134"))
    food = lb.catalog.save_category("bar", CategoryInput(name="Food", colour="#7cb342"))
    articles = {}
    for name, price, vat, category, kitchen in [
        ("beer", 650, 2000, drinks.id, False),
        ("soda", 250, 1000, drinks.id, False),
        ("fries", 400, 550, food.id, True),
    ]:
        articles[name] = lb.catalog.save_article(
            "bar", ArticleInput(name=name, price=price, vat_rate=vat, category_id=category,
                                kitchen=kitchen),
        ).id  # fmt: skip
    lb.orders.open_session("bar", pos.id, author="test", opening_float=5000)
    return Shop(network, lb, local, gift, pos.id, articles, {"drinks": drinks.id, "food": food.id})


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    """The bar, on a real store; the money invariants and the ledger are checked after."""
    network = Network.open(load_settings(tmp_path / "data"))
    try:
        yield build_shop(network)
        report = network.money.check_invariants()
        assert report.ok, report.problems
    finally:
        network.close()


@pytest.fixture
def browse(shop: Shop) -> Iterator:
    """``browse(role, instance="bar")``: a browser on the bar's domain, logged in as a person
    holding ``role`` on ``instance`` (None: logged in, no role), with the CSRF token of the
    last page it saw (tests/web_support.Visitor)."""
    from core.accounts import Role
    from hosts.web.auth import SESSION_COOKIE
    from tests.web_support import Visitor

    visitors: list[Visitor] = []

    def browse(role: str | None, instance: str = "bar", host: str = "bar.localhost") -> Visitor:
        email = f"{role}-{len(visitors)}@{instance}.example"

        def op(tx):
            user = shop.network.accounts.ensure_user(tx, email)
            if role is not None:
                shop.network.accounts.grant(tx, instance, user.id, Role(role))
            return shop.network.accounts.open_session(tx, user.id)

        visitor = Visitor(shop.network, host)
        visitor.client.cookies.set(SESSION_COOKIE, shop.network.store.write(op))
        visitors.append(visitor)
        return visitor

    try:
        yield browse
    finally:
        for visitor in visitors:
            visitor.close()
