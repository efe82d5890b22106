"""The CLAF food fund's whole flow in real browsers (issue 6, seed 000), against ``tirelire serve``.

Five people, each in their own Chromium context, on a real server process whose mail goes to
a real SMTP server on loopback:

1. a producer creates its space through the creation form (kind: producer) and confirms it
   by the e-mailed link;
2. the fund's admin enables the ``claf`` plugin and sets the fund up (CLAF-outils, ``CLA``),
   then shares CLA with the producer from the asset page ("Partager cet actif");
3. the producer's admin follows the e-mailed link to "Invitations d'actifs" and accepts; the
   asset page lists it among the federated places and its "Ma tirelire" lists CLA as accepted;
4. the fund's admin registers a beneficiary with a monthly allocation of 100.00 and grants it;
5. the producer asks 12.50 with a payment QR code; the beneficiary, logged in by an e-mailed
   link, opens the code's link and confirms; the producer's page sees it paid, in CLA;
6. the fund's treasurer validates the producer's bank remittance; the remittance list shows it.

Every balance and list is checked on the pages at each step (the beneficiary 87.50 CLA, the
producer 12.50 then 0, what the fund owes), then, once the server has stopped, in the store:
``tirelire ledger verify`` passes and the money invariants hold. A screenshot of each page
goes to tests/e2e/artifacts/.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import Instance, InstanceKind, Network, load_settings
from core.accounts import Role
from core.wallets import WalletRef
from tests.e2e.conftest import serving, write_settings
from tests.smtp_server import SmtpServer
from tests.web_support import link_in

pytestmark = pytest.mark.e2e

FUND, FUND_NAME = "claf", "CLAF – Caisse Alimentaire Flers Agglo"
FUND_ADMIN, TREASURER = "admin@claf.fr", "tresorier@claf.fr"
PRODUCER, PRODUCER_NAME = "les-goulues-pates-du-cotentin", "Les Goulues, Pâtes du Cotentin"
PRODUCER_ADMIN = "nicolas@lesgoulues.fr"
BENEFICIARY = "camille@example.org"


def _prepare(data: Path, smtp_port: int) -> None:
    """The fund's instance (a food fund, the plugin not yet enabled), its admin, its treasurer."""
    write_settings(data, smtp_port)
    with Network.open(load_settings(data)) as network:
        network.instances.create(Instance(slug=FUND, name=FUND_NAME, kind=InstanceKind.FOOD_FUND))

        def staff(tx):
            for email, role in ((FUND_ADMIN, Role.ADMIN), (TREASURER, Role.TREASURER)):
                user = network.accounts.ensure_user(tx, email)
                network.accounts.grant(tx, FUND, user.id, role)

        network.store.write(staff)


