"""The wallet page, its history and person-to-person transfer, through the web host."""

from __future__ import annotations

from core.wallets import WalletRef
from tests.web_support import text_of


def test_the_account_page_links_the_wallet(shop):
    ada = shop.login("ada@example.org")
    account = ada.get("/mon-compte")
    assert 'href="/mon-compte/tirelire"' in account.text and "Ma tirelire" in account.text


def test_wallet_shows_balances_acceptance_and_last_transaction(shop):
    shop.fund("ada@example.org", 1250)
    shop.fund("ada@example.org", 500, shop.alp.id)
    shop.network.money.federations.invite(shop.alp.id, "b", by_instance="a", author="t")
    shop.network.money.federations.accept(shop.alp.id, "b", author="t")
    ada = shop.login("ada@example.org")
    page = ada.get("/mon-compte/tirelire")
    assert page.status_code == 200
    body = text_of(page)
    assert "12,50 FED" in body and "5,00 ALP" in body
    assert "Tous les collectifs du réseau" in body
    assert "Alpha, Bêta" in body
    assert "Crédit offert" in body and "+12,50 FED" in body
    assert "Générer un QR Code de paiement" not in body  # not staff


def test_history_pages(shop):
    for _ in range(25):
        shop.fund("ada@example.org", 100)
    ada = shop.login("ada@example.org")
    first = ada.get("/mon-compte/tirelire/historique/1")
    assert first.status_code == 200
    assert first.text.count("+1,00 FED") == 20 and "25,00 FED" in first.text
    assert 'rel="next"' in first.text
    nxt = first.text.split('href="/mon-compte/tirelire/historique/1?avant=')[1].split('"')[0]
    second = ada.get(f"/mon-compte/tirelire/historique/1?avant={nxt}")
    assert second.text.count("+1,00 FED") == 5 and 'rel="next"' not in second.text
    assert ada.get("/mon-compte/tirelire/historique/99").status_code == 404


def test_a_person_only_sees_their_own_wallet(shop):
    shop.fund("ada@example.org", 4200)
    bob = shop.login("bob@example.org")
    page = text_of(bob.get("/mon-compte/tirelire"))
    assert "42,00" not in page and "0,00 FED" in page
    anonymous = shop.visitor()
    answer = anonymous.get("/mon-compte/tirelire", follow=False)
    assert answer.status_code in {302, 303}
    assert answer.headers["location"] == "/connexion?suite=%2Fmon-compte%2Ftirelire"


def test_transfer_by_email_once(shop):
    shop.fund("ada@example.org", 1000)
    shop.user_id("bob@example.org")
    ada = shop.login("ada@example.org")
    form = ada.get("/mon-compte/tirelire/donner")
    assert form.status_code == 200
    operation = form.text.split('name="operation" value="')[1].split('"')[0]
    fields = {"operation": operation, "asset": "1", "email": "bob@example.org", "amount": "3,50"}
    done = ada.post("/mon-compte/tirelire/donner", fields)
    assert done.status_code == 200 and "L'argent a été donné." in text_of(done)
    again = ada.post("/mon-compte/tirelire/donner", fields)  # the same form, submitted twice
    assert again.status_code == 200
    assert shop.balance("ada@example.org") == 650
    assert shop.balance("bob@example.org") == 350


def test_transfer_errors_name_the_field_and_keep_what_was_typed(shop):
    shop.fund("ada@example.org", 1000)
    ada = shop.login("ada@example.org")
    form = ada.get("/mon-compte/tirelire/donner")
    operation = form.text.split('name="operation" value="')[1].split('"')[0]
    unknown = ada.post(
        "/mon-compte/tirelire/donner",
        {"operation": operation, "asset": "1", "email": "nobody@nowhere.org", "amount": "2"},
    )
    assert unknown.status_code == 400
    assert "Personne dans le réseau n'utilise cette adresse" in text_of(unknown)
    assert 'value="nobody@nowhere.org"' in unknown.text
    shop.user_id("bob@example.org")
    too_much = ada.post(
        "/mon-compte/tirelire/donner",
        {"operation": operation, "asset": "1", "email": "bob@example.org", "amount": "12,00"},
    )
    assert too_much.status_code == 409 and "il manque 2,00 FED" in text_of(too_much)
    bad = ada.post(
        "/mon-compte/tirelire/donner",
        {"operation": operation, "asset": "1", "email": "bob@example.org", "amount": "1,234"},
    )
    assert bad.status_code == 400 and 'aria-invalid="true" aria-describedby="e-amount"' in bad.text
    assert shop.balance("ada@example.org") == 1000
    assert shop.network.money.balance(WalletRef.user(shop.user_id("bob@example.org")), 1) == 0


def test_transfer_needs_csrf(shop):
    shop.fund("ada@example.org", 1000)
    ada = shop.login("ada@example.org")
    ada.get("/mon-compte/tirelire/donner")
    refused = ada.post(
        "/mon-compte/tirelire/donner",
        {"operation": "0" * 32, "asset": "1", "email": "bob@example.org", "amount": "1"},
        csrf=False,
    )
    assert refused.status_code == 403
    assert shop.balance("ada@example.org") == 1000


def test_claimed_cards_show_the_balances_they_pay_from(shop):
    money = shop.network.money
    card = money.cards.add(uid="04:A1:B2:C3", number="0042")
    money.grant(operation_id="card-gift", wallet=WalletRef.card(card.id), asset_id=1, amount=900)
    money.cards.claim(card.id, shop.user_id("ada@example.org"))  # its 9,00 join the wallet
    ada = shop.login("ada@example.org")
    body = text_of(ada.get("/mon-compte/tirelire"))
    assert "Mes cartes" in body and "carte 0042 active 9,00 FED" in body
    assert "Carte fusionnée" in body  # the last transaction: the claim's fusion
    cards = ada.client.get("/api/wallet").json()["cards"]
    assert cards == [{"number": "0042", "lost": False}]


def test_english_and_the_network_home(shop):
    shop.fund("ada@example.org", 1250)
    home = shop.login("ada@example.org", "localhost")
    assert home.get("/mon-compte/tirelire").status_code == 200
    home.post("/-/langue", {"lang": "en", "suite": "/mon-compte/tirelire"})
    english = text_of(home.get("/mon-compte/tirelire"))
    assert "My wallet" in english and "12.50 FED" in english
    assert "Every collective of the network" in english


def test_every_wallet_form_needs_its_csrf_token(shop):
    shop.fund("ada@example.org", 1000)
    request = shop.network.payment_requests.create("a", 100)
    ada = shop.login("ada@example.org")
    ada.get("/mon-compte/tirelire")
    for path in ("/mon-compte/tirelire/donner", "/mon-compte/tirelire/recharger",
                 "/mon-compte/tirelire/rembourser", f"/payer/{request.id}"):  # fmt: skip
        refused = ada.post(path, {"amount": "1", "asset": "1"}, csrf=False)
        assert refused.status_code == 403, path
    cora = shop.login("cora@a.fr")
    cora.get("/caisse/qr")
    assert cora.post("/caisse/qr", {"amount": "1"}, csrf=False).status_code == 403
    assert shop.balance("ada@example.org") == 1000
    assert shop.network.payment_requests.get(request.id).status == "open"
    assert len(shop.network.payment_requests.of_instance("a")) == 1
