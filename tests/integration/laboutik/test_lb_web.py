"""The register's pages through the web host: the register flow with a split payment, forms
that keep what was typed, CSRF, roles across instances, counter pages, kitchen, closures."""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute

from core.wallets import WalletRef
from plugins.laboutik.model import OrderStatus

HTML = {"accept": "text/html"}


def order_of(response) -> str:
    found = re.search(r"commande=([0-9a-f]{16})", str(response.url))
    assert found, response.url
    return found.group(1)


def test_a_cashier_rings_up_and_takes_a_split_payment(shop, browse):
    card = shop.card("ann", primary=500)
    cashier = browse("cashier")
    shop.lb.orders.close_session("bar", shop.pos, author="t")
    page = cashier.get(f"/caisse/{shop.pos}")
    assert "Ouvrir le point de vente" in page.text
    page = cashier.post(f"/caisse/{shop.pos}/ouvrir", {"opening_float": "abc"})
    assert page.status_code == 422 and "Saisissez un montant" in page.text
    cashier.post(f"/caisse/{shop.pos}/ouvrir", {"opening_float": "50,00"})
    assert shop.lb.orders.session("bar", shop.pos).opening_float == 5000
    page = cashier.post(f"/caisse/{shop.pos}/ajouter", {"article_id": shop.articles["beer"]})
    order = order_of(page)
    for article in ("beer", "soda"):
        page = cashier.post(
            f"/caisse/{shop.pos}/ajouter", {"article_id": shop.articles[article], "order_id": order}
        )
    assert "15,50" in page.text  # 2 beers and a soda
    token = re.search(r'name="operation_id" value="([0-9a-f]+)"', page.text).group(1)
    pay = f"/caisse/{shop.pos}/commandes/{order}/payer"
    page = cashier.post(pay, {"method": "cashless", "uid": card.uid.lower(), "operation_id": token})
    assert page.status_code == 409
    assert "il manque 10,50" in page.text and "Prendre 5,00 sur cette carte" in page.text
    assert f'value="{card.uid.lower()}"' in page.text  # what was typed is still there
    page = cashier.post(
        pay, {"method": "cashless", "uid": card.uid, "operation_id": token, "partial": "1"}
    )
    assert "Reste à payer" in page.text and "10,50" in page.text
    again = cashier.post(
        pay, {"method": "cashless", "uid": card.uid, "operation_id": token, "partial": "1"}
    )
    assert again.status_code == 200  # the same form twice: paid once
    page = cashier.post(pay, {"method": "cash", "received": "20", "operation_id": "cash-1"})
    assert "est payée" in page.text and "Monnaie à rendre : 9,50" in page.text
    done = shop.lb.orders.get("bar", order)
    assert done.status == OrderStatus.PAID and done.paid == 1550
    assert [p.amount for p in shop.lb.payments.of_order("bar", order)] == [500, 1050]
    assert shop.balance(card, 1) == 0


def test_forms_show_errors_next_to_fields_and_keep_what_was_typed(shop, browse):
    admin = browse("admin")
    admin.get("/admin/caisse/articles/nouveau")
    page = admin.post(
        "/admin/caisse/articles",
        {"name": "Ginger beer", "price": "abc", "vat_rate": "150", "category_id": ""},
    )
    assert page.status_code == 422
    assert 'value="Ginger beer"' in page.text and 'value="abc"' in page.text
    assert 'id="e-price"' in page.text and 'id="e-vat_rate"' in page.text
    assert "Choisissez une catégorie." in page.text
    assert "Ginger beer" not in [a.name for a in shop.lb.catalog.articles("bar")]
    page = admin.post(
        "/admin/caisse/articles",
        {"name": "Ginger beer", "price": "3,20", "vat_rate": "5,5",
         "category_id": shop.categories["drinks"], "kitchen": "1"},
    )  # fmt: skip
    assert page.status_code == 200 and "Ginger beer" in page.text
    made = next(a for a in shop.lb.catalog.articles("bar") if a.name == "Ginger beer")
    assert (made.price, made.vat_rate, made.kitchen) == (320, 550, True)
    page = admin.post("/admin/caisse/reglages", {"hour": "4h", "timezone": "Europe/Pariss"})
    assert page.status_code == 422 and 'value="4h"' in page.text
    assert 'id="e-hour"' in page.text and 'id="e-timezone"' in page.text
    page = admin.post(
        "/admin/caisse/points-de-vente",
        {"name": "", "methods": [], "bonus_rate": "x", f"rank_{shop.gift.id}": "1"},
    )
    assert page.status_code == 422
    assert 'id="e-name"' in page.text and 'id="e-bonus_rate"' in page.text
    assert f'name="rank_{shop.gift.id}" value="1"' in page.text
    assert len(shop.lb.catalog.points("bar")) == 1


