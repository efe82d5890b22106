"""The money JSON API: assets, federation, invitations, payment order, cards, grants,
corrections and the sale; problem details; authorization across instances."""

from __future__ import annotations

from core.accounts import Role
from core.wallets import ActionKind, WalletRef


def test_assets_api_create_edit_archive_with_problem_details(money_world):
    admin = money_world.api("claf", Role.ADMIN)
    cashier = money_world.api("claf", Role.CASHIER)
    listed = cashier.get("/api/assets").json()
    assert [a["code"] for a in listed["issued"]] == ["CLA"]
    assert {a["code"] for a in listed["accepted"]} == {"FED", "CLA"}
    body = {"code": "HJD", "name": "Heures", "category": "time", "decimals": 0}
    assert cashier.post("/api/assets", body).status_code == 403
    made = admin.post("/api/assets", body)
    assert made.status_code == 201 and made.json()["issuer"] == "claf"
    asset_id = made.json()["id"]
    taken = admin.post("/api/assets", {**body, "name": "Autre"})
    assert taken.status_code == 409 and taken.json()["code"] == "duplicate_asset_code"
    assert taken.headers["content-type"].startswith("application/problem+json")
    bad = admin.post("/api/assets", {**body, "code": "XYZ", "extra": 1})
    assert bad.status_code == 400 and "extra" in bad.text
    short = admin.post("/api/assets", {**body, "code": "HJ"})
    assert short.status_code == 400 and "code" in short.text
    edited = admin.request("PATCH", f"/api/assets/{asset_id}", {"name": "Heures du jardin"})
    assert edited.status_code == 200 and edited.json()["name"] == "Heures du jardin"
    primary = admin.request("PATCH", "/api/assets/1", {"name": "Euro"})
    assert primary.status_code == 403 and primary.json()["code"] == "not_issuer"
    archived = admin.post(f"/api/assets/{asset_id}/archive", {"archived": True})
    assert archived.status_code == 200 and archived.json()["archived"] is True
    detail = cashier.get(f"/api/assets/{money_world.cla.id}").json()
    assert detail["issuer"] is True and detail["outstanding"] == 0
    other = money_world.api("goulues", Role.ADMIN)
    assert other.get(f"/api/assets/{money_world.cla.id}").status_code == 404
    assert other.get("/api/assets/1").json()["outstanding"] is None


