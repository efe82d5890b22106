"""Fixtures of the card terminal tests: a real server process, emulated cards, host processes.

- ``world`` (one per package: starting a server costs seconds): a data directory prepared with
  the CLAF case (``claf`` issues CLA, ``goulues`` accepted it), Type 3 and Type A cards of
  beneficiaries holding CLA (each test taps its own), cashier and admin API keys of
  ``goulues`` and pairing codes; the cash register (``laboutik``) enabled on ``goulues`` with
  a closed point of sale "Comptoir" selling one article, a staff card and a pairing code in
  ``cash_register`` mode; then ``tirelire serve`` (granian) on a free port, with the
  test-only fault plugin (tests/fault_plugin) installed through an entry point and enabled on
  ``goulues`` (it does nothing until a test asks);
- ``card3``, ``card_a``: emulated cards on nfcpy's ``udp`` device, each on its own UDP port;
- ``start_host(*args)``: ``tirelire nfc`` in a subprocess, its output read line by line.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from core import Instance, Network, load_settings
from core.accounts import Role
from core.wallets import PRIMARY_ASSET_ID, WalletRef
from hosts.nfc.bench import free_udp_port
from hosts.nfc.emulate import EmulatedCard
from hosts.nfc.served import ServerProcess
from hosts.serving import free_port
from plugins.laboutik.model import ArticleInput, CategoryInput, PointInput
from plugins.laboutik.service import laboutik_of
from plugins.laboutik.terminal_model import CASH_REGISTER_MODE

TESTS = Path(__file__).resolve().parents[2]
ROOT = TESTS.parent
#: the beneficiaries' cards: each test taps its own (the server is shared by the package)
CARDS = {
    "0102030405060708": "0001",
    "0202020202020202": "0002",
    "0303030303030303": "0003",
    "A1B2C3D4": "0004",
}
CODES = 6
#: the cash register's cards: a staff card of ``goulues``, a customer's holding CLA 5.00
STAFF_UID = "0404040404040404"
CUSTOMER_UID = "0505050505050505"


@dataclass
class World:
    """The prepared network, its server and what the tests need to drive it."""

    data_dir: Path
    server: ServerProcess
    fault_dir: Path
    secret: str
    admin_secret: str
    codes: list[str]
    cla_id: int
    card_ids: dict[str, str] = field(default_factory=dict)
    #: the cash register: its point of sale, its article, a code in ``cash_register`` mode
    pos_id: str = ""
    article_id: str = ""
    register_code: str = ""

    @property
    def url(self) -> str:
        return self.server.address("goulues")

    def api(self, method: str, path: str, *, admin: bool = False, **kwargs: Any) -> dict:
        """Call the instance's JSON API with the cashier's (or the admin's) key."""
        secret = self.admin_secret if admin else self.secret
        answer = httpx.request(
            method, f"http://127.0.0.1:{self.server.port}{path}", timeout=10,
            headers={"host": f"goulues.localhost:{self.server.port}",
                     "authorization": f"Bearer {secret}"},
            **kwargs,
        )  # fmt: skip
        assert answer.status_code in {200, 201}, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def ask_charge(self, terminal_id: str, amount: int, *, repeat: bool = False) -> dict:
        """Ask ``amount`` cents on a terminal through the cashier API."""
        body = {"amount": amount, "repeat": repeat}
        return self.api("POST", f"/api/terminals/{terminal_id}/charge", json=body)

    def charge(self, terminal_id: str) -> dict:
        """What waits on a terminal, through the cashier API."""
        return self.api("GET", f"/api/terminals/{terminal_id}/charge")

    def revoke(self, terminal_id: str) -> None:
        """Revoke a terminal through the admin API."""
        self.api("POST", f"/api/terminals/{terminal_id}/revoke", admin=True)

    def network(self) -> Network:
        """The network's store opened in this process, to read what the server committed.

        LMDB lets several processes read one environment; nothing is written here.
        """
        return Network.open(load_settings(self.data_dir))


def _cash_register(network: Network) -> dict[str, str]:
    """Les Goulues' counter (closed), its staff card and a code for a cash register terminal."""
    lb = laboutik_of(network)
    pos = lb.catalog.save_point("goulues", PointInput(name="Comptoir"))
    shelf = lb.catalog.save_category("goulues", CategoryInput(name="Épicerie"))
    pasta = lb.catalog.save_article(
        "goulues", ArticleInput(name="Pâtes", price=450, vat_rate=550, category_id=shelf.id)
    )
    staff = network.money.cards.add(uid=STAFF_UID, number="0005")
    network.money.cards.set_primary(staff.id, "goulues")
    customer = network.money.cards.add(uid=CUSTOMER_UID, number="0006")
    network.money.grant(operation_id="allocation-customer", wallet=WalletRef.card(customer.id),
                        asset_id=network.money.assets.by_code("CLA").id, amount=500)  # fmt: skip
    goulues = network.instances.get("goulues")
    _record, code = network.terminals.new_pairing_code(
        goulues, name="Caisse du marché", mode=CASH_REGISTER_MODE
    )
    return {"pos_id": pos.id, "article_id": pasta.id, "register_code": code}


def _install_fault_plugin(site: Path) -> None:
    dist_info = site / "tirelire_fault_plugin-0.1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tirelire-fault-plugin\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        "[tirelire.plugins]\nfault = fault_plugin\n", encoding="utf-8"
    )
    shutil.copytree(
        TESTS / "fault_plugin", site / "fault_plugin", ignore=shutil.ignore_patterns("__pycache__")
    )


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp_path = tmp_path_factory.mktemp("terminals")
    data_dir = tmp_path / "data"
    with Network.open(load_settings(data_dir)) as network:
        for slug, name in (("claf", "CLAF"), ("goulues", "Les Goulues")):
            network.instances.create(Instance(slug=slug, name=name))
        money = network.money
        cla = money.assets.create(issuer="claf", code="CLA", name="CLAF-outils", category="fiat")
        money.federations.invite(cla.id, "goulues", by_instance="claf", author="admin")
        money.federations.accept(cla.id, "goulues", author="admin")
        card_ids = {}
        for uid, number in CARDS.items():
            card = money.cards.add(uid=uid, number=number)
            money.grant(operation_id=f"allocation-{uid}", wallet=WalletRef.card(card.id),
                        asset_id=cla.id, amount=5000)  # fmt: skip
            card_ids[uid] = card.id
        money.grant(operation_id="gift-euros", wallet=WalletRef.card(card_ids["A1B2C3D4"]),
                    asset_id=PRIMARY_ASSET_ID, amount=300)  # fmt: skip
        network.instances.set_plugin("goulues", "fault", True)
        goulues = network.instances.set_plugin("goulues", "laboutik", True)
        counter = _cash_register(network)
        codes = [
            network.terminals.new_pairing_code(goulues, name=f"Stand {i}", mode="charge")[1]
            for i in range(CODES)
        ]
        _key, secret = network.api_keys.create("goulues", Role.CASHIER, "caisse")
        _key, admin_secret = network.api_keys.create("goulues", Role.ADMIN, "outil")
    site = tmp_path / "site-packages"
    _install_fault_plugin(site)
    fault_dir = tmp_path / "fault"
    fault_dir.mkdir()
    server = ServerProcess(
        data_dir, free_port(),
        env={"PYTHONPATH": str(site), "TIRELIRE_FAULT_DIR": str(fault_dir)},
    )  # fmt: skip
    server.start()
    try:
        yield World(
            data_dir, server, fault_dir, secret, admin_secret, codes, cla.id, card_ids, **counter
        )
    finally:
        server.stop()


