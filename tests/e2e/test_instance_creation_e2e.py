"""A producer creates its space in a real browser, from the form to the admin panel (seed 000).

Then logs out and back in with a link read from the SMTP server. A screenshot of each page
goes to tests/e2e/artifacts/.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_mail
from tests.web_support import link_in

pytestmark = pytest.mark.e2e

SLUG = "les-goulues-pates-du-cotentin"


def test_a_producer_creates_its_space_then_logs_out_and_in(server, smtp, page, shot):
    port = server.rsplit(":", 1)[1]
    space = f"http://{SLUG}.localhost:{port}"

    page.goto(server)
    assert page.get_by_role("heading", name="Réseau de test").is_visible()
    shot(page, "home")
    page.get_by_role("link", name="Créer une nouvelle instance").click()
    page.get_by_label("Adresse mail d'administration").fill("nicolas@lesgoulues.fr")
    page.get_by_label("Confirmation du mail").fill("nicolas@lesgoulues.fr")
    page.get_by_label("Nom de votre collectif").fill("Les Goulues, Pâtes du Cotentin")
    page.get_by_label("Site internet").fill("http://lesgoulues.fr")
    page.get_by_label("Description courte").fill("Pâtes artisanales locales.")
    page.get_by_label("Type de collectif").select_option("producer")
    shot(page, "form")
    page.get_by_role("button", name="Envoyer la demande").click()
    # the terms were not accepted: the error is shown next to the box, nothing is lost
    assert page.get_by_text("Vous devez accepter les conditions d'utilisation.").is_visible()
    assert page.get_by_label("Nom de votre collectif").input_value() == (
        "Les Goulues, Pâtes du Cotentin"
    )
    assert page.get_by_label("Adresse de votre espace").input_value() == SLUG
    shot(page, "form-errors")
    page.get_by_label("J'accepte les conditions d'utilisation").check()
    page.get_by_role("button", name="Envoyer la demande").click()
    assert page.get_by_role("heading", name="Consultez vos courriels").is_visible()
    shot(page, "request-sent")

    link = link_in(wait_for_mail(smtp, 1))
    assert link.startswith(f"{space}/bienvenue/")
    page.goto(link)
    shot(page, "confirm")
    page.get_by_role("button", name="Créer mon espace").click()
    assert page.get_by_text("Bienvenue dans votre nouvel espace !").is_visible()
    assert page.get_by_text("Vous êtes correctement identifié-e. Bienvenue !").is_visible()
    assert page.url == f"{space}/?bienvenue=1"
    shot(page, "welcome")
    second = wait_for_mail(smtp, 2)
    assert "administrateur" in second["Subject"]

    page.get_by_role("link", name="Mon compte").click()
    assert page.get_by_text("nicolas@lesgoulues.fr").is_visible()
    assert page.get_by_text("Administrateur·ice").is_visible()
    shot(page, "account")
    page.get_by_role("link", name="Panneau d'administration").click()
    shot(page, "admin-panel")
    page.get_by_role("link", name="Informations générales").click()
    page.get_by_label("Texte d'accueil").fill("Nos pâtes sont faites à Cherbourg.")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("Enregistré.").is_visible()
    shot(page, "admin-general")
    page.goto(space)
    assert page.get_by_text("Nos pâtes sont faites à Cherbourg.").is_visible()

    page.get_by_role("button", name="Déconnexion").first.click()
    assert page.get_by_text("Vous êtes déconnecté·e.").is_visible()
    shot(page, "logged-out")
    page.goto(f"{space}/mon-compte")
    assert "/connexion" in page.url  # the session is gone
    page.get_by_label("Adresse e-mail").fill("nicolas@lesgoulues.fr")
    page.get_by_role("button", name="M'envoyer un lien").click()
    assert page.get_by_role("heading", name="Consultez vos courriels").is_visible()
    shot(page, "login-sent")
    login = link_in(wait_for_mail(smtp, 3))
    page.goto(login)
    shot(page, "login-link")
    page.get_by_role("button", name="Connexion").last.click()
    assert page.url == f"{space}/mon-compte"
    assert page.get_by_text("nicolas@lesgoulues.fr").is_visible()
    shot(page, "logged-in-again")
