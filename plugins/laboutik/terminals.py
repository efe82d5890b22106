"""Card terminals at the register: the point of sale each one serves, what waits on it, taps.

A terminal is paired in the admin panel (core) and put in the ``cash_register`` mode this
plugin offers; then:

- an admin of the register **binds** it to a point of sale (:meth:`RegisterTerminals.bind`,
  page "Cash register: set-up → Card terminals"): one point of sale per terminal, several
  terminals per point of sale (two counters of one bar);
- a cashier **sends an order** to it ("Pay by card on terminal X", :meth:`ask`): the order
  waits there for a card, optionally "the next card pays what it holds" (``partial``); or
  **stops** waiting (:meth:`cancel`);
- a card **taps** (:meth:`tap_in`, called by the hook ``on_card_tap`` inside the tap's write,
  so the tap's idempotency record, the register's records and the money commit together):

  1. a terminal bound to no point of sale (or to an archived one) refuses (``not_bound``);
  2. the point of sale is closed: a staff card of the instance opens it for its holder
     (:meth:`Orders.open_session_in`, status ``opened``); any other card is refused
     (``closed``);
  3. an order waits: the card pays what is left on it (:meth:`OrderPayments.pay_with_card_in`
     with the tap's operation id, in the point of sale's asset order). Paid: nothing waits
     any more (or, after a partial payment, the rest still waits for another card). Not
     enough on the card: nothing moved, the outcome says the exact shortfall and the order
     still waits, payable by cash, bank card or a second card (or the same card once
     refilled);
  4. nothing waits: ``idle``.

  A retry of the same tap id is answered by the core from the stored outcome: the order is
  never paid twice (and the tap's operation id is also the payment's, which the register and
  the money service each refuse to use twice).

Every change bumps the record's ``version`` and tells the terminal's listeners after the
commit (``network.terminal_events``): the register page of that point of sale updates live.
"""

from __future__ import annotations

import lmdb
import msgspec

from core.i18n import N_
from core.store import Tx
from core.terminals import (
    CardTap,
    TapOutcome,
    TapStatus,
    Terminal,
    format_amount,
    refusal_outcome,
    sale_outcome,
)
from core.wallets import ActionKind, Card, MoneyError

from .common import Part
from .errors import NotFound, RegisterError
from .model import Method, Order, OrderStatus, PointOfSale
from .payments import money_operation_id
from .terminal_model import CASH_REGISTER_MODE, TerminalLink

__all__ = ["OPENED", "RegisterTerminals"]

#: the status of a tap that opened the point of sale (the core's are in TapStatus)
OPENED = "opened"