def test_the_set_up_pages_create_and_archive(shop, browse):
    admin = browse("admin")
    admin.get("/admin/caisse")
    admin.post("/admin/caisse/categories", {"name": "Snacks", "colour": "#123456"})
    snacks = next(c for c in shop.lb.catalog.categories("bar") if c.name == "Snacks")
    admin.post(
        "/admin/caisse/points-de-vente",
        {"name": "Terrace", "methods": ["cashless", "cash"], f"rank_{shop.local.id}": "1",
         "rank_1": "2", "bonus_asset": str(shop.gift.id), "bonus_rate": "5",
         "bonus_threshold": "10"},
    )  # fmt: skip
    terrace = next(p for p in shop.lb.catalog.points("bar") if p.name == "Terrace")
    assert terrace.asset_order == [shop.local.id, 1] and terrace.methods == ["cashless", "cash"]
    assert (terrace.bonus_rate, terrace.bonus_threshold) == (500, 1000)
    page = admin.get(f"/admin/caisse/points-de-vente/{terrace.id}")
    assert f'name="rank_{shop.local.id}" value="1"' in page.text
    admin.post("/admin/caisse/tables", {"name": "T1"})
    assert [t.name for t in shop.lb.catalog.tables("bar")] == ["T1"]
    admin.post(f"/admin/caisse/categories/{snacks.id}/archiver", {})
    assert "Snacks" not in [c.name for c in shop.lb.catalog.categories("bar")]
    css = admin.client.get("/caisse/couleurs.css")
    assert css.headers["content-type"].startswith("text/css")
    assert f".lb-c-{shop.categories['drinks']}{{background:#f2b134;color:#000}}" in css.text


def test_forms_without_the_csrf_token_are_refused(shop, browse):
    cashier = browse("cashier")
    cashier.get("/caisse")
    response = cashier.post(
        f"/caisse/{shop.pos}/ajouter", {"article_id": shop.articles["beer"]}, csrf=False
    )
    assert response.status_code == 403
    assert shop.lb.orders.active("bar") == []


def plugin_routes(app) -> list[tuple[str, str, object]]:
    """(method, path with parameters filled, declared role) of every route of the plugin."""
    mine = set(app.state.plugin_routes["laboutik"])
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path in mine:
            for handler in route.route_handlers:
                path = re.sub(r"\{[^}]+\}", "x", route.path)
                for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                    found.append((method, path, handler.opt.get("role")))
    return found


def test_a_cashier_of_another_instance_gets_nothing_here(shop, browse):
    stranger = browse("cashier", instance="other")
    stranger.get("/")
    routes = [r for r in plugin_routes(stranger.app) if r[2] is not None]
    assert len(routes) > 40
    accepted = []
    for method, path, _role in routes:
        if method == "GET":
            status = stranger.client.get(path, headers=HTML, follow_redirects=False).status_code
        elif method == "POST":
            status = stranger.post(path, {"article_id": "x"}, follow=False).status_code
        else:  # PUT, DELETE: the JSON API
            status = stranger.client.request(method, path, json={}).status_code
        if status not in {403, 404}:
            accepted.append((method, path, status))
    assert accepted == []
    unguarded = {path for _m, path, role in plugin_routes(stranger.app) if role is None}
    assert unguarded == {"/laboutik/static/x"}  # the stylesheet and the kitchen's script


