"""The wallet and payment-request JSON API: same rules as the pages, problem details, keys."""

from __future__ import annotations

from core.accounts import Role
from core.wallets.online import new_token

JSON = {"accept": "application/json"}


def test_wallet_and_history(shop):
    shop.fund("ada@example.org", 700)
    shop.fund("ada@example.org", 300, shop.alp.id)
    ada = shop.login("ada@example.org")
    wallet = ada.client.get("/api/wallet", headers=JSON)
    assert wallet.status_code == 200
    body = wallet.json()
    assert body["email"] == "ada@example.org"
    by_code = {b["asset"]["code"]: b for b in body["balances"]}
    assert by_code["FED"]["amount"] == 700 and by_code["FED"]["accepted_everywhere"]
    assert by_code["ALP"]["accepted_by"] == ["a"] and by_code["ALP"]["asset"]["decimals"] == 2
    assert by_code["FED"]["last"]["kind"] == "grant" and by_code["FED"]["last"]["amount"] == 700

    first = ada.client.get("/api/wallet/history/1?limit=1", headers=JSON).json()
    assert [e["amount"] for e in first["entries"]] == [700] and first["next_before"] is None
    assert ada.client.get("/api/wallet/history/1?limit=0", headers=JSON).status_code == 400
    assert ada.client.get("/api/wallet/history/77", headers=JSON).status_code == 404


def test_no_wallet_without_a_person(shop):
    nobody = shop.visitor()
    refused = nobody.client.get("/api/wallet")
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    _record, secret = shop.network.api_keys.create("a", Role.ADMIN, "outil")
    with_key = nobody.client.get("/api/wallet", headers={"authorization": f"Bearer {secret}"})
    assert with_key.status_code == 401  # a key belongs to an instance, not to a person


def test_a_cookie_alone_cannot_write(shop):
    """A form posted by another site carries the cookie but cannot send JSON."""
    shop.fund("ada@example.org", 1000)
    shop.user_id("bob@example.org")
    ada = shop.login("ada@example.org")
    forged = ada.client.post(
        "/api/wallet/transfers",
        content='{"operation_id": "x", "email": "bob@example.org", "asset_id": 1, "amount": 5}',
        headers={"content-type": "text/plain"},
    )
    assert forged.status_code == 415
    assert shop.balance("ada@example.org") == 1000


def test_transfer(shop):
    shop.fund("ada@example.org", 1000)
    shop.user_id("bob@example.org")
    ada = shop.login("ada@example.org")
    body = {"operation_id": "t-1", "email": "bob@example.org", "asset_id": 1, "amount": 250}
    first = ada.client.post("/api/wallet/transfers", json=body)
    assert first.status_code == 201 and first.json()["legs"] == [{"asset_id": 1, "amount": 250}]
    again = ada.client.post("/api/wallet/transfers", json=body)
    assert again.status_code == 200 and again.json()["replayed"] is True
    unknown = ada.client.post(
        "/api/wallet/transfers", json={**body, "operation_id": "t-2", "email": "no@body.org"}
    )
    assert unknown.status_code == 422
    assert (unknown.json()["code"], unknown.json()["field"]) == ("unknown_recipient", "email")
    short = ada.client.post(
        "/api/wallet/transfers", json={**body, "operation_id": "t-3", "amount": 5000}
    )
    assert short.status_code == 409
    assert (short.json()["code"], short.json()["shortfall"]) == ("insufficient_funds", 4250)
    typo = ada.client.post("/api/wallet/transfers", json={**body, "amount": 2.5})
    assert typo.status_code == 400 and "amount" in typo.text
    for lax in ({"amount": "5"}, {"asset_id": "1"}, {"operation_id": 7}):  # never converted
        refused = ada.client.post(
            "/api/wallet/transfers", json={**body, "operation_id": "t-4", **lax}
        )
        assert refused.status_code == 400, (lax, refused.text)
        assert refused.json()["errors"][0]["key"] == next(iter(lax)), refused.text
    assert (shop.balance("ada@example.org"), shop.balance("bob@example.org")) == (750, 250)


def test_refill_and_refund(shop):
    ada = shop.login("ada@example.org")
    small = ada.client.post("/api/wallet/refills", json={"amount": 50})
    assert small.status_code == 422 and small.json()["field"] == "amount"
    refill_id = new_token()
    made = ada.client.post("/api/wallet/refills", json={"amount": 2000, "refill_id": refill_id})
    assert made.status_code == 201
    assert made.json()["status"] == "open"
    path = made.json()["checkout_url"].removeprefix("http://a.localhost")
    ada.get(path)
    ada.post(path, follow=False)  # the demo's payment page
    status = ada.client.get(f"/api/wallet/refills/{refill_id}", headers=JSON).json()
    assert status["status"] == "credited" and shop.balance("ada@example.org") == 2000

    request_id = new_token()
    refund = ada.client.post("/api/wallet/refunds", json={"amount": 500, "request_id": request_id})
    assert refund.status_code == 201 and refund.json()["status"] == "succeeded"
    assert refund.json()["parts"][0]["refund_id"].startswith("re_local_")
    assert ada.client.get(f"/api/wallet/refunds/{request_id}").json()["amount"] == 500
    too_much = ada.client.post(
        "/api/wallet/refunds", json={"amount": 1600, "request_id": new_token()}
    )
    assert too_much.status_code == 422 and too_much.json()["field"] == "amount"
    assert shop.balance("ada@example.org") == 1500

    bob = shop.login("bob@example.org")
    assert bob.client.get(f"/api/wallet/refills/{refill_id}").status_code == 404
    assert bob.client.get(f"/api/wallet/refunds/{request_id}").status_code == 404


