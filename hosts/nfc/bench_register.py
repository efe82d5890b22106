"""The cash register's workload of ``tirelire bench nfc --mode cash_register``.

The same chain as the charge mode (:mod:`hosts.nfc.bench`), but each tap pays an order of the
register (``plugins/laboutik``): the venue enables the plugin and has an open point of sale
selling one article at 1.00 €; the paired terminal, in ``cash_register`` mode, is bound to it
through the admin API; before each card comes, a cashier rings up a new order and sends it to
the terminal (two calls of the cashier API, not counted in the tap's latency). The tap then
reads the terminal's record, the order and the point of sale, makes the ledger sale, records
the payment part, the order paid, its sale entry and the terminal's outcome, in the tap's one
durable write.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import Network, load_settings
from core.accounts import Role
from hosts.nfc.errors import HostError
from hosts.nfc.served import ServerProcess

__all__ = ["MODE", "RegisterWorkload"]

MODE = "cash_register"


@dataclass
class RegisterWorkload:
    """The register's side of the benchmark: its point of sale, article and API keys."""

    slug: str
    pos_id: str
    article_id: str
    cashier: str
    admin: str
    orders: int = 0

    @classmethod
    def prepare(cls, data_dir: Path, slug: str, price: int) -> RegisterWorkload:
        """Enable the register on ``slug`` with an open point of sale and one article."""
        from plugins.laboutik.model import ArticleInput, CategoryInput, PointInput
        from plugins.laboutik.service import laboutik_of

        with Network.open(load_settings(data_dir)) as network:
            network.instances.set_plugin(slug, "laboutik", True)
            lb = laboutik_of(network)
            pos = lb.catalog.save_point(slug, PointInput(name="Banc"))
            shelf = lb.catalog.save_category(slug, CategoryInput(name="Banc"))
            article = lb.catalog.save_article(
                slug, ArticleInput(name="Café", price=price, vat_rate=1000, category_id=shelf.id)
            )
            lb.orders.open_session(slug, pos.id, author="bench")
            _key, cashier = network.api_keys.create(slug, Role.CASHIER, "bench register")
            _key, admin = network.api_keys.create(slug, Role.ADMIN, "bench admin")
        return cls(slug, pos.id, article.id, cashier, admin)

    def bind(self, server: ServerProcess, terminal_id: str) -> None:
        """Make the paired terminal serve the point of sale (admin API)."""
        self._call(server, "PUT", f"/api/laboutik/lecteurs/{terminal_id}", self.admin,
                   {"pos_id": self.pos_id}, 200)  # fmt: skip

    def send_order(self, server: ServerProcess, terminal_id: str) -> None:
        """A cashier rings up one article and sends the order to the terminal."""
        made = self._call(server, "POST", "/api/laboutik/commandes", self.cashier,
                          {"pos_id": self.pos_id, "items": [{"article_id": self.article_id}]},
                          201)  # fmt: skip
        order_id = made["order"]["id"]
        self._call(server, "POST", f"/api/laboutik/lecteurs/{terminal_id}/commande",
                   self.cashier, {"order_id": order_id}, 201)  # fmt: skip
        self.orders += 1

    def paid_orders(self, data_dir: Path) -> int:
        """How many orders the register holds as paid (read after the server stopped)."""
        from plugins.laboutik.model import OrderStatus
        from plugins.laboutik.service import laboutik_of

        with Network.open(load_settings(data_dir)) as network:
            lb = laboutik_of(network)
            with network.store.read() as txn:
                return sum(
                    1 for o in lb.records.orders.scan(txn)
                    if o.instance == self.slug and o.status == OrderStatus.PAID
                )  # fmt: skip

    def _call(
        self, server: ServerProcess, method: str, path: str, secret: str, body: Any, status: int
    ) -> dict[str, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            conn.request(
                method, path, body=json.dumps(body),
                headers={"Host": f"{self.slug}.localhost:{server.port}",
                         "Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
            )  # fmt: skip
            response = conn.getresponse()
            answer = response.read()
        finally:
            conn.close()
        if response.status != status:
            raise HostError(f"{method} {path} was refused: {response.status} {answer[:200]!r}")
        found: dict[str, Any] = json.loads(answer)
        return found
