"""Phase 2 of the CLAF (issue 6): accepting CLA, and paying producers by QR code and by card.

Through the web host, on the plugin's test network (``conftest.py``): a producer accepts the
fund's currency in "Invitations d'actifs" and then appears among the asset's federated places,
in the breakdown and on "Où payer", and its "Ma tirelire" lists CLA among what it accepts; a
beneficiary sees its CLA balance and history; it pays a producer by payment QR code (only one
that accepted CLA, never more than its balance) and by card at the stall, the producer's
terminal in charge mode. Every test ends with the money invariants and the ledger verified.
"""

from __future__ import annotations

import datetime

from core.accounts import Role
from core.terminals.signing import new_private_key
from core.wallets import PRIMARY_ASSET_ID, ActionKind, WalletRef
from plugins.claf.amounts import month_of
from tests.integration.claf.test_claf_web import token_of
from tests.integration.test_web_terminals import Device
from tests.web_support import text_of

TODAY = datetime.date.today()


def _staff(world, email: str, slug: str, role: Role = Role.ADMIN) -> None:
    user = world.user(email)
    world.network.store.write(lambda tx: world.network.accounts.grant(tx, slug, user.id, role))


def _granted(world, email: str, allocation: str = "50,00", card: str = ""):
    """A beneficiary registered by the fund, granted this month's allocation."""
    beneficiary = world.beneficiary(email, allocation, card=card)
    report = world.claf.allocate("claf", month_of(TODAY), author="admin@claf.fr")
    assert {line.email: line.status for line in report.lines}[email] == "granted"
    return beneficiary


def _ask(world, slug: str, cents: int, label: str = "Pâtes") -> str:
    """A payment request of ``slug`` (what its cashier's page makes); its id."""
    return world.network.payment_requests.create(slug, cents, label=label, author="test").id


# -- accepting CLA ---------------------------------------------------------------------------


def test_accepting_cla_lists_the_producer_everywhere_and_its_wallet_shows_cla(claf_world):
    _staff(claf_world, "admin@cidrerie.fr", "cidrerie")
    cidrerie = claf_world.visitor("cidrerie", "admin@cidrerie.fr")
    before = cidrerie.get("/mon-compte/tirelire")
    assert "Monnaies acceptées par La Cidrerie" in before.text
    accepted_part = before.text.split('class="accepted-here"', 1)[1].split("</table>", 1)[0]
    assert "Euro fédéré" in accepted_part and "CLAF-outils" not in accepted_part
    fund_admin = claf_world.visitor("claf", "admin@claf.fr")
    asset_page = fund_admin.get(f"/admin/actifs/{claf_world.cla.id}")
    assert "Invitation envoyée, en attente de réponse" in asset_page.text

    invitations = cidrerie.get("/admin/invitations")
    assert "CLAF-outils" in invitations.text and "CLAF de Flers" in invitations.text
    done = cidrerie.post(f"/admin/invitations/{claf_world.cla.id}/accepter")
    assert "Acceptée : ce collectif accepte désormais cet actif" in done.text

    asset_page = fund_admin.get(f"/admin/actifs/{claf_world.cla.id}")
    row = asset_page.text.split("La Cidrerie", 1)[1].split("</tr>", 1)[0]
    assert "Acceptée" in row
    after = cidrerie.get("/mon-compte/tirelire")
    accepted_part = after.text.split('class="accepted-here"', 1)[1].split("</table>", 1)[0]
    assert "CLAF-outils" in accepted_part and "CLAF de Flers" in accepted_part
    wallet = cidrerie.client.get("/api/wallet").json()
    assert [a["code"] for a in wallet["accepted_here"]] == ["FED", "CLA"]
    assert "CLAF-outils" in cidrerie.get("/admin/actifs").text
    treasurer = claf_world.visitor("claf", "tresorier@claf.fr")
    assert 'id="lieu-cidrerie"' in treasurer.get("/claf/ventilation").text
    assert "La Cidrerie" in claf_world.visitor("claf").get("/claf/lieux").text
    # on the network's home, the wallet lists no collective's currencies
    assert (
        claf_world.visitor("", "admin@cidrerie.fr")
        .client.get("/api/wallet")
        .json()["accepted_here"]
        == []
    )