class RegisterTerminals(Part):
    """The register's side of the card terminals in ``cash_register`` mode."""

    # -- reading ---------------------------------------------------------------------------

    def terminals(self, instance: str) -> list[Terminal]:
        """The instance's terminals in service in ``cash_register`` mode, by name."""
        return [
            t
            for t in self.lb.network.terminals.of_instance(instance)
            if not t.revoked and t.mode == CASH_REGISTER_MODE
        ]

    def link(self, instance: str, terminal_id: str) -> TerminalLink:
        """What the register knows of a terminal (an empty record when nothing yet)."""
        with self.store.read() as txn:
            found = self.records.terminals.get(txn, terminal_id) if terminal_id else None
        if found is None or found.instance != instance:
            return TerminalLink(terminal_id=terminal_id, instance=instance)
        return found

    def of_point(self, instance: str, pos_id: str) -> list[tuple[Terminal, TerminalLink]]:
        """The terminals in service serving a point of sale, with their records, by name."""
        with self.store.read() as txn:
            links = [
                link
                for link in self.records.terminals.find(txn, "pos", pos_id)
                if link.instance == instance
            ]
        by_id = {t.id: t for t in self.terminals(instance)}
        found = [(by_id[link.terminal_id], link) for link in links if link.terminal_id in by_id]
        return sorted(found, key=lambda pair: (pair[0].name.lower(), pair[0].id))

    # -- admin: which point of sale a terminal serves ---------------------------------------

    def bind(self, instance: str, terminal_id: str, pos_id: str, *, author: str) -> TerminalLink:
        """Make a terminal serve a point of sale (``pos_id`` empty: none); what waited on it
        is dropped."""

        def op(tx: Tx) -> TerminalLink:
            self._terminal_in(tx.txn, instance, terminal_id)
            if pos_id:
                pos = self.lb.catalog.point_in(tx.txn, instance, pos_id)
                if pos.archived:
                    raise RegisterError("pos_id", N_("This point of sale is archived."))
            link = self._link_in(tx.txn, instance, terminal_id)
            changed = msgspec.structs.replace(
                link, pos_id=pos_id, bound_by=author, bound_at=self.now(), order_id="",
                partial=False,
            )  # fmt: skip
            return self._save(tx, changed)

        return self.write(op)

    # -- cashier: an order waits for a card -------------------------------------------------

    def ask(
        self, instance: str, terminal_id: str, order_id: str, *, author: str,
        partial: bool = False,
    ) -> TerminalLink:  # fmt: skip
        """Let the next card tapped on this terminal pay what is left on ``order_id``
        (``partial``: what the card holds, when it does not hold enough). Replaces what
        waited on the terminal."""

        def op(tx: Tx) -> TerminalLink:
            self._terminal_in(tx.txn, instance, terminal_id)
            link = self._link_in(tx.txn, instance, terminal_id)
            order = self.lb.orders.get_in(tx.txn, instance, order_id)
            if not link.pos_id or link.pos_id != order.pos_id:
                raise RegisterError(
                    "terminal_id", N_("This terminal does not serve this point of sale.")
                )
            pos = self.lb.catalog.point_in(tx.txn, instance, order.pos_id)
            self._payable(tx.txn, pos, order)
            changed = msgspec.structs.replace(
                link, order_id=order.id, partial=bool(partial), asked_by=author,
                asked_at=self.now(),
            )  # fmt: skip
            return self._save(tx, changed)

        return self.write(op)

    def cancel(self, instance: str, terminal_id: str, *, author: str) -> TerminalLink:
        """Stop waiting for a card on this terminal (nothing waiting: nothing changes)."""

        def op(tx: Tx) -> TerminalLink:
            self._terminal_in(tx.txn, instance, terminal_id)
            link = self._link_in(tx.txn, instance, terminal_id)
            if not link.order_id:
                return link
            changed = msgspec.structs.replace(
                link, order_id="", partial=False, asked_by=author, asked_at=self.now()
            )
            return self._save(tx, changed)

        return self.write(op)

    # -- the tap ---------------------------------------------------------------------------

    def tap_in(self, tx: Tx, tap: CardTap) -> TapOutcome:
        """Inside the tap's write: open the point of sale or pay what waits (see the module)."""
        instance = tap.instance.slug
        link = self._link_in(tx.txn, instance, tap.terminal.id)
        number = tap.card.number if tap.card is not None else ""
        pos = None
        if link.pos_id:
            found = self.records.points.get(tx.txn, link.pos_id)
            if found is not None and found.instance == instance and not found.archived:
                pos = found
        if pos is None:
            return TapOutcome(
                status=TapStatus.REFUSED, card_number=number, data={"code": "not_bound"},
                message="this terminal serves no point of sale: an admin chooses one in the "
                "cash register's set-up",
            )  # fmt: skip
        if self.records.sessions.get_by(tx.txn, "open", pos.id) is None:
            return self._open_in(tx, tap, link, pos)
        order = self._waiting_in(tx.txn, link, pos)
        if order is None:
            staff = tap.card is not None and self.money.cards.is_primary_for(tap.card, instance)
            message = f"{pos.name} is open; nothing waits on this terminal"
            if not staff:
                message += ": the cashier sends an order to it from the register"
            outcome = TapOutcome(
                status=TapStatus.IDLE, message=message, card_number=number,
                data=_place(pos),
            )  # fmt: skip
            return self._after(tx, link, tap, outcome, waiting=None)
        return self._pay_in(tx, tap, link, pos, order)

    def _open_in(self, tx: Tx, tap: CardTap, link: TerminalLink, pos: PointOfSale) -> TapOutcome:
        """A tap on a closed point of sale: a staff card opens it, others are refused."""
        card = tap.card
        instance = tap.instance.slug
        if card is None:
            outcome = TapOutcome(
                status=TapStatus.UNKNOWN_CARD, message="unknown card", data=_place(pos)
            )
        elif card.lost:
            outcome = TapOutcome(
                status=TapStatus.CARD_LOST, message="this card was declared lost",
                card_number=card.number, data=_place(pos),
            )  # fmt: skip
        elif not self.money.cards.is_primary_for(card, instance):
            outcome = TapOutcome(
                status=TapStatus.REFUSED, card_number=card.number,
                message=f"{pos.name} is closed: only a staff card of this collective opens it",
                data={**_place(pos), "code": "closed"},
            )  # fmt: skip
        else:
            try:
                session = tx.nested(
                    lambda child: self.lb.orders.open_session_in(
                        child, instance, pos.id, author=self._holder(tx.txn, card),
                        primary_card_uid=card.uid,
                    )
                )  # fmt: skip
            except (RegisterError, MoneyError) as exc:
                outcome = _refused(exc, card.number, pos)
            else:
                outcome = TapOutcome(
                    status=OPENED, message=f"{pos.name} opened by card {card.number}",
                    card_number=card.number, data={**_place(pos), "session_id": session.id},
                )  # fmt: skip
        return self._after(tx, link, tap, outcome, waiting=link.order_id or None)

    def _pay_in(
        self, tx: Tx, tap: CardTap, link: TerminalLink, pos: PointOfSale, order: Order
    ) -> TapOutcome:
        """The tapped card pays what is left on the waiting order (see the module)."""
        instance = tap.instance.slug
        number = tap.card.number if tap.card is not None else ""
        about = {**_place(pos), "order_id": order.id, "order_number": order.number}
        try:
            result = tx.nested(
                lambda child: self.lb.payments.pay_with_card_in(
                    child, instance, order.id, uid=tap.uid, operation_id=tap.operation_id,
                    author=f"terminal {tap.terminal.name}", partial=link.partial,
                )
            )  # fmt: skip
        except MoneyError as exc:
            refused = refusal_outcome(
                tx.txn, self.money.assets.get_in, exc, amount=order.remaining, card_number=number
            )
            data = {**refused.data, **about, "remaining": order.remaining}
            outcome = msgspec.structs.replace(refused, data=data)
            return self._after(tx, link, tap, outcome, waiting=order.id, partial=link.partial)
        except RegisterError as exc:
            outcome = _refused(exc, number, pos, about)
            return self._after(tx, link, tap, outcome, waiting=order.id, partial=link.partial)
        left = result.order.remaining
        operation = self.money.operation_in(
            tx.txn, ActionKind.SALE, money_operation_id(instance, tap.operation_id)
        )
        if operation is None:  # the sale was just made in this write: it is there
            raise RuntimeError(f"the sale of tap {tap.tap_id} is missing")
        paid = sale_outcome(tx.txn, self.money.assets.get_in, operation, card_number=number)
        message = f"{paid.message} for order #{order.number}"
        if left:
            message += f"; {format_amount(left, paid.decimals)} left to pay"
        outcome = msgspec.structs.replace(
            paid, message=message,
            data={**about, "remaining": left, "order_paid": left == 0},
        )  # fmt: skip
        return self._after(tx, link, tap, outcome, waiting=order.id if left else None)

    # -- helpers ---------------------------------------------------------------------------

    def _after(
        self, tx: Tx, link: TerminalLink, tap: CardTap, outcome: TapOutcome, *,
        waiting: str | None, partial: bool = False,
    ) -> TapOutcome:  # fmt: skip
        """Record the tap's outcome on the terminal (and what still waits); return it."""
        order_id = str(outcome.data.get("order_id", ""))
        changed = msgspec.structs.replace(
            link, order_id=waiting or "", partial=partial if waiting else False,
            last_tap=tap.tap_id, last_outcome=outcome, last_order_id=order_id,
        )  # fmt: skip
        self._save(tx, changed)
        return outcome

    def _save(self, tx: Tx, link: TerminalLink) -> TerminalLink:
        changed = msgspec.structs.replace(link, version=link.version + 1, updated_at=self.now())
        self.lb.network.terminal_events.changed_in(tx, link.instance, link.terminal_id)
        return self.records.terminals.put(tx, changed)

    def _waiting_in(
        self, txn: lmdb.Transaction, link: TerminalLink, pos: PointOfSale
    ) -> Order | None:
        """The order waiting on this terminal, if it can still be paid here."""
        if not link.order_id:
            return None
        order = self.records.orders.get(txn, link.order_id)
        if order is None or order.instance != link.instance or order.pos_id != pos.id:
            return None
        if order.status != OrderStatus.OPEN or order.remaining <= 0:
            return None
        return order

    def _payable(self, txn: lmdb.Transaction, pos: PointOfSale, order: Order) -> None:
        if pos.archived:
            raise RegisterError("pos_id", N_("This point of sale is archived."))
        if self.records.sessions.get_by(txn, "open", pos.id) is None:
            raise RegisterError("pos_id", N_("Open this point of sale first."))
        if Method.CASHLESS not in pos.methods:
            raise RegisterError("method", N_("This point of sale does not take this method."))
        if order.status != OrderStatus.OPEN:
            raise RegisterError("order_id", N_("This order is no longer open."))
        if order.remaining <= 0:
            raise RegisterError("order_id", N_("Nothing is left to pay on this order."))

    def _link_in(self, txn: lmdb.Transaction, instance: str, terminal_id: str) -> TerminalLink:
        found = self.records.terminals.get(txn, terminal_id)
        if found is None or found.instance != instance:
            return TerminalLink(terminal_id=terminal_id, instance=instance)
        return found

    def _terminal_in(self, txn: lmdb.Transaction, instance: str, terminal_id: str) -> Terminal:
        """A terminal of ``instance`` in service in ``cash_register`` mode; else an error."""
        terminal = self.lb.network.terminals.terminal_in(txn, terminal_id) if terminal_id else None
        if terminal is None or terminal.instance != instance or terminal.revoked:
            raise NotFound("terminal_id", N_("No such terminal on this collective."))
        if terminal.mode != CASH_REGISTER_MODE:
            raise RegisterError(
                "terminal_id", N_("This terminal is not in the cash register mode.")
            )
        return terminal

    def _holder(self, txn: lmdb.Transaction, card: Card) -> str:
        """Who opened a point of sale with a staff card: its holder's address and its number."""
        user = self.lb.network.accounts.users.get(txn, card.owner) if card.owner else None
        return f"{user.email} (card {card.number})" if user is not None else f"card {card.number}"


def _place(pos: PointOfSale) -> dict[str, str]:
    return {"pos_id": pos.id, "pos_name": pos.name}


def _refused(
    exc: RegisterError | MoneyError, number: str, pos: PointOfSale,
    about: dict[str, object] | None = None,
) -> TapOutcome:  # fmt: skip
    """A rule of the register (or of money) refused what the tap asked: nothing moved."""
    if isinstance(exc, RegisterError):
        text = exc.message % exc.params if exc.params else exc.message
        code, field = exc.code, exc.field
    else:
        text, code, field = str(exc), exc.code, ""
    return TapOutcome(
        status=TapStatus.REFUSED, message=text, card_number=number,
        data={**_place(pos), **(about or {}), "code": code, "field": field},
    )  # fmt: skip
