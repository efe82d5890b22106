"""The admin panel and my account, through the web host with a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import get

from core import hookimpl
from core.accounts import Role
from core.instances import Instance
from tests.smtp_server import SmtpServer
from tests.web_support import Visitor, link_in, open_network

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


class Agenda:
    """A throwaway plugin with a route, to enable and disable from the panel."""

    @hookimpl
    def register_routes(self, register):
        @get("/agenda", sync_to_thread=False)
        def agenda() -> str:
            return "agenda"

        register(agenda)


@pytest.fixture
def world(tmp_path) -> Iterator:
    with SmtpServer() as smtp:
        network = open_network(tmp_path / "data", smtp.port)
        network.plugins.register(Agenda(), "agenda", version="1.0")
        network.instances.create(Instance(slug="claf", name="CLAF"))
        admin = network.store.write(lambda tx: network.accounts.ensure_user(tx, "admin@claf.fr"))
        network.store.write(lambda tx: network.accounts.grant(tx, "claf", admin.id, Role.ADMIN))
        visitors: list[Visitor] = []

        def login(email: str, host: str = "claf.localhost") -> Visitor:
            v = Visitor(network, host)
            visitors.append(v)
            v.get("/connexion")
            v.post("/connexion", {"email": email})
            v.open_link(link_in(smtp.messages[-1]))
            return v

        try:
            yield network, login, smtp
        finally:
            for v in visitors:
                v.close()
            network.close()


def test_general_information_and_logo(world):
    network, login, _smtp = world
    admin = login("admin@claf.fr")
    admin.get("/admin/general")
    saved = admin.post(
        "/admin/general",
        {"welcome_text": "Bienvenue à la CLAF.", "description": "Caisse", "website": ""},
        files={"logo": ("logo.png", PNG, "image/png")},
    )
    assert "Enregistré." in saved.text
    home = admin.get("/")
    assert "Bienvenue à la CLAF." in home.text
    logo = admin.client.get("/-/logo")
    assert logo.content == PNG and logo.headers["content-type"] == "image/png"
    refused = admin.post(
        "/admin/general",
        {"welcome_text": "Changé", "description": "Autre", "website": ""},
        files={"logo": ("x.svg", b"<svg onload='alert(1)'/>", "image/png")},
    )
    assert refused.status_code == 400, refused.text[refused.text.find("<main>") :][:800]
    assert "Rien n'a été enregistré" in refused.text
    assert "Changé" in refused.text  # what was typed is given back
    instance = network.instances.get("claf")
    assert (instance.welcome_text, instance.description) == ("Bienvenue à la CLAF.", "Caisse")
    too_big = admin.post(
        "/admin/general",
        {"welcome_text": "x", "description": "", "website": ""},
        files={"logo": ("big.png", PNG + b"\0" * 600_000, "image/png")},
    )
    assert too_big.status_code in {400, 413}
    assert network.instances.logo("claf").data == PNG


def test_invite_change_role_remove_and_keep_one_admin(world):
    network, login, smtp = world
    admin = login("admin@claf.fr")
    admin.get("/admin/utilisateurs")
    sent = admin.post("/admin/utilisateurs/inviter", {"email": "Tre@Claf.fr", "role": "treasurer"})
    assert "L&#39;invitation a été envoyée." in sent.text
    invitation = smtp.messages[-1]
    assert invitation["To"] == "tre@claf.fr"
    assert "Trésorier·e" in invitation.get_body(("plain",)).get_content()
    treasurer = network.accounts.user_by_email("tre@claf.fr")
    assert network.accounts.role_of("claf", treasurer.id) is Role.TREASURER

    admin.post(f"/admin/utilisateurs/{treasurer.id}/role", {"role": "cashier"})
    assert network.accounts.role_of("claf", treasurer.id) is Role.CASHIER
    admin.post(f"/admin/utilisateurs/{treasurer.id}/retirer")
    assert network.accounts.role_of("claf", treasurer.id) is None

    me = network.accounts.user_by_email("admin@claf.fr")
    refused = admin.post(f"/admin/utilisateurs/{me.id}/role", {"role": "member"})
    assert refused.status_code == 400
    assert "au moins un·e administrateur·ice" in refused.text
    assert network.accounts.role_of("claf", me.id) is Role.ADMIN
    bad = admin.post("/admin/utilisateurs/inviter", {"email": "pas-un-mail", "role": "member"})
    assert bad.status_code == 400 and "pas-un-mail" in bad.text


def test_plugins_are_enabled_and_disabled_at_once(world):
    _network, login, _smtp = world
    admin = login("admin@claf.fr")
    assert admin.client.get("/agenda").status_code == 404
    page = admin.get("/admin/plugins")
    assert "agenda" in page.text
    assert "tirelire-web" not in page.text  # the core's own part is not a switch
    admin.post("/admin/plugins/agenda", {"enabled": "1"})
    assert admin.client.get("/agenda").text == "agenda"
    admin.post("/admin/plugins/agenda", {"enabled": "0"})
    assert admin.client.get("/agenda").status_code == 404
    assert admin.post("/admin/plugins/tirelire-web", {"enabled": "0"}).status_code == 404


def test_api_keys_shown_once_act_with_their_role_and_revoke(world):
    network, login, _smtp = world
    network.instances.create(Instance(slug="autre", name="Autre"))
    admin = login("admin@claf.fr")
    admin.get("/admin/outils")
    created = admin.post("/admin/outils/cles", {"label": "Tableur", "role": "admin"})
    secret = created.text.split('<code class="secret">')[1].split("</code>")[0]
    assert secret.startswith("tl_")
    assert secret not in admin.get("/admin/outils").text  # never shown again
    api = Visitor(network, "claf.localhost")
    try:
        bearer = {"authorization": f"Bearer {secret}", "accept": "text/html"}
        assert api.client.get("/admin/general", headers=bearer).status_code == 200
        other = Visitor(network, "autre.localhost")
        try:
            assert other.client.get("/admin/general", headers=bearer).status_code == 403
        finally:
            other.close()
        key_id = secret.split("_")[1]
        revoked = admin.post(f"/admin/outils/cles/{key_id}/revoquer")
        assert "révoquée" in revoked.text, revoked.status_code
        gone = api.client.get("/admin/general", headers=bearer, follow_redirects=False)
        assert gone.status_code in {302, 303}  # no longer anyone: sent to the login page
        assert gone.headers["location"].startswith("/connexion")
        assert network.api_keys.authenticate(secret) is None
    finally:
        api.close()


def test_a_treasurer_has_a_panel_without_admin_sections(world):
    network, login, _smtp = world
    user = network.store.write(lambda tx: network.accounts.ensure_user(tx, "t@claf.fr"))
    network.store.write(lambda tx: network.accounts.grant(tx, "claf", user.id, Role.TREASURER))
    treasurer = login("t@claf.fr")
    panel = treasurer.get("/admin")
    assert panel.status_code == 200
    assert "Informations générales" not in panel.text
    assert treasurer.get("/admin/general").status_code == 403
    member = network.store.write(lambda tx: network.accounts.ensure_user(tx, "m@claf.fr"))
    network.store.write(lambda tx: network.accounts.grant(tx, "claf", member.id, Role.MEMBER))
    assert login("m@claf.fr").get("/admin").status_code == 403


def test_my_settings(world):
    network, login, _smtp = world
    me = login("admin@claf.fr")
    account = me.get("/mon-compte")
    assert "Mes paramètres" in account.text
    me.get("/mon-compte/parametres")
    saved = me.post("/mon-compte/parametres", {"name": "Camille", "language": "en"})
    assert "Saved." in saved.text  # the page now speaks English
    user = network.accounts.user_by_email("admin@claf.fr")
    assert (user.name, user.language) == ("Camille", "en")
    bad = me.post("/mon-compte/parametres", {"name": "x" * 300, "language": "en"})
    assert bad.status_code == 400 and "200 characters at most." in bad.text
