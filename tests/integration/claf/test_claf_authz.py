"""Who may use the CLAF's routes: roles on the request's instance, across instances, CSRF.

The routes are walked from the application (every handler the claf plugin registered), so a
route added later is checked too. Every refused request must also leave the store unchanged.
"""

from __future__ import annotations

import datetime
import re

import pytest
from litestar.routes import HTTPRoute

from core.accounts import Role, role_allows
from hosts.web import create_app

TODAY = datetime.date.today().isoformat()


def claf_routes(network) -> list[tuple[str, str, str | None]]:
    """(method, path template, declared role) of every route of the claf plugin."""
    app = create_app(network)
    paths = set(app.state.plugin_routes["claf"])
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path not in paths:
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                found.append((method, route.path, handler.opt.get("role")))
    return sorted(found)


def fill(path: str, beneficiary_id: str) -> str:
    return re.sub(r"\{[^}]+\}", beneficiary_id, path)


FORM = {
    "name": "X", "code": "XYZ", "email": "intrus@example.org", "card_number": "",
    "monthly_allocation": "999,00", "month": "", "producer": "goulues", "amount": "4500",
    "token": "t" * 24, "bank_reference": "VIR-INTRUS", "bank_date": TODAY, "text": "a@b.fr;;1",
}  # fmt: skip


def state(world) -> tuple:
    """What a refused request must not change."""
    net = world.network
    return (
        net.ledger.verify().transfers,
        [(b.id, b.active, b.monthly_allocation) for b in world.claf.beneficiaries.of_fund("claf")],
        len(world.claf.remittances("claf")),
        [a.code for a in net.money.assets.all()],
    )


@pytest.fixture
def funded(claf_world):
    alice = claf_world.beneficiary("alice@example.org")
    claf_world.give(alice, 10000)
    claf_world.pay(alice, "goulues", 4500)
    return claf_world, alice


def test_the_walk_sees_every_kind_of_route(claf_world):
    routes = claf_routes(claf_world.network)
    assert len(routes) >= 20
    assert {role for _m, _p, role in routes} == {"admin", "treasurer", None}
    assert ("GET", "/claf/lieux", None) in routes  # the only open page
    assert all(role for m, p, role in routes if p != "/claf/lieux")


@pytest.mark.parametrize(
    ("email", "role_on_claf"),
    [
        ("tresorier@autre.fr", None),  # treasurer of another fund
        ("admin@autre.fr", None),  # admin of another fund
        ("admin@goulues.fr", None),  # admin of a producer
        ("membre@claf.fr", Role.MEMBER),  # a plain member of the fund
        ("caissier@claf.fr", Role.CASHIER),
        ("tresorier@claf.fr", Role.TREASURER),
    ],
)
def test_people_without_the_role_are_refused_and_change_nothing(funded, email, role_on_claf):
    world, alice = funded
    browser = world.visitor("claf", email)
    browser.get("/")  # a page of the fund: its CSRF token, so only the role can refuse
    before = state(world)
    checked = 0
    for method, path, role in claf_routes(world.network):
        if role is None or role_allows(role_on_claf, Role(role)):
            continue
        url = fill(path, alice.id)
        if method == "GET":
            response = browser.client.get(url, follow_redirects=False)
        else:
            response = browser.post(url, FORM, follow=False)
        assert response.status_code == 403, (email, method, url, response.status_code)
        checked += 1
    assert checked >= (8 if role_on_claf == Role.TREASURER else 20)
    assert state(world) == before


def test_the_fund_s_own_staff_get_through(funded):
    world, alice = funded
    admin = world.visitor("claf", "admin@claf.fr")
    treasurer = world.visitor("claf", "tresorier@claf.fr")
    for method, path, role in claf_routes(world.network):
        if method != "GET":
            continue
        url = fill(path, alice.id)
        assert admin.client.get(url).status_code == 200, url
        if role in ("treasurer", None):
            assert treasurer.client.get(url).status_code == 200, url


def test_get_never_changes_state(funded):
    world, alice = funded
    admin = world.visitor("claf", "admin@claf.fr")
    before = state(world)
    for method, path, _role in claf_routes(world.network):
        if method == "GET":
            admin.client.get(fill(path, alice.id) + "?month=" + TODAY[:7])
    assert state(world) == before


def test_nobody_logged_in_is_sent_to_log_in(funded):
    world, alice = funded
    browser = world.visitor("claf")
    browser.get("/")
    before = state(world)
    for method, path, role in claf_routes(world.network):
        if role is None:
            continue
        url = fill(path, alice.id)
        if method == "GET":
            response = browser.client.get(url, follow_redirects=False)
            assert response.status_code in (302, 303, 401), url
            if response.status_code != 401:
                assert response.headers["location"].startswith("/connexion")
        else:
            assert browser.post(url, FORM, follow=False).status_code in (401, 403), url
    assert state(world) == before


def test_another_fund_s_beneficiary_is_not_found(funded):
    world, alice = funded
    other = world.visitor("autre-caisse", "admin@autre.fr")
    other.get("/claf/beneficiaires")
    assert other.client.get(f"/claf/beneficiaires/{alice.id}/modifier").status_code == 404
    before = state(world)
    for action in ("modifier", "arreter", "reprendre"):
        response = other.post(f"/claf/beneficiaires/{alice.id}/{action}", FORM, follow=False)
        assert response.status_code == 404, action
    assert state(world) == before


def test_the_producer_page_is_for_the_producer_s_own_staff(funded):
    world, _alice = funded
    assert (
        world.visitor("goulues", "tresorier@goulues.fr").get("/claf/producteur").status_code == 200
    )
    for email in ("admin@claf.fr", "tresorier@claf.fr", "admin@ferme.fr"):
        visitor = world.visitor("goulues", email)
        for path in ("/claf/producteur", "/claf/producteur/paiements.csv",
                     "/claf/producteur/remises.csv"):  # fmt: skip
            assert visitor.client.get(path, follow_redirects=False).status_code == 403, email


def test_routes_are_404_where_the_plugin_is_not_enabled_and_on_the_home(funded):
    world, alice = funded
    world.network.instances.set_plugin("claf", "claf", False)
    admin = world.visitor("claf", "admin@claf.fr")
    home = world.visitor("", "admin@claf.fr")
    for method, path, _role in claf_routes(world.network):
        url = fill(path, alice.id)
        assert admin.client.request(method, url, follow_redirects=False).status_code in (403, 404)
        if method == "GET":
            assert admin.client.get(url).status_code == 404, url
            assert home.client.get(url).status_code == 404, url
    world.network.instances.set_plugin("claf", "claf", True)


def test_forms_without_the_csrf_token_are_refused(funded):
    world, alice = funded
    admin = world.visitor("claf", "admin@claf.fr")
    admin.get("/claf/beneficiaires")
    before = state(world)
    for method, path, _role in claf_routes(world.network):
        if method == "POST":
            response = admin.post(fill(path, alice.id), FORM, csrf=False, follow=False)
            assert response.status_code == 403, path
    assert state(world) == before