def test_a_beneficiary_sees_its_cla_balance_and_history(claf_world):
    alice = _granted(claf_world, "alice@example.org")
    claf_world.pay(alice, "goulues", 1250)
    for host in ("claf", "goulues"):
        browser = claf_world.visitor(host, "alice@example.org")
        wallet = browser.get("/mon-compte/tirelire")
        row = wallet.text.split("<strong>CLAF-outils</strong>", 1)[1].split("</tr>", 1)[0]
        assert "37,50 CLA" in row
        assert "CLAF de Flers, La Ferme du Bocage, Les Goulues, Pâtes du Cotentin" in row
        assert "Paiement · -12,50 CLA · Les Goulues, Pâtes du Cotentin" in row
    text = text_of(browser.get(f"/mon-compte/tirelire/historique/{claf_world.cla.id}"))
    assert "Solde : 37,50 CLA" in text
    assert "Paiement Les Goulues, Pâtes du Cotentin -12,50 CLA" in text
    assert "Crédit offert CLAF de Flers +50,00 CLA" in text
    api = browser.client.get("/api/wallet").json()
    (cla,) = [b for b in api["balances"] if b["asset"]["code"] == "CLA"]
    assert cla["amount"] == 3750 and cla["accepted_by"] == ["claf", "ferme", "goulues"]


# -- paying by payment QR code -----------------------------------------------------------------


def test_a_qr_code_pays_a_producer_in_cla_once(claf_world):
    alice = _granted(claf_world, "alice@example.org")
    staff = claf_world.visitor("goulues", "admin@goulues.fr")
    staff.get("/caisse/qr")
    shown = staff.post("/caisse/qr", {"amount": "12,50", "label": "Pâtes fraîches"})
    assert shown.status_code == 200 and "En attente du paiement de 12,50 FED" in shown.text
    request_id = shown.url.path.rsplit("/", 1)[1]
    assert f"http://goulues.localhost/payer/{request_id}" in shown.text

    payer = claf_world.visitor("goulues", "alice@example.org")
    confirm = payer.get(f"/payer/{request_id}")
    usable = confirm.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "CLAF-outils" in usable and "50,00 CLA" in usable and "12,50 CLA" in usable
    assert 'id="not-accepted"' not in confirm.text and "il manque" not in confirm.text
    paid = payer.post(f"/payer/{request_id}")
    assert paid.status_code == 200 and "Payé. Merci !" in paid.text
    again = payer.post(f"/payer/{request_id}")  # a double click: nothing more moves
    assert again.status_code == 200
    assert claf_world.balance(WalletRef.user(alice.user_id)) == 3750
    assert claf_world.balance(WalletRef.instance("goulues")) == 1250
    assert claf_world.balance(WalletRef.user(alice.user_id), _fed(claf_world)) == 0

    status = staff.get(f"/caisse/qr/{request_id}")
    assert "Payé : 12,50 CLA par alice@example.org" in status.text
    producer = claf_world.visitor("goulues", "tresorier@goulues.fr").get("/claf/producteur")
    assert "Solde : 12,50 CLA" in producer.text and "Paiements : 1" in producer.text
    treasurer = claf_world.visitor("claf", "tresorier@claf.fr").get("/claf/ventilation")
    row = treasurer.text.split('id="lieu-goulues"', 1)[1].split("</tr>", 1)[0]
    assert "12,50 CLA" in row


