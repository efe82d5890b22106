"""The register's card terminals through the web host: binding (admin), "pay by card on
terminal X" (cashier), the register showing what the customer's tap did, the mode's staff
page, the JSON API, and the checks of instance and role."""

from __future__ import annotations

import time

import pytest
from litestar.testing import TestClient

from core.accounts import Role
from hosts.web import create_app
from plugins.laboutik.model import OrderStatus, PointInput
from plugins.laboutik.terminal_model import CASH_REGISTER_MODE
from tests.terminal_support import pair_terminal
from tests.web_support import text_of

HTML = {"accept": "text/html"}


@pytest.fixture
def till(shop):
    """A terminal of the bar in cash register mode, not bound yet."""
    return pair_terminal(shop.network, "bar", CASH_REGISTER_MODE, name="Comptoir")


def test_an_admin_binds_a_terminal_and_a_cashier_sends_the_order_to_it(shop, browse, till):
    terminal_id = till.terminal.id
    pair_terminal(shop.network, "bar", "charge", name="Stand")  # another mode: not listed
    admin = browse("admin")
    page = admin.get("/admin/caisse/lecteurs")
    assert page.status_code == 200
    assert "Comptoir" in page.text and "Stand" not in page.text
    assert "/admin/caisse/lecteurs" in admin.get("/admin/caisse").text  # linked from the set-up
    refused = admin.post(f"/admin/caisse/lecteurs/{terminal_id}", {"pos_id": "nowhere"})
    assert refused.status_code == 404 and "Rien n'a été enregistré" in refused.text
    assert 'aria-invalid="true"' in refused.text
    admin.post(f"/admin/caisse/lecteurs/{terminal_id}", {"pos_id": shop.pos})
    assert shop.lb.terminals.link("bar", terminal_id).pos_id == shop.pos

    cashier = browse("cashier")
    staff_page = cashier.get(f"/caisse/lecteurs/{terminal_id}", follow=False)
    assert staff_page.status_code == 303 and staff_page.headers["location"] == f"/caisse/{shop.pos}"
    order_id = shop.order(("beer", 2))
    page = cashier.get(f"/caisse/{shop.pos}?commande={order_id}")
    assert "Payer par carte sur Comptoir" in page.text
    assert f'data-events="/caisse/{shop.pos}/flux?commande={order_id}&amp;paye=&amp;cle=' in (
        page.text
    )
    assert "/laboutik/static/register.js" in page.text
    page = cashier.post(
        f"/caisse/{shop.pos}/commandes/{order_id}/lecteur", {"terminal_id": terminal_id}
    )
    assert "En attente d'une carte sur Comptoir : 13,00" in text_of(page)
    assert shop.lb.terminals.link("bar", terminal_id).order_id == order_id

    customer = shop.card("ann", local=500)
    till.tap(shop.network, customer.uid, "tap-short-web", now=time.time())
    page = cashier.get(f"/caisse/{shop.pos}?commande={order_id}")
    text = text_of(page)
    assert "la carte contient 5,00, il manque 8,00 FED" in text
    assert "Sur Comptoir, prendre ce que contient la prochaine carte" in text
    page = cashier.post(
        f"/caisse/{shop.pos}/commandes/{order_id}/lecteur",
        {"terminal_id": terminal_id, "partial": "1"},
    )
    assert "la prochaine carte paie ce qu'elle contient" in text_of(page)
    till.tap(shop.network, customer.uid, "tap-part-web", now=time.time())
    text = text_of(cashier.get(f"/caisse/{shop.pos}?commande={order_id}"))
    assert "5,00 payés par carte (BLC 5,00)" in text and "8,00 restent à payer" in text
    cashier.post(f"/caisse/{shop.pos}/lecteurs/{terminal_id}/annuler", {"order_id": order_id})
    assert not shop.lb.terminals.link("bar", terminal_id).waiting
    page = cashier.post(
        f"/caisse/{shop.pos}/commandes/{order_id}/payer",
        {"method": "cash", "received": "8", "operation_id": "cash-web"},
    )
    assert "est payée" in page.text
    assert shop.lb.orders.get("bar", order_id).status == OrderStatus.PAID


