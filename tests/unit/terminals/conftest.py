"""Fixtures of the terminal tests: a real network on LMDB, a clock moved by hand, signers.

- ``net``: a :class:`core.Network` in ``tmp_path`` whose terminal services read ``clock``;
  every test ends with the money invariants and the ledger's verification checked;
- ``claf``: the seed's food fund: ``claf`` issues the fiat asset CLA, the producer
  ``goulues`` accepted it, ``autre-ferme`` did not; ``admin`` is the admin of each;
- ``paired(instance, mode="charge")``: a terminal paired through a real pairing code, with
  its private key (tests/terminal_support.py); ``signed(...)`` gives a request signed by it as
  the terminal host would, ``parsed(...)`` the same already parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core import Instance, Network, load_settings
from core.accounts import Role
from core.wallets import Asset
from tests.terminal_support import Paired, pair_terminal


class Clock:
    """Seconds since the epoch, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Claf:
    """The food fund, its asset and its producers."""

    cla: Asset
    admin_id: str


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def net(tmp_path: Path, clock: Clock) -> Iterator[Network]:
    network = Network.open(load_settings(tmp_path / "data"))
    for service in (network.terminals, network.taps, network.charges):
        service.clock = clock
    try:
        yield network
        report = network.money.check_invariants()
        assert report.ok, report.problems
    finally:
        network.close()


@pytest.fixture
def claf(net: Network) -> Claf:
    for slug, name in (("claf", "CLAF"), ("goulues", "Les Goulues"), ("autre-ferme", "Autre")):
        net.instances.create(Instance(slug=slug, name=name))
    admin = net.store.write(lambda tx: net.accounts.ensure_user(tx, "admin@claf.example"))
    for slug in ("claf", "goulues", "autre-ferme"):
        net.store.write(lambda tx, s=slug: net.accounts.grant(tx, s, admin.id, Role.ADMIN))
    money = net.money
    cla = money.assets.create(issuer="claf", code="CLA", name="CLAF-outils", category="fiat")
    money.federations.invite(cla.id, "goulues", by_instance="claf", author=admin.id)
    money.federations.accept(cla.id, "goulues", author=admin.id)
    return Claf(cla=cla, admin_id=admin.id)


@pytest.fixture
def paired(net: Network) -> Callable[..., Paired]:
    def pair(instance: str, mode: str = "charge", name: str = "Stand") -> Paired:
        return pair_terminal(net, instance, mode, name)

    return pair
