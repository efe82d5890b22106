"""The world of the wallet's web tests: two instances, people, a local currency, real SMTP.

``shop`` opens a demo network (the local payment provider is allowed) on a real store in
``tmp_path``, its mail going to a real SMTP server on 127.0.0.1. Two instances: ``a`` (Alpha,
issuer of the local currency ``ALP``, transferable) and ``b`` (Bêta, which does not accept
ALP). Cora is a cashier of ``a``, Dan a cashier of ``b``. ``shop.login(email, host)`` logs a
person in through the e-mailed link, like a browser. After each test the money invariants and
the ledger's verification must hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from core.accounts import Role
from core.instances import Instance
from core.network import Network
from core.wallets import Asset, WalletRef
from tests.smtp_server import SmtpServer
from tests.web_support import Visitor, link_in, open_network


@dataclass
class Shop:
    """The network of the wallet tests and how to act in it."""

    network: Network
    smtp: SmtpServer
    alp: Asset
    visitors: list[Visitor] = field(default_factory=list)
    _counter: int = 0

    def user_id(self, email: str) -> str:
        """The id of the person with this e-mail (created if new)."""
        return self.network.store.write(lambda tx: self.network.accounts.ensure_user(tx, email)).id

    def wallet(self, email: str) -> WalletRef:
        """The wallet of the person with this e-mail."""
        return WalletRef.user(self.user_id(email))

    def balance(self, email: str, asset_id: int = 1) -> int:
        """A person's balance in an asset."""
        return self.network.money.balance(self.wallet(email), asset_id)

    def fund(self, email: str, amount: int, asset_id: int = 1) -> None:
        """Give someone money (a grant), whatever the asset."""
        self._counter += 1
        self.network.money.grant(
            operation_id=f"test-fund-{self._counter}",
            wallet=self.wallet(email),
            asset_id=asset_id,
            amount=amount,
        )

    def visitor(self, host: str = "a.localhost") -> Visitor:
        """A browser nobody logged in to."""
        v = Visitor(self.network, host)
        self.visitors.append(v)
        return v

    def login(self, email: str, host: str = "a.localhost", *, suite: str = "") -> Visitor:
        """A browser where ``email`` logged in through the e-mailed link."""
        v = self.visitor(host)
        v.get("/connexion" + (f"?suite={suite}" if suite else ""))
        v.post("/connexion", {"email": email, "suite": suite})
        v.open_link(link_in(self.smtp.messages[-1]))
        return v


@pytest.fixture
def shop(tmp_path) -> Iterator[Shop]:
    with SmtpServer() as smtp:
        network = open_network(tmp_path / "data", smtp.port, demo=True)
        network.instances.create(Instance(slug="a", name="Alpha", website="https://alpha.example"))
        network.instances.create(Instance(slug="b", name="Bêta"))
        alp = network.money.assets.create(
            issuer="a", code="ALP", name="Alpha local", category="fiat", transferable=True
        )
        world = Shop(network, smtp, alp)
        for email, slug, role in [
            ("cora@a.fr", "a", Role.CASHIER),
            ("dan@b.fr", "b", Role.CASHIER),
        ]:
            uid = world.user_id(email)
            network.store.write(
                lambda tx, s=slug, u=uid, r=role: network.accounts.grant(tx, s, u, r)
            )
        try:
            yield world
            report = network.money.check_invariants()
            assert report.ok, report.problems
        finally:
            for v in world.visitors:
                v.close()
            network.close()
