"""Paying an order: with a card (a ledger sale), in cash or by bank card, in as many parts as
needed. The order is paid when its parts cover it.

- :meth:`OrderPayments.pay_with_card` is one call: "pay this order with the card whose UID is
  X; the caller's operation id is T". It takes what is left to pay (or ``amount``) from the
  card's wallet with ``money.sale_in`` in the point of sale's asset order. When the card does
  not hold enough, nothing moves and ``InsufficientFunds`` tells the exact shortfall; with
  ``partial=True`` the card pays what it holds instead and the rest stays to pay, by cash, bank
  card or a second card.
- :meth:`OrderPayments.pay` records a cash or bank card part: money the register received,
  not ledger money. Cash handed over beyond what is left is given back as change.
- Every part is a :class:`Payment` in the register's journal, in the same write as the sale
  (cashless) and the order's update. The caller's operation id is unique per instance: the
  same id pays once, and a retry gets the first answer (``replayed``).
- A cashless part is filed at the ledger's own timestamp of its transfers, so a closure
  period holds exactly the sales the ledger holds for it.
"""

from __future__ import annotations

import lmdb
import msgspec

from core.i18n import N_
from core.store import Tx
from core.wallets import InsufficientFunds, Operation, WalletRef, normalize_uid
from core.wallets import UnknownCard as UnknownCardError

from .common import Part, check_operation_id, new_id
from .errors import RegisterError
from .model import Method, Order, OrderStatus, Payment, PaymentLeg, SaleEntry, journal_key
from .records import op_key

__all__ = ["OrderPayments", "PaymentResult", "money_operation_id"]


def money_operation_id(instance: str, operation_id: str) -> str:
    """The money service's operation id of a register operation (one namespace per instance)."""
    return f"laboutik:{instance}:{operation_id}"


class PaymentResult(msgspec.Struct, kw_only=True):
    """What a payment did: the part, the order after it, and if it was a replay."""

    payment: Payment
    order: Order
    replayed: bool = False

    @property
    def remaining(self) -> int:
        """What is left to pay on the order."""
        return self.order.remaining


