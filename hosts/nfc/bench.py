"""``tirelire bench nfc``: tap-to-committed-sale latency through the whole chain.

Workload (docs/performance.md, section "Card terminals"):

- a fresh network in a temporary directory: one venue, 8 cards holding euros (primary asset),
  one terminal paired through a real pairing code, a cashier API key;
- ``tirelire serve`` (granian, one worker) on 127.0.0.1, exactly as in production;
- the charge: 1.00 € asked once through the cashier API with ``repeat`` on, so every tap is a
  sale;
- an emulated Type 3 card on nfcpy's ``udp`` device (:mod:`hosts.nfc.emulate`) and the
  terminal host reading it with nfcpy in this process (:class:`hosts.nfc.reader.CardReader`,
  :class:`hosts.nfc.host.TerminalHost`): the card is read, the tap signed and sent, the server
  verifies the signature, records the nonce, pays in one grouped durable write (fsync), and
  answers; then the next card comes (the cards take turns, so each tap is a new card on the
  reader);
- latency of one tap: from the reader's discovery of the card (nfcpy's ``on-discover``) to the
  host holding the server's answer that the sale is committed. The first ``warmup`` taps are
  not counted. At the end the server is stopped and the store checked: as many sales as
  counted taps plus warm-up, money invariants and the ledger's verification.

``mode="cash_register"`` (``--mode cash_register``) runs the cash register's workload instead
of the charge (:mod:`hosts.nfc.bench_register`): each tap pays an order sent to the terminal.
"""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from core import Instance, InstanceKind, Network, load_settings
from core.accounts import Role
from core.wallets import PRIMARY_ASSET_ID, WalletRef
from hosts.nfc.bench_register import RegisterWorkload
from hosts.nfc.client import TerminalClient
from hosts.nfc.emulate import EmulatedCard
from hosts.nfc.errors import HostError
from hosts.nfc.host import TapReport, TerminalHost
from hosts.nfc.reader import CardReader
from hosts.nfc.served import ServerProcess
from hosts.serving import free_port

__all__ = ["CARDS", "MODES", "free_udp_port", "run_bench_nfc"]

CARDS = [f"0101{i:012X}" for i in range(1, 9)]
PRICE = 100
SLUG = "bench"
MODES = ("charge", "cash_register")


def free_udp_port() -> int:
    """A UDP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(data_dir: Path, taps: int, mode: str) -> tuple[str, str, RegisterWorkload | None]:
    """The bench network; returns (pairing code, cashier API key, the register's workload)."""
    with Network.open(load_settings(data_dir)) as network:
        network.instances.create(Instance(slug=SLUG, name="Banc d'essai", kind=InstanceKind.VENUE))
    register = RegisterWorkload.prepare(data_dir, SLUG, PRICE) if mode == "cash_register" else None
    with Network.open(load_settings(data_dir)) as network:
        instance = network.instances.get(SLUG)
        each = (taps // len(CARDS) + 2) * PRICE
        for index, uid in enumerate(CARDS):
            card = network.money.cards.add(uid=uid, number=f"B{index:03d}")
            network.money.grant(
                operation_id=f"bench-{uid}", wallet=WalletRef.card(card.id),
                asset_id=PRIMARY_ASSET_ID, amount=each,
            )  # fmt: skip
        _record, code = network.terminals.new_pairing_code(instance, name="Banc", mode=mode)
        _key, secret = network.api_keys.create(SLUG, Role.CASHIER, "bench")
    return code, secret, register


def _ask_charge(server: ServerProcess, terminal_id: str, secret: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        body = json.dumps({"amount": PRICE, "label": "bench", "repeat": True})
        conn.request(
            "POST", f"/api/terminals/{terminal_id}/charge", body=body,
            headers={"Host": f"{SLUG}.localhost:{server.port}", "Authorization": f"Bearer {secret}",
                     "Content-Type": "application/json"},
        )  # fmt: skip
        response = conn.getresponse()
        answer = response.read()
    finally:
        conn.close()
    if response.status != 201:
        raise HostError(f"the charge was refused: {response.status} {answer[:200]!r}")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run_bench_nfc(
    taps: int = 1000, *, warmup: int = 20, timeout: float = 600.0, mode: str = "charge"
) -> dict[str, Any]:
    """Run the workload (see the module) and return its figures."""
    if taps < 1 or warmup < 0:
        raise ValueError("taps must be >= 1 and warmup >= 0")
    if mode not in MODES:
        raise ValueError(f"mode is one of {', '.join(MODES)}")
    total = taps + warmup
    with tempfile.TemporaryDirectory(prefix="tirelire-bench-nfc-") as tmp:
        data_dir = Path(tmp) / "data"
        code, secret, register = _prepare(data_dir, total, mode)
        server = ServerProcess(data_dir, free_port()).start()
        reports: list[TapReport] = []
        try:
            udp = free_udp_port()
            with EmulatedCard.type3(udp) as card:
                client = TerminalClient(server.address(SLUG), timeout=10)
                host = TerminalHost.pair(
                    client, code, Path(tmp) / "terminal.json", out=lambda _line: None
                )
                terminal_id = host.state.terminal_id
                if register is None:
                    _ask_charge(server, terminal_id, secret)
                else:
                    register.bind(server, terminal_id)
                    register.send_order(server, terminal_id)
                reader = CardReader(f"udp:127.0.0.1:{udp}", targets=("212F",)).open()
                stop = threading.Event()

                def on_card(uid: str, detected_at: float) -> None:
                    reports.append(host.tap(uid, detected_at=detected_at))
                    if len(reports) >= total:
                        card.remove()
                        stop.set()
                        return
                    if register is not None:  # not counted: the next order, then the card
                        register.send_order(server, terminal_id)
                    card.present(CARDS[len(reports) % len(CARDS)])

                card.present(CARDS[0])
                started = time.perf_counter()
                thread = threading.Thread(target=reader.run, args=(on_card, stop), daemon=True)
                thread.start()
                thread.join(timeout)
                elapsed = time.perf_counter() - started
                stop.set()
                thread.join(5)
                reader.close()
                client.close()
        finally:
            server.stop()
        with Network.open(load_settings(data_dir)) as network:
            sales = len(
                network.money.history(WalletRef.instance(SLUG), PRIMARY_ASSET_ID, limit=total + 10)
            )
            invariants = network.money.check_invariants()
        orders_paid = register.paid_orders(data_dir) if register is not None else None
    counted = reports[warmup:]
    latencies = [r.latency_ms for r in counted if r.status == "paid"]
    figures: dict[str, Any] = {
        "mode": mode,
        "taps": len(counted),
        "warmup": warmup,
        "errors": sum(1 for r in reports if r.status != "paid"),
        "p50_ms": round(_percentile(latencies, 0.50), 2),
        "p90_ms": round(_percentile(latencies, 0.90), 2),
        "p99_ms": round(_percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies), 2) if latencies else float("nan"),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else float("nan"),
        "taps_per_second": round(len(reports) / elapsed, 1) if elapsed else 0.0,
        "sales_committed": sales,
        "invariants_ok": invariants.ok,
        "server": "granian, 1 worker",
        "card": "Type 3 (212F) on nfcpy's udp device",
    }
    if orders_paid is not None:
        figures["orders_paid"] = orders_paid
    return figures
