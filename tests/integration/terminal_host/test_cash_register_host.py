"""End to end, the cash register's terminal: emulated Type 3 cards on nfcpy's udp device, the
real ``tirelire nfc`` host in its own process, the real server, and the register's live
stream read over HTTP like a browser's ``EventSource``.

Les Goulues' counter is closed. A terminal paired in ``cash_register`` mode is bound to it
(admin API); the staff card tapped on it opens the counter; a cashier rings up an order and
sends it to the terminal (cashier API); the customer's card does not hold enough: the exact
shortfall; the shortfall is paid in cash; the same card, tapped again, pays the rest. The
register's stream shows the opening and the payment as they happen.
"""

from __future__ import annotations

import threading
import time

import httpx

from core.wallets import WalletRef
from plugins.laboutik.model import OrderStatus
from plugins.laboutik.service import laboutik_of

from .conftest import CUSTOMER_UID, STAFF_UID


class RegisterStream:
    """The register page's server-sent events, read in a thread (as a browser would)."""

    def __init__(self, world, pos_id: str) -> None:
        self.url = f"http://127.0.0.1:{world.server.port}/caisse/{pos_id}/flux"
        self.headers = {"host": f"goulues.localhost:{world.server.port}",
                        "authorization": f"Bearer {world.secret}"}  # fmt: skip
        self.events: list[str] = []
        self.status = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RegisterStream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            data: list[str] = []
            try:
                timeout = httpx.Timeout(5.0, read=1.0)
                with httpx.stream("GET", self.url, headers=self.headers, timeout=timeout) as sse:
                    self.status = sse.status_code
                    for line in sse.iter_lines():
                        if line.startswith("data:"):
                            data.append(line[5:].removeprefix(" "))
                        elif not line and data:
                            self.events.append("\n".join(data))
                            data = []
                        if self._stop.is_set():
                            return
            except httpx.ReadTimeout:  # nothing changed for a second: listen again
                continue

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        """The first event holding ``text``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in list(self.events):
                if text in event:
                    return event
            time.sleep(0.05)
        raise AssertionError(f"no event with {text!r} (status {self.status}, {self.events})")


def test_a_staff_card_opens_the_counter_and_the_customer_pays_at_the_terminal(
    world, card3, start_host, tmp_path
):
    host = start_host(
        "--device", f"udp:127.0.0.1:{card3.port}", "--server", world.url,
        "--state", str(tmp_path / "caisse.json"), "--targets", "212F",
        "--pair", world.register_code,
    )  # fmt: skip
    terminal_id = host.expect(r"paired as 'Caisse du marché' \((trm_\w+)\)").group(1)
    host.expect("reading cards")
    bound = world.api(
        "PUT", f"/api/laboutik/lecteurs/{terminal_id}", admin=True, json={"pos_id": world.pos_id}
    )
    assert bound["pos_id"] == world.pos_id

    with RegisterStream(world, world.pos_id) as stream:
        stream.wait_for("Ce point de vente est fermé")
        card3.present(STAFF_UID)
        host.expect(r"card 0404040404040404 \(no 0005\): OPENED Comptoir opened by card 0005")
        stream.wait_for("Fermer le point de vente")  # the page shows the open register
        card3.remove()
        assert card3.wait_polled()

        made = world.api(
            "POST", "/api/laboutik/commandes",
            json={"pos_id": world.pos_id, "items": [{"article_id": world.article_id,
                                                      "quantity": 2}]},
        )  # fmt: skip
        order_id = made["order"]["id"]
        assert made["total"] == 900
        asked = world.api(
            "POST", f"/api/laboutik/lecteurs/{terminal_id}/commande", json={"order_id": order_id}
        )
        assert asked["order_id"] == order_id
        card3.present(CUSTOMER_UID)  # CLA 5.00 for 9.00: nothing is taken
        host.expect(r"card 0505050505050505 \(no 0006\): SHORTFALL 4\.00 FED missing")
        stream.wait_for("il manque 4,00 FED")
        card3.remove()
        assert card3.wait_polled()

        world.api(
            "POST", f"/api/laboutik/commandes/{order_id}/paiements",
            json={"method": "cash", "amount": 400, "operation_id": "cash-for-the-shortfall"},
        )  # fmt: skip
        card3.present(CUSTOMER_UID)  # the order still waits on the terminal: the rest
        host.expect(r"card 0505050505050505 \(no 0006\): PAID 5\.00 \(CLA 5\.00\)")
        stream.wait_for("5,00 payés par carte (CLA 5,00)")
        card3.remove()
    assert host.stop() == 0

    with world.network() as network:
        lb = laboutik_of(network)
        order = lb.orders.get("goulues", order_id)
        assert order.status == OrderStatus.PAID
        parts = [(p.method, p.amount) for p in lb.payments.of_order("goulues", order_id)]
        assert parts == [("cash", 400), ("cashless", 500)]
        session = lb.orders.session("goulues", world.pos_id)
        staff = network.money.cards.by_uid(STAFF_UID)
        assert session.card_id == staff.id
        customer = network.money.cards.by_uid(CUSTOMER_UID)
        assert network.money.balance(WalletRef.card(customer.id), world.cla_id) == 0
        assert network.money.check_invariants().ok
