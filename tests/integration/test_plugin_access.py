"""Plugin routes declare who may use them (``opt``); the host enforces it like its own guards.

A throwaway plugin registers four routes: one for cashiers, one for cashiers or treasurers,
one for anyone logged in, one open. Instance A enabled it, B too; people hold roles on A only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import get
from litestar.di import NamedDependency
from litestar.testing import TestClient

from core import Instance, Network, hookimpl, load_settings
from core.accounts import Role
from hosts.web import create_app
from hosts.web.auth import SESSION_COOKIE


@get("/caisse/ouverte", sync_to_thread=False, opt={"role": "cashier"})
def for_cashiers() -> dict[str, str]:
    """A cashier's route."""
    return {"ok": "cashier"}


@get("/moi", sync_to_thread=False, opt={"login": True})
def for_people() -> dict[str, str]:
    """Anyone logged in."""
    return {"ok": "login"}


@get("/caisse/cloture", sync_to_thread=False, opt={"role": ["cashier", "treasurer"]})
def for_cashiers_or_treasurers(actor: NamedDependency[Any]) -> dict[str, str]:
    """A route for either role; the ``actor`` dependency says who acts."""
    return {"ok": "either", "actor": actor.label, "role": actor.role.value}


@get("/public", sync_to_thread=False)
def for_everyone() -> dict[str, str]:
    """No declaration: open to all (on instances that enabled the plugin)."""
    return {"ok": "public"}


class Register:
    """The throwaway plugin."""

    @hookimpl
    def register_routes(self, register: Callable[[Any], None]) -> None:
        for handler in (for_cashiers, for_people, for_everyone, for_cashiers_or_treasurers):
            register(handler)


@pytest.fixture
def net(tmp_path: Path) -> Iterator[Network]:
    network = Network.open(load_settings(tmp_path / "data"))
    network.plugins.register(Register(), "register")
    for slug in ("a", "b"):
        network.instances.create(Instance(slug=slug, name=slug.upper()))
        network.instances.set_plugin(slug, "register", True)
    try:
        yield network
    finally:
        network.close()


def session_of(network: Network, email: str, role: Role | None) -> str:
    """A session cookie of a person holding ``role`` on A (None: no role anywhere)."""

    def op(tx: Any) -> str:
        user = network.accounts.ensure_user(tx, email)
        if role is not None:
            network.accounts.grant(tx, "a", user.id, role)
        return network.accounts.open_session(tx, user.id)

    return network.store.write(op)


def status(client: TestClient, host: str, path: str, **headers: str) -> int:
    response = client.get(path, headers={"host": host, "accept": "application/json", **headers})
    return response.status_code


def test_declared_roles_are_enforced_per_instance(net: Network) -> None:
    cashier = {"cookie": f"{SESSION_COOKIE}={session_of(net, 'c@a.fr', Role.CASHIER)}"}
    member = {"cookie": f"{SESSION_COOKIE}={session_of(net, 'm@a.fr', Role.MEMBER)}"}
    admin = {"cookie": f"{SESSION_COOKIE}={session_of(net, 'ad@a.fr', Role.ADMIN)}"}
    _key, secret = net.api_keys.create("a", Role.CASHIER, "caisse de A")
    key = {"authorization": f"Bearer {secret}"}
    with TestClient(create_app(net)) as client:
        assert status(client, "a.localhost", "/caisse/ouverte", **cashier) == 200
        assert status(client, "a.localhost", "/caisse/ouverte", **admin) == 200
        assert status(client, "a.localhost", "/caisse/ouverte", **key) == 200
        assert status(client, "a.localhost", "/caisse/ouverte", **member) == 403
        assert status(client, "a.localhost", "/caisse/ouverte") == 401
        assert status(client, "b.localhost", "/caisse/ouverte", **cashier) == 403
        assert status(client, "b.localhost", "/caisse/ouverte", **key) == 403
        assert status(client, "localhost", "/caisse/ouverte", **admin) == 404


def test_login_and_open_routes(net: Network) -> None:
    member = {"cookie": f"{SESSION_COOKIE}={session_of(net, 'm@a.fr', None)}"}
    with TestClient(create_app(net)) as client:
        assert status(client, "b.localhost", "/moi", **member) == 200
        assert status(client, "b.localhost", "/moi") == 401
        assert status(client, "b.localhost", "/public") == 200
        page = client.get(
            "/moi", headers={"host": "b.localhost", "accept": "text/html"}, follow_redirects=False
        )
        assert page.headers["location"].startswith("/connexion")


def test_a_list_of_roles_admits_any_of_them_and_the_actor_is_provided(net: Network) -> None:
    treasurer = {"cookie": f"{SESSION_COOKIE}={session_of(net, 't@a.fr', Role.TREASURER)}"}
    cashier = {"cookie": f"{SESSION_COOKIE}={session_of(net, 'c@a.fr', Role.CASHIER)}"}
    member = {"cookie": f"{SESSION_COOKIE}={session_of(net, 'm@a.fr', Role.MEMBER)}"}
    key, secret = net.api_keys.create("a", Role.TREASURER, "compta de A")
    with TestClient(create_app(net)) as client:
        for who in (treasurer, cashier, {"authorization": f"Bearer {secret}"}):
            assert status(client, "a.localhost", "/caisse/cloture", **who) == 200
        assert status(client, "a.localhost", "/caisse/cloture", **member) == 403
        assert status(client, "b.localhost", "/caisse/cloture", **treasurer) == 403
        answer = client.get(
            "/caisse/cloture",
            headers={"host": "a.localhost", "authorization": f"Bearer {secret}"},
        ).json()
        assert answer == {"ok": "either", "actor": f"key:{key.id}", "role": "treasurer"}