class OrderPayments(Part):
    """The parts paying each order."""

    def of_order(self, instance: str, order_id: str) -> list[Payment]:
        """The parts paid on an order, oldest first."""
        with self.store.read() as txn:
            found = [p for p in self.records.payments.find(txn, "order", order_id)]
        return sorted((p for p in found if p.instance == instance), key=lambda p: p.at)

    def pay_with_card(
        self,
        instance: str,
        order_id: str,
        *,
        uid: str,
        operation_id: str,
        author: str,
        amount: int | None = None,
        partial: bool = False,
        grouped: bool = True,
    ) -> PaymentResult:
        """Pay (part of) an order from the wallet of the card ``uid``; see the module."""
        check_operation_id(operation_id)
        cleaned = normalize_uid(uid)
        return self.write(
            lambda tx: self.pay_with_card_in(
                tx, instance, order_id, uid=cleaned, operation_id=operation_id, author=author,
                amount=amount, partial=partial,
            ),
            grouped=grouped,
        )  # fmt: skip

    def pay_with_card_in(
        self,
        tx: Tx,
        instance: str,
        order_id: str,
        *,
        uid: str,
        operation_id: str,
        author: str,
        amount: int | None = None,
        partial: bool = False,
    ) -> PaymentResult:
        """Inside a write (a terminal's tap, with the tap's operation id): :meth:`pay_with_card`.

        The part, the order's update and the ledger sale join ``tx``: they commit with the
        caller's own records, or not at all.
        """
        check_operation_id(operation_id)
        cleaned = normalize_uid(uid)
        done = self._replay(tx.txn, instance, operation_id)
        if done is not None:
            return done
        order, want = self._due(tx.txn, instance, order_id, Method.CASHLESS, amount)
        card = self.money.card_records.get_by(tx.txn, "uid", cleaned)
        if card is None:
            raise UnknownCardError(cleaned)
        pos = self.lb.catalog.point_in(tx.txn, instance, order.pos_id)
        assets = self._assets(tx.txn, instance, pos.asset_order)

        def sale(amount: int) -> Operation:
            return self.money.sale_in(
                tx, operation_id=money_operation_id(instance, operation_id),
                payer=WalletRef.card(card.id), instance=instance, amount=amount,
                asset_ids=assets, author=author,
            )  # fmt: skip

        try:
            operation = sale(want)
        except InsufficientFunds as exc:
            if not partial or exc.available <= 0:
                raise
            operation = sale(exc.available)
        if operation.replayed:
            raise RegisterError("operation_id", N_("This operation id was already used."))
        legs = self._legs(tx.txn, operation)
        payment = Payment(
            key=journal_key(instance, legs[0].at, pid := new_id()), id=pid,
            instance=instance, order_id=order.id, pos_id=order.pos_id,
            method=Method.CASHLESS, amount=operation.amount, at=legs[0].at, author=author,
            operation_id=operation_id, card_id=card.id, legs=legs,
        )  # fmt: skip
        return self._settle(tx, order, payment)

    def pay(
        self,
        instance: str,
        order_id: str,
        *,
        method: Method,
        received: int,
        operation_id: str,
        author: str,
    ) -> PaymentResult:
        """Record a cash or bank card part of ``received`` cents.

        Cash beyond what is left to pay is change given back (``payment.change``); a bank
        card is never charged more than what is left.
        """
        check_operation_id(operation_id)
        if method not in (Method.CASH, Method.CARD):
            raise RegisterError("method", N_("Choose cash or bank card."))
        if not isinstance(received, int) or isinstance(received, bool) or received <= 0:
            raise RegisterError("amount", N_("The amount must be greater than zero."))

        def op(tx: Tx) -> PaymentResult:
            done = self._replay(tx.txn, instance, operation_id)
            if done is not None:
                return done
            order, due = self._due(tx.txn, instance, order_id, method, None)
            if method == Method.CARD and received > due:
                raise RegisterError("amount", N_("More than what is left to pay."))
            amount = min(received, due)
            at = self.now()
            payment = Payment(
                key=journal_key(instance, at, pid := new_id()), id=pid, instance=instance,
                order_id=order.id, pos_id=order.pos_id, method=method, amount=amount, at=at,
                author=author, operation_id=operation_id,
                tendered=received if method == Method.CASH else 0,
                change=received - amount if method == Method.CASH else 0,
            )  # fmt: skip
            return self._settle(tx, order, payment)

        return self.write(op)

    # -- helpers ---------------------------------------------------------------------------

    def _replay(
        self, txn: lmdb.Transaction, instance: str, operation_id: str
    ) -> PaymentResult | None:
        done = self.records.payments.get_by(txn, "op", op_key(instance, operation_id))
        if done is None:
            return None
        order = self.lb.orders.get_in(txn, instance, done.order_id)
        return PaymentResult(payment=done, order=order, replayed=True)

    def _due(
        self,
        txn: lmdb.Transaction,
        instance: str,
        order_id: str,
        method: Method,
        amount: int | None,
    ) -> tuple[Order, int]:
        """The open order and what this part pays (``amount``, else all that is left)."""
        order = self.lb.orders.get_in(txn, instance, order_id)
        if order.status != OrderStatus.OPEN:
            raise RegisterError("order_id", N_("This order is no longer open."))
        pos = self.lb.catalog.point_in(txn, instance, order.pos_id)
        if method not in pos.methods:
            raise RegisterError("method", N_("This point of sale does not take this method."))
        if order.remaining <= 0:
            raise RegisterError("order_id", N_("Nothing is left to pay on this order."))
        if amount is None:
            return order, order.remaining
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise RegisterError("amount", N_("The amount must be greater than zero."))
        if amount > order.remaining:
            raise RegisterError("amount", N_("More than what is left to pay."))
        return order, amount

    def _assets(self, txn: lmdb.Transaction, instance: str, order: list[int]) -> list[int] | None:
        """The point of sale's asset order, without assets no longer usable here (None: the
        instance's order)."""
        if not order:
            return None
        usable = []
        for asset_id in order:
            asset = self.money.assets.get_in(txn, asset_id)
            if asset is None or asset.archived:
                continue
            if self.money.federations.accepts_in(txn, instance, asset):
                usable.append(asset_id)
        if not usable:
            raise RegisterError("asset_order", N_("No asset of this point of sale is usable now."))
        return usable

    def _legs(self, txn: lmdb.Transaction, operation: Operation) -> list[PaymentLeg]:
        ids = [int(leg.transfer_id) for leg in operation.legs]
        transfers = self.money.ledger.lookup_transfers_in(txn, ids)
        return [PaymentLeg(asset_id=t.ledger, amount=t.amount, at=t.timestamp) for t in transfers]

    def _settle(self, tx: Tx, order: Order, payment: Payment) -> PaymentResult:
        """Record the part and update the order; a covered order becomes a sale entry."""
        self.records.payments.insert(tx, payment)
        paid = order.paid + payment.amount
        changed = msgspec.structs.replace(order, paid=paid)
        if paid == order.total:
            changed = msgspec.structs.replace(changed, status=OrderStatus.PAID, paid_at=payment.at)
            self.records.sales.insert(
                tx,
                SaleEntry(
                    key=journal_key(order.instance, payment.at, order.id),
                    instance=order.instance, order_id=order.id, number=order.number,
                    pos_id=order.pos_id, table_id=order.table_id, at=payment.at,
                    total=order.total, lines=list(order.lines),
                ),
            )  # fmt: skip
        self.records.orders.put(tx, changed)
        return PaymentResult(payment=payment, order=changed)