def test_a_producer_that_did_not_accept_cla_cannot_be_paid_in_cla(claf_world):
    alice = _granted(claf_world, "alice@example.org")
    payer = {slug: claf_world.visitor(slug, "alice@example.org") for slug in ("cidrerie", "bisik")}
    for slug, name in (("cidrerie", "La Cidrerie"), ("bisik", "Le Bisik")):
        request_id = _ask(claf_world, slug, 1250)
        page = payer[slug].get(f"/payer/{request_id}")
        assert f"{name} n'accepte pas CLAF-outils : impossible de payer ici" in text_of(page)
        assert "Non accepté ici : 50,00 CLA" in page.text
        refused = payer[slug].post(f"/payer/{request_id}")
        assert refused.status_code == 409
        assert "Solde insuffisant : il manque 12,50 FED." in text_of(refused)
        assert f"{name} n'accepte pas CLAF-outils" in text_of(refused)
        named = payer[slug].post(f"/payer/{request_id}", {"asset": str(claf_world.cla.id)})
        assert named.status_code == 409
        assert "Ce collectif n'accepte pas cet actif." in text_of(named)
        api = payer[slug].client.post(
            f"/api/pay/{request_id}", json={"asset_id": claf_world.cla.id}
        )
        assert api.status_code == 409 and api.json()["code"] == "asset_not_accepted"
        assert claf_world.network.payment_requests.get(request_id).status == "open"
    assert claf_world.balance(WalletRef.user(alice.user_id)) == 5000
    assert claf_world.network.money.instance_balances(claf_world.cla.id) == []


def test_paying_more_than_the_balance_by_qr_code_shows_the_shortfall(claf_world):
    alice = _granted(claf_world, "alice@example.org")
    request_id = _ask(claf_world, "goulues", 6000, "Un gros panier")
    payer = claf_world.visitor("goulues", "alice@example.org")
    page = payer.get(f"/payer/{request_id}")
    assert "ne couvrent pas le prix : il manque 10,00 FED." in page.text
    refused = payer.post(f"/payer/{request_id}")
    assert refused.status_code == 409
    assert "Solde insuffisant : il manque 10,00 FED." in refused.text
    api = payer.client.post(f"/api/pay/{request_id}", json={})
    assert api.status_code == 409
    problem = api.json()
    assert problem["code"] == "insufficient_funds" and problem["shortfall"] == 1000
    only_cla = payer.client.post(f"/api/pay/{request_id}", json={"asset_id": claf_world.cla.id})
    assert only_cla.status_code == 409 and only_cla.json()["shortfall"] == 1000
    assert claf_world.balance(WalletRef.user(alice.user_id)) == 5000
    assert claf_world.balance(WalletRef.instance("goulues")) == 0
    assert claf_world.network.money.operation(ActionKind.SALE, f"payreq:{request_id}") is None


# -- paying by card at the stall (charge mode) ----------------------------------------------


def _stall(world, slug: str) -> Device:
    """A card terminal of ``slug`` paired in charge mode, signing like ``tirelire nfc``."""
    network = world.network
    instance = network.instances.get(slug)
    _record, code = network.terminals.new_pairing_code(instance, name="Marché", mode="charge")
    visitor = world.visitor(slug)
    device = Device(client=visitor.client, host=f"{slug}.localhost", key=new_private_key())
    answer = device.pair(code)
    assert answer.status_code == 201, answer.text
    device.terminal_id = answer.json()["terminal_id"]
    return device


def _charge(world, slug: str, email: str, device: Device, amount: str):
    cashier = world.visitor(slug, email)
    cashier.get(f"/caisse/terminaux/{device.terminal_id}")
    asked = cashier.post(f"/caisse/terminaux/{device.terminal_id}/montant", {"amount": amount})
    assert asked.status_code == 200, asked.text
    return cashier


