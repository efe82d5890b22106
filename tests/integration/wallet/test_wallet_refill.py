"""Refill by online payment with the demo's local provider: the whole loop in the web host.

The form opens a checkout, the local payment page confirms it through the signed-webhook
path, the success page shows the credit. The webhook route itself: bad signatures refused,
replays credited once.
"""

from __future__ import annotations

import json
import time

from core.payments import LocalProvider
from core.payments.webhooks import sign
from tests.web_support import text_of


def _start(visitor, amount: str):
    form = visitor.get("/mon-compte/tirelire/recharger")
    assert form.status_code == 200
    refill = form.text.split('name="refill" value="')[1].split('"')[0]
    return refill, visitor.post(
        "/mon-compte/tirelire/recharger", {"refill": refill, "amount": amount}, follow=False
    )


def test_the_local_provider_full_loop(shop):
    ada = shop.login("ada@example.org")
    refill_id, sent = _start(ada, "25")
    assert sent.status_code == 303
    checkout_url = sent.headers["location"]
    assert checkout_url.startswith("http://a.localhost/-/local-pay/cs_local_")
    path = checkout_url.removeprefix("http://a.localhost")

    waiting = ada.get(f"/mon-compte/tirelire/recharge/{refill_id}")  # back before paying
    assert "Paiement en cours de confirmation" in text_of(waiting)
    assert '<meta http-equiv="refresh" content="3">' in waiting.text
    assert shop.balance("ada@example.org") == 0

    pay_page = ada.get(path)
    assert pay_page.status_code == 200 and "25,00 €" in text_of(pay_page)
    paid = ada.post(path, follow=False)
    assert paid.status_code == 303
    assert (
        paid.headers["location"] == f"http://a.localhost/mon-compte/tirelire/recharge/{refill_id}"
    )
    done = text_of(ada.get(f"/mon-compte/tirelire/recharge/{refill_id}"))
    assert "Votre tirelire a été créditée de 25,00 FED." in done
    assert "Nouveau solde : 25,00 FED" in done
    assert shop.balance("ada@example.org") == 2500

    ada.get(path)
    again = ada.post(path, follow=False)  # a double click on "pay"
    assert again.status_code == 303
    assert shop.balance("ada@example.org") == 2500


def test_double_submitted_form_opens_one_checkout(shop):
    ada = shop.login("ada@example.org")
    refill_id, first = _start(ada, "10")
    second = ada.post(
        "/mon-compte/tirelire/recharger", {"refill": refill_id, "amount": "10"}, follow=False
    )
    assert first.headers["location"] == second.headers["location"]


def test_amount_errors_name_the_field(shop):
    ada = shop.login("ada@example.org")
    for typed in ("0,50", "500,01", "douze", ""):
        _refill, answer = _start(ada, typed)
        assert answer.status_code == 400, typed
        body = text_of(answer)
        assert "Saisissez un montant entre 1,00 FED et 500,00 FED." in body
        assert 'aria-describedby="e-amount"' in answer.text
        assert f'value="{typed}"' in answer.text
    assert shop.network.online_refills.of_user(shop.user_id("ada@example.org")) == []


def test_cancel_page_and_other_people_refills(shop):
    ada = shop.login("ada@example.org")
    refill_id, _sent = _start(ada, "12,50")
    cancelled = text_of(ada.get(f"/mon-compte/tirelire/recharge/{refill_id}/annulee"))
    assert "Paiement annulé" in cancelled and "rien n'a été débité" in cancelled
    bob = shop.login("bob@example.org")
    assert bob.get(f"/mon-compte/tirelire/recharge/{refill_id}").status_code == 404
    assert ada.get("/mon-compte/tirelire/recharge/not-an-id").status_code == 404


def _event_for(shop, refill_id: str):
    """The signed event the local provider makes when the checkout of ``refill_id`` is paid."""
    refill = shop.network.online_refills.get(refill_id)
    provider = LocalProvider("", "http://a.localhost", demo=True, store=shop.network.store)
    return provider, provider.confirm(refill.checkout_id)


def test_webhook_signature_and_replay(shop):
    ada = shop.login("ada@example.org")
    refill_id, _sent = _start(ada, "30")
    provider, (payload, header) = _event_for(shop, refill_id)
    hook = shop.visitor("localhost")  # Stripe calls the network's address, without a session

    def post(body: bytes, signature: str):
        headers = {"stripe-signature": signature, "content-type": "application/json"}
        return hook.client.post("/-/webhooks/payments", content=body, headers=headers)

    tampered = payload.replace(b'"amount_total":3000', b'"amount_total":300000')
    assert tampered != payload
    refused = post(tampered, header)
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "bad_webhook"
    assert post(payload, "").status_code == 400
    stale = sign(payload, provider.webhook_secret, timestamp=int(time.time()) - 3600)
    assert post(payload, stale).status_code == 400
    assert shop.balance("ada@example.org") == 0

    first = post(payload, header)
    assert first.status_code == 200 and first.json()["result"] == "credited"
    replay = post(payload, header)
    assert replay.status_code == 200 and replay.json()["replay"] is True
    # the same checkout confirmed by another event (async_payment_succeeded): credits once
    other = json.loads(payload)
    other["id"] = "evt_local_other"
    other["type"] = "checkout.session.async_payment_succeeded"
    body = json.dumps(other).encode()
    second = post(body, sign(body, provider.webhook_secret))
    assert second.status_code == 200 and second.json()["result"] == "already credited"
    assert shop.balance("ada@example.org") == 3000

    ignored_body = json.dumps({"id": "evt_x", "type": "customer.created", "created": 1,
                               "data": {"object": {"id": "cus_1"}}}).encode()  # fmt: skip
    ignored = post(ignored_body, sign(ignored_body, provider.webhook_secret))
    assert ignored.status_code == 200 and ignored.json()["result"] == "ignored"


def test_the_local_page_is_refused_outside_the_demo(tmp_path, shop):
    from core import Network, load_settings
    from tests.web_support import Visitor

    network = Network.open(load_settings(tmp_path / "real"))  # demo = false, no Stripe
    try:
        visitor = Visitor(network, "localhost")
        try:
            page = visitor.get("/-/local-pay/cs_local_0000")
            assert page.status_code == 404
            hook = visitor.client.post("/-/webhooks/payments", content=b"{}")
            assert hook.status_code == 503
        finally:
            visitor.close()
    finally:
        network.close()
