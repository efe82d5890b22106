"""A cashier at the bar, in a real browser against a real server: open the point of sale,
ring up, a card that does not hold enough, the rest in cash; the kitchen; the ticket Z.

The data directory is prepared through the services before the server starts (an instance
with the register, a cashier's session, a card); screenshots go to tests/e2e/artifacts/.
"""

from __future__ import annotations

import pytest

from core import Instance, Network, load_settings
from core.accounts import Role
from core.wallets import WalletRef
from hosts.web.auth import SESSION_COOKIE
from plugins.laboutik.model import ArticleInput, CategoryInput, PointInput
from plugins.laboutik.service import laboutik_of
from tests.e2e.conftest import serving

pytestmark = pytest.mark.e2e


def prepare(data) -> tuple[str, str]:
    """The bar, a card holding 5.00 (UID 0AE2E001), a cashier: (session secret, card uid)."""
    with Network.open(load_settings(data)) as network:
        network.instances.create(Instance(slug="bar", name="Le Bar"))
        network.instances.set_plugin("bar", "laboutik", True)
        lb = laboutik_of(network)
        lb.catalog.save_point("bar", PointInput(name="Comptoir"))
        drinks = lb.catalog.save_category("bar", CategoryInput(name="Boissons", colour="#f2b134"))
        food = lb.catalog.save_category("bar", CategoryInput(name="Cuisine", colour="#2e7d32"))
        for name, price, category, kitchen in [
            ("Pinte", 650, drinks.id, False),
            ("Frites", 400, food.id, True),
        ]:
            lb.catalog.save_article(
                "bar", ArticleInput(name=name, price=price, vat_rate=1000, category_id=category,
                                    kitchen=kitchen),
            )  # fmt: skip
        card = network.money.cards.add(uid="0AE2E001", number="E2E-1")
        network.money.grant(operation_id="e2e", wallet=WalletRef.card(card.id), asset_id=1,
                            amount=500)  # fmt: skip

        def cashier(tx):
            user = network.accounts.ensure_user(tx, "caisse@bar.example")
            network.accounts.grant(tx, "bar", user.id, Role.CASHIER)
            return network.accounts.open_session(tx, user.id)

        return network.store.write(cashier), card.uid


def test_a_cashier_sells_with_a_split_payment_then_closes_the_day(tmp_path, page, shot):
    data = tmp_path / "data"
    session, uid = prepare(data)
    problems: list[str] = []
    # the shortfall answers 409 and there is no favicon: the browser logs those loads, fine;
    # a Content-Security-Policy violation or a script error would show here
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    with serving(data, tmp_path / "server.log") as port:
        bar = f"http://bar.localhost:{port}"
        page.context.add_cookies(
            [{"name": SESSION_COOKIE, "value": session, "url": bar, "httpOnly": True}]
        )
        page.goto(f"{bar}/caisse")
        page.get_by_role("link", name="Comptoir").click()
        page.get_by_label("Fond de caisse dans le tiroir").fill("80")
        shot(page, "closed")
        page.get_by_role("button", name="Ouvrir le point de vente").click()
        page.get_by_role("button", name="Pinte 6,50").click()
        page.get_by_role("button", name="Pinte 6,50").click()
        page.get_by_role("button", name="Frites 4,00").click()
        assert page.locator(".lb-total").first.inner_text() == "17,00"
        shot(page, "order")
        page.get_by_label("Carte (UID lu ou saisi)").fill(uid)
        page.get_by_role("button", name="Payer par carte").click()
        assert page.get_by_text("La carte contient 5,00 : il manque 12,00.").is_visible()
        shot(page, "shortfall")
        page.get_by_role("button", name="Prendre 5,00 sur cette carte").click()
        assert page.get_by_text("Reste à payer").first.is_visible()
        page.get_by_label("Espèces reçues").fill("20")
        page.get_by_role("button", name="Payer en espèces").click()
        assert page.get_by_text("Monnaie à rendre : 8,00").is_visible()
        shot(page, "paid")

        page.goto(f"{bar}/caisse/cuisine")
        assert page.get_by_text("1 × Frites").is_visible()
        page.get_by_role("button", name="Prêt").click()
        assert page.get_by_text("prêt", exact=True).is_visible()
        shot(page, "kitchen")

        page.goto(f"{bar}/caisse/clotures")
        page.get_by_role("button", name="Clôturer maintenant").click()
        assert page.get_by_role("heading", name="Ticket Z n° 1").first.is_visible()
        assert page.get_by_role("cell", name="17,00").first.is_visible()
        shot(page, "ticket-z")
    assert problems == []  # no Content-Security-Policy violation, no script error
