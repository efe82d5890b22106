"""Opening points of sale and taking orders: sessions, orders, their lines and states.

- A point of sale is *open* while it has a session (:meth:`Orders.open_session`): staff open
  it as a logged-in cashier, or with a primary (staff) card of the instance (a terminal in
  ``cash_register`` mode calls :meth:`Orders.open_session_in` inside the tap's write). The
  cash float put in the drawer is recorded with it.
- An order belongs to an open point of sale, optionally to a table. Lines carry the price,
  VAT rate and category of the moment. A kitchen article's line starts *to prepare*; other
  lines are *served* at the counter and *ready* at a table; lines only move forward
  (to prepare -> ready -> served).
- An order is paid when its payments cover it (:mod:`.payments`); a paid order takes no new
  line (a table orders again in a new order). An order is cancelled only while nothing was
  paid on it.
"""

from __future__ import annotations

import lmdb
import msgspec

from core.i18n import N_
from core.store import Tx
from core.wallets import CardLost, InvalidInput, UnknownCard, normalize_uid

from .common import Part, new_id
from .errors import NotFound, RegisterError
from .model import LineState, Order, OrderLine, OrderStatus, PointOfSale, Session, Table

__all__ = ["Orders"]

_NEXT = {LineState.TO_PREPARE: 0, LineState.READY: 1, LineState.SERVED: 2}
QUANTITY_MAX = 999


