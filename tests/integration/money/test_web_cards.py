"""Cards through the pages: CSV import with its report, staff cards, the card's QR page, "Ma carte".

The QR page never logs anyone in and never shows a balance; claiming fuses the anonymous
balance into the person's wallet; a card claimed by someone else cannot be claimed.
"""

from __future__ import annotations

from core.accounts import Role
from core.wallets import WalletRef
from hosts.web.auth import SESSION_COOKIE

CSV = "uid,number,qr_id\n04A1B2C3,0001,qr-card-0001\nZZ,0002\n04A1B2C4,0003\n04A1B2C3,0004\n"


def test_import_page_reports_rejected_rows_and_lists_the_imported_cards(money_world):
    network = money_world.network
    admin = money_world.login("admin@bisik.fr", "bisik.localhost")
    admin.get("/admin/cartes")
    empty = admin.post("/admin/cartes/import", {"lines": "  "})
    assert empty.status_code == 400 and "Choisissez un fichier CSV" in empty.text
    report = admin.post(
        "/admin/cartes/import",
        {"lines": ""},
        files={"file": ("cartes.csv", CSV.encode(), "text/csv")},
    )
    assert report.status_code == 200
    text = report.text
    assert "2 cartes importées." in text and "2 lignes refusées :" in text
    assert "<td>3</td><td>l&#39;UID n&#39;est pas hexadécimal</td>" in text
    assert "<td>5</td><td>une ligne précédente du fichier a la même carte</td>" in text
    assert "/carte/qr-card-0001" in text  # the imported cards, with their QR pages
    assert {c.imported_by for c in network.money.cards.imported_by("bisik")} == {"bisik"}
    pasted = admin.post("/admin/cartes/import", {"lines": "04A1B2C3,0009\n"})
    assert "cette carte est déjà enregistrée dans le réseau" in pasted.text
    other = money_world.login("admin@claf.fr", "claf.localhost")
    assert "qr-card-0001" not in other.get("/admin/cartes").text  # another instance's list


def test_staff_cards_are_tied_and_untied_by_the_admin(money_world):
    network = money_world.network
    card = network.money.cards.add(uid="04A1B2C3", number="0001")
    admin = money_world.login("admin@bisik.fr", "bisik.localhost")
    admin.get("/admin/cartes")
    unknown = admin.post("/admin/cartes/personnel", {"card": "9999"})
    assert unknown.status_code == 400 and "Cette carte est inconnue." in unknown.text
    assert 'value="9999"' in unknown.text
    tied = admin.post("/admin/cartes/personnel", {"card": "04:a1:b2:c3"})
    assert "La carte du personnel est enregistrée." in tied.text
    assert network.money.cards.is_primary_for(network.money.cards.get(card.id), "bisik")
    other = money_world.login("admin@claf.fr", "claf.localhost")
    other.get("/admin/cartes")
    assert other.post(f"/admin/cartes/personnel/{card.id}/retirer").status_code == 404
    untied = admin.post(f"/admin/cartes/personnel/{card.id}/retirer")
    assert "n&#39;est plus une carte du personnel" in untied.text
    assert network.money.cards.primary_cards("bisik") == []


