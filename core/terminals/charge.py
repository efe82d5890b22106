"""The charge mode's state: the amount staff typed on a terminal's page, waiting for a card.

Each terminal in ``charge`` mode has one :class:`Charge` slot (keyed by the terminal):

- a cashier **asks** an amount (:meth:`Charges.ask`): the slot becomes ``pending``;
- a card **taps** (:meth:`Charges.pay_in`, called by the built-in mode's ``on_card_tap``
  inside the tap's write): a sale of that amount from the card's wallet to the instance, in
  the assets the instance accepts, in its priority order (``money.sale_in``, whose operation
  id is the tap's). Paid: the slot becomes ``paid`` (or stays ``pending`` when the charge
  repeats: a stall selling one thing at one price). Refused (shortfall, unknown or lost
  card, asset not accepted): nothing moved, the slot stays ``pending`` for another card, and
  its ``last_outcome`` says why, for the staff page;
- a cashier may **cancel** a pending charge.

Every change bumps ``version`` and tells the terminal's listeners after the commit (the
staff page updates live).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from core.records import Collection
from core.store import Tx
from core.terminals.errors import TerminalError
from core.terminals.events import TerminalEvents
from core.terminals.model import CardTap, Charge, ChargeStatus, TapOutcome, TapStatus
from core.terminals.modes import refusal_outcome, sale_outcome
from core.terminals.registry import Terminals
from core.tokens import Clock, system_clock
from core.wallets import InvalidInput, MoneyError, WalletRef
from core.wallets.operations import check_amount

if TYPE_CHECKING:
    from core.network import Network

__all__ = ["CHARGE_MAX", "CHARGE_MODE", "Charges"]

CHARGE_MODE = "charge"
#: the largest amount a terminal may ask at once, in cents (10,000.00)
CHARGE_MAX = 1_000_000
LABEL_MAX = 80


class Charges:
    """The charge slot of every terminal in charge mode."""

    def __init__(
        self, network: Network, terminals: Terminals, events: TerminalEvents, *,
        clock: Clock = system_clock,
    ) -> None:  # fmt: skip
        self.network = network
        self.store = network.store
        self.terminals = terminals
        self.events = events
        self.clock = clock
        self.records: Collection[Charge] = Collection(
            self.store, "charges", Charge, key=lambda c: c.terminal_id
        )

    def get(self, instance: str, terminal_id: str) -> Charge:
        """The slot of a terminal (``idle`` when nothing was ever asked)."""
        with self.store.read() as txn:
            found = self.records.get(txn, terminal_id)
        return found if found is not None else Charge(terminal_id=terminal_id, instance=instance)

    def ask(
        self, instance: str, terminal_id: str, *, amount: int, label: str = "",
        repeat: bool = False, by: str = "",
    ) -> Charge:  # fmt: skip
        """Wait for a card to pay ``amount`` (cents) on this terminal; replaces what waited."""
        try:
            amount = check_amount(amount)
        except InvalidInput as exc:
            raise TerminalError("amount", exc.message) from exc
        if amount > CHARGE_MAX:
            raise TerminalError("amount", f"{CHARGE_MAX // 100} at most")
        label = label.strip() if isinstance(label, str) else ""
        if len(label) > LABEL_MAX:
            raise TerminalError("label", f"{LABEL_MAX} characters at most")

        def op(tx: Tx) -> Charge:
            self._terminal_in(tx, instance, terminal_id)
            old = self.records.get(tx.txn, terminal_id)
            now = self.clock()
            charge = Charge(
                terminal_id=terminal_id, instance=instance, status=ChargeStatus.PENDING,
                amount=amount, label=label, repeat=bool(repeat), created_by=by, created_at=now,
                updated_at=now, version=(old.version if old else 0) + 1,
            )  # fmt: skip
            self.events.changed_in(tx, instance, terminal_id)
            return self.records.put(tx, charge)

        return self.store.write(op)

    def cancel(self, instance: str, terminal_id: str, *, by: str = "") -> Charge:
        """Stop waiting for a card (a charge that is not pending stays as it is)."""

        def op(tx: Tx) -> Charge:
            self._terminal_in(tx, instance, terminal_id)
            old = self.records.get(tx.txn, terminal_id)
            if old is None or old.status != ChargeStatus.PENDING:
                return old or Charge(terminal_id=terminal_id, instance=instance)
            changed = msgspec.structs.replace(
                old, status=ChargeStatus.CANCELLED, updated_at=self.clock(),
                version=old.version + 1,
            )  # fmt: skip
            self.events.changed_in(tx, instance, terminal_id)
            return self.records.put(tx, changed)

        return self.store.write(op)

    def pay_in(self, tx: Tx, tap: CardTap) -> TapOutcome:
        """Inside the tap's write: pay the pending charge with the tapped card (see module)."""
        charge = self.records.get(tx.txn, tap.terminal.id)
        if charge is None or charge.status != ChargeStatus.PENDING:
            return TapOutcome(
                status=TapStatus.IDLE,
                message="nothing waits on this terminal: type an amount on its page first",
            )
        money = self.network.money
        card = tap.card
        if card is None:
            outcome = TapOutcome(
                status=TapStatus.UNKNOWN_CARD, message="unknown card", amount=charge.amount
            )
            self._record(tx, charge, tap, outcome, paid=False)
            return outcome
        number = card.number
        try:
            operation = tx.nested(
                lambda child: money.sale_in(
                    child,
                    operation_id=tap.operation_id,
                    payer=WalletRef.card(card.id),
                    instance=tap.instance.slug,
                    amount=charge.amount,
                    author=f"terminal:{tap.terminal.id}",
                )
            )
        except MoneyError as exc:
            outcome = refusal_outcome(
                tx.txn, money.assets.get_in, exc, amount=charge.amount, card_number=number
            )
            self._record(tx, charge, tap, outcome, paid=False)
            return outcome
        outcome = sale_outcome(tx.txn, money.assets.get_in, operation, card_number=number)
        self._record(tx, charge, tap, outcome, paid=True)
        return outcome

    def _record(
        self, tx: Tx, charge: Charge, tap: CardTap, outcome: TapOutcome, *, paid: bool
    ) -> None:
        status = ChargeStatus.PAID if paid and not charge.repeat else charge.status
        changed = msgspec.structs.replace(
            charge, status=status, updated_at=self.clock(), version=charge.version + 1,
            paid_count=charge.paid_count + (1 if paid else 0), last_tap=tap.tap_id,
            last_outcome=outcome,
        )  # fmt: skip
        self.records.put(tx, changed)
        self.events.changed_in(tx, charge.instance, charge.terminal_id)

    def _terminal_in(self, tx: Tx, instance: str, terminal_id: str) -> None:
        terminal = self.terminals.terminal_in(tx.txn, terminal_id) if terminal_id else None
        if terminal is None or terminal.instance != instance:
            raise TerminalError("terminal", "no such terminal in this instance")
        if terminal.revoked:
            raise TerminalError("terminal", "this terminal was revoked")
        if terminal.mode != CHARGE_MODE:
            raise TerminalError("terminal", "this terminal is not in charge mode")
