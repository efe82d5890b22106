"""Fixtures of the money pages and API tests: a real network, a real SMTP server, browsers.

``money_world`` is a network with three instances (``claf`` issues assets, ``goulues`` a
producer, ``bisik`` a venue), their people (admins, a treasurer, a cashier, a member), and
helpers to log someone in on an instance's domain (``login``), to call the JSON API with an
API key (``api``) and to make money through the services (``grant``). After every test the
money invariants (sums per asset, no negative balance but an issuer's) and the ledger's full
verification must hold.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from core import Network
from core.accounts import Role
from core.instances import Instance
from core.wallets import Asset, AssetCategory, WalletRef
from hosts.web import create_app
from tests.smtp_server import SmtpServer
from tests.web_support import Visitor, link_in, open_network

PEOPLE = {
    "admin@claf.fr": ("claf", Role.ADMIN),
    "tresorier@claf.fr": ("claf", Role.TREASURER),
    "caisse@claf.fr": ("claf", Role.CASHIER),
    "nicolas@goulues.fr": ("goulues", Role.ADMIN),
    "camille@goulues.fr": ("goulues", Role.ADMIN),
    "admin@bisik.fr": ("bisik", Role.ADMIN),
    "caisse@bisik.fr": ("bisik", Role.CASHIER),
    "membre@bisik.fr": ("bisik", Role.MEMBER),
}


@dataclass
class MoneyWorld:
    """The network of a test and its helpers."""

    network: Network
    smtp: SmtpServer
    cla: Asset
    visitors: list[Any] = field(default_factory=list)
    ops: Iterator[int] = field(default_factory=itertools.count)

    def login(self, email: str, host: str) -> Visitor:
        """A browser on ``host`` where ``email`` logged in with an e-mailed link."""
        visitor = Visitor(self.network, host)
        self.visitors.append(visitor)
        visitor.get("/connexion")
        visitor.post("/connexion", {"email": email})
        visitor.open_link(link_in(self.smtp.messages[-1]))
        return visitor

    def browser(self, host: str) -> Visitor:
        """A browser on ``host`` where nobody is logged in."""
        visitor = Visitor(self.network, host)
        self.visitors.append(visitor)
        return visitor

    def api(self, slug: str, role: Role = Role.ADMIN, host: str | None = None) -> Api:
        """A program holding an API key of ``slug`` with ``role``, calling ``host``."""
        _record, secret = self.network.api_keys.create(slug, role, f"outil {role.value}")
        client = TestClient(create_app(self.network), base_url=f"http://{host or slug}.localhost")
        client.__enter__()
        self.visitors.append(client)
        return Api(client, {"authorization": f"Bearer {secret}"})

    def user_id(self, email: str) -> str:
        """The id of the user with this e-mail (created if new)."""
        return self.network.store.write(lambda tx: self.network.accounts.ensure_user(tx, email)).id

    def grant(self, wallet: WalletRef, amount: int, asset: Asset | None = None) -> None:
        """Give ``wallet`` money through the services (the primary asset by default)."""
        asset_id = asset.id if asset is not None else 1
        self.network.money.grant(
            operation_id=f"test-grant-{next(self.ops)}",
            wallet=wallet,
            asset_id=asset_id,
            amount=amount,
        )

    def balance(self, wallet: WalletRef, asset: Asset | None = None) -> int:
        """The wallet's balance (the primary asset by default)."""
        return self.network.money.balance(wallet, asset.id if asset is not None else 1)


@dataclass
class Api:
    """A JSON API client with its credentials."""

    client: TestClient[Any]
    headers: dict[str, str]

    def get(self, path: str) -> httpx.Response:
        """GET with the key."""
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: Any = None) -> httpx.Response:
        """POST a JSON body with the key."""
        return self.client.post(path, json=body if body is not None else {}, headers=self.headers)

    def request(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """Any method, with a JSON body."""
        return self.client.request(method, path, json=body, headers=self.headers)


@pytest.fixture
def money_world(tmp_path: Path) -> Iterator[MoneyWorld]:
    """Three instances, their people, the asset CLA issued by ``claf``."""
    with SmtpServer() as smtp:
        network = open_network(tmp_path / "data", smtp.port)
        for slug, name in (("claf", "CLAF"), ("goulues", "Les Goulues"), ("bisik", "Le Bisik")):
            network.instances.create(Instance(slug=slug, name=name))
        for email, (slug, role) in PEOPLE.items():

            def grant(tx: Any, email: str = email, slug: str = slug, role: Role = role) -> None:
                user = network.accounts.ensure_user(tx, email)
                network.accounts.grant(tx, slug, user.id, role)

            network.store.write(grant)
        camille = network.accounts.user_by_email("camille@goulues.fr")
        network.accounts.update_user(camille.id, name="Camille", language="en")
        cla = network.money.assets.create(
            issuer="claf", code="CLA", name="CLAF-outils", category=AssetCategory.FIAT
        )
        world = MoneyWorld(network=network, smtp=smtp, cla=cla)
        try:
            yield world
            report = network.money.check_invariants()
            assert report.ok, report.problems
        finally:
            for visitor in world.visitors:
                if isinstance(visitor, Visitor):
                    visitor.close()
                else:
                    visitor.__exit__(None, None, None)
            network.close()
