"""Every admin, treasurer and cashier route of instance B refuses an admin of instance A.

The test walks the application's routes (each role-guarded handler declares its role in
``opt["role"]``), so a route added later is checked without editing this file. For each one
it tries, on B's domain: an admin of A logged in there, an admin API key of A, and nobody.
The same admin on A's own domain gets through, so the refusals are about the instance, not a
broken route.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar.routes import HTTPRoute

from core.accounts import Role
from core.instances import Instance
from hosts.web import create_app
from tests.smtp_server import SmtpServer
from tests.web_support import Visitor, link_in, open_network

GUARDED = {"admin", "treasurer", "cashier"}


def guarded_routes(app) -> list[tuple[str, str, str]]:
    """(method, path with parameters filled, role) of every role-guarded handler."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            role = handler.opt.get("role")
            if role not in GUARDED:
                continue
            path = re.sub(r"\{[^}]+\}", "x", route.path)
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                found.append((method, path, role))
    return found


@pytest.fixture
def world(tmp_path) -> Iterator:
    with SmtpServer() as smtp:
        network = open_network(tmp_path / "data", smtp.port)
        for slug in ("a", "b"):
            network.instances.create(Instance(slug=slug, name=slug.upper()))
        alice = network.store.write(lambda tx: network.accounts.ensure_user(tx, "alice@a.fr"))
        network.store.write(lambda tx: network.accounts.grant(tx, "a", alice.id, Role.ADMIN))
        _record, secret = network.api_keys.create("a", Role.ADMIN, "outil de A")
        visitors: list[Visitor] = []

        def login(host: str) -> Visitor:
            v = Visitor(network, host)
            visitors.append(v)
            v.get("/connexion")
            v.post("/connexion", {"email": "alice@a.fr"})
            v.open_link(link_in(smtp.messages[-1]))
            return v

        try:
            yield network, login, secret
        finally:
            for v in visitors:
                v.close()
            network.close()


def test_the_walk_covers_the_panel(world):
    network, _login, _secret = world
    paths = {path for _m, path, _r in guarded_routes(create_app(network))}
    assert {"/admin", "/admin/general", "/admin/utilisateurs", "/admin/outils"} <= paths
    assert "/admin/plugins/x" in paths


def test_an_admin_of_a_is_refused_on_every_guarded_route_of_b(world):
    _network, login, _secret = world
    on_b = login("b.localhost")
    on_b.get("/")  # a page of B: its forms' CSRF token, so only the role can refuse
    routes = guarded_routes(on_b.app)
    assert len(routes) >= 10
    accepted = []
    for method, path, role in routes:
        if method == "GET":
            response = on_b.client.get(path, follow_redirects=False)
        elif method == "POST":
            response = on_b.post(path, {"role": "admin", "enabled": "1"}, follow=False)
        else:  # PATCH, DELETE: JSON API routes (no CSRF there)
            response = on_b.client.request(method, path, json={}, follow_redirects=False)
        if response.status_code not in {403, 404}:
            accepted.append((method, path, role, response.status_code))
    assert accepted == []


def test_an_api_key_of_a_is_refused_on_b_and_anonymous_is_sent_to_login(world):
    network, _login, secret = world
    visitor = Visitor(network, "b.localhost")
    try:
        for method, path, _role in guarded_routes(visitor.app):
            bearer = {"authorization": f"Bearer {secret}"}
            with_key = visitor.client.request(method, path, headers=bearer, follow_redirects=False)
            assert with_key.status_code in {403, 404}, (method, path, with_key.status_code)
            if method == "GET":
                nobody = visitor.client.get(path, follow_redirects=False)
                assert nobody.status_code in {302, 303, 401}, (path, nobody.status_code)
                if nobody.status_code != 401:
                    assert nobody.headers["location"].startswith("/connexion")
    finally:
        visitor.close()


def test_the_same_admin_gets_through_on_a(world):
    _network, login, _secret = world
    on_a = login("a.localhost")
    for method, path, _role in guarded_routes(on_a.app):
        if method == "GET" and "/x" not in path:
            assert on_a.client.get(path).status_code == 200, path


def test_guarded_routes_are_404_on_the_network_home(world):
    _network, login, _secret = world
    home = login("localhost")
    for method, path, _role in guarded_routes(home.app):
        if method == "GET":
            assert home.client.get(path, follow_redirects=False).status_code == 404, path
