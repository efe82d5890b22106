"""The CLAF shares its asset with a producer, who accepts; a card is linked from its QR page.

Two people in a real browser against ``tirelire serve``: the food fund's admin creates the
local currency and shares it ("Partager cet actif"); the producer's admin follows the e-mailed
link to "Invitations d'actifs" and accepts; then opens a card's QR page, which shows no
balance, and links the card to their account. Screenshots go to tests/e2e/artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core import Network, load_settings
from core.accounts import Role
from core.instances import Instance
from core.wallets import PRIMARY_ASSET_ID, WalletRef
from tests.e2e.conftest import wait_for_mail
from tests.web_support import link_in

pytestmark = pytest.mark.e2e


def _log_in(page, smtp, site: str, email: str) -> None:
    page.goto(f"{site}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_role("button", name="M'envoyer un lien").click()
    assert page.get_by_role("heading", name="Consultez vos courriels").is_visible()
    page.goto(link_in(wait_for_mail(smtp, len(smtp.messages))))
    page.locator("main").get_by_role("button", name="Connexion").click()
    assert page.get_by_text(email).first.is_visible()  # "Mon compte" shows who is logged in


def test_share_an_asset_accept_it_and_link_a_card(server, smtp, page, shot, tmp_path: Path):
    port = server.rsplit(":", 1)[1]
    claf, goulues = f"http://claf.localhost:{port}", f"http://goulues.localhost:{port}"
    # the server's network, set up through the services from this process (LMDB is shared)
    with Network.open(load_settings(tmp_path / "data")) as network:
        for slug, name, email in (
            ("claf", "CLAF", "admin@claf.fr"),
            ("goulues", "Les Goulues", "nicolas@goulues.fr"),
        ):
            network.instances.create(Instance(slug=slug, name=name))

            def admin(tx, slug=slug, email=email):
                user = network.accounts.ensure_user(tx, email)
                network.accounts.grant(tx, slug, user.id, Role.ADMIN)

            network.store.write(admin)
        card = network.money.cards.add(uid="04A1B2C3", number="0001", qr_id="carte-e2e-0001")
        network.money.grant(
            operation_id="e2e-fund", wallet=WalletRef.card(card.id),
            asset_id=PRIMARY_ASSET_ID, amount=1250,
        )  # fmt: skip

    _log_in(page, smtp, claf, "admin@claf.fr")
    page.goto(f"{claf}/admin")
    page.get_by_role("link", name="Actifs", exact=True).click()
    page.get_by_role("link", name="Créer un actif").click()
    page.get_by_label("Nom").fill("CLAF-outils")
    page.get_by_label("Code").fill("CL")
    page.get_by_role("button", name="Créer l'actif").click()
    assert page.get_by_text("Utilisez exactement trois lettres (de A à Z).").is_visible()
    assert page.get_by_label("Nom").input_value() == "CLAF-outils"  # nothing typed is lost
    shot(page, "create-asset-error")
    page.get_by_label("Code").fill("CLA")
    page.get_by_role("button", name="Créer l'actif").click()
    assert page.get_by_text("L'actif a été créé.").is_visible()
    page.get_by_label("Collectif (son nom d'adresse)").fill("goulues")
    page.get_by_role("button", name="Partager cet actif").first.click()
    assert page.get_by_text("L'invitation a été envoyée").is_visible()
    shot(page, "asset-shared")

    invitation = wait_for_mail(smtp, len(smtp.messages))
    assert invitation["To"] == "nicolas@goulues.fr"
    producer = page.context.browser.new_context(locale="fr-FR").new_page()
    _log_in(producer, smtp, goulues, "nicolas@goulues.fr")
    producer.goto(link_in(invitation))  # the e-mailed link: the invitations page
    assert producer.get_by_role("heading", name="Invitations d'actifs").is_visible()
    producer.get_by_role("button", name="Accepter").click()
    assert producer.get_by_text("Acceptée : ce collectif accepte désormais cet actif").is_visible()
    shot(producer, "invitation-accepted")
    page.reload()
    assert page.get_by_role("cell", name="Acceptée").is_visible()
    shot(page, "federated-places")

    producer.goto(f"{goulues}/carte/carte-e2e-0001")
    assert producer.get_by_role("heading", name="Carte 0001").is_visible()
    assert "12.50" not in producer.content()  # never a balance on the card's page
    producer.get_by_role("button", name="Lier cette carte à mon compte").click()
    assert producer.get_by_text("La carte est liée à votre compte").is_visible()
    shot(producer, "card-linked")
    producer.goto(f"{goulues}/mon-compte/carte")
    assert producer.get_by_role("cell", name="0001").is_visible()
    with Network.open(load_settings(tmp_path / "data")) as network:
        nicolas = network.accounts.user_by_email("nicolas@goulues.fr")
        assert network.money.balance(WalletRef.user(nicolas.id), PRIMARY_ASSET_ID) == 1250
        assert network.money.federations.accepts("goulues", 2)
        assert network.money.check_invariants().ok