def test_a_card_registered_by_the_fund_pays_the_producer_at_the_stall(claf_world):
    network = claf_world.network
    card = network.money.cards.add(uid="04:A1:B2:C3", number="CLAF-0042")
    admin = claf_world.visitor("claf", "admin@claf.fr")
    admin.get("/claf/beneficiaires/nouveau")
    registered = admin.post(
        "/claf/beneficiaires/nouveau",
        {"email": "camille@example.org", "card_number": "CLAF-0042", "monthly_allocation": "50"},
    )
    assert "Le bénéficiaire est inscrit." in registered.text and "CLAF-0042" in registered.text
    admin.get("/claf/allocations")
    admin.post("/claf/allocations", {"month": month_of(TODAY)})
    camille = network.accounts.user_by_email("camille@example.org")
    assert network.money.cards.get(card.id).owner == camille.id

    stall = _stall(claf_world, "goulues")
    cashier = _charge(claf_world, "goulues", "admin@goulues.fr", stall, "12,50")
    tap = {"tap_id": "tap-claf-0001", "uid": "04A1B2C3"}
    first = stall.post("/api/terminals/tap", tap)
    assert first.status_code == 200, first.text
    outcome = first.json()["outcome"]
    assert outcome["status"] == "paid" and outcome["card_number"] == "CLAF-0042"
    assert [(leg["asset_code"], leg["amount"]) for leg in outcome["legs"]] == [("CLA", 1250)]
    assert stall.post("/api/terminals/tap", tap).json()["replayed"] is True  # a retry
    assert claf_world.balance(WalletRef.user(camille.id)) == 3750
    assert claf_world.balance(WalletRef.instance("goulues")) == 1250
    assert "Payé 12,50 (CLA 12,50)." in cashier.get(f"/caisse/terminaux/{stall.terminal_id}").text

    wallet = claf_world.visitor("claf", "camille@example.org").get("/mon-compte/tirelire")
    assert "carte CLAF-0042" in wallet.text and "37,50 CLA" in wallet.text
    producer = claf_world.visitor("goulues", "tresorier@goulues.fr").get("/claf/producteur")
    assert "Solde : 12,50 CLA" in producer.text
    treasurer = claf_world.visitor("claf", "tresorier@claf.fr")
    page = treasurer.get("/claf/ventilation")
    done = treasurer.post("/claf/ventilation/remise", {
        "producer": "goulues", "amount": "1250", "token": token_of(page.text, "goulues"),
        "bank_reference": "VIR-MARCHE-1", "bank_date": TODAY.isoformat(),
    })  # fmt: skip
    assert "Le retour en banque de Les Goulues, Pâtes du Cotentin est enregistré." in done.text
    assert claf_world.balance(WalletRef.instance("goulues")) == 0

    # more than the balance: the exact shortfall, nothing taken, the amount still waiting
    _charge(claf_world, "goulues", "admin@goulues.fr", stall, "40,00")
    short = stall.post("/api/terminals/tap", {"tap_id": "tap-claf-0002", "uid": "04A1B2C3"})
    assert short.json()["outcome"]["status"] == "shortfall"
    assert short.json()["outcome"]["shortfall"] == 250
    assert claf_world.balance(WalletRef.user(camille.id)) == 3750

    # a producer that did not accept CLA: the whole amount is missing in euros
    _staff(claf_world, "admin@cidrerie.fr", "cidrerie")
    other = _stall(claf_world, "cidrerie")
    _charge(claf_world, "cidrerie", "admin@cidrerie.fr", other, "5")
    refused = other.post("/api/terminals/tap", {"tap_id": "tap-claf-0003", "uid": "04A1B2C3"})
    assert refused.json()["outcome"]["status"] == "shortfall"
    assert (refused.json()["outcome"]["shortfall"], refused.json()["outcome"]["asset_code"]) == (
        500, "FED",
    )  # fmt: skip
    assert claf_world.balance(WalletRef.user(camille.id)) == 3750
    assert claf_world.balance(WalletRef.instance("cidrerie")) == 0


def _fed(world):
    return world.network.money.assets.get(PRIMARY_ASSET_ID)
