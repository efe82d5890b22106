"""The wallet's refill and refund pages with the Stripe provider, over HTTP, end to end.

The web host runs with ``payment_provider = "stripe"`` and the real ``stripe`` library. Its API
base is a small router on 127.0.0.1 that sends ``/v1/checkout/sessions`` to the Checkout fake
(localstripe has no Checkout) and everything else to localstripe: the payment intent, its
charge and the refund are localstripe's own. The webhook is signed by the test with Stripe's
scheme, written out independently of the code under test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from payments_support import API_KEY, FakeCheckoutSessions, Served, serve

from core.instances import Instance
from core.payments import StripeProvider
from core.wallets import WalletRef
from tests.smtp_server import SmtpServer
from tests.web_support import Visitor, link_in, open_network

SECRET = "whsec_web_tests"


def _router(checkout: str, localstripe: str) -> Served:
    """Forward Checkout Session calls to the fake, the rest to localstripe (bodies as they are)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _forward(self) -> None:
            base = checkout if self.path.startswith("/v1/checkout/sessions") else localstripe
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            outgoing = urllib.request.Request(
                base + self.path, data=body, headers=headers, method=self.command
            )
            try:
                with urllib.request.urlopen(outgoing, timeout=10) as answer:
                    status, raw, kind = answer.status, answer.read(), answer.headers
            except urllib.error.HTTPError as failed:
                status, raw, kind = failed.code, failed.read(), failed.headers
            self.send_response(status)
            self.send_header("Content-Type", kind.get("Content-Type", "application/json"))
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_DELETE = _forward

    return serve(Handler)


@pytest.fixture
def stripe_shop(tmp_path, localstripe: str, fake_checkout: FakeCheckoutSessions) -> Iterator:
    router = _router(fake_checkout.url, localstripe)
    with SmtpServer() as smtp:
        network = open_network(
            tmp_path / "data", smtp.port, payment_provider="stripe", stripe_api_key=API_KEY,
            stripe_webhook_secret=SECRET, stripe_api_base=router.url,
        )  # fmt: skip
        network.instances.create(Instance(slug="a", name="Alpha"))
        visitor = Visitor(network, "a.localhost")
        try:
            visitor.get("/connexion")
            visitor.post("/connexion", {"email": "ada@example.org"})
            visitor.open_link(link_in(smtp.messages[-1]))
            yield network, visitor
            assert network.money.check_invariants().ok
        finally:
            visitor.close()
            network.close()
            router.stop()


def _signed(event: dict) -> tuple[bytes, str]:
    payload = json.dumps(event).encode()
    ts = int(time.time())
    mac = hmac.new(SECRET.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={ts},v1={mac}"


def _paid_intent(localstripe: str, amount: int) -> str:
    """A succeeded payment intent on localstripe (what Checkout makes when the card pays)."""
    client = StripeProvider(API_KEY, SECRET, api_base=localstripe, max_network_retries=0).client
    intent = client.v1.payment_intents.create(
        params={"amount": amount, "currency": "eur", "payment_method": "pm_card_visa"}
    )
    return str(client.v1.payment_intents.confirm(intent.id).id)


def test_refill_through_stripe_then_refund(stripe_shop, localstripe, fake_checkout):
    network, ada = stripe_shop
    form = ada.get("/mon-compte/tirelire/recharger")
    refill_id = form.text.split('name="refill" value="')[1].split('"')[0]
    sent = ada.post("/mon-compte/tirelire/recharger", {"refill": refill_id, "amount": "20"},
                    follow=False)  # fmt: skip
    assert sent.status_code == 303
    [created] = [r for r in fake_checkout.requests if r.method == "POST"]
    session_id = sent.headers["location"].rsplit("/", 1)[1]
    assert sent.headers["location"] == f"https://checkout.stripe.com/c/pay/{session_id}"
    assert created.form["line_items[0][price_data][unit_amount]"] == "2000"
    assert (
        created.form["success_url"]
        == f"http://a.localhost/mon-compte/tirelire/recharge/{refill_id}"
    )
    assert created.form["metadata[refill]"] == refill_id

    # the payer pays on Stripe's page: a real payment intent, then the session completes
    intent = _paid_intent(localstripe, 2000)
    fake_checkout.pay(session_id, payment_intent=intent)
    event = {
        "id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": "checkout.session.completed",
        "created": int(time.time()), "data": {"object": fake_checkout.sessions[session_id]},
    }  # fmt: skip
    payload, header = _signed(event)
    stripe_calls = Visitor(network, "localhost")
    try:
        hook = stripe_calls.client.post(
            "/-/webhooks/payments", content=payload,
            headers={"stripe-signature": header, "content-type": "application/json"},
        )  # fmt: skip
        assert hook.status_code == 200 and hook.json()["result"] == "credited"
        replay = stripe_calls.client.post(
            "/-/webhooks/payments", content=payload,
            headers={"stripe-signature": header, "content-type": "application/json"},
        )  # fmt: skip
        assert replay.json()["replay"] is True
    finally:
        stripe_calls.close()
    user = network.accounts.user_by_email("ada@example.org")
    assert network.money.balance(WalletRef.user(user.id), 1) == 2000
    assert "Paiement reçu" in ada.get(f"/mon-compte/tirelire/recharge/{refill_id}").text

    # refund 7,50 € through the Refund API (localstripe)
    page = ada.get("/mon-compte/tirelire/rembourser")
    request_id = page.text.split('name="request" value="')[1].split('"')[0]
    done = ada.post("/mon-compte/tirelire/rembourser", {"request": request_id, "amount": "7,50"})
    assert done.status_code == 200
    [refund] = network.online_refunds.of_user(user.id)
    assert refund.status == "succeeded" and refund.parts[0].refund_id.startswith("re_")
    provider = StripeProvider(API_KEY, SECRET, api_base=localstripe, max_network_retries=0)
    assert provider.refundable(intent) == 1250
    assert network.money.balance(WalletRef.user(user.id), 1) == 1250
