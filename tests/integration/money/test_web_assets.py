"""Assets in the admin panel: list, create with errors next to fields, edit, archive."""

from __future__ import annotations

from core.wallets import AssetCategory, WalletRef


def _main(html: str) -> str:
    return html[html.find("<main>") :]


def test_the_panel_lists_the_money_sections_by_role(money_world):
    admin = money_world.login("admin@claf.fr", "claf.localhost")
    panel = admin.get("/admin").text
    for label in ("Actifs", "Invitations d&#39;actifs", "Ordre de paiement", "Cartes"):
        assert label in panel
    assert "Attribution" in panel and "Correction" in panel
    treasurer = money_world.login("tresorier@claf.fr", "claf.localhost")
    panel = treasurer.get("/admin").text
    assert "Attribution" in panel and "Actifs" not in panel
    assert treasurer.get("/admin/actifs").status_code == 403
    cashier = money_world.login("caisse@claf.fr", "claf.localhost")
    assert cashier.get("/admin/attribution").status_code == 403


def test_create_an_asset_with_errors_next_to_fields_and_nothing_lost(money_world):
    admin = money_world.login("admin@claf.fr", "claf.localhost")
    admin.get("/admin/actifs/nouveau")
    bad = admin.post(
        "/admin/actifs/nouveau",
        {"category": "time", "name": "Heures du jardin", "code": "H1", "decimals": "0"},
    )
    assert bad.status_code == 400
    page = _main(bad.text)
    assert "Utilisez exactement trois lettres" in page
    assert 'value="Heures du jardin"' in page and 'value="H1"' in page
    assert '<option value="time" selected>' in page
    taken = admin.post(
        "/admin/actifs/nouveau",
        {"category": "gift", "name": "Autre", "code": "cla", "decimals": "2"},
    )
    assert taken.status_code == 400
    assert "Un autre actif du réseau utilise déjà ce code." in taken.text
    assert 'value="Autre"' in taken.text
    decimals = admin.post(
        "/admin/actifs/nouveau", {"category": "gift", "name": "X", "code": "XYZ", "decimals": "9"}
    )
    assert decimals.status_code == 400 and "Choisissez de 0 à 4 décimales." in decimals.text
    category = admin.post(
        "/admin/actifs/nouveau",
        {"category": "primary", "name": "X", "code": "XYZ", "decimals": "2"},
    )
    assert category.status_code == 400
    assert [a.code for a in money_world.network.money.assets.issued_by("claf")] == ["CLA"]

    made = admin.post(
        "/admin/actifs/nouveau",
        {"category": "time", "name": "Heures du jardin", "code": "hjd", "decimals": "0"},
    )
    assert made.status_code == 200 and "L&#39;actif a été créé." in made.text
    asset = money_world.network.money.assets.by_code("HJD")
    assert (asset.issuer, asset.category, asset.decimals) == ("claf", AssetCategory.TIME, 0)
    assert made.url.path == f"/admin/actifs/{asset.id}"
    listing = admin.get("/admin/actifs").text
    assert "HJD" in listing and "Heures du jardin" in listing
    assert "FED" in listing  # the primary asset is accepted everywhere


def test_edit_and_archive_and_what_the_issuer_owes(money_world):
    network = money_world.network
    cla = money_world.cla
    money_world.grant(WalletRef.user(money_world.user_id("a@b.fr")), 2550, cla)
    admin = money_world.login("admin@claf.fr", "claf.localhost")
    page = admin.get(f"/admin/actifs/{cla.id}").text
    assert "25,50 CLA" in page
    bad = admin.post(f"/admin/actifs/{cla.id}", {"name": "", "code": "CLA"})
    assert bad.status_code == 400 and "Utilisez de 1 à 100 caractères." in bad.text
    saved = admin.post(
        f"/admin/actifs/{cla.id}", {"name": "CLAF outils", "code": "CLA", "transferable": "1"}
    )
    assert "Enregistré." in saved.text
    changed = network.money.assets.get(cla.id)
    assert (changed.name, changed.transferable) == ("CLAF outils", True)
    archived = admin.post(f"/admin/actifs/{cla.id}/archiver", {"archived": "1"})
    assert "L&#39;actif est archivé" in archived.text
    assert network.money.assets.get(cla.id).archived
    restored = admin.post(f"/admin/actifs/{cla.id}/archiver", {"archived": "0"})
    assert "de nouveau en service" in restored.text
    assert not network.money.assets.get(cla.id).archived


def test_another_instance_cannot_see_nor_change_an_asset_it_does_not_hold(money_world):
    cla = money_world.cla
    producer = money_world.login("nicolas@goulues.fr", "goulues.localhost")
    assert producer.get(f"/admin/actifs/{cla.id}").status_code == 404
    producer.get("/admin/actifs")
    assert (
        producer.post(f"/admin/actifs/{cla.id}", {"name": "Volé", "code": "CLA"}).status_code == 404
    )
    assert producer.post(f"/admin/actifs/{cla.id}/archiver", {"archived": "1"}).status_code == 404
    primary = producer.get("/admin/actifs/1")
    assert primary.status_code == 200 and "Tous les collectifs du réseau" in primary.text
    assert money_world.network.money.assets.get(cla.id).name == "CLAF-outils"


def test_every_money_page_is_html_for_its_reader(money_world):
    network = money_world.network
    card = network.money.cards.add(uid="04A1B2C3", number="0001", qr_id="qr-card-0001")
    admin = money_world.login("admin@claf.fr", "claf.localhost")
    pages = [
        "/admin/actifs",
        "/admin/actifs/nouveau",
        f"/admin/actifs/{money_world.cla.id}",
        "/admin/invitations",
        "/admin/ordre-de-paiement",
        "/admin/cartes",
        "/admin/attribution",
        "/admin/correction",
        "/mon-compte/carte",
        f"/carte/{card.qr_id}",
    ]
    for path in pages:
        answer = admin.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("text/html"), path
    stranger = money_world.browser("claf.localhost").get(f"/carte/{card.qr_id}")
    assert stranger.headers["content-type"].startswith("text/html")