def test_payment_requests_with_a_cashier_key(shop):
    shop.fund("ada@example.org", 1000)
    _record, key_a = shop.network.api_keys.create("a", Role.CASHIER, "caisse A")
    _record, key_b = shop.network.api_keys.create("b", Role.CASHIER, "caisse B")
    register = shop.visitor("a.localhost")
    bearer_a = {"authorization": f"Bearer {key_a}"}
    created = register.client.post(
        "/api/payment-requests", json={"amount": 350, "label": "Café"}, headers=bearer_a
    )
    assert created.status_code == 201
    req = created.json()
    assert req["pay_url"] == f"http://a.localhost/payer/{req['id']}" and req["status"] == "open"

    on_b = shop.visitor("b.localhost")
    bearer_b = {"authorization": f"Bearer {key_b}"}
    theirs = on_b.client.get(f"/api/payment-requests/{req['id']}", headers=bearer_b)
    assert theirs.status_code == 404
    assert (
        on_b.client.post("/api/payment-requests", json={"amount": 1}, headers=bearer_a).status_code
        == 403
    )  # A's key on B's address
    member = shop.login("ada@example.org")
    assert member.client.post("/api/payment-requests", json={"amount": 1}).status_code == 403
    assert member.client.get(f"/api/payment-requests/{req['id']}").status_code == 403

    view = member.client.get(f"/api/pay/{req['id']}").json()
    assert view["request"]["amount"] == 350 and view["shortfall"] == 0
    assert view["usable"][0]["take"] == 350
    paid = member.client.post(f"/api/pay/{req['id']}", json={})
    assert paid.status_code == 201 and paid.json()["request"]["status"] == "paid"
    again = member.client.post(f"/api/pay/{req['id']}", json={})
    assert again.status_code == 200 and again.json()["operation"]["replayed"] is True
    status = register.client.get(f"/api/payment-requests/{req['id']}", headers=bearer_a).json()
    assert status["status"] == "paid" and status["payer"] == "ada@example.org"
    assert status["legs"] == [{"asset_id": 1, "amount": 350}]
    listing = register.client.get("/api/payment-requests", headers=bearer_a).json()
    assert [r["id"] for r in listing] == [req["id"]]
    assert shop.balance("ada@example.org") == 650


def test_pay_shortfall_and_not_accepted_asset(shop):
    shop.fund("ada@example.org", 100)
    shop.fund("ada@example.org", 900, shop.alp.id)
    _record, key_b = shop.network.api_keys.create("b", Role.CASHIER, "caisse B")
    register = shop.visitor("b.localhost")
    created = register.client.post(
        "/api/payment-requests", json={"amount": 400},
        headers={"authorization": f"Bearer {key_b}"},
    ).json()  # fmt: skip
    ada = shop.login("ada@example.org", "b.localhost")
    short = ada.client.post(f"/api/pay/{created['id']}", json={})
    assert short.status_code == 409
    assert (short.json()["code"], short.json()["shortfall"]) == ("insufficient_funds", 300)
    forced = ada.client.post(f"/api/pay/{created['id']}", json={"asset_id": shop.alp.id})
    assert forced.status_code == 409 and forced.json()["code"] == "asset_not_accepted"
    lax = ada.client.post(f"/api/pay/{created['id']}", json={"asset_id": str(shop.alp.id)})
    assert lax.status_code == 400 and lax.json()["errors"][0]["key"] == "asset_id", lax.text
    assert shop.balance("ada@example.org") == 100
    assert shop.balance("ada@example.org", shop.alp.id) == 900


def test_the_api_is_in_openapi(shop):
    doc = shop.visitor().client.get("/schema/openapi.json").json()
    paths = ["/api/wallet", "/api/wallet/transfers", "/api/payment-requests"]
    paths += ["/api/pay/{request_id}", "/api/wallet/refills", "/api/wallet/refunds"]
    for path in paths:
        assert path in doc["paths"], path
    assert {"PaymentRequestIn", "TransferIn", "WalletOut"} <= set(doc["components"]["schemas"])
    assert "/caisse/qr" not in doc["paths"] and "/-/webhooks/payments" not in doc["paths"]


def test_transfer_only_where_the_asset_allows_it(shop):
    gift = shop.network.money.assets.create(issuer="a", code="AGF", name="Cadeau", category="gift")
    shop.fund("ada@example.org", 500, gift.id)
    shop.user_id("bob@example.org")
    ada = shop.login("ada@example.org")
    refused = ada.client.post(
        "/api/wallet/transfers",
        json={"operation_id": "g-1", "email": "bob@example.org", "asset_id": gift.id, "amount": 1},
    )
    assert refused.status_code == 409 and refused.json()["code"] == "action_not_allowed"
    assert shop.balance("bob@example.org", gift.id) == 0
    form = ada.get("/mon-compte/tirelire/donner")
    assert "Cadeau" not in form.text  # only transferable currencies are offered
