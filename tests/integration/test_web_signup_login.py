"""Creating an instance, logging in by e-mailed link, logging out — through the web host.

Real parts: the store in tmp_path, the Litestar app, and an SMTP server (aiosmtpd) on
127.0.0.1 that receives every e-mail; the tests follow the links it received.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.accounts import Role
from tests.smtp_server import SmtpServer
from tests.web_support import Visitor, link_in, open_network

SEED = {
    "email": "nicolas@lesgoulues.fr",
    "email_confirm": "nicolas@lesgoulues.fr",
    "name": "Les Goulues, Pâtes du Cotentin",
    "website": "http://lesgoulues.fr",
    "description": "Pâtes artisanales locales.",
    "kind": "producer",
    "accepts_terms": "1",
    "domain": "localhost",
    "slug": "",
}
SLUG = "les-goulues-pates-du-cotentin"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def world(tmp_path, smtp):
    network = open_network(tmp_path / "data", smtp.port)
    visitors: list[Visitor] = []

    def visitor(host: str) -> Visitor:
        v = Visitor(network, host)
        visitors.append(v)
        return v

    try:
        yield network, visitor, smtp
    finally:
        for v in visitors:
            v.close()
        network.close()


def test_the_seed_producer_creates_its_instance(world):
    network, visitor, smtp = world
    home = visitor("localhost")
    form = home.get("/creer")
    assert form.status_code == 200
    assert "Adresse mail d'administration" in form.text
    sent = home.post("/creer", SEED)
    assert sent.status_code == 200, sent.text
    assert "Consultez vos courriels" in sent.text
    assert f"http://{SLUG}.localhost" in sent.text
    assert network.instances.get(SLUG) is None  # nothing exists before the link is used
    (confirmation,) = smtp.messages
    assert confirmation["To"] == "nicolas@lesgoulues.fr"
    link = link_in(confirmation)
    assert link.startswith(f"http://{SLUG}.localhost/bienvenue/")

    space = visitor(f"{SLUG}.localhost")
    page = space.get(link.split("localhost", 1)[1])
    assert "Les Goulues, Pâtes du Cotentin" in page.text
    assert network.instances.get(SLUG) is None  # opening the link changes nothing
    welcome = space.post(link.split("localhost", 1)[1])
    assert welcome.status_code == 200
    assert str(welcome.url).endswith("/?bienvenue=1")
    assert "Bienvenue dans votre nouvel espace !" in welcome.text
    assert "Vous êtes correctement identifié-e. Bienvenue !" in welcome.text
    assert "Pâtes artisanales locales." in welcome.text

    instance = network.instances.get(SLUG)
    assert instance is not None and instance.kind == "producer"
    user = network.accounts.user_by_email("nicolas@lesgoulues.fr")
    assert network.accounts.role_of(SLUG, user.id) is Role.ADMIN
    admin_mail = smtp.messages[1]
    assert "administrateur" in admin_mail["Subject"]
    assert link_in(admin_mail).startswith(f"http://{SLUG}.localhost/connexion/lien/")
    account = space.get("/mon-compte")
    assert "nicolas@lesgoulues.fr" in account.text
    assert "Administrateur·ice" in account.text
    assert "Panneau d&#39;administration" in account.text or "Panneau d'administration" in (
        account.text
    )
    # the same link cannot create twice
    again = space.post(link.split("localhost", 1)[1])
    assert again.status_code == 400


def test_errors_are_shown_by_field_and_nothing_typed_is_lost(world):
    network, visitor, smtp = world
    home = visitor("localhost")
    home.get("/creer")
    bad = dict(SEED, email_confirm="autre@lesgoulues.fr", website="lesgoulues", accepts_terms="")
    page = home.post("/creer", bad)
    assert page.status_code == 400
    assert "Les deux adresses e-mail sont différentes." in page.text
    assert "commence par http:// ou https://" in page.text
    assert "Vous devez accepter les conditions d&#39;utilisation." in page.text
    for typed in ["nicolas@lesgoulues.fr", "autre@lesgoulues.fr", "Pâtes artisanales locales."]:
        assert typed in page.text
    assert f'value="{SLUG}"' in page.text  # the proposed slug is filled in, editable
    assert smtp.messages == []
    assert network.instances.all() == []


def test_a_taken_slug_is_refused(world):
    network, visitor, _smtp = world
    home = visitor("localhost")
    home.get("/creer")
    assert home.post("/creer", dict(SEED, slug="claf")).status_code == 200
    from core.instances import Instance

    network.instances.create(Instance(slug="le-bisik", name="Le Bisik"))
    page = home.post("/creer", dict(SEED, slug="le-bisik"))
    assert page.status_code == 400
    assert "déjà prise" in page.text


def test_login_by_link_same_answer_for_known_and_unknown(world):
    network, visitor, smtp = world
    from core.instances import Instance

    network.instances.create(Instance(slug="claf", name="CLAF"))
    network.store.write(lambda tx: network.accounts.ensure_user(tx, "known@claf.fr"))
    claf = visitor("claf.localhost")
    claf.get("/connexion")
    known = claf.post("/connexion", {"email": "known@claf.fr"})
    unknown = claf.post("/connexion", {"email": "stranger@claf.fr"})
    strip = [
        known.text.replace("known@claf.fr", "X"),
        unknown.text.replace("stranger@claf.fr", "X"),
    ]
    assert known.status_code == unknown.status_code == 200
    assert strip[0] == strip[1]
    assert len(smtp.messages) == 2

    link = link_in(smtp.messages[0])
    page = claf.get(link.split("localhost", 1)[1])
    assert "Se connecter en tant que known@claf.fr" in page.text
    assert claf.get("/mon-compte", follow=False).status_code in {302, 303}
    logged = claf.post(link.split("localhost", 1)[1])
    assert str(logged.url).endswith("/mon-compte")
    assert "known@claf.fr" in logged.text
    reused = visitor("claf.localhost")
    reused.get(link.split("localhost", 1)[1])
    answer = reused.post(link.split("localhost", 1)[1])
    assert answer.status_code == 400
    assert "Ce lien a déjà servi" in answer.text

    cookie = claf.client.cookies.get("tirelire_session")
    claf.post("/deconnexion")
    assert network.accounts.session_user(cookie) is None
    assert claf.get("/mon-compte", follow=False).headers["location"].startswith("/connexion")


def test_expired_link_and_rate_limit(world):
    network, visitor, smtp = world
    home = visitor("localhost")
    home.get("/connexion")
    home.post("/connexion", {"email": "a@b.fr"})
    link = link_in(smtp.messages[0])
    clock = network.login_links.clock
    network.login_links.clock = lambda: clock() + 16 * 60
    try:
        page = home.get(link.split("localhost", 1)[1])
        assert "Ce lien a expiré" in page.text
    finally:
        network.login_links.clock = clock
    for _ in range(4):
        assert home.post("/connexion", {"email": "a@b.fr"}).status_code == 200
    limited = home.post("/connexion", {"email": "a@b.fr"})
    assert limited.status_code == 429
    assert "Trop de liens" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    assert len(smtp.messages) == 5


def test_a_link_asked_on_one_instance_logs_in_there_only(world):
    network, visitor, smtp = world
    from core.instances import Instance

    network.instances.create(Instance(slug="a", name="A"))
    network.instances.create(Instance(slug="b", name="B"))
    on_a = visitor("a.localhost")
    on_a.get("/connexion")
    on_a.post("/connexion", {"email": "x@y.fr"})
    link = link_in(smtp.messages[0])
    assert link.startswith("http://a.localhost/")
    on_a.open_link(link)
    assert on_a.get("/mon-compte").status_code == 200
    on_b = visitor("b.localhost")
    assert on_b.get("/mon-compte", follow=False).status_code in {302, 303}


def test_forms_without_csrf_token_are_refused(world):
    _network, visitor, smtp = world
    home = visitor("localhost")
    home.get("/connexion")
    refused = home.post("/connexion", {"email": "a@b.fr"}, csrf=False)
    assert refused.status_code == 403
    assert smtp.messages == []


def test_security_headers_and_friendly_errors(world):
    _network, visitor, _smtp = world
    home = visitor("localhost")
    page = home.get("/")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    missing = home.get("/nulle-part")
    assert missing.status_code == 404
    assert "Page introuvable" in missing.text
    api = home.client.get("/api/nulle-part", headers={"accept": "application/json"})
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["status"] == 404


def test_english_is_available(world):
    _network, visitor, smtp = world
    home = visitor("localhost")
    home.get("/")
    english = home.post("/-/langue", {"lang": "en", "suite": "/connexion"})
    assert "No password" in english.text
    assert home.client.cookies.get("lang") == "en"
    home.post("/connexion", {"email": "en@b.fr"})
    assert smtp.messages[0]["Subject"].startswith("Your login link")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_session_cookie_is_httponly_lax_and_secure_over_https(world, scheme):
    network, _visitor, smtp = world
    from core.instances import Instance

    network.instances.create(Instance(slug="claf", name="CLAF"))
    browser = Visitor(network, "claf.localhost", scheme=scheme)
    try:
        browser.get("/connexion")
        browser.post("/connexion", {"email": "someone@claf.fr"})
        path = link_in(smtp.messages[-1]).split("localhost", 1)[1]
        browser.get(path)
        answer = browser.post(path, follow=False)
        cookie = next(
            v for k, v in answer.headers.multi_items() if k == "set-cookie" and "session" in v
        )
    finally:
        browser.close()
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert ("secure" in attributes) == (scheme == "https")
    assert not any(a.startswith("domain=") for a in attributes)  # host-only
