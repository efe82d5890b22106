"""A payment by QR code in real browsers (DOMAIN.md flow 5), against ``tirelire serve``.

A cashier of "Les Goulues" opens the payment QR code page and asks 4,50; a payer, in another
browser context (another phone), opens the code's link, logs in by e-mailed link, sees the
price and their balances, and confirms. The cashier's page shows the payment arrive through
server-sent events, without being reloaded (a marker set in its window survives).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core import Network, load_settings
from core.accounts import Role
from core.instances import Instance
from core.wallets import WalletRef
from tests.e2e.conftest import serving, wait_for_mail, write_settings
from tests.smtp_server import SmtpServer
from tests.web_support import link_in

pytestmark = pytest.mark.e2e

SLUG = "goulues"
CASHIER = "caisse@goulues.fr"
PAYER = "ada@example.org"


def _prepare(data: Path, smtp_port: int) -> None:
    """The network before the server starts: an instance, its cashier, a payer with 20 €."""
    write_settings(data, smtp_port)
    with Network.open(load_settings(data)) as network:
        network.instances.create(Instance(slug=SLUG, name="Les Goulues"))
        for email in (CASHIER, PAYER):
            network.store.write(lambda tx, e=email: network.accounts.ensure_user(tx, e))
        cashier = network.accounts.user_by_email(CASHIER)
        network.store.write(lambda tx: network.accounts.grant(tx, SLUG, cashier.id, Role.CASHIER))
        payer = network.accounts.user_by_email(PAYER)
        network.money.grant(
            operation_id="e2e-fund", wallet=WalletRef.user(payer.id), asset_id=1, amount=2000
        )


@pytest.fixture
def served(tmp_path: Path, smtp: SmtpServer) -> Iterator[tuple[str, Path]]:
    """``tirelire serve`` on a prepared data directory: (instance address, data directory)."""
    data = tmp_path / "data"
    data.mkdir()
    _prepare(data, smtp.port)
    with serving(data, tmp_path / "server.log") as port:
        yield f"http://{SLUG}.localhost:{port}", data
    with Network.open(load_settings(data)) as network:  # the server is gone: check its money
        report = network.money.check_invariants()
        assert report.ok, report.problems


def _log_in(page, smtp: SmtpServer, email: str, mails: int) -> None:
    """On the login page: ask for a link, open it from the SMTP server, press the button."""
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_role("button", name="M'envoyer un lien").click()
    page.get_by_role("heading", name="Consultez vos courriels").wait_for()
    page.goto(link_in(wait_for_mail(smtp, mails)))
    page.get_by_role("button", name="Connexion").last.click()


def test_the_staff_page_sees_the_payment_arrive(served, smtp, page, shot):
    from playwright.sync_api import expect

    space, _data = served
    page.goto(f"{space}/caisse/qr")  # not logged in: the login page, then back here
    _log_in(page, smtp, CASHIER, 1)
    assert page.url == f"{space}/caisse/qr"
    page.get_by_label("Montant en FED").fill("4,50")
    page.get_by_label("Pour quoi (facultatif)").fill("Pâtes fraîches")
    page.get_by_role("button", name="Afficher le QR Code").click()
    expect(page.get_by_role("heading", name="Payer 4,50 FED")).to_be_visible()
    expect(page.locator("svg.qr")).to_be_visible()
    status = page.locator("#payreq-status")
    expect(status).to_contain_text("En attente du paiement de 4,50 FED")
    page.evaluate("window.notReloaded = true")
    link = page.locator("a[href*='/payer/']").first.get_attribute("href")
    assert link is not None and link.startswith(f"{space}/payer/")
    shot(page, "staff-waiting")

    payer_context = page.context.browser.new_context(locale="fr-FR")
    try:
        phone = payer_context.new_page()
        phone.goto(link)  # what the phone camera opens
        _log_in(phone, smtp, PAYER, 2)
        assert phone.url == link
        expect(phone.get_by_role("heading", name="Payer Les Goulues")).to_be_visible()
        expect(phone.get_by_text("Pâtes fraîches")).to_be_visible()
        expect(phone.get_by_text("20,00 FED")).to_be_visible()
        shot(phone, "payer-confirm")
        phone.get_by_role("button", name="Confirmer le paiement de 4,50 FED").click()
        expect(phone.get_by_text("Payé. Merci !")).to_be_visible()
        shot(phone, "payer-paid")
    finally:
        payer_context.close()

    expect(status).to_contain_text(f"Payé : 4,50 FED par {PAYER}", timeout=10_000)
    assert page.evaluate("window.notReloaded") is True  # updated in place, not reloaded
    expect(page.locator("#payreq-cancel")).to_be_hidden()
    shot(page, "staff-paid")
