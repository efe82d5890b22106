"""A cashier's charge page in a real browser updates live when a card pays at the reader.

Real server process, real SMTP server (the cashier logs in by e-mailed link), Chromium driven
by Playwright, an emulated Type 3 card on nfcpy's udp device read by the terminal host. The
cashier types an amount; the card taps; the page shows the payment without being reloaded
(server-sent events read by /-/static/terminal.js).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core import Instance, Network, load_settings
from core.accounts import Role
from core.wallets import WalletRef
from hosts.nfc.bench import free_udp_port
from hosts.nfc.command import start_host
from hosts.nfc.emulate import EmulatedCard
from hosts.nfc.served import ServerProcess
from hosts.serving import free_port
from tests.e2e.conftest import wait_for_mail, write_settings
from tests.web_support import link_in

pytestmark = pytest.mark.e2e

UID = "0102030405060708"


@pytest.fixture
def market(tmp_path: Path, smtp) -> Iterator[tuple[ServerProcess, str]]:
    data = tmp_path / "data"
    data.mkdir()
    write_settings(data, smtp.port)
    with Network.open(load_settings(data)) as network:
        for slug, name in (("claf", "CLAF"), ("goulues", "Les Goulues")):
            network.instances.create(Instance(slug=slug, name=name))
        cashier = network.store.write(lambda tx: network.accounts.ensure_user(tx, "lea@goulues.fr"))
        network.store.write(
            lambda tx: network.accounts.grant(tx, "goulues", cashier.id, Role.CASHIER)
        )
        money = network.money
        cla = money.assets.create(issuer="claf", code="CLA", name="CLAF-outils", category="fiat")
        money.federations.invite(cla.id, "goulues", by_instance="claf", author="admin")
        money.federations.accept(cla.id, "goulues", author="admin")
        card = money.cards.add(uid=UID, number="0001")
        money.grant(operation_id="allocation", wallet=WalletRef.card(card.id), asset_id=cla.id,
                    amount=5000)  # fmt: skip
        _r, code = network.terminals.new_pairing_code(
            network.instances.get("goulues"), name="Marché", mode="charge"
        )
        _key, secret = network.api_keys.create("goulues", Role.CASHIER, "balance")
    with ServerProcess(data, free_port()) as server:
        yield server, code, secret


def test_the_charge_page_shows_the_payment_live(market, smtp, page, shot, tmp_path):
    server, code, secret = market
    space = server.address("goulues")
    with EmulatedCard.type3(free_udp_port()) as card:
        host, reader, _identity = start_host(
            device=f"udp:127.0.0.1:{card.port}", server=space, pair_code=code,
            state_path=tmp_path / "t.json", targets="212F", out=lambda _line: None,
        )  # fmt: skip
        stop = threading.Event()
        reading = threading.Thread(
            target=reader.run, args=(lambda uid, t: host.tap(uid, detected_at=t), stop)
        )
        reading.start()
        try:
            page.goto(f"{space}/connexion")
            page.get_by_label("Adresse e-mail").fill("lea@goulues.fr")
            page.get_by_role("button", name="M'envoyer un lien").click()
            page.goto(link_in(wait_for_mail(smtp, 1)))
            page.get_by_role("button", name="Connexion").last.click()
            page.goto(f"{space}/caisse/terminaux")
            page.get_by_role("link", name="Marché").click()
            shot(page, "charge-page")
            page.get_by_label("Montant (€)").fill("douze")
            page.get_by_role("button", name="Demander le paiement").click()
            assert page.get_by_text("Saisissez un montant en euros, comme 12,50.").is_visible()
            assert page.get_by_label("Montant (€)").input_value() == "douze"
            page.get_by_label("Montant (€)").fill("12,50")
            page.get_by_label("Ce qui est vendu (facultatif)").fill("Pâtes fraîches")
            page.get_by_role("button", name="Demander le paiement").click()
            status = page.locator("#charge-status")
            status.get_by_text("En attente d'une carte : 12,50 €").wait_for()
            page.wait_for_selector('#charge-status[data-live="on"]')
            shot(page, "waiting-for-card")
            url = page.url
            card.present(UID)  # the customer taps
            outcome = status.locator("p.outcome")
            outcome.get_by_text("Payé 12,50 (CLA 12,50).").wait_for(timeout=10_000)
            assert "carte n° 0001" in outcome.inner_text()
            assert status.get_by_text("Payé : 12,50 €").is_visible()
            assert status.get_by_role("cell", name="0001").is_visible()  # the last taps
            assert page.url == url  # no reload: the stream brought it
            shot(page, "paid-live")
            # a program (the stall's scale, with a cashier key) asks the next amount: it shows
            # up live too, with a working "cancel" button
            asked = httpx.post(
                f"http://127.0.0.1:{server.port}/api/terminals/{host.state.terminal_id}/charge",
                json={"amount": 480, "label": "Farine"}, timeout=10,
                headers={"host": f"goulues.localhost:{server.port}",
                         "authorization": f"Bearer {secret}"},
            )  # fmt: skip
            assert asked.status_code == 201
            status.get_by_text("En attente d'une carte : 4,80 €").wait_for(timeout=10_000)
            status.get_by_role("button", name="Annuler le paiement").click()
            page.locator("#charge-status").get_by_text("Montant annulé.").wait_for()
            page.wait_for_selector('#charge-status[data-live="on"]')
            # the page's stream is still open: the server stops all the same, by itself
            assert server.stop(timeout=20) is True
        finally:
            stop.set()
            reading.join(10)
            reader.close()