class Orders(Part):
    """Sessions of the points of sale, and the orders taken there."""

    # -- sessions --------------------------------------------------------------------------

    def session(self, instance: str, pos_id: str) -> Session | None:
        """The open session of a point of sale, or None when it is closed."""
        with self.store.read() as txn:
            found = self.records.sessions.get_by(txn, "open", pos_id)
        return found if found is not None and found.instance == instance else None

    def open_session(
        self,
        instance: str,
        pos_id: str,
        *,
        author: str,
        opening_float: int = 0,
        primary_card_uid: str | None = None,
    ) -> Session:
        """Open a point of sale (already open: its session, unchanged).

        With ``primary_card_uid`` the card must be a staff card of ``instance`` (not lost):
        that is how a terminal opens the point of sale with a tap.
        """
        return self.write(
            lambda tx: self.open_session_in(
                tx, instance, pos_id, author=author, opening_float=opening_float,
                primary_card_uid=primary_card_uid,
            )
        )  # fmt: skip

    def open_session_in(
        self,
        tx: Tx,
        instance: str,
        pos_id: str,
        *,
        author: str,
        opening_float: int = 0,
        primary_card_uid: str | None = None,
    ) -> Session:
        """Inside a write (a terminal's tap): :meth:`open_session`."""
        if not isinstance(opening_float, int) or isinstance(opening_float, bool):
            raise RegisterError("opening_float", N_("Enter an amount such as 12.50."))
        if opening_float < 0:
            raise RegisterError("opening_float", N_("The amount cannot be negative."))
        pos = self.lb.catalog.point_in(tx.txn, instance, pos_id)
        if pos.archived:
            raise RegisterError("pos_id", N_("This point of sale is archived."))
        card_id = ""
        if primary_card_uid is not None:
            card_id = self._staff_card(tx.txn, instance, primary_card_uid)
        current = self.records.sessions.get_by(tx.txn, "open", pos.id)
        if current is not None:
            return current
        self.lb.catalog.ensure_config_in(tx, instance)
        session = Session(
            id=new_id(), instance=instance, pos_id=pos.id, opened_at=self.now(),
            opened_by=author, card_id=card_id, opening_float=opening_float,
        )  # fmt: skip
        return self.records.sessions.insert(tx, session)

    def _staff_card(self, txn: lmdb.Transaction, instance: str, uid: str) -> str:
        try:
            cleaned = normalize_uid(uid)
        except InvalidInput as exc:
            raise RegisterError("card", N_("This is not a card's UID.")) from exc
        card = self.money.card_records.get_by(txn, "uid", cleaned)
        if card is None:
            raise UnknownCard(cleaned)
        if card.lost:
            raise CardLost(card.id)
        if instance not in card.primary_for:
            raise RegisterError("card", N_("This card is not a staff card of this collective."))
        return card.id

    def close_session(self, instance: str, pos_id: str, *, author: str) -> Session:
        """Close a point of sale (its open orders stay open, for the next session)."""

        def op(tx: Tx) -> Session:
            self.lb.catalog.point_in(tx.txn, instance, pos_id)
            current = self.records.sessions.get_by(tx.txn, "open", pos_id)
            if current is None:
                raise RegisterError("pos_id", N_("This point of sale is not open."))
            closed = msgspec.structs.replace(current, closed_at=self.now(), closed_by=author)
            return self.records.sessions.put(tx, closed)

        return self.write(op)

    # -- orders ----------------------------------------------------------------------------

    def get(self, instance: str, order_id: str) -> Order:
        """One order of ``instance``; NotFound otherwise."""
        with self.store.read() as txn:
            return self.get_in(txn, instance, order_id)

    def get_in(self, txn: lmdb.Transaction, instance: str, order_id: str) -> Order:
        """One order, as ``txn`` sees it."""
        found = self.records.orders.get(txn, order_id) if order_id else None
        return self.owned(found, instance, "order_id")

    def active(self, instance: str) -> list[Order]:
        """Orders still to pay or to serve, oldest first."""
        with self.store.read() as txn:
            found = list(self.records.orders.find(txn, "active", instance))
        return sorted(found, key=lambda o: (o.created_at, o.number))

    def new_order(
        self,
        instance: str,
        pos_id: str,
        *,
        author: str,
        table_id: str = "",
        items: list[tuple[str, int]] | None = None,
    ) -> Order:
        """Start an order at an open point of sale, with ``items`` (article id, quantity)."""

        def op(tx: Tx) -> Order:
            pos = self.lb.catalog.point_in(tx.txn, instance, pos_id)
            session = self.records.sessions.get_by(tx.txn, "open", pos.id)
            if session is None:
                raise RegisterError("pos_id", N_("Open this point of sale first."))
            if table_id:
                self._table(tx.txn, instance, table_id)
            config = self.lb.catalog.ensure_config_in(tx, instance)
            self.records.config.put(
                tx, msgspec.structs.replace(config, next_order=config.next_order + 1)
            )
            order = Order(
                id=new_id(), instance=instance, pos_id=pos.id, session_id=session.id,
                number=config.next_order, table_id=table_id, created_at=self.now(),
                created_by=author,
            )  # fmt: skip
            for article_id, quantity in items or []:
                order = self._add(tx.txn, order, pos, article_id, quantity)
            return self.records.orders.insert(tx, order)

        return self.write(op)

    def add_article(
        self, instance: str, order_id: str, article_id: str, quantity: int = 1
    ) -> Order:
        """Add ``quantity`` of an article to an open order."""

        def op(tx: Tx) -> Order:
            order = self._open(tx.txn, instance, order_id)
            pos = self.lb.catalog.point_in(tx.txn, instance, order.pos_id)
            return self.records.orders.put(tx, self._add(tx.txn, order, pos, article_id, quantity))

        return self.write(op)

    def _add(
        self, txn: lmdb.Transaction, order: Order, pos: PointOfSale, article_id: str, quantity: int
    ) -> Order:
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise RegisterError("quantity", N_("A quantity is a whole number from 1."))
        found = self.records.articles.get(txn, article_id) if article_id else None
        article = self.owned(found, order.instance, "article_id")
        if article.archived or (article.points_of_sale and pos.id not in article.points_of_sale):
            raise NotFound("article_id", N_("This article is not sold here."))
        category = self.records.categories.get(txn, article.category_id)
        if article.kitchen:
            state = LineState.TO_PREPARE
        else:
            state = LineState.READY if order.table_id else LineState.SERVED
        lines = list(order.lines)
        for index, line in enumerate(lines):
            same = line.article_id == article.id and line.unit_price == article.price
            if same and line.state == state and line.vat_rate == article.vat_rate:
                merged = line.quantity + quantity
                if merged > QUANTITY_MAX:
                    raise RegisterError("quantity", N_("Too many of one article in one order."))
                lines[index] = msgspec.structs.replace(line, quantity=merged)
                return msgspec.structs.replace(order, lines=lines)
        if quantity > QUANTITY_MAX:
            raise RegisterError("quantity", N_("Too many of one article in one order."))
        lines.append(
            OrderLine(
                id=order.next_line, article_id=article.id, name=article.name,
                category_id=article.category_id,
                category="" if category is None else category.name,
                unit_price=article.price, vat_rate=article.vat_rate, quantity=quantity,
                kitchen=article.kitchen, state=state, added_at=self.now(),
            )
        )  # fmt: skip
        return msgspec.structs.replace(order, lines=lines, next_line=order.next_line + 1)

    def remove_line(self, instance: str, order_id: str, line_id: int, quantity: int = 1) -> Order:
        """Take ``quantity`` units off a line of an open order (the whole line at zero).

        Refused when the order would then cost less than what was already paid on it.
        """

        def op(tx: Tx) -> Order:
            order = self._open(tx.txn, instance, order_id)
            lines = []
            found = False
            for line in order.lines:
                if line.id == line_id:
                    found = True
                    left = line.quantity - max(1, quantity)
                    if left > 0:
                        lines.append(msgspec.structs.replace(line, quantity=left))
                else:
                    lines.append(line)
            if not found:
                raise NotFound("line_id", N_("No such line in this order."))
            changed = msgspec.structs.replace(order, lines=lines)
            if changed.total < order.paid:
                raise RegisterError(
                    "line_id", N_("The order would cost less than what was already paid.")
                )
            return self.records.orders.put(tx, changed)

        return self.write(op)

    def set_state(self, instance: str, order_id: str, line_id: int, state: LineState) -> Order:
        """Move a line forward: to prepare -> ready -> served (never back)."""

        def op(tx: Tx) -> Order:
            order = self.get_in(tx.txn, instance, order_id)
            if order.status == OrderStatus.CANCELLED:
                raise RegisterError("order_id", N_("This order was cancelled."))
            lines = list(order.lines)
            for index, line in enumerate(lines):
                if line.id == line_id:
                    if _NEXT[state] < _NEXT[line.state]:
                        raise RegisterError("state", N_("A line only moves forward."))
                    lines[index] = msgspec.structs.replace(line, state=state)
                    changed = msgspec.structs.replace(order, lines=lines)
                    return self.records.orders.put(tx, changed)
            raise NotFound("line_id", N_("No such line in this order."))

        return self.write(op)

    def cancel(self, instance: str, order_id: str) -> Order:
        """Cancel an open order on which nothing was paid."""

        def op(tx: Tx) -> Order:
            order = self._open(tx.txn, instance, order_id)
            if order.paid:
                raise RegisterError("order_id", N_("Part of this order was paid: it stays."))
            cancelled = msgspec.structs.replace(
                order, status=OrderStatus.CANCELLED, cancelled_at=self.now()
            )
            return self.records.orders.put(tx, cancelled)

        return self.write(op)

    def _open(self, txn: lmdb.Transaction, instance: str, order_id: str) -> Order:
        order = self.get_in(txn, instance, order_id)
        if order.status != OrderStatus.OPEN:
            raise RegisterError("order_id", N_("This order is no longer open."))
        return order

    def _table(self, txn: lmdb.Transaction, instance: str, table_id: str) -> Table:
        found = self.records.tables.get(txn, table_id)
        table = self.owned(found, instance, "table_id")
        if table.archived:
            raise NotFound("table_id", N_("This table is archived."))
        return table