def test_roles_on_the_instance_itself(shop, browse):
    treasurer = browse("treasurer")
    member = browse("member")
    for path in ("/caisse/clotures",):
        assert treasurer.get(path).status_code == 200
        assert member.client.get(path, headers=HTML).status_code == 403
    assert treasurer.client.get("/caisse", headers=HTML).status_code == 403
    assert member.client.get(f"/caisse/{shop.pos}", headers=HTML).status_code == 403
    cashier = browse("cashier")
    assert cashier.client.get("/admin/caisse", headers=HTML).status_code == 403
    anonymous = browse(None)
    anonymous.client.cookies.clear()
    away = anonymous.client.get("/caisse", headers=HTML, follow_redirects=False)
    assert away.status_code in {302, 303} and away.headers["location"].startswith("/connexion")
    shop.network.instances.set_plugin("bar", "laboutik", False)
    assert cashier.client.get("/caisse", headers=HTML).status_code == 404


def test_refill_refund_and_lost_card_pages(shop, browse):
    card = shop.card("ann", local=700)
    new = shop.card("ann-2")
    cashier = browse("cashier")
    page = cashier.get(f"/caisse/{shop.pos}/recharge")
    page = cashier.post(
        f"/caisse/{shop.pos}/recharge",
        {"uid": card.uid, "asset_id": "1", "amount": "25", "method": "cash", "operation_id": "r1"},
    )
    assert "Rechargé : 25,00 FED" in page.text and "Bonus offert : 2,50 BGF" in page.text
    page = cashier.post(
        f"/caisse/{shop.pos}/recharge",
        {"uid": "0BADCAFE", "asset_id": "1", "amount": "5", "method": "cash", "operation_id": "r2"},
    )
    assert page.status_code == 404 and "Cette carte est inconnue." in page.text
    assert 'value="0BADCAFE"' in page.text
    page = cashier.get(f"/caisse/{shop.pos}/remboursement?carte={card.uid}")
    assert "7,00" in page.text and "Rembourser et rendre en espèces" in page.text
    assert shop.balance(card, shop.local.id) == 700  # looking changes nothing
    page = cashier.post(
        f"/caisse/{shop.pos}/remboursement", {"uid": card.uid, "operation_id": "rf1"}
    )
    assert "Rendez 7,00 en espèces." in page.text
    assert shop.balance(card, shop.local.id) == 0
    page = cashier.post(
        f"/caisse/{shop.pos}/carte-perdue",
        {"card": card.number, "replacement": "nonsense", "operation_id": "v1"},
    )
    assert page.status_code == 409 and 'id="e-replacement"' in page.text
    page = cashier.post(
        f"/caisse/{shop.pos}/carte-perdue",
        {"card": card.number, "replacement": new.uid, "operation_id": "v1"},
    )
    assert "est déclarée perdue" in page.text
    assert shop.network.money.balance(WalletRef.card(new.id), 1) == 2500


def test_kitchen_and_tables(shop, browse):
    from plugins.laboutik.model import TableInput

    table = shop.lb.catalog.save_table("bar", TableInput(name="Terrasse 2"))
    order = shop.order(("fries", 2), ("beer", 1), table=table.id)
    cashier = browse("cashier")
    page = cashier.get("/caisse/cuisine")
    assert "2 × fries" in page.text and "Terrasse 2" in page.text and "kitchen.js" in page.text
    fragment = cashier.client.get("/caisse/cuisine?fragment=1", headers=HTML)
    assert "<html" not in fragment.text and "2 × fries" in fragment.text
    line = shop.lb.orders.get("bar", order).lines[0].id
    cashier.post(f"/caisse/commandes/{order}/lignes/{line}", {"state": "ready", "back": "cuisine"})
    assert shop.lb.orders.get("bar", order).lines[0].state == "ready"
    page = cashier.get("/caisse/tables")
    assert "Reste à payer : 14,50 sur 14,50" in page.text and "1 × beer" in page.text
    js = cashier.client.get("/laboutik/static/kitchen.js")
    assert js.status_code == 200 and "setTimeout" in js.text


