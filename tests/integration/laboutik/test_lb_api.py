"""The register's JSON API: API keys, msgspec bodies, problem details with the shortfall,
idempotent payments, closures, and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from core.accounts import Role
from hosts.web import create_app


@pytest.fixture
def api(shop) -> Iterator:
    """``api(role, instance="bar")``: a client with an API key of that role and instance."""
    with TestClient(create_app(shop.network), base_url="http://bar.localhost") as client:

        def call(role: Role = Role.CASHIER, instance: str = "bar"):
            _key, secret = shop.network.api_keys.create(instance, role, f"{role} key")
            client.headers["authorization"] = f"Bearer {secret}"
            return client

        yield call


def test_ring_up_and_pay_with_a_shortfall_then_split(shop, api):
    client = api()
    card = shop.card("ann", primary=500)
    catalogue = client.get("/api/laboutik/catalogue").json()
    assert [p["name"] for p in catalogue["points_of_sale"]] == ["Bar"]
    assert {a["name"]: a["price"] for a in catalogue["articles"]}["beer"] == 650
    made = client.post(
        "/api/laboutik/commandes",
        json={"pos_id": shop.pos, "items": [{"article_id": shop.articles["beer"], "quantity": 2}]},
    )
    assert made.status_code == 201, made.text
    order = made.json()["order"]["id"]
    assert made.json()["total"] == 1300 == made.json()["remaining"]
    pay = f"/api/laboutik/commandes/{order}/paiements"
    refused = client.post(pay, json={"method": "cashless", "uid": card.uid, "operation_id": "t1"})
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert (problem["code"], problem["shortfall"], problem["available"]) == (
        "insufficient_funds", 800, 500,
    )  # fmt: skip
    part = client.post(
        pay, json={"method": "cashless", "uid": card.uid, "operation_id": "t1", "partial": True}
    )
    assert part.status_code == 200 and part.json()["order"]["remaining"] == 800
    again = client.post(
        pay, json={"method": "cashless", "uid": card.uid, "operation_id": "t1", "partial": True}
    )
    assert again.json()["replayed"] is True and again.json()["payment"] == part.json()["payment"]
    cash = client.post(pay, json={"method": "cash", "amount": 1000, "operation_id": "c1"})
    assert cash.json()["payment"]["change"] == 200
    assert cash.json()["order"]["order"]["status"] == "paid"
    view = client.get(f"/api/laboutik/commandes/{order}").json()
    assert [p["method"] for p in view["payments"]] == ["cashless", "cash"]
    assert shop.balance(card, 1) == 0


def test_bad_bodies_and_register_errors_are_problem_details(shop, api):
    client = api()
    bad = client.post(
        "/api/laboutik/commandes",
        json={"pos_id": shop.pos, "items": [{"article_id": "x", "quantity": 0}]},
    )
    assert bad.status_code == 400 and "quantity" in bad.text
    unknown = client.post("/api/laboutik/commandes", json={"pos_id": "nope"})
    assert unknown.status_code == 404
    assert (unknown.json()["code"], unknown.json()["field"]) == ("not_found", "pos_id")
    order = shop.order(("beer", 1))
    no_amount = client.post(
        f"/api/laboutik/commandes/{order}/paiements", json={"method": "card", "operation_id": "z"}
    )
    assert no_amount.status_code == 409 and no_amount.json()["field"] == "amount"
    extra = client.post(
        f"/api/laboutik/commandes/{order}/paiements",
        json={"method": "card", "operation_id": "z", "amount": 100, "tip": 5},
    )
    assert extra.status_code == 400


def test_open_with_a_staff_card_refill_and_refund(shop, api):
    client = api()
    staff = shop.card("staff")
    shop.network.money.cards.set_primary(staff.id, "bar")
    shop.lb.orders.close_session("bar", shop.pos, author="t")
    opened = client.post(
        f"/api/laboutik/points-de-vente/{shop.pos}/ouverture",
        json={"opening_float": 2000, "primary_card_uid": staff.uid},
    )
    assert opened.status_code == 200 and opened.json()["card_id"] == staff.id
    card = shop.card("bob")
    refill = client.post(
        "/api/laboutik/recharges",
        json={"pos_id": shop.pos, "uid": card.uid, "asset_id": shop.local.id, "amount": 3000,
              "method": "card", "operation_id": "r1"},
    )  # fmt: skip
    assert refill.json()["operation"]["bonus"] == 300
    refund = client.post(
        "/api/laboutik/remboursements",
        json={"pos_id": shop.pos, "uid": card.uid, "operation_id": "rf1"},
    )
    assert refund.json()["operation"]["amount"] == 3000


def test_closures_for_cashiers_and_treasurers_not_members(shop, api):
    card = shop.card("ann", primary=1000)
    shop.pay_card(shop.order(("soda", 2)), card)
    treasurer = api(Role.TREASURER)
    closed = treasurer.post("/api/laboutik/clotures", json={"early": True})
    assert closed.status_code == 201 and closed.json()["report"]["sales_total"] == 500
    listed = treasurer.get("/api/laboutik/clotures").json()
    assert [(c["number"], c["sales_total"]) for c in listed] == [(1, 500)]
    assert treasurer.get("/api/laboutik/clotures/1").json()["number"] == 1
    assert treasurer.get("/api/laboutik/catalogue").status_code == 403
    member = api(Role.MEMBER)
    assert member.get("/api/laboutik/clotures").status_code == 403
    other = api(Role.ADMIN, instance="other")
    assert other.get("/api/laboutik/clotures").status_code == 403
    assert other.get("/api/laboutik/catalogue").status_code == 403


def test_the_api_is_in_the_openapi_document(shop, api):
    schema = api().get("/schema/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/laboutik/catalogue", "/api/laboutik/commandes",
        "/api/laboutik/commandes/{order_id}/paiements", "/api/laboutik/clotures",
    } <= paths  # fmt: skip
    assert not any(p.startswith("/caisse") or p.startswith("/admin/caisse") for p in paths)