@pytest.fixture
def card3() -> Iterator[EmulatedCard]:
    with EmulatedCard.type3(free_udp_port()) as card:
        yield card


@pytest.fixture
def card_a() -> Iterator[EmulatedCard]:
    with EmulatedCard.type_a(free_udp_port()) as card:
        yield card


class HostProcess:
    """``tirelire nfc`` in a subprocess; its output lines arrive in a queue."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hosts", "nfc", *args], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, env=env, text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, pattern: str, timeout: float = 20.0) -> re.Match[str]:
        """The first new line matching ``pattern`` (waits for it)."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no line matching {pattern!r} in {self.seen}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(line)
            found = regex.search(line)
            if found:
                return found

    def finish(self, timeout: float = 30.0) -> tuple[int, list[str]]:
        """Wait for the process to end: (exit status, the lines not read yet)."""
        status = self.process.wait(timeout=timeout)
        self._reader.join(timeout)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        self.seen += rest
        return status, rest

    def stop(self) -> int:
        """Ctrl-C, then the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@pytest.fixture
def start_host() -> Iterator[Callable[..., HostProcess]]:
    """``start_host(*args)``: ``tirelire nfc *args`` in a subprocess, stopped at the end."""
    started: list[HostProcess] = []

    def start(*args: str) -> HostProcess:
        host = HostProcess(*args)
        started.append(host)
        return host

    try:
        yield start
    finally:
        for host in started:
            host.stop()
