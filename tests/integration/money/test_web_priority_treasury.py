"""The payment order page, and the treasurer's grant and correction pages."""

from __future__ import annotations

from core.accounts import Role
from core.wallets import ActionKind, AssetCategory, WalletRef


def test_the_payment_order_page_sets_the_order_a_sale_follows(money_world):
    network = money_world.network
    gift = network.money.assets.create(
        issuer="bisik", code="KDO", name="Cadeau", category=AssetCategory.GIFT
    )
    local = network.money.assets.create(
        issuer="bisik", code="BSK", name="Bisik", category=AssetCategory.FIAT
    )
    alice = WalletRef.user(money_world.user_id("alice@example.org"))
    for asset in (gift, local, None):
        money_world.grant(alice, 1000, asset)
    admin = money_world.login("admin@bisik.fr", "bisik.localhost")
    page = admin.get("/admin/ordre-de-paiement").text
    assert page.index("KDO") < page.index("BSK") < page.index("FED")  # the default order
    assert "l&#39;ordre par défaut" in page or "l'ordre par défaut" in page
    bad = admin.post(
        "/admin/ordre-de-paiement", {f"pos-{gift.id}": "x", f"pos-{local.id}": "1", "pos-1": "2"}
    )
    assert bad.status_code == 400 and "Saisissez une position" in bad.text
    assert 'value="x"' in bad.text  # what was typed comes back
    assert network.money.orders.get("bisik") == []
    saved = admin.post(
        "/admin/ordre-de-paiement", {f"pos-{gift.id}": "3", f"pos-{local.id}": "2", "pos-1": "1"}
    )
    assert "Enregistré." in saved.text
    assert network.money.orders.get("bisik") == [1, local.id, gift.id]
    cashier = money_world.api("bisik", Role.CASHIER)
    sale = cashier.post(
        "/api/sales", {"operation_id": "o-1", "amount": 1500, "user_email": "alice@example.org"}
    )
    assert sale.status_code == 201, sale.text
    legs = sale.json()["operation"]["legs"]
    assert legs == [{"asset_id": 1, "amount": 1000}, {"asset_id": local.id, "amount": 500}]
    reset = admin.post("/admin/ordre-de-paiement", {"default": "1"})
    assert "L&#39;ordre par défaut s&#39;applique de nouveau." in reset.text
    assert network.money.orders.get("bisik") == []


def test_grant_to_an_email_or_a_card_once_per_form(money_world):
    network, cla = money_world.network, money_world.cla
    card = network.money.cards.add(uid="04A1B2C3", number="0001")
    treasurer = money_world.login("tresorier@claf.fr", "claf.localhost")
    form = treasurer.get("/admin/attribution").text
    operation_id = form.split('name="operation_id" value="')[1].split('"')[0]
    values = {
        "asset_id": str(cla.id),
        "amount": "12,5",
        "wallet": "nouvelle@example.org",
        "reason": "Allocation de novembre",
        "operation_id": operation_id,
    }
    done = treasurer.post("/admin/attribution", values)
    assert "Fait : 12,50 CLA" in done.text
    again = treasurer.post("/admin/attribution", values)  # the same form sent twice
    assert again.status_code == 200
    person = network.accounts.user_by_email("nouvelle@example.org")
    assert money_world.balance(WalletRef.user(person.id), cla) == 1250
    operation = network.money.operation(ActionKind.GRANT, operation_id)
    assert (operation.author, operation.reason) == ("tresorier@claf.fr", "Allocation de novembre")

    treasurer.get("/admin/attribution")
    bad = treasurer.post(
        "/admin/attribution",
        {"asset_id": str(cla.id), "amount": "1.234", "wallet": "0001", "operation_id": "g-2"},
    )
    assert bad.status_code == 400 and "Saisissez un montant supérieur à zéro" in bad.text
    assert 'value="1.234"' in bad.text and 'value="0001"' in bad.text
    unknown = treasurer.post(
        "/admin/attribution",
        {"asset_id": str(cla.id), "amount": "5", "wallet": "9999", "operation_id": "g-3"},
    )
    assert unknown.status_code == 404 and "Cette carte est inconnue." in unknown.text
    primary = treasurer.post(
        "/admin/attribution",
        {"asset_id": "1", "amount": "5", "wallet": "0001", "operation_id": "g-4"},
    )
    assert primary.status_code == 400  # the network's euro is not this instance's to grant
    card_grant = treasurer.post(
        "/admin/attribution",
        {"asset_id": str(cla.id), "amount": "5", "wallet": "0001", "operation_id": "g-5"},
    )
    assert "Fait : 5,00 CLA" in card_grant.text
    assert money_world.balance(WalletRef.card(card.id), cla) == 500


def test_correction_needs_a_reason_and_records_its_author(money_world):
    network, cla = money_world.network, money_world.cla
    bob = WalletRef.user(money_world.user_id("bob@example.org"))
    money_world.grant(bob, 5000, cla)
    admin = money_world.login("admin@claf.fr", "claf.localhost")
    admin.get("/admin/correction")
    fields = {
        "asset_id": str(cla.id),
        "amount": "20",
        "debit_kind": "user",
        "debit": "bob@example.org",
        "credit_kind": "issuer",
        "credit": "",
        "operation_id": "c-1",
    }
    refused = admin.post("/admin/correction", {**fields, "reason": "  "})
    assert refused.status_code == 400 and "Donnez un motif" in refused.text
    assert money_world.balance(bob, cla) == 5000
    nobody = admin.post("/admin/correction", {**fields, "debit": "x@y.fr", "reason": "r"})
    assert nobody.status_code == 400
    done = admin.post("/admin/correction", {**fields, "reason": "Attribution en double"})
    assert "Fait : 20,00 CLA" in done.text
    assert money_world.balance(bob, cla) == 3000
    operation = network.money.operation(ActionKind.CORRECTION, "c-1")
    assert (operation.reason, operation.author) == ("Attribution en double", "admin@claf.fr")
    too_much = admin.post(
        "/admin/correction", {**fields, "amount": "100", "operation_id": "c-2", "reason": "r"}
    )
    assert too_much.status_code == 409 and "Solde insuffisant : il manque 70,00." in too_much.text