def test_closing_a_day_from_the_page_and_reading_it_again(shop, browse):
    card = shop.card("ann", primary=5000)
    shop.pay_card(shop.order(("beer", 2)), card)
    treasurer = browse("treasurer")
    page = treasurer.get("/caisse/clotures")
    assert "Clôturer maintenant" in page.text and "13,00" in page.text
    page = treasurer.post("/caisse/clotures?early=true", {})
    assert str(page.url).endswith("/caisse/clotures/1") and "Ticket Z n° 1" in page.text
    assert "13,00" in page.text and "10,83" in page.text and "2,17" in page.text  # VAT 20 %
    assert "treasurer-0@bar.example" in page.text  # who closed it
    page = treasurer.post("/caisse/clotures", {})
    assert page.status_code == 409 and "se termine le" in page.text
    csv = treasurer.client.get("/caisse/clotures/1/csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert "summary,sales,,1,1300,13.00" in csv.text
    assert treasurer.client.get("/caisse/clotures/9", headers=HTML).status_code == 404
    assert treasurer.client.get("/caisse/clotures/abc", headers=HTML).status_code == 404


def test_pages_in_english_and_a_category_form_keeps_its_values(shop, browse):
    admin = browse("admin")
    admin.get("/caisse")
    admin.post("/-/langue", {"lang": "en", "suite": "/caisse"})
    page = admin.get("/caisse")
    assert "Points of sale" in page.text and "Tables: left to pay, left to serve" in page.text
    admin.get("/admin/caisse/categories/nouvelle")
    page = admin.post("/admin/caisse/categories", {"name": "Desserts", "colour": "pink"})
    assert page.status_code == 422 and 'value="Desserts"' in page.text
    assert "Choose a colour written #rrggbb." in page.text
    assert "Desserts" not in [c.name for c in shop.lb.catalog.categories("bar")]


def test_editing_archiving_and_the_other_register_buttons(shop, browse):
    from plugins.laboutik.model import TableInput

    admin = browse("admin")
    drinks, beer = shop.categories["drinks"], shop.articles["beer"]
    assert 'value="Drinks"' in admin.get(f"/admin/caisse/categories/{drinks}").text
    admin.post(f"/admin/caisse/categories/{drinks}", {"name": "Boissons", "colour": "#000000"})
    assert shop.lb.catalog.category("bar", drinks).name == "Boissons"
    page = admin.get(f"/admin/caisse/articles/{beer}")
    assert 'value="6.50"' in page.text and 'value="20"' in page.text
    admin.post(
        f"/admin/caisse/articles/{beer}",
        {"name": "Beer", "price": "7", "vat_rate": "20", "category_id": drinks,
         "own_colour": "1", "colour": "#ffffff", "points_of_sale": [shop.pos]},
    )  # fmt: skip
    edited = shop.lb.catalog.article("bar", beer)
    assert (edited.price, edited.colour, edited.points_of_sale) == (700, "#ffffff", [shop.pos])
    admin.post(f"/admin/caisse/articles/{beer}/archiver", {})
    assert beer not in [a.id for a in shop.lb.catalog.articles("bar")]
    admin.post(f"/admin/caisse/articles/{beer}/archiver", {"archived": "0"})
    assert beer in [a.id for a in shop.lb.catalog.articles("bar")]
    table = shop.lb.catalog.save_table("bar", TableInput(name="T1"))
    admin.get("/admin/caisse/tables")
    admin.post(f"/admin/caisse/tables/{table.id}/archiver", {})
    assert shop.lb.catalog.tables("bar") == []
    admin.post(f"/admin/caisse/tables/{table.id}/archiver", {"archived": "0"})

    cashier = browse("cashier")
    cashier.get(f"/caisse/{shop.pos}")
    page = cashier.post(f"/caisse/{shop.pos}/commandes", {"table_id": table.id})
    order = order_of(page)
    assert shop.lb.orders.get("bar", order).table_id == table.id
    page = cashier.post(
        f"/caisse/{shop.pos}/ajouter", {"article_id": shop.articles["soda"], "order_id": order}
    )
    line = shop.lb.orders.get("bar", order).lines[0].id
    cashier.post(f"/caisse/{shop.pos}/commandes/{order}/retirer", {"line_id": str(line)})
    assert shop.lb.orders.get("bar", order).lines == []
    cashier.post(f"/caisse/{shop.pos}/commandes/{order}/annuler", {})
    assert shop.lb.orders.get("bar", order).status == OrderStatus.CANCELLED
    page = cashier.post(f"/caisse/{shop.pos}/fermer", {})
    assert shop.lb.orders.session("bar", shop.pos) is None and "Fermé" in page.text
    admin.get("/admin/caisse")
    admin.post(f"/admin/caisse/points-de-vente/{shop.pos}/archiver", {})
    assert shop.lb.catalog.points("bar") == []