def test_federation_api_invite_accept_revoke_leave(money_world):
    smtp, cla = money_world.smtp, money_world.cla
    issuer = money_world.api("claf")
    producer = money_world.api("goulues")
    unknown = issuer.post(f"/api/assets/{cla.id}/invitations", {"instance": "nulle-part"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_instance"
    before = len(smtp.messages)
    invited = issuer.post(f"/api/assets/{cla.id}/invitations", {"instance": "goulues"})
    assert invited.status_code == 201, invited.text
    assert invited.json()["mailed"] == 2 and invited.json()["federation"]["status"] == "pending"
    assert len(smtp.messages) == before + 2
    assert "nicolas@goulues.fr" not in invited.text  # the other instance's admins stay private
    assert producer.post(
        f"/api/assets/{cla.id}/invitations", {"instance": "bisik"}
    ).status_code in {
        403,
        404,
    }
    pending = producer.get("/api/invitations").json()
    assert [(p["asset"]["code"], p["federation"]["status"]) for p in pending] == [
        ("CLA", "pending")
    ]
    accepted = producer.post(f"/api/invitations/{cla.id}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["answered_by"].startswith("key:")
    assert producer.get(f"/api/assets/{cla.id}").json()["issuer"] is False
    left = producer.post(f"/api/assets/{cla.id}/leave")
    assert left.json()["status"] == "left"
    issuer.post(f"/api/assets/{cla.id}/invitations", {"instance": "goulues"})
    revoked = issuer.post(f"/api/assets/{cla.id}/invitations/goulues/revoke")
    assert revoked.json()["status"] == "revoked"
    issuer.post(f"/api/assets/{cla.id}/invitations", {"instance": "bisik"})
    declined = money_world.api("bisik").post(f"/api/invitations/{cla.id}/decline")
    assert declined.json()["status"] == "declined"
    again = producer.post(f"/api/invitations/{cla.id}/accept")
    assert again.status_code == 409 and again.json()["code"] == "federation_error"
    statuses = {
        f["instance"]: f["status"]
        for f in issuer.get(f"/api/assets/{cla.id}").json()["federations"]
    }
    assert statuses == {"goulues": "revoked", "bisik": "declined"}


def test_payment_order_and_cards_api(money_world):
    admin = money_world.api("bisik")
    cashier = money_world.api("bisik", Role.CASHIER)
    assert [a["code"] for a in cashier.get("/api/payment-order").json()["effective"]] == ["FED"]
    assert cashier.request("PUT", "/api/payment-order", {"asset_ids": [1]}).status_code == 403
    assert admin.request("PUT", "/api/payment-order", {"asset_ids": [1]}).json()["asset_ids"] == [1]
    duplicate = admin.request("PUT", "/api/payment-order", {"asset_ids": [1, 1]})
    assert duplicate.status_code == 422 and duplicate.json()["field"] == "asset_ids"

    report = admin.post("/api/cards/import", {"csv": "04A1B2C3,0001,qr-card-0001\nZZ,0002\n"})
    assert report.status_code == 200
    assert report.json()["imported"] == 1
    assert report.json()["rejected"] == [{"line": 2, "reason": "bad_hex", "detail": "ZZ"}]
    assert report.json()["cards"][0]["qr_id"] == "qr-card-0001"
    assert [c["number"] for c in admin.get("/api/cards").json()] == ["0001"]
    assert cashier.get("/api/cards").status_code == 403
    seen = cashier.get("/api/cards/by-uid/04:a1:b2:c3").json()
    assert (seen["number"], seen["state"], seen["qr_id"]) == ("0001", "anonymous", "")
    assert cashier.get("/api/cards/by-number/0001").json()["uid"] == "04A1B2C3"
    assert cashier.get("/api/cards/by-number/0404").status_code == 404
    staff = admin.post("/api/cards/staff", {"card_number": "0001"})
    assert staff.json()["staff_for"] == ["bisik"]
    assert [c["number"] for c in cashier.get("/api/cards/staff").json()] == ["0001"]
    both = admin.post("/api/cards/staff", {"card_number": "0001", "card_uid": "04A1B2C3"})
    assert both.status_code == 422
    card_id = staff.json()["id"]
    assert money_world.api("claf").post(f"/api/cards/staff/{card_id}/remove").status_code == 404
    assert admin.post(f"/api/cards/staff/{card_id}/remove").json()["staff_for"] == []


def test_my_cards_api_needs_a_session_and_a_json_body(money_world):
    network = money_world.network
    card = network.money.cards.add(uid="04A1B2C3", number="0001", qr_id="qr-card-0001")
    money_world.grant(WalletRef.card(card.id), 700)
    assert money_world.api("bisik").get("/api/me/cards").status_code == 401
    me = money_world.login("membre@bisik.fr", "bisik.localhost")
    assert me.client.get("/api/me/cards").json() == []
    forged = me.client.post("/api/me/cards", data={"qr_id": "qr-card-0001"})  # an HTML form
    assert forged.status_code == 415
    by_number = me.client.post("/api/me/cards", json={"number": "0001"})
    assert by_number.status_code == 409 and by_number.json()["code"] == "card_holds_money"
    linked = me.client.post("/api/me/cards", json={"qr_id": "qr-card-0001"})
    assert linked.status_code == 200 and linked.json()["state"] == "claimed"
    spare = network.money.cards.add(uid="04A1B2C4", number="0002")
    lost = me.client.post(f"/api/me/cards/{card.id}/lost", json={"replacement_number": "0002"})
    assert lost.status_code == 200 and lost.json()["replaced_by"] == spare.id
    states = {c["number"]: c["state"] for c in me.client.get("/api/me/cards").json()}
    assert states == {"0001": "lost", "0002": "claimed"}
    user = network.accounts.user_by_email("membre@bisik.fr")
    assert money_world.balance(WalletRef.user(user.id)) == 700


def test_grants_and_corrections_api(money_world):
    network, cla = money_world.network, money_world.cla
    network.money.cards.add(uid="04A1B2C3", number="0001")
    treasurer = money_world.api("claf", Role.TREASURER)
    body = {
        "operation_id": "alloc-1",
        "asset_id": cla.id,
        "amount": 5000,
        "user_email": "Beneficiaire@Example.org",
        "reason": "novembre",
    }
    assert money_world.api("claf", Role.CASHIER).post("/api/grants", body).status_code == 403
    first = treasurer.post("/api/grants", body)
    assert first.status_code == 201 and first.json()["amount"] == 5000
    replay = treasurer.post("/api/grants", body)
    assert replay.status_code == 200 and replay.json()["replayed"] is True
    conflict = treasurer.post("/api/grants", {**body, "amount": 1})
    assert conflict.status_code == 409 and conflict.json()["code"] == "operation_conflict"
    person = network.accounts.user_by_email("beneficiaire@example.org")
    assert money_world.balance(WalletRef.user(person.id), cla) == 5000
    primary = treasurer.post("/api/grants", {**body, "operation_id": "x", "asset_id": 1})
    assert primary.status_code == 403 and primary.json()["code"] == "not_issuer"
    to_card = treasurer.post(
        "/api/grants",
        {"operation_id": "alloc-2", "asset_id": cla.id, "amount": 300, "card_number": "0001"},
    )
    assert to_card.status_code == 201
    none = treasurer.post("/api/grants", {"operation_id": "g", "asset_id": cla.id, "amount": 3})
    assert none.status_code == 422 and "user_email" in none.json()["field"]
    correction = {
        "operation_id": "fix-1",
        "asset_id": cla.id,
        "amount": 1000,
        "reason": "doublon",
        "debit": {"kind": "user", "value": "beneficiaire@example.org"},
        "credit": {"kind": "issuer"},
    }
    fixed = treasurer.post("/api/corrections", correction)
    assert fixed.status_code == 201, fixed.text
    assert fixed.json()["reason"] == "doublon" and fixed.json()["author"].startswith("key:")
    assert money_world.balance(WalletRef.user(person.id), cla) == 4000
    no_reason = treasurer.post(
        "/api/corrections", {**correction, "operation_id": "f2", "reason": ""}
    )
    assert no_reason.status_code == 400
    operation = network.money.operation(ActionKind.CORRECTION, "fix-1")
    assert operation.legs[0].credit == f"issuer:{cla.id}"


def test_the_sale_endpoint(money_world):
    network = money_world.network
    card = network.money.cards.add(uid="04A1B2C3", number="0001")
    money_world.grant(WalletRef.card(card.id), 1000)
    cashier = money_world.api("bisik", Role.CASHIER)
    sale = {"operation_id": "t7-1", "amount": 250, "card_uid": "04:a1:b2:c3"}
    paid = cashier.post("/api/sales", sale)
    assert paid.status_code == 201, paid.text
    answer = paid.json()
    assert answer["operation"]["kind"] == "sale" and answer["operation"]["instance"] == "bisik"
    assert answer["balances"] == [{"asset_id": 1, "code": "FED", "decimals": 2, "amount": 750}]
    replay = cashier.post("/api/sales", sale)
    assert replay.status_code == 200 and replay.json()["operation"]["replayed"] is True
    assert money_world.balance(WalletRef.card(card.id)) == 750
    conflict = cashier.post("/api/sales", {**sale, "amount": 1})
    assert conflict.status_code == 409 and conflict.json()["code"] == "operation_conflict"
    short = cashier.post(
        "/api/sales", {"operation_id": "t7-2", "amount": 1000, "card_number": "0001"}
    )
    assert short.status_code == 409
    problem = short.json()
    assert (problem["code"], problem["shortfall"], problem["available"]) == (
        "insufficient_funds",
        250,
        750,
    )
    assert problem["asset"] == 1 and problem["status"] == 409
    assert money_world.balance(WalletRef.card(card.id)) == 750  # nothing moved
    for body, field in [
        ({"operation_id": "a", "amount": 5}, "card_uid"),
        (
            {"operation_id": "a", "amount": 5, "card_uid": "04A1B2C3", "card_number": "0001"},
            "card_uid",
        ),
        ({"operation_id": "a", "amount": 5, "card_uid": "zz"}, "card_uid"),
        ({"operation_id": "a", "amount": 5, "user_email": "x"}, "user_email"),
        (
            {"operation_id": "a", "amount": 5, "card_number": "1", "asset_id": 1, "asset_ids": [1]},
            "asset_ids",
        ),
    ]:
        refused = cashier.post("/api/sales", body)
        assert refused.status_code == 422 and field in refused.json()["field"], (body, refused.text)
    for body in [
        {"operation_id": "", "amount": 5},
        {"operation_id": "a", "amount": 0},
        {"operation_id": "a", "amount": 1.5},
        {"operation_id": "a", "amount": "5"},
    ]:
        assert cashier.post("/api/sales", {**body, "card_number": "0001"}).status_code == 400
    assert (
        cashier.post(
            "/api/sales", {**sale, "operation_id": "u", "card_uid": "04000000"}
        ).status_code
        == 404
    )
    member = money_world.api("bisik", Role.MEMBER)
    assert member.post("/api/sales", {**sale, "operation_id": "m"}).status_code == 403
    key_of_claf = money_world.api("claf", Role.ADMIN, host="bisik")
    refused = key_of_claf.post("/api/sales", {**sale, "operation_id": "other"})
    assert refused.status_code == 403
    assert money_world.balance(WalletRef.card(card.id)) == 750
    person = money_world.user_id("payeur@example.org")
    money_world.grant(WalletRef.user(person), 100)
    by_email = cashier.post(
        "/api/sales", {"operation_id": "t7-3", "amount": 100, "user_email": "payeur@example.org"}
    )
    assert by_email.status_code == 201 and by_email.json()["balances"][0]["amount"] == 0


def test_a_cashier_in_a_browser_session_sells_with_a_json_body_only(money_world):
    network = money_world.network
    card = network.money.cards.add(uid="04A1B2C3", number="0001")
    money_world.grant(WalletRef.card(card.id), 500)
    cashier = money_world.login("caisse@bisik.fr", "bisik.localhost")
    body = {"operation_id": "s-1", "amount": 200, "card_number": "0001"}
    assert cashier.client.post("/api/sales", data=body).status_code == 415
    paid = cashier.client.post("/api/sales", json=body)
    assert paid.status_code == 201 and paid.json()["operation"]["author"] == "caisse@bisik.fr"
    elsewhere = money_world.login("caisse@bisik.fr", "claf.localhost")
    assert (
        elsewhere.client.post("/api/sales", json={**body, "operation_id": "s-2"}).status_code == 403
    )


def test_the_openapi_document_shows_the_money_api(money_world):
    visitor = money_world.browser("claf.localhost")
    document = visitor.client.get("/schema/openapi.json").json()
    for path in (
        "/api/sales",
        "/api/assets",
        "/api/cards/import",
        "/api/grants",
        "/api/payment-order",
    ):
        assert path in document["paths"], path
    sale = document["paths"]["/api/sales"]["post"]
    assert "409" in sale["responses"] or sale["requestBody"]
    assert "SaleIn" in str(document["components"]["schemas"].keys())


def test_the_authorization_walk_covers_the_money_routes(money_world):
    """tests/integration/test_web_authz.py refuses an admin of another instance on each."""
    from hosts.web import create_app
    from tests.integration.test_web_authz import guarded_routes

    walked = {
        (method, path) for method, path, _role in guarded_routes(create_app(money_world.network))
    }
    for route in [
        ("GET", "/admin/actifs"),
        ("POST", "/admin/actifs/1/partager"),
        ("POST", "/admin/invitations/1/accepter"),
        ("POST", "/admin/ordre-de-paiement"),
        ("POST", "/admin/cartes/import"),
        ("POST", "/admin/attribution"),
        ("POST", "/admin/correction"),
        ("POST", "/api/sales"),
        ("PATCH", "/api/assets/1"),
        ("PUT", "/api/payment-order"),
        ("POST", "/api/grants"),
        ("POST", "/api/cards/import"),
    ]:
        assert route in walked, route
