"""Fixtures of the CLAF plugin's tests: a real network with two food funds and producers.

``claf_world`` builds, on a real LMDB store in ``tmp_path`` (the installed plugins, claf
among them, found through their entry points):

| instance | kind | CLAF |
|---|---|---|
| ``claf`` | food fund | set up: asset ``CLA`` "CLAF-outils" |
| ``autre-caisse`` | food fund | set up: asset ``CLB`` |
| ``goulues``, ``ferme`` | producers | accepted CLA |
| ``cidrerie`` | producer | invited to CLA, not answered |
| ``bisik`` | venue | not invited |

and their staff (admins, treasurers, a member). Every instance enabled the plugin. The network
is built once per session and its (closed) data directory copied for each test. After each
test the money invariants and the ledger's verification must hold.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from core import Instance, InstanceKind, Network, load_settings
from core.accounts import Role, User
from core.wallets import Asset, Operation, WalletRef
from hosts.web.auth import SESSION_COOKIE
from plugins.claf.model import Beneficiary, Fund
from plugins.claf.service import Claf, claf_of
from tests.web_support import Visitor

INSTANCES = (
    ("claf", "CLAF de Flers", InstanceKind.FOOD_FUND),
    ("autre-caisse", "Autre caisse", InstanceKind.FOOD_FUND),
    ("goulues", "Les Goulues, Pâtes du Cotentin", InstanceKind.PRODUCER),
    ("ferme", "La Ferme du Bocage", InstanceKind.PRODUCER),
    ("cidrerie", "La Cidrerie", InstanceKind.PRODUCER),
    ("bisik", "Le Bisik", InstanceKind.VENUE),
)
STAFF = (
    ("admin@claf.fr", "claf", Role.ADMIN),
    ("tresorier@claf.fr", "claf", Role.TREASURER),
    ("membre@claf.fr", "claf", Role.MEMBER),
    ("caissier@claf.fr", "claf", Role.CASHIER),
    ("admin@autre.fr", "autre-caisse", Role.ADMIN),
    ("tresorier@autre.fr", "autre-caisse", Role.TREASURER),
    ("admin@goulues.fr", "goulues", Role.ADMIN),
    ("tresorier@goulues.fr", "goulues", Role.TREASURER),
    ("admin@ferme.fr", "ferme", Role.ADMIN),
)


@dataclass
class ClafWorld:
    """The network of these tests and shortcuts to act in it."""

    network: Network
    claf: Claf
    fund: Fund
    cla: Asset
    clb: Asset
    visitors: list[Visitor] = field(default_factory=list)
    _ops: Any = field(default_factory=lambda: itertools.count(1))

    def user(self, email: str) -> User:
        """The user with this e-mail (created if new)."""
        return self.network.store.write(lambda tx: self.network.accounts.ensure_user(tx, email))

    def visitor(self, host: str, email: str | None = None) -> Visitor:
        """A browser on ``<host>.localhost`` (``""``: the network's home), logged in as
        ``email`` if given."""
        visitor = Visitor(self.network, f"{host}.localhost" if host else "localhost")
        if email is not None:
            user = self.user(email)
            secret = self.network.store.write(
                lambda tx: self.network.accounts.open_session(tx, user.id)
            )
            visitor.client.cookies.set(SESSION_COOKIE, secret)
        self.visitors.append(visitor)
        return visitor

    def beneficiary(
        self, email: str, allocation: str = "50,00", card: str = "", fund: str = "claf"
    ) -> Beneficiary:
        """Register a beneficiary of ``fund``."""
        return self.claf.beneficiaries.register(
            fund, email=email, card_number=card, monthly_allocation=allocation, author="test"
        )

    def give(self, beneficiary: Beneficiary, cents: int) -> None:
        """Grant ``cents`` of CLA to a beneficiary outside any allocation."""
        self.network.money.grant(
            operation_id=f"test-give-{next(self._ops)}",
            wallet=WalletRef.user(beneficiary.user_id),
            asset_id=self.cla.id,
            amount=cents,
        )

    def pay(self, beneficiary: Beneficiary, producer: str, cents: int) -> Operation:
        """The beneficiary pays ``cents`` of CLA to ``producer`` (a sale in CLA only)."""
        return self.network.money.sale(
            operation_id=f"test-sale-{next(self._ops)}",
            payer=WalletRef.user(beneficiary.user_id),
            instance=producer,
            amount=cents,
            asset_ids=[self.cla.id],
        )

    @contextmanager
    def closed(self) -> Iterator[Path]:
        """Close the network (another process or command may open the data directory), yield
        the data directory, then open the network again."""
        data = self.network.settings.data_path
        plugins = self.network.plugins
        self.network.close()
        try:
            yield data
        finally:
            self.network = Network.open(load_settings(data), plugins=plugins)
            self.claf = claf_of(self.network)

    def balance(self, wallet: WalletRef, asset: Asset | None = None) -> int:
        """A wallet's balance in CLA (or ``asset``)."""
        return self.network.money.balance(wallet, (asset or self.cla).id)


def build_world(data: Path) -> ClafWorld:
    """Create the network of :class:`ClafWorld` in ``data`` (see the module)."""
    network = Network.open(load_settings(data))
    for slug, name, kind in INSTANCES:
        network.instances.create(Instance(slug=slug, name=name, kind=kind))
        network.instances.set_plugin(slug, "claf", True)

    def staff(tx: Any) -> None:
        for email, slug, role in STAFF:
            user = network.accounts.ensure_user(tx, email)
            network.accounts.grant(tx, slug, user.id, role)

    network.store.write(staff)
    claf = claf_of(network)
    fund, _ = claf.setup("claf", name="CLAF-outils", code="CLA", author="admin@claf.fr")
    other, _ = claf.setup("autre-caisse", name="Autre-outils", code="CLB", author="admin@autre.fr")
    money = network.money
    for producer in ("goulues", "ferme", "cidrerie"):
        money.federations.invite(
            fund.asset_id, producer, by_instance="claf", author="admin@claf.fr"
        )
    for producer in ("goulues", "ferme"):
        money.federations.accept(fund.asset_id, producer, author=f"admin@{producer}.fr")
    cla = money.assets.get(fund.asset_id)
    clb = money.assets.get(other.asset_id)
    assert cla is not None and clb is not None
    return ClafWorld(network=network, claf=claf, fund=fund, cla=cla, clb=clb)


def open_world(data: Path) -> ClafWorld:
    """Open the network of :class:`ClafWorld` already built in ``data``."""
    network = Network.open(load_settings(data))
    claf = claf_of(network)
    fund, cla = claf.require_fund("claf")
    _other, clb = claf.require_fund("autre-caisse")
    return ClafWorld(network=network, claf=claf, fund=fund, cla=cla, clb=clb)


@pytest.fixture(scope="session")
def claf_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory of :class:`ClafWorld`, built once and closed (copied per test)."""
    data = tmp_path_factory.mktemp("claf-template") / "data"
    build_world(data).network.close()
    return data


@pytest.fixture
def claf_world(claf_template: Path, tmp_path: Path) -> Iterator[ClafWorld]:
    """The CLAF test network (a fresh copy); money invariants and ledger verified at the end."""
    data = tmp_path / "data"
    shutil.copytree(claf_template, data)
    world = open_world(data)
    try:
        yield world
        report = world.network.money.check_invariants()
        assert report.ok, report.problems
    finally:
        for visitor in world.visitors:
            visitor.close()
        world.network.close()