def test_a_closed_register_says_a_staff_card_opens_it(shop, browse, till):
    shop.lb.terminals.bind("bar", till.terminal.id, shop.pos, author="admin")
    shop.lb.orders.close_session("bar", shop.pos, author="t")
    cashier = browse("cashier")
    assert "Ou passez une carte du personnel sur" in text_of(cashier.get(f"/caisse/{shop.pos}"))
    staff = shop.network.money.cards.set_primary(shop.card("staff").id, "bar")
    till.tap(shop.network, staff.uid, "tap-open-web", now=time.time())
    text = text_of(cashier.get(f"/caisse/{shop.pos}"))
    assert "Ouvert · carte n° N-staff" in text
    assert "Le point de vente a été ouvert avec cette carte du personnel." in text
    assert "Fermer le point de vente" in text


def test_sending_an_order_is_checked_and_errors_stay_on_the_page(shop, browse, till):
    other = shop.lb.catalog.save_point("bar", PointInput(name="Terrasse"))
    shop.lb.terminals.bind("bar", till.terminal.id, other.id, author="admin")
    cashier = browse("cashier")
    order_id = shop.order(("soda", 1))
    page = cashier.get(f"/caisse/{shop.pos}?commande={order_id}")
    assert "Payer par carte sur" not in page.text  # it serves the terrace, not the bar
    page = cashier.post(
        f"/caisse/{shop.pos}/commandes/{order_id}/lecteur", {"terminal_id": till.terminal.id}
    )
    assert page.status_code == 409
    assert "Ce terminal ne sert pas ce point de vente." in page.text
    unbound = pair_terminal(shop.network, "bar", CASH_REGISTER_MODE, name="Réserve")
    page = cashier.get(f"/caisse/lecteurs/{unbound.terminal.id}")
    assert "ne sert encore aucun point de vente" in page.text
    assert cashier.client.get("/caisse/lecteurs/trm_nothing", headers=HTML).status_code == 404
    assert cashier.client.get(f"/caisse/{shop.pos}/flux?commande=nothing").status_code == 404
    assert cashier.client.get("/admin/caisse/lecteurs", headers=HTML).status_code == 403


def test_the_terminal_api(shop, till):
    terminal_id = till.terminal.id
    theirs = pair_terminal(shop.network, "other", CASH_REGISTER_MODE, name="Autre")
    with TestClient(create_app(shop.network), base_url="http://bar.localhost") as client:
        _key, admin = shop.network.api_keys.create("bar", Role.ADMIN, "outil")
        _key, cashier = shop.network.api_keys.create("bar", Role.CASHIER, "caisse")
        as_admin = {"authorization": f"Bearer {admin}"}
        as_cashier = {"authorization": f"Bearer {cashier}"}
        path = f"/api/laboutik/lecteurs/{terminal_id}"
        assert client.put(path, json={"pos_id": shop.pos}, headers=as_cashier).status_code == 403
        bound = client.put(path, json={"pos_id": shop.pos}, headers=as_admin)
        assert bound.status_code == 200 and bound.json()["pos_id"] == shop.pos
        listed = client.get("/api/laboutik/lecteurs", headers=as_cashier).json()
        assert [t["name"] for t in listed] == ["Comptoir"]
        order_id = shop.order(("beer", 1))
        asked = client.post(f"{path}/commande", json={"order_id": order_id}, headers=as_cashier)
        assert asked.status_code == 201 and asked.json()["order_id"] == order_id
        customer = shop.card("ann", local=5000)
        till.tap(shop.network, customer.uid, "tap-api-0001", now=time.time())
        seen = client.get(path, headers=as_cashier).json()
        assert seen["order_id"] == "" and seen["last_outcome"]["status"] == "paid"
        assert seen["last_order_id"] == order_id and seen["last_outcome"]["amount"] == 650
        again = client.post(f"{path}/commande", json={"order_id": order_id}, headers=as_cashier)
        assert again.status_code == 409 and again.json()["field"] == "order_id"
        bad = client.post(f"{path}/commande", json={"order": order_id}, headers=as_cashier)
        assert bad.status_code == 400
        second = shop.order(("soda", 1))
        client.post(f"{path}/commande", json={"order_id": second}, headers=as_cashier)
        cancelled = client.delete(f"{path}/commande", headers=as_cashier)
        assert cancelled.status_code == 200 and cancelled.json()["order_id"] == ""
        foreign = f"/api/laboutik/lecteurs/{theirs.terminal.id}"
        assert client.get(foreign, headers=as_cashier).status_code == 404
        assert client.put(foreign, json={"pos_id": ""}, headers=as_admin).status_code == 404
        schema = client.get("/schema/openapi.json").json()
        assert "/api/laboutik/lecteurs/{terminal_id}/commande" in schema["paths"]
