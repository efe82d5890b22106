"""Le Bisik's bar in the demo network: a point of sale, articles, cards, sales, a closed day.

Everything goes through the services (the same code paths as real use). The demo venue
(``le-bisik``, created by the core demo) enables the plugin and gets: a gift currency for
the refill bonus (+10 % from 20.00), the bar (beers, softs, food; two tables; a kitchen
article), a cashier, five cards (one is the staff card that opens the bar), refills, sales
(one paid in two parts), a closed day (ticket Z no. 1), then a few more sales in the open
period; and a **simulated card terminal** in ``cash_register`` mode: paired through the core's
services with a key pair made here, bound to the bar, an order (a lemonade) waiting on it, and
its state file written to ``<data>/terminals/le-bisik-bar.json`` for ``tirelire nfc --device
udp:... --state ...`` (``tirelire demo`` points it at its own address at each start).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from core.accounts import Role
from core.store import Tx
from core.terminals import TerminalState, write_state
from core.terminals.signing import new_private_key, private_key_text, public_key_text
from core.wallets import AssetCategory, InsufficientFunds

from .model import ArticleInput, CategoryInput, Method, PointInput, TableInput
from .service import laboutik_of
from .terminal_model import CASH_REGISTER_MODE

__all__ = [
    "DEMO_CARDS",
    "DEMO_CASHIER",
    "DEMO_TERMINAL",
    "DEMO_TERMINAL_STATE",
    "VENUE",
    "pair_demo_terminal",
    "populate",
]

VENUE = "le-bisik"
#: the simulated terminal of the bar, and where its state file goes in the data directory
DEMO_TERMINAL = "Caisse du bar (simulée)"
DEMO_TERMINAL_STATE = Path("terminals") / "le-bisik-bar.json"
DEMO_CASHIER = "caisse@le-bisik.example"
#: uid, printed number: the first is the bar's staff card
DEMO_CARDS = [
    ("B15C0001", "BISIK-0001"),
    ("B15C0002", "BISIK-0002"),
    ("B15C0003", "BISIK-0003"),
    ("B15C0004", "BISIK-0004"),
    ("B15C0005", "BISIK-0005"),
]
MENU = {
    ("Bières", "#f2b134"): [("Pression 25 cl", 300, 2000, False), ("Pinte IPA", 650, 2000, False),
                            ("Cidre", 400, 2000, False)],
    ("Softs", "#4aa3df"): [("Limonade", 250, 1000, False), ("Jus de pomme", 300, 1000, False),
                           ("Café", 150, 1000, False)],
    ("Cuisine", "#7cb342"): [("Frites", 400, 1000, True), ("Croque végé", 650, 1000, True)],
}  # fmt: skip


def populate(network: Any, settings: Any) -> None:
    """Add the bar to the demo network (does nothing if the venue is missing)."""
    venue = network.instances.get(VENUE)
    if venue is None:
        return
    network.instances.set_plugin(VENUE, "laboutik", True)
    money = network.money
    lb = laboutik_of(network)
    gift = money.assets.by_code("BKD") or money.assets.create(
        issuer=VENUE, code="BKD", name="Bisik cadeau", category=AssetCategory.GIFT
    )

    def cashier(tx: Tx) -> None:
        user = network.accounts.ensure_user(tx, DEMO_CASHIER)
        if network.accounts.role_of(VENUE, user.id) is None:
            network.accounts.grant(tx, VENUE, user.id, Role.CASHIER)

    network.store.write(cashier)
    bar = lb.catalog.save_point(
        VENUE, PointInput(name="Bar", bonus_asset=gift.id, bonus_rate=1000, bonus_threshold=2000)
    )
    articles = {}
    for (category_name, colour), items in MENU.items():
        category = lb.catalog.save_category(VENUE, CategoryInput(name=category_name, colour=colour))
        for name, price, vat, kitchen in items:
            articles[name] = lb.catalog.save_article(
                VENUE,
                ArticleInput(
                    name=name, price=price, vat_rate=vat, category_id=category.id, kitchen=kitchen
                ),
            ).id
    tables = [lb.catalog.save_table(VENUE, TableInput(name=n)).id for n in ("Table 1", "Terrasse")]
    uids = [uid for uid, _number in DEMO_CARDS]
    missing = [f"{u},{n}" for u, n in DEMO_CARDS if money.cards.by_uid(u) is None]
    if missing:
        money.import_cards("\n".join(missing))
    staff = money.cards.by_uid(uids[0])
    money.cards.set_primary(staff.id, VENUE)
    lb.orders.open_session(
        VENUE, bar.id, author="demo", opening_float=10000, primary_card_uid=uids[0]
    )

    def refill(uid: str, amount: int, method: Method, op: str) -> None:
        lb.counter.refill(VENUE, bar.id, uid=uid, asset_id=1, amount=amount, method=method,
                          operation_id=op, author="demo")  # fmt: skip

    def sale(items: list[tuple[str, int]], uid: str, op: str, table: str = "") -> None:
        order = lb.orders.new_order(VENUE, bar.id, author="demo", table_id=table,
                                    items=[(articles[n], q) for n, q in items])  # fmt: skip
        try:
            lb.payments.pay_with_card(VENUE, order.id, uid=uid, operation_id=op, author="demo")
        except InsufficientFunds:  # a split payment: what the card holds, the rest in cash
            done = lb.payments.pay_with_card(
                VENUE, order.id, uid=uid, operation_id=op, author="demo", partial=True
            )
            lb.payments.pay(VENUE, order.id, method=Method.CASH, received=done.remaining,
                            operation_id=f"{op}-cash", author="demo")  # fmt: skip

    refill(uids[1], 3000, Method.CASH, "demo-refill-1")  # +3.00 of bonus
    refill(uids[2], 1000, Method.CARD, "demo-refill-2")
    refill(uids[3], 2000, Method.CARD, "demo-refill-3")  # +2.00 of bonus
    sale([("Pinte IPA", 2), ("Frites", 1)], uids[1], "demo-sale-1", tables[0])
    sale([("Pression 25 cl", 3)], uids[2], "demo-sale-2")
    sale([("Limonade", 2), ("Croque végé", 2)], uids[2], "demo-sale-3", tables[1])
    lb.closures.close(VENUE, author="demo", early=True)
    sale([("Café", 2)], uids[3], "demo-sale-4")
    sale([("Cidre", 1), ("Frites", 1)], uids[3], "demo-sale-5", tables[0])
    terminal_id = pair_demo_terminal(network, settings, bar.id)
    waiting = lb.orders.new_order(VENUE, bar.id, author="demo", items=[(articles["Limonade"], 1)])
    lb.terminals.ask(VENUE, terminal_id, waiting.id, author="demo")


def pair_demo_terminal(network: Any, settings: Any, pos_id: str) -> str:
    """Pair the bar's simulated terminal as a real one would be, bind it to the bar, and
    write its state file (key pair included) into the data directory; its id."""
    venue = network.instances.get(VENUE)
    key = new_private_key()
    _record, code = network.terminals.new_pairing_code(
        venue, name=DEMO_TERMINAL, mode=CASH_REGISTER_MODE, by="demo"
    )
    terminal = network.terminals.pair(VENUE, code, public_key_text(key))
    laboutik_of(network).terminals.bind(VENUE, terminal.id, pos_id, author="demo")
    state = TerminalState(
        server=f"http://{VENUE}.{settings.base_domains[0]}:8000", private_key=private_key_text(key),
        public_key=public_key_text(key), terminal_id=terminal.id, name=terminal.name,
        instance=VENUE, paired_at=time.time(),
    )  # fmt: skip
    write_state(Path(settings.data_path) / DEMO_TERMINAL_STATE, state)
    return str(terminal.id)
