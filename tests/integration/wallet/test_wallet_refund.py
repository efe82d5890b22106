"""Refund requests through the web host with the local provider, and who refunds local money."""

from __future__ import annotations

from test_wallet_refill import _start

from core.payments import LocalProvider, PaymentError
from core.wallets.online import new_token
from tests.web_support import text_of


def _refill(shop, visitor, amount: str) -> None:
    """Refill through the form and the local payment page."""
    _refill_id, sent = _start(visitor, amount)
    path = sent.headers["location"].split("localhost", 1)[1]
    visitor.get(path)
    assert visitor.post(path, follow=False).status_code == 303


def test_refund_online_once_then_nothing_left(shop):
    ada = shop.login("ada@example.org")
    _refill(shop, ada, "20")
    shop.fund("ada@example.org", 500)  # offered: not refundable online
    form = ada.get("/mon-compte/tirelire/rembourser")
    body = text_of(form)
    assert "Solde : 25,00 FED" in body and "remboursable en ligne : 20,00 FED" in body
    assert "Le reste (5,00 FED) vient d'ailleurs" in body
    request_id = form.text.split('name="request" value="')[1].split('"')[0]
    assert 'name="amount" type="text" value="20,00"' in form.text

    too_much = ada.post("/mon-compte/tirelire/rembourser", {"request": request_id, "amount": "21"})
    assert too_much.status_code == 400
    assert "Saisissez un montant d'au plus 20,00 FED." in text_of(too_much)

    done = ada.post("/mon-compte/tirelire/rembourser", {"request": request_id, "amount": "12,50"})
    assert done.status_code == 200
    page = text_of(done)
    assert "12,50 FED est en route vers la carte bancaire qui a payé" in page
    assert "5 à 10 jours" in page
    again = ada.post("/mon-compte/tirelire/rembourser", {"request": request_id, "amount": "12,50"})
    assert again.url == done.url  # the same request: one refund
    assert shop.balance("ada@example.org") == 1250
    refunds = shop.network.online_refunds.of_user(shop.user_id("ada@example.org"))
    assert [(r.amount, r.status) for r in refunds] == [(1250, "succeeded")]
    assert "remboursable en ligne : 7,50 FED" in text_of(ada.get("/mon-compte/tirelire/rembourser"))

    bob = shop.login("bob@example.org")
    assert bob.get(done.url.path).status_code == 404


def test_local_currencies_say_who_refunds_them(shop):
    shop.fund("ada@example.org", 800, shop.alp.id)
    gift = shop.network.money.assets.create(
        issuer="b", code="BCD", name="Bêta cadeau", category="gift"
    )
    shop.fund("ada@example.org", 300, gift.id)
    ada = shop.login("ada@example.org")
    body = text_of(ada.get("/mon-compte/tirelire/rembourser"))
    assert "Alpha local · 8,00 ALP · Remboursée en euros par Alpha" in body
    assert "https://alpha.example" in body
    assert "Bêta cadeau · 3,00 BCD · Cadeau : non remboursable en euros." in body
    assert "Rien ne peut être remboursé en ligne pour l'instant." in body


class DownProvider:
    """The Refund API unreachable (the refund's first attempt)."""

    name = "local"

    def refund(self, payment_intent: str, amount: int, *, idempotency_key: str = ""):
        raise PaymentError("Stripe could not be reached to refund; please try again")


def test_a_failed_refund_is_shown_and_retried_once(shop):
    ada = shop.login("ada@example.org")
    _refill(shop, ada, "10")
    user_id = shop.user_id("ada@example.org")
    failed = shop.network.online_refunds.request(
        DownProvider(), request_id=new_token(), user_id=user_id, amount=400
    )
    page = ada.get(f"/mon-compte/tirelire/remboursement/{failed.id}")
    body = text_of(page)
    assert "Le remboursement n'a pas pu être envoyé : Stripe could not be reached" in body
    assert "Les 4,00 FED sont mis de côté pour vous." in body
    retried = ada.post(f"/mon-compte/tirelire/remboursement/{failed.id}/relancer")
    assert "4,00 FED est en route" in text_of(retried)
    ada.post(f"/mon-compte/tirelire/remboursement/{failed.id}/relancer")
    refill = shop.network.online_refills.of_user(user_id)[0]
    provider = LocalProvider("", "http://a.localhost", demo=True, store=shop.network.store)
    assert provider.refundable(refill.payment_intent) == 600  # refunded once
    assert shop.balance("ada@example.org") == 600