def test_the_qr_page_never_logs_in_nor_shows_a_balance_and_claims_fuse(money_world):
    network = money_world.network
    card = network.money.cards.add(uid="04A1B2C3", number="0001", qr_id="qr-card-0001")
    money_world.grant(WalletRef.card(card.id), 4200)
    stranger = money_world.browser("bisik.localhost")
    page = stranger.get("/carte/qr-card-0001")
    assert page.status_code == 200
    assert "Carte 0001" in page.text
    assert "42.00" not in page.text and "42,00" not in page.text  # no balance for a stranger
    assert SESSION_COOKIE not in page.headers.get("set-cookie", "")  # nobody is logged in
    assert "/connexion?suite=/carte/qr-card-0001" in page.text
    assert stranger.get("/carte/inconnue-0000").status_code == 404
    refused = stranger.post("/carte/qr-card-0001", follow=False)
    assert refused.status_code in {401, 302, 303}
    assert network.money.cards.get(card.id).owner == ""

    alice = money_world.login("membre@bisik.fr", "bisik.localhost")
    offer = alice.get("/carte/qr-card-0001").text
    assert "Lier cette carte à mon compte" in offer and "42.00" not in offer
    linked = alice.post("/carte/qr-card-0001")
    assert "La carte est liée à votre compte" in linked.text
    alice_id = network.accounts.user_by_email("membre@bisik.fr").id
    assert money_world.balance(WalletRef.user(alice_id)) == 4200
    assert money_world.balance(WalletRef.card(card.id)) == 4200  # the card is her wallet's key
    assert "Cette carte est liée à votre compte." in alice.get("/carte/qr-card-0001").text

    bob = money_world.login("caisse@bisik.fr", "bisik.localhost")
    seen = bob.get("/carte/qr-card-0001").text
    assert "Cette carte appartient à quelqu" in seen and "42.00" not in seen
    stolen = bob.post("/carte/qr-card-0001")
    assert stolen.status_code == 409 and "appartient déjà à quelqu" in stolen.text
    assert network.money.cards.get(card.id).owner == alice_id


def test_my_card_links_by_qr_or_number_and_declares_lost(money_world):
    network = money_world.network
    money = network.money
    full = money.cards.add(uid="04A1B2C3", number="0001", qr_id="qr-card-0001")
    empty = money.cards.add(uid="04A1B2C4", number="0002")
    spare = money.cards.add(uid="04A1B2C5", number="0003", qr_id="qr-card-0003")
    money_world.grant(WalletRef.card(full.id), 1500)
    me = money_world.login("membre@bisik.fr", "bisik.localhost")
    assert "Ma carte" in me.get("/mon-compte").text
    me.get("/mon-compte/carte")
    guessed = me.post("/mon-compte/carte/lier", {"card": "0001"})  # a number, and it holds money
    assert guessed.status_code == 400
    assert "Cette carte contient de l&#39;argent : scannez son QR code" in guessed.text
    assert 'value="0001"' in guessed.text and money.cards.get(full.id).owner == ""
    by_url = me.post("/mon-compte/carte/lier", {"card": "https://x.example/carte/qr-card-0001"})
    assert "La carte est liée à votre compte" in by_url.text
    by_number = me.post("/mon-compte/carte/lier", {"card": " 0002 "})
    assert by_number.status_code == 200
    page = me.get("/mon-compte/carte").text
    assert "0001" in page and "0002" in page
    me_id = network.accounts.user_by_email("membre@bisik.fr").id
    assert money_world.balance(WalletRef.user(me_id)) == 1500

    lost = me.post(f"/mon-compte/carte/{empty.id}/perdue", {"replacement": ""})
    assert "La carte est déclarée perdue" in lost.text
    assert money.cards.get(empty.id).lost
    replaced = me.post(f"/mon-compte/carte/{full.id}/perdue", {"replacement": "qr-card-0003"})
    assert "remplacée : la nouvelle carte vous est liée" in replaced.text
    assert money.cards.get(spare.id).owner == me_id
    assert money.cards.get(full.id).replaced_by == spare.id
    assert "perdue, remplacée par 0003" in replaced.text
    assert money_world.balance(WalletRef.user(me_id)) == 1500  # balances stay in my wallet
    other = money_world.login("caisse@bisik.fr", "bisik.localhost")
    other.get("/mon-compte/carte")
    assert (
        other.post(f"/mon-compte/carte/{spare.id}/perdue", {"replacement": ""}).status_code == 404
    )
    cashier = money_world.api("bisik", Role.CASHIER)
    paid = cashier.post(
        "/api/sales", {"operation_id": "p-1", "amount": 100, "card_uid": "04A1B2C3"}
    )
    assert paid.status_code == 409 and paid.json()["code"] == "card_lost"
    paid = cashier.post(
        "/api/sales", {"operation_id": "p-2", "amount": 100, "card_uid": "04A1B2C5"}
    )
    assert paid.status_code == 201 and money_world.balance(WalletRef.user(me_id)) == 1400
