"""The register page in a real browser follows the bar's card terminal live.

Real server process, Chromium driven by Playwright, a terminal host (in a thread) reading an
emulated Type 3 card on nfcpy's udp device. The cashier's page of the closed counter opens by
itself when the staff card is tapped; the order sent to the terminal shows the customer's
shortfall, then, after cash for it, the payment by the same card: all without a reload (the
page's ``window`` keeps a mark set before each tap). No script error, no CSP violation.
"""

from __future__ import annotations

import threading

import pytest

from core import Instance, Network, load_settings
from core.accounts import Role
from core.terminals import TerminalState, write_state
from core.terminals.signing import new_private_key, private_key_text, public_key_text
from core.wallets import WalletRef
from hosts.nfc.bench import free_udp_port
from hosts.nfc.command import start_host
from hosts.nfc.emulate import EmulatedCard
from hosts.web.auth import SESSION_COOKIE
from plugins.laboutik.model import ArticleInput, CategoryInput, PointInput
from plugins.laboutik.service import laboutik_of
from plugins.laboutik.terminal_model import CASH_REGISTER_MODE
from tests.e2e.conftest import serving

pytestmark = pytest.mark.e2e

STAFF = "0A0A0A0A0A0A0A01"
CUSTOMER = "0C0C0C0C0C0C0C01"


def prepare(data):
    """The bar (closed), its terminal paired and bound, a staff card, a customer's card
    holding 5.00, a cashier: (session secret, point of sale, terminal, its private key)."""
    with Network.open(load_settings(data)) as network:
        network.instances.create(Instance(slug="bar", name="Le Bar"))
        network.instances.set_plugin("bar", "laboutik", True)
        lb = laboutik_of(network)
        pos = lb.catalog.save_point("bar", PointInput(name="Comptoir"))
        drinks = lb.catalog.save_category("bar", CategoryInput(name="Boissons"))
        lb.catalog.save_article(
            "bar", ArticleInput(name="Pinte", price=650, vat_rate=2000, category_id=drinks.id)
        )
        money = network.money
        staff = money.cards.add(uid=STAFF, number="STAFF-1")
        money.cards.set_primary(staff.id, "bar")
        customer = money.cards.add(uid=CUSTOMER, number="CLIENT-1")
        money.grant(operation_id="e2e", wallet=WalletRef.card(customer.id), asset_id=1,
                    amount=500)  # fmt: skip
        key = new_private_key()
        _record, code = network.terminals.new_pairing_code(
            network.instances.get("bar"), name="Lecteur", mode=CASH_REGISTER_MODE
        )
        terminal = network.terminals.pair("bar", code, public_key_text(key))
        lb.terminals.bind("bar", terminal.id, pos.id, author="admin")

        def cashier(tx):
            user = network.accounts.ensure_user(tx, "caisse@bar.example")
            network.accounts.grant(tx, "bar", user.id, Role.CASHIER)
            return network.accounts.open_session(tx, user.id)

        return network.store.write(cashier), pos.id, terminal, key


def test_the_register_page_follows_the_terminal_live(tmp_path, page, shot):
    data = tmp_path / "data"
    session, pos_id, terminal, key = prepare(data)
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    with serving(data, tmp_path / "server.log") as port, \
            EmulatedCard.type3(free_udp_port()) as card:  # fmt: skip
        bar = f"http://bar.localhost:{port}"
        state = tmp_path / "terminal.json"
        write_state(state, TerminalState(
            server=bar, private_key=private_key_text(key), public_key=public_key_text(key),
            terminal_id=terminal.id, name=terminal.name, instance="bar",
        ))  # fmt: skip
        host, reader, identity = start_host(
            device=f"udp:127.0.0.1:{card.port}", server=bar, pair_code=None, state_path=state,
            targets="212F", out=lambda _line: None,
        )  # fmt: skip
        assert identity["mode"] == CASH_REGISTER_MODE
        stop = threading.Event()
        reading = threading.Thread(
            target=reader.run, args=(lambda uid, t: host.tap(uid, detected_at=t), stop)
        )
        reading.start()
        try:
            page.context.add_cookies(
                [{"name": SESSION_COOKIE, "value": session, "url": bar, "httpOnly": True}]
            )
            page.goto(f"{bar}/caisse/{pos_id}")
            live = page.locator("#lb-live")
            live.get_by_text("Ou passez une carte du personnel sur").wait_for()
            page.wait_for_selector('#lb-live[data-live="on"]')
            shot(page, "closed")

            def tap(uid: str) -> None:
                page.evaluate("window.sameDocument = true")
                card.present(uid)

            def still_same_page() -> None:
                assert page.evaluate("window.sameDocument === true")  # no reload happened

            tap(STAFF)  # the counter opens by itself
            live.get_by_role("button", name="Fermer le point de vente").wait_for(timeout=10_000)
            assert live.get_by_text("Le point de vente a été ouvert avec cette carte").is_visible()
            still_same_page()
            shot(page, "opened-by-the-staff-card")
            card.remove()
            assert card.wait_polled()

            page.get_by_role("button", name="Pinte 6,50").click()
            page.get_by_role("button", name="Pinte 6,50").click()
            page.get_by_role("button", name="Payer par carte sur Lecteur").click()
            live.get_by_text("En attente d'une carte sur Lecteur : 13,00").wait_for()
            page.wait_for_selector('#lb-live[data-live="on"]')
            tap(CUSTOMER)  # 5.00 on the card: the exact shortfall, nothing taken
            live.get_by_text("il manque 8,00 FED").first.wait_for(timeout=10_000)
            assert live.get_by_role(
                "button", name="Sur Lecteur, prendre ce que contient la prochaine carte"
            ).is_visible()
            still_same_page()
            shot(page, "shortfall-live")
            card.remove()
            assert card.wait_polled()

            page.get_by_label("Espèces reçues").fill("8")
            page.get_by_role("button", name="Payer en espèces").click()
            live.get_by_text("En attente d'une carte sur Lecteur : 5,00").wait_for()
            page.wait_for_selector('#lb-live[data-live="on"]')
            tap(CUSTOMER)  # the order still waits on the terminal: the card pays the rest
            live.get_by_text("est payée : 13,00").wait_for(timeout=10_000)
            assert live.get_by_text("5,00 payés par carte (FED 5,00)").is_visible()
            still_same_page()
            shot(page, "paid-live")
        finally:
            stop.set()
            reading.join(10)
            reader.close()
    assert problems == []
