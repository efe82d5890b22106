"""Fixtures of the money tests: a real store with instances, users and assets.

Every test of this folder ends with the money invariants checked (sum of each asset's
balances is zero, nobody but an issuer below zero) and the ledger's full verification.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.accounts import Accounts, Role
from core.instances import Instance, InstanceKind, Instances
from core.ledger import Ledger
from core.store import Store
from core.wallets import Asset, AssetCategory, Money, WalletRef


class Clock:
    """A clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class World:
    """A small network: three instances, a primary asset, a local fiat asset, users."""

    store: Store
    ledger: Ledger
    money: Money
    people: Accounts
    instances: Instances
    clock: Clock
    primary: Asset
    cla: Asset
    users: dict[str, str] = field(default_factory=dict)

    def user(self, name: str) -> WalletRef:
        """The wallet of the user ``name`` (created on first use)."""
        if name not in self.users:
            user = self.store.write(lambda tx: self.people.ensure_user(tx, f"{name}@example.org"))
            self.users[name] = user.id
        return WalletRef.user(self.users[name])

    def fund(self, wallet: WalletRef, asset: Asset, amount: int, op: str = "") -> None:
        """Give ``wallet`` some money (a grant, whatever the category)."""
        self.money.grant(
            operation_id=op or f"fund-{wallet.owner}-{asset.id}-{amount}-{self.clock.now}",
            wallet=wallet,
            asset_id=asset.id,
            amount=amount,
        )
        self.clock.now += 1

    def balance(self, wallet: WalletRef, asset: Asset) -> int:
        """The wallet's balance in ``asset``."""
        return self.money.balance(wallet, asset.id)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """The network of these tests; its invariants and ledger are verified at the end."""
    store = Store(tmp_path / "store")
    clock = Clock()
    ledger = Ledger(store)
    instances = Instances(store)
    people = Accounts(store, clock=clock)
    money = Money(store, ledger, instances, people, clock=clock)
    primary = money.assets.ensure_primary()
    for slug, kind in [
        ("claf", InstanceKind.FOOD_FUND),
        ("goulues", InstanceKind.PRODUCER),
        ("bisik", InstanceKind.VENUE),
    ]:
        instances.create(Instance(slug=slug, name=slug.title(), kind=kind))
    cla = money.assets.create(
        issuer="claf", code="CLA", name="CLAF-outils", category=AssetCategory.FIAT
    )
    w = World(store, ledger, money, people, instances, clock, primary, cla)
    admin = w.user("nicolas")
    store.write(lambda tx: people.grant(tx, "goulues", admin.id, Role.ADMIN))
    try:
        yield w
        report = money.check_invariants()
        assert report.ok, report.problems
        assert ledger.verify().ok
    finally:
        store.close()