class Mailbox:
    """The SMTP server's messages, read once each: the next one sent to an address."""

    def __init__(self, smtp: SmtpServer) -> None:
        self.smtp = smtp
        self.read: set[int] = set()

    def next_to(self, address: str, timeout: float = 15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for index, message in enumerate(list(self.smtp.messages)):
                if index not in self.read and message["To"] == address:
                    self.read.add(index)
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no e-mail to {address}")


def _log_in(page, mailbox: Mailbox, site: str, email: str, path: str = "/mon-compte") -> None:
    """Log in on ``site`` with a link e-mailed to ``email``, then open ``path``."""
    page.goto(f"{site}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_role("button", name="M'envoyer un lien").click()
    page.get_by_role("heading", name="Consultez vos courriels").wait_for()
    page.goto(link_in(mailbox.next_to(email)))
    page.locator("main").get_by_role("button", name="Connexion").click()
    page.get_by_text(email).first.wait_for()
    if path != "/mon-compte":
        page.goto(f"{site}{path}")


def _row(page, text: str):
    """The table row holding ``text``."""
    return page.get_by_role("row").filter(has_text=text)


def test_the_claf_flow_from_sign_up_to_bank_remittance(tmp_path, smtp, page, shot):
    from playwright.sync_api import expect

    data = tmp_path / "data"
    data.mkdir()
    _prepare(data, smtp.port)
    mailbox = Mailbox(smtp)
    browser = page.context.browser
    with serving(data, tmp_path / "server.log") as port:
        home = f"http://localhost:{port}"
        fund = f"http://{FUND}.localhost:{port}"
        space = f"http://{PRODUCER}.localhost:{port}"

        # 1. the producer signs up through the creation form and confirms by e-mail
        producer = browser.new_context(locale="fr-FR").new_page()
        producer.goto(home)
        producer.get_by_role("link", name="Créer une nouvelle instance").click()
        producer.get_by_label("Adresse mail d'administration").fill(PRODUCER_ADMIN)
        producer.get_by_label("Confirmation du mail").fill(PRODUCER_ADMIN)
        producer.get_by_label("Nom de votre collectif").fill(PRODUCER_NAME)
        producer.get_by_label("Site internet").fill("http://lesgoulues.fr")
        producer.get_by_label("Description courte").fill("Pâtes artisanales locales.")
        producer.get_by_label("Type de collectif").select_option("producer")
        producer.get_by_label("J'accepte les conditions d'utilisation").check()
        shot(producer, "producer-signup-form")
        producer.get_by_role("button", name="Envoyer la demande").click()
        expect(producer.get_by_role("heading", name="Consultez vos courriels")).to_be_visible()
        confirm = link_in(mailbox.next_to(PRODUCER_ADMIN))
        assert confirm.startswith(f"{space}/bienvenue/")
        producer.goto(confirm)
        producer.get_by_role("button", name="Créer mon espace").click()
        expect(producer.get_by_text("Bienvenue dans votre nouvel espace !")).to_be_visible()
        shot(producer, "producer-welcome")

        # 2. the fund's admin enables the plugin and sets the fund up
        admin = page
        _log_in(admin, mailbox, fund, FUND_ADMIN, "/admin/plugins")
        _row(admin, "claf").get_by_role("button", name="Activer").click()
        expect(admin.get_by_role("heading", name="Mettre en place la caisse")).to_be_visible()
        expect(admin.get_by_label("Nom de la monnaie")).to_have_value("CLAF-outils")
        expect(admin.get_by_label("Code")).to_have_value("CLA")
        shot(admin, "fund-setup")
        admin.get_by_role("button", name="Créer la monnaie").click()
        expect(admin.get_by_text("CLAF-outils (CLA) existe")).to_be_visible()
        shot(admin, "fund-summary-new")

        # ... and shares CLA with the producer from the asset page
        admin.goto(f"{fund}/admin/actifs")
        admin.get_by_role("link", name="CLAF-outils").click()
        admin.get_by_label("Collectif (son nom d'adresse)").fill(PRODUCER)
        admin.get_by_role("button", name="Partager cet actif").first.click()
        expect(admin.get_by_text("L'invitation a été envoyée")).to_be_visible()
        expect(_row(admin, PRODUCER_NAME)).to_contain_text("en attente de réponse")
        shot(admin, "asset-shared")
        asset_page = admin.url

        # 3. the producer's admin accepts from the e-mailed link
        invitation = mailbox.next_to(PRODUCER_ADMIN)
        if "invitations" not in link_in(invitation):  # the "admin account ready" mail came first
            invitation = mailbox.next_to(PRODUCER_ADMIN)
        producer.goto(link_in(invitation))
        expect(producer.get_by_role("heading", name="Invitations d'actifs")).to_be_visible()
        expect(_row(producer, "CLAF-outils")).to_contain_text(FUND_NAME)
        shot(producer, "producer-invitation")
        producer.get_by_role("button", name="Accepter").click()
        expect(
            producer.get_by_text("Acceptée : ce collectif accepte désormais cet actif")
        ).to_be_visible()
        admin.goto(asset_page)
        expect(_row(admin, PRODUCER_NAME)).to_contain_text("Acceptée")
        shot(admin, "asset-federated-places")
        producer.goto(f"{space}/mon-compte/tirelire")
        accepted = producer.locator("table.accepted-here")
        expect(accepted).to_contain_text("CLAF-outils")
        expect(accepted).to_contain_text(FUND_NAME)
        shot(producer, "producer-wallet-accepts-cla")
        producer.goto(f"{space}/admin/plugins")  # its own page of the fund's payments
        _row(producer, "claf").get_by_role("button", name="Activer").click()
        producer.goto(f"{space}/claf/producteur")
        expect(producer.get_by_text("Solde : 0,00 CLA")).to_be_visible()

        # 4. a beneficiary registered and granted 100.00 CLA
        admin.goto(f"{fund}/claf/beneficiaires/nouveau")
        admin.get_by_label("Adresse e-mail").fill(BENEFICIARY)
        admin.get_by_label("Allocation mensuelle (CLA)").fill("100,00")
        admin.get_by_role("button", name="Enregistrer").click()
        expect(admin.get_by_text("Le bénéficiaire est inscrit.")).to_be_visible()
        expect(_row(admin, BENEFICIARY)).to_contain_text("100,00 CLA")
        shot(admin, "beneficiary-registered")
        admin.goto(f"{fund}/claf/allocations")
        admin.get_by_role("button", name="Accorder les allocations").click()
        expect(admin.get_by_text("Accordées maintenant : 1, 100,00 CLA.")).to_be_visible()
        shot(admin, "allocations-granted")
        admin.goto(f"{fund}/claf")
        expect(_row(admin, "Dû par la caisse au total")).to_contain_text("100,00 CLA")
        expect(_row(admin, "Détenu par les bénéficiaires")).to_contain_text("100,00 CLA")
        expect(_row(admin, "Producteurs qui l'acceptent")).to_contain_text("1")

        # 5. the producer asks 12.50 by QR code; the beneficiary pays it from a phone
        producer.goto(f"{space}/caisse/qr")
        producer.get_by_label("Montant en FED").fill("12,50")
        producer.get_by_label("Pour quoi (facultatif)").fill("Pâtes fraîches")
        producer.get_by_role("button", name="Afficher le QR Code").click()
        expect(producer.locator("svg.qr")).to_be_visible()
        status = producer.locator("#payreq-status")
        expect(status).to_contain_text("En attente du paiement de 12,50")
        link = producer.locator("a[href*='/payer/']").first.get_attribute("href")
        assert link is not None and link.startswith(f"{space}/payer/")
        shot(producer, "producer-qr-code")

        phone = browser.new_context(locale="fr-FR").new_page()
        phone.goto(link)  # what the phone's camera opens: not logged in, the login page
        phone.get_by_label("Adresse e-mail").fill(BENEFICIARY)
        phone.get_by_role("button", name="M'envoyer un lien").click()
        phone.get_by_role("heading", name="Consultez vos courriels").wait_for()
        phone.goto(link_in(mailbox.next_to(BENEFICIARY)))
        phone.get_by_role("button", name="Connexion").last.click()
        expect(phone.get_by_role("heading", name=f"Payer {PRODUCER_NAME}")).to_be_visible()
        expect(_row(phone, "CLAF-outils")).to_contain_text("100,00 CLA")
        expect(phone.locator("#not-accepted")).to_have_count(0)
        shot(phone, "beneficiary-confirm")
        phone.get_by_role("button", name="Confirmer le paiement de 12,50 FED").click()
        expect(phone.get_by_text("Payé. Merci !")).to_be_visible()
        expect(_row(phone, "CLAF-outils")).to_contain_text("12,50 CLA")
        shot(phone, "beneficiary-paid")
        phone.goto(f"{space}/mon-compte/tirelire")
        cla_row = _row(phone, "CLAF-outils").first
        expect(cla_row).to_contain_text("87,50 CLA")
        expect(cla_row).to_contain_text("-12,50 CLA")
        shot(phone, "beneficiary-wallet")

        expect(status).to_contain_text(f"Payé : 12,50 CLA par {BENEFICIARY}", timeout=10_000)
        shot(producer, "producer-qr-paid")
        producer.goto(f"{space}/claf/producteur")
        expect(producer.get_by_text("Solde : 12,50 CLA")).to_be_visible()
        expect(producer.get_by_text("Paiements : 1")).to_be_visible()
        shot(producer, "producer-payments")

        # 6. the fund's treasurer validates the bank remittance
        treasurer = browser.new_context(locale="fr-FR").new_page()
        _log_in(treasurer, mailbox, fund, TREASURER, "/claf/ventilation")
        place = treasurer.locator(f"#lieu-{PRODUCER}")
        expect(place).to_contain_text("12,50 CLA")
        shot(treasurer, "breakdown-by-place")
        place.get_by_label("Référence du virement").fill("VIR-E2E-0001")
        place.get_by_role("button", name="Valider le retour en banque de 12,50 CLA").click()
        expect(treasurer.get_by_text("est enregistré")).to_be_visible()
        expect(treasurer.locator(f"#lieu-{PRODUCER}")).to_contain_text("0,00 CLA")
        shot(treasurer, "remittance-validated")
        treasurer.get_by_role("link", name="Voir toutes les remises en banque précédentes").click()
        remittance = _row(treasurer, "VIR-E2E-0001")
        expect(remittance).to_contain_text(PRODUCER_NAME)
        expect(remittance).to_contain_text("12,50 CLA")
        expect(remittance).to_contain_text(TREASURER)
        expect(remittance).to_contain_text(datetime.date.today().isoformat())
        shot(treasurer, "remittance-list")
        treasurer.goto(f"{fund}/claf")
        expect(_row(treasurer, "Dû par la caisse au total")).to_contain_text("87,50 CLA")
        expect(_row(treasurer, "Détenu par les producteurs")).to_contain_text("0,00 CLA")
        expect(_row(treasurer, "Remboursé aux producteurs")).to_contain_text("12,50 CLA")
        shot(treasurer, "fund-summary-after")
        producer.goto(f"{space}/claf/producteur")
        expect(producer.get_by_text("Solde : 0,00 CLA")).to_be_visible()
        expect(_row(producer, "VIR-E2E-0001")).to_contain_text("12,50 CLA")
        shot(producer, "producer-after-remittance")

    # the server has stopped: the ledger and the money, read from its data directory
    verified = subprocess.run(
        [sys.executable, "-m", "hosts", "ledger", "verify", "--data", str(data)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    with Network.open(load_settings(data)) as network:
        money = network.money
        cla = money.assets.by_code("CLA")
        assert cla is not None and cla.issuer == FUND
        camille = network.accounts.user_by_email(BENEFICIARY)
        assert money.balance(WalletRef.user(camille.id), cla.id) == 8750
        assert money.balance(WalletRef.instance(PRODUCER), cla.id) == 0
        assert money.outstanding(cla.id) == 8750
        assert [(r.instance, r.amount, r.bank_reference) for r in money.remittances()] == [
            (PRODUCER, 1250, "VIR-E2E-0001")
        ]
        assert network.instances.get(PRODUCER).kind == InstanceKind.PRODUCER
        report = money.check_invariants()
        assert report.ok, report.problems
