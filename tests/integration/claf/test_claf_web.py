"""The CLAF's pages through the web host: set-up, beneficiaries, allocations, the treasurer's
breakdown and remittances, the producer's page, CSV files, the JSON API."""

from __future__ import annotations

import csv
import datetime
import io
import re

from core import Instance, InstanceKind
from core.accounts import Role
from core.wallets import WalletRef
from plugins.claf.amounts import month_of

TODAY = datetime.date.today()


def token_of(html: str, producer: str) -> str:
    """The remittance token of one place's form on the breakdown page."""
    row = html.split(f'id="lieu-{producer}"', 1)[1]
    found = re.search(r'name="token" value="([^"]+)"', row)
    assert found is not None, "no form for " + producer
    return found.group(1)


def rows_of(response) -> list[dict[str, str]]:
    """The rows of a CSV download."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.text)))


# -- set-up through the plugins page --------------------------------------------------------


def test_enabling_the_plugin_on_a_food_fund_leads_to_its_set_up(claf_world):
    net = claf_world.network
    net.instances.create(Instance(slug="caisse-3", name="Caisse 3", kind=InstanceKind.FOOD_FUND))
    admin = claf_world.user("admin@caisse3.fr")
    net.store.write(lambda tx: net.accounts.grant(tx, "caisse-3", admin.id, Role.ADMIN))
    browser = claf_world.visitor("caisse-3", "admin@caisse3.fr")
    browser.get("/admin/plugins")
    enabled = browser.post("/admin/plugins/claf", {"enabled": "1"}, follow=False)
    assert enabled.status_code in (302, 303)
    assert enabled.headers["location"] == "/claf/mise-en-place"
    listing = browser.get("/admin/plugins")
    assert 'href="/claf/mise-en-place">Terminer sa mise en place</a>' in listing.text
    other_pages = browser.get("/claf/beneficiaires")
    assert "pas encore mise en place" in other_pages.text
    form = browser.get("/claf/mise-en-place")
    assert 'value="CLAF-outils"' in form.text and 'value="CLA"' in form.text
    taken = browser.post("/claf/mise-en-place", {"name": "Mes outils", "code": "cla"})
    assert taken.status_code == 400
    assert "Un autre actif du réseau utilise déjà ce code." in taken.text
    assert 'value="Mes outils"' in taken.text and 'value="cla"' in taken.text
    created = browser.post("/claf/mise-en-place", {"name": "Mes outils", "code": "mso"})
    assert created.status_code == 200 and created.url.path == "/claf"
    assert "Mes outils (MSO)" in created.text
    assert net.money.assets.by_code("MSO").issuer == "caisse-3"
    assert "Terminer sa mise en place" not in browser.get("/admin/plugins").text
    assert browser.get("/claf/mise-en-place").url.path == "/claf"  # set up: nothing more to do


def test_enabling_it_elsewhere_needs_no_set_up(claf_world):
    net = claf_world.network
    net.instances.set_plugin("ferme", "claf", False)
    browser = claf_world.visitor("ferme", "admin@ferme.fr")
    browser.get("/admin/plugins")
    enabled = browser.post("/admin/plugins/claf", {"enabled": "1"}, follow=False)
    assert enabled.headers["location"] == "/admin/plugins"
    notice = browser.get("/claf/mise-en-place")
    assert "pas une caisse alimentaire" in notice.text
    assert 'href="/claf/producteur"' in notice.text


# -- beneficiaries and allocations ---------------------------------------------------------


def test_an_admin_registers_edits_stops_and_imports_beneficiaries(claf_world):
    browser = claf_world.visitor("claf", "admin@claf.fr")
    browser.get("/claf/beneficiaires/nouveau")
    bad = browser.post(
        "/claf/beneficiaires/nouveau",
        {"email": "pas-un-mail", "card_number": "", "monthly_allocation": "cinquante"},
    )
    assert bad.status_code == 400
    assert "Saisissez une adresse e-mail valide." in bad.text
    assert 'value="pas-un-mail"' in bad.text and 'value="cinquante"' in bad.text
    assert "Écrivez le montant en euros" in bad.text
    assert claf_world.claf.beneficiaries.of_fund("claf") == []
    done = browser.post(
        "/claf/beneficiaires/nouveau",
        {"email": "camille@example.org", "card_number": "", "monthly_allocation": "50,00"},
    )
    assert done.status_code == 200 and "Le bénéficiaire est inscrit." in done.text
    assert "camille@example.org" in done.text and "50,00 CLA" in done.text
    (camille,) = claf_world.claf.beneficiaries.of_fund("claf")
    twice = browser.post(
        "/claf/beneficiaires/nouveau",
        {"email": "camille@example.org", "card_number": "", "monthly_allocation": "50,00"},
    )
    assert twice.status_code == 400 and "déjà bénéficiaire" in twice.text
    edit_page = browser.get(f"/claf/beneficiaires/{camille.id}/modifier")
    assert 'value="50,00"' in edit_page.text
    edited = browser.post(
        f"/claf/beneficiaires/{camille.id}/modifier",
        {"card_number": "", "monthly_allocation": "72.5"},
    )
    assert "72,50 CLA" in edited.text
    stopped = browser.post(f"/claf/beneficiaires/{camille.id}/arreter")
    assert "arrêté" in stopped.text
    assert not claf_world.claf.beneficiaries.get("claf", camille.id).active
    browser.post(f"/claf/beneficiaires/{camille.id}/reprendre")
    assert claf_world.claf.beneficiaries.get("claf", camille.id).active
    browser.get("/claf/beneficiaires/import")
    upload = "email;carte;allocation\ndominique@example.org;;80,00\nnope;;1\n".encode("cp1252")
    imported = browser.post("/claf/beneficiaires/import",
                            files={"file": ("liste.csv", upload, "text/csv")})  # fmt: skip
    assert imported.status_code == 200
    assert "Importés : 1." in imported.text and "Lignes refusées : 1." in imported.text
    assert "adresse e-mail invalide" in imported.text
    browser.get("/claf/beneficiaires/import")
    pasted = browser.post("/claf/beneficiaires/import", {"text": "eve@example.org;;10"})
    assert "Importés : 1." in pasted.text
    empty = browser.post("/claf/beneficiaires/import", {"text": "  "})
    assert empty.status_code == 400
    assert len(claf_world.claf.beneficiaries.of_fund("claf")) == 3


def test_the_allocation_button_grants_once_and_shows_the_report(claf_world):
    alice = claf_world.beneficiary("alice@example.org", "50,00")
    claf_world.beneficiary("bob@example.org", "30,00")
    browser = claf_world.visitor("claf", "admin@claf.fr")
    form = browser.get("/claf/allocations")
    assert f'value="{month_of(TODAY)}"' in form.text
    assert claf_world.balance(WalletRef.user(alice.user_id)) == 0  # GET changes nothing
    first = browser.post("/claf/allocations", {"month": month_of(TODAY)})
    assert "Accordées maintenant : 2, 80,00 CLA." in first.text
    second = browser.post("/claf/allocations", {"month": month_of(TODAY)})
    assert "Accordées maintenant : 0, 0,00 CLA." in second.text
    assert "Déjà accordées : 2." in second.text
    assert claf_world.balance(WalletRef.user(alice.user_id)) == 5000
    bad = browser.post("/claf/allocations", {"month": "2026-13"})
    assert bad.status_code == 400 and "AAAA-MM" in bad.text


# -- the treasurer's breakdown and remittances ----------------------------------------------


def _funded(world):
    alice = world.beneficiary("alice@example.org")
    world.give(alice, 10000)
    world.pay(alice, "goulues", 4500)
    world.pay(alice, "ferme", 1200)
    return alice


def test_the_treasurer_validates_a_bank_remittance_once(claf_world):
    _funded(claf_world)
    browser = claf_world.visitor("claf", "tresorier@claf.fr")
    page = browser.get("/claf/ventilation")
    assert "Ventilation par lieu" in page.text
    assert "Les Goulues, Pâtes du Cotentin" in page.text and "45,00 CLA" in page.text
    assert "La Cidrerie" not in page.text
    assert "Voir toutes les remises en banque précédentes" in page.text
    token = token_of(page.text, "goulues")
    form = {"producer": "goulues", "amount": "4500", "token": token,
            "bank_reference": "VIR-2026-17", "bank_date": TODAY.isoformat()}  # fmt: skip
    missing = browser.post("/claf/ventilation/remise", {**form, "bank_reference": ""})
    assert missing.status_code == 400
    assert "Saisissez la référence du virement." in missing.text
    assert token_of(missing.text, "goulues") == token  # the same form, typed date kept
    done = browser.post("/claf/ventilation/remise", form)
    assert done.status_code == 200
    assert "Le retour en banque de Les Goulues, Pâtes du Cotentin est enregistré." in done.text
    replay = browser.post("/claf/ventilation/remise", form)  # a double click
    assert replay.status_code == 200
    assert claf_world.balance(WalletRef.instance("goulues")) == 0
    (record,) = claf_world.claf.remittances("claf")
    assert (record.amount, record.bank_reference, record.author) == (
        4500, "VIR-2026-17", "tresorier@claf.fr",
    )  # fmt: skip
    listing = browser.get("/claf/remises")
    assert "VIR-2026-17" in listing.text and "tresorier@claf.fr" in listing.text


def test_a_stale_balance_is_refused_and_a_new_form_offered(claf_world):
    alice = _funded(claf_world)
    browser = claf_world.visitor("claf", "tresorier@claf.fr")
    page = browser.get("/claf/ventilation")
    token = token_of(page.text, "goulues")
    claf_world.pay(alice, "goulues", 500)
    stale = browser.post("/claf/ventilation/remise", {
        "producer": "goulues", "amount": "4500", "token": token, "bank_reference": "VIR-1",
        "bank_date": TODAY.isoformat(),
    })  # fmt: skip
    assert stale.status_code == 409
    assert "Le solde a changé" in stale.text and "50,00" in stale.text
    assert 'value="VIR-1"' in stale.text
    assert token_of(stale.text, "goulues") != token
    assert claf_world.claf.remittances("claf") == []


def test_remittance_csv_exports_are_defused(claf_world):
    _funded(claf_world)
    browser = claf_world.visitor("claf", "tresorier@claf.fr")
    page = browser.get("/claf/ventilation")
    browser.post("/claf/ventilation/remise", {
        "producer": "ferme", "amount": "1200", "token": token_of(page.text, "ferme"),
        "bank_reference": "=HYPERLINK(\"http://evil\")", "bank_date": TODAY.isoformat(),
    })  # fmt: skip
    (row,) = rows_of(browser.get("/claf/remises.csv"))
    assert row["bank_reference"] == '\'=HYPERLINK("http://evil")'
    assert (row["place"], row["place_name"], row["amount"], row["currency"]) == (
        "ferme", "La Ferme du Bocage", "12.00", "CLA",
    )  # fmt: skip
    assert row["bank_date"] == TODAY.isoformat() and row["validated_by"] == "tresorier@claf.fr"
    assert rows_of(browser.get("/claf/remises.csv?lieu=goulues")) == []
    odd = browser.get('/claf/remises.csv?lieu=a"b')
    assert odd.headers["content-disposition"] == 'attachment; filename="remises-claf.csv"'


def test_the_api_answers_the_breakdown_and_the_remittances(claf_world):
    _funded(claf_world)
    net = claf_world.network
    _key, secret = net.api_keys.create("claf", Role.TREASURER, "tableur")
    _other, foreign = net.api_keys.create("autre-caisse", Role.ADMIN, "autre")
    browser = claf_world.visitor("claf")
    bearer = {"authorization": f"Bearer {secret}", "accept": "application/json"}
    places = browser.client.get("/api/claf/ventilation", headers=bearer).json()
    assert places["asset"]["code"] == "CLA"
    assert {p["slug"]: p["balance"] for p in places["places"]} == {"goulues": 4500, "ferme": 1200}
    claf_world.claf.remit("claf", producer="ferme", amount=1200, bank_reference="V",
                          bank_date=TODAY.isoformat(), author="t", token="t" * 20)  # fmt: skip
    answer = browser.client.get("/api/claf/remises", headers=bearer).json()
    assert [(r["instance"], r["amount"]) for r in answer["remittances"]] == [("ferme", 1200)]
    refused = browser.client.get(
        "/api/claf/ventilation", headers={"authorization": f"Bearer {foreign}"}
    )
    assert refused.status_code == 403
    schema = browser.client.get("/schema/openapi.json").json()
    assert {"/api/claf/ventilation", "/api/claf/remises"} <= set(schema["paths"])


# -- the producer's page -------------------------------------------------------------------


def test_a_producer_sees_its_balance_payments_and_remittances(claf_world):
    _funded(claf_world)
    claf_world.claf.remit("claf", producer="goulues", amount=4500, bank_reference="VIR-9",
                          bank_date=TODAY.isoformat(), author="t", token="g" * 20)  # fmt: skip
    alice = claf_world.claf.beneficiaries.of_fund("claf")[0]
    claf_world.pay(alice, "goulues", 250)
    browser = claf_world.visitor("goulues", "tresorier@goulues.fr")
    page = browser.get("/claf/producteur")
    assert page.status_code == 200
    assert "CLAF-outils (CLA) · CLAF de Flers" in page.text
    assert "Solde : 2,50 CLA" in page.text
    assert "45,00 CLA" in page.text and "VIR-9" in page.text
    assert "alice@example.org" not in page.text  # the payer's privacy
    payments = rows_of(browser.get(f"/claf/producteur/paiements.csv?du={TODAY}&au={TODAY}"))
    assert [(p["amount"], p["currency"]) for p in payments] == [("2.50", "CLA"), ("45.00", "CLA")]
    remittances = rows_of(browser.get("/claf/producteur/remises.csv"))
    assert [(r["amount"], r["bank_reference"]) for r in remittances] == [("45.00", "VIR-9")]
    past = browser.get("/claf/producteur?du=2020-01-01&au=2020-01-31")
    assert "Aucun paiement sur cette période." in past.text
    wrong = browser.get("/claf/producteur?du=hier&au=2020-01-31")
    assert "AAAA-MM-JJ" in wrong.text
    empty = claf_world.visitor("bisik", None)
    assert empty.get("/claf/lieux").status_code == 200


def test_the_fund_home_links_to_where_to_pay(claf_world):
    visitor = claf_world.visitor("claf")
    home = visitor.get("/")
    assert 'href="/claf/lieux"' in home.text
    places = visitor.get("/claf/lieux")
    assert "Les Goulues, Pâtes du Cotentin" in places.text and "La Ferme du Bocage" in places.text
    assert "La Cidrerie" not in places.text
    assert 'href="http://goulues.localhost"' in places.text
    assert "<h1>Où payer</h1>" in places.text
    visitor.client.cookies.set("lang", "en")
    english = visitor.get("/claf/lieux")
    assert "<h1>Where to pay</h1>" in english.text
    assert "Beneficiaries of the fund pay with CLAF-outils at these producers." in english.text
    assert "/claf/lieux" not in claf_world.visitor("goulues").get("/").text


def test_the_admin_panel_lists_the_plugin_s_sections_by_role(claf_world):
    admin = claf_world.visitor("claf", "admin@claf.fr").get("/admin").text
    for href in ("/claf", "/claf/beneficiaires", "/claf/allocations", "/claf/ventilation"):
        assert f'href="{href}"' in admin
    treasurer = claf_world.visitor("claf", "tresorier@claf.fr").get("/admin").text
    assert 'href="/claf/ventilation"' in treasurer and "/claf/beneficiaires" not in treasurer
    producer = claf_world.visitor("goulues", "tresorier@goulues.fr").get("/admin").text
    assert 'href="/claf/producteur"' in producer and "/claf/ventilation" not in producer


def test_every_page_is_served_as_html(claf_world):
    """A handler whose answer is annotated ``Any`` gets Litestar's JSON media type, and a
    browser then shows its page as text: each page route must leave the type to its
    template (found by the end-to-end test of the set-up page)."""
    visitor = claf_world.visitor("claf", "admin@claf.fr")
    pages = []
    for route in visitor.app.routes:
        for handler in getattr(route, "route_handlers", []):
            module = getattr(handler.fn, "__module__", "")
            if not module.startswith("plugins.claf") or route.path.startswith("/api/"):
                continue
            if route.path.endswith(".csv"):
                continue
            pages.append(route.path)
            assert handler.media_type != "application/json", route.path
    assert "/claf/mise-en-place" in pages and "/claf/ventilation/remise" in pages
    net = claf_world.network
    net.instances.create(Instance(slug="caisse-4", name="Caisse 4", kind=InstanceKind.FOOD_FUND))
    net.instances.set_plugin("caisse-4", "claf", True)
    admin = claf_world.user("admin@caisse4.fr")
    net.store.write(lambda tx: net.accounts.grant(tx, "caisse-4", admin.id, Role.ADMIN))
    browser = claf_world.visitor("caisse-4", "admin@caisse4.fr")
    form = browser.get("/claf/mise-en-place")
    assert form.headers["content-type"].startswith("text/html")
    refused = browser.post("/claf/mise-en-place", {"name": "", "code": "x"})
    assert refused.status_code == 400 and refused.headers["content-type"].startswith("text/html")
    _funded(claf_world)
    treasurer = claf_world.visitor("claf", "tresorier@claf.fr")
    page = treasurer.get("/claf/ventilation")
    done = treasurer.post("/claf/ventilation/remise", {
        "producer": "goulues", "amount": "4500", "token": token_of(page.text, "goulues"),
        "bank_reference": "VIR-HTML", "bank_date": TODAY.isoformat(),
    })  # fmt: skip
    assert done.headers["content-type"].startswith("text/html")
