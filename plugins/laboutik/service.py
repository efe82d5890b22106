"""The cash register's service: one object per network holding every part.

``laboutik_of(network)`` returns it (built on first use, then kept for that network object):
the web handlers, the command line and the demo all go through it. Its parts:

| part | what |
|---|---|
| ``catalog`` | settings, points of sale, categories, articles, tables (:mod:`.catalog`) |
| ``orders`` | opening points of sale, orders, lines and their states (:mod:`.orders`) |
| ``payments`` | paying orders: card, cash, bank card, split (:mod:`.payments`) |
| ``counter`` | refills with bonus, refunds, lost cards (:mod:`.counter`) |
| ``closures`` | the open period, closing days, the reports (:mod:`.closures`) |
| ``terminals`` | terminals in ``cash_register`` mode: point of sale, order waiting, taps |

A terminal's tap (hook ``on_card_tap``) runs :meth:`RegisterTerminals.tap_in` inside the tap's
write: it calls ``lb.orders.open_session_in(tx, ...)`` (a staff card opens the point of sale)
or ``lb.payments.pay_with_card_in(tx, ...)`` (the card pays the order waiting there).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from core import Network

from .catalog import Catalog
from .closures import Closures
from .counter import Counter
from .orders import Orders
from .payments import OrderPayments
from .records import RegisterRecords
from .terminals import RegisterTerminals

__all__ = ["Laboutik", "laboutik_of"]


class Laboutik:
    """Every part of the cash register, on one network."""

    def __init__(self, network: Network, *, clock_ns: Callable[[], int] = time.time_ns) -> None:
        self.network = network
        self.store = network.store
        self.money = network.money
        self.clock_ns = clock_ns
        self.records = RegisterRecords(network.store)
        self.catalog = Catalog(self)
        self.orders = Orders(self)
        self.payments = OrderPayments(self)
        self.counter = Counter(self)
        self.closures = Closures(self)
        self.terminals = RegisterTerminals(self)


def laboutik_of(network: Network) -> Laboutik:
    """The register service of ``network`` (its collections are opened once, outside writes).

    Kept by the network itself (``Network.service``), like every plugin's per-network object.
    """
    return network.service("laboutik", Laboutik)
