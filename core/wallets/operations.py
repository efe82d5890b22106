"""How one money action becomes ledger transfers and an operation record, once, atomically.

Every action runs as a function of the store's write transaction ``tx``:

1. :meth:`OperationLog.replay` looks up the operation record ``<kind>:<operation id>``. Found
   with the same request fingerprint: the action returns it as it is (``replayed=True``) and
   moves nothing. Found with another fingerprint: :class:`OperationConflict`.
2. The action plans its legs (:class:`Planned`) from balances read inside ``tx``.
3. :meth:`OperationLog.commit` creates the missing ledger accounts, then the transfers: ids
   derived from (action, operation id, leg index), ``code`` = the action, ``user_data_128`` =
   the operation's reference, ``user_data_64`` = the operation's place (its instance as a
   number, :mod:`core.wallets.feed`), ``user_data_32`` = the leg index, every leg but the last
   ``LINKED`` (one chain: all or nothing). It stores the :class:`Operation` in the same ``tx``,
   and for refills, grants, refunds, remittances and corrections an
   :class:`~core.wallets.feed.OperationNote` under the sequence of its first transfer.

The ledger is the final guard: if a non-issuer account would go below zero it answers
``EXCEEDS_CREDITS`` and the action raises :class:`InsufficientFunds` with the shortfall
computed inside the same transaction. ``EXISTS`` on every leg (the transfers were made but the
record is missing: only possible if someone wrote transfers with our ids) is accepted as done.
"""

from __future__ import annotations

import hashlib
from typing import Any, NamedTuple

import msgspec

from core.i18n import N_
from core.ledger import CreateTransferResult, Transfer, TransferFlags
from core.records import Collection, Index
from core.store import Store, Tx
from core.tokens import Clock, system_clock
from core.wallets.accounts_map import AccountsMap
from core.wallets.errors import InsufficientFunds, InvalidInput, LedgerRefused, OperationConflict
from core.wallets.feed import NOTED_KINDS, LedgerNotes, OperationNote, place_user_data
from core.wallets.model import ActionKind, Leg, Operation, Remittance, WalletRef

__all__ = [
    "OperationLog",
    "Planned",
    "check_amount",
    "check_operation_id",
    "check_text",
    "derive_id",
    "fingerprint",
]

OPERATION_ID_MAX = 200
AMOUNT_LIMIT = 1 << 63  # far above any real amount, far below the ledger's 2**128
_RESERVED = {0, (1 << 128) - 1}
R = CreateTransferResult


def derive_id(*parts: object) -> int:
    """A 128-bit id from ``parts`` (SHA-256, first 16 bytes; never 0 nor 2**128 - 1)."""
    seed = "|".join(str(p) for p in parts).encode()
    while True:
        value = int.from_bytes(hashlib.sha256(seed).digest()[:16], "big")
        if value not in _RESERVED:
            return value
        seed += b"#"


def fingerprint(*params: Any) -> str:
    """The digest of a request's parameters (JSON of the tuple, SHA-256 hex)."""
    return hashlib.sha256(msgspec.json.encode(params)).hexdigest()


def check_amount(amount: object, field: str = "amount") -> int:
    """The amount if it is an integer > 0 (not a bool, not a float); else InvalidInput."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise InvalidInput(field, N_("an amount is an integer in the smallest unit (cents)"))
    if amount <= 0:
        raise InvalidInput(field, N_("an amount must be greater than zero"))
    if amount >= AMOUNT_LIMIT:
        raise InvalidInput(field, N_("the amount is too large"))
    return amount


def check_operation_id(operation_id: object) -> str:
    """The caller's operation id if it is a string of 1 to 200 characters; else InvalidInput."""
    if not isinstance(operation_id, str) or not 0 < len(operation_id) <= OPERATION_ID_MAX:
        raise InvalidInput(
            "operation_id",
            N_("give an id of 1 to %(operation_id_max)s characters"),
            operation_id_max=OPERATION_ID_MAX,
        )
    return operation_id


def check_text(value: object, field: str, *, required: bool, limit: int = 500) -> str:
    """A trimmed text field; InvalidInput when required and blank, or longer than ``limit``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(field, N_("must be text"))
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(field, N_("is required"))
    if len(cleaned) > limit:
        raise InvalidInput(field, N_("%(limit)s characters at most"), limit=limit)
    return cleaned


class Planned(NamedTuple):
    """One leg an action wants: ``amount`` of ``asset_id`` from ``debit`` to ``credit``."""

    asset_id: int
    debit: WalletRef
    credit: WalletRef
    amount: int


class OperationLog:
    """The operation records and the commit of an action's legs to the ledger."""

    def __init__(self, store: Store, accounts: AccountsMap, *, clock: Clock = system_clock):
        self.store = store
        self.accounts = accounts
        self.ledger = accounts.ledger
        self.clock = clock
        self.notes = LedgerNotes(store)
        self.records: Collection[Operation] = Collection(
            store,
            "operations",
            Operation,
            key=lambda o: o.key,
            indexes=(Index("ref", lambda o: int(o.ref), unique=True),),
        )
        self.remittances: Collection[Remittance] = Collection(
            store,
            "remittances",
            Remittance,
            key=lambda r: r.key,
            indexes=(
                Index("instance", lambda r: r.instance),
                Index("asset", lambda r: r.asset_id.to_bytes(4, "big")),
            ),
        )

    @staticmethod
    def key(kind: ActionKind, operation_id: str) -> str:
        """The record key of an operation: ``<action>:<operation id>``."""
        return f"{kind.label}:{operation_id}"

    def replay(self, tx: Tx, kind: ActionKind, operation_id: str, fp: str) -> Operation | None:
        """The operation already done under this id (marked replayed), or None; conflicts raise."""
        found = self.records.get(tx.txn, self.key(kind, operation_id))
        if found is None:
            return None
        if found.fingerprint != fp:
            raise OperationConflict(kind.label, operation_id)
        return msgspec.structs.replace(found, replayed=True)

    def commit(
        self,
        tx: Tx,
        kind: ActionKind,
        operation_id: str,
        fp: str,
        legs: list[Planned],
        **fields: Any,
    ) -> Operation:
        """Make ``legs`` one linked chain of transfers and store the operation, in ``tx``."""
        ref = derive_id("tirelire/operation", kind.value, operation_id)
        place = place_user_data(self.notes.places.number_in(tx, fields.get("instance", "")))
        transfers = []
        for index, leg in enumerate(legs):
            debit = self.accounts.ensure(tx, leg.debit, leg.asset_id)
            credit = self.accounts.ensure(tx, leg.credit, leg.asset_id)
            transfers.append(
                Transfer(
                    id=derive_id("tirelire/transfer", kind.value, operation_id, index),
                    debit_account_id=debit,
                    credit_account_id=credit,
                    amount=leg.amount,
                    ledger=leg.asset_id,
                    code=int(kind),
                    user_data_128=ref,
                    user_data_64=place,
                    user_data_32=index,
                    flags=int(TransferFlags.LINKED) if index < len(legs) - 1 else 0,
                )
            )
        results = self.ledger.create_transfers_in(tx, transfers) if transfers else []
        if not all(r == R.OK for r in results) and not all(r == R.EXISTS for r in results):
            self._refused(tx, kind, operation_id, legs, results)
        operation = Operation(
            key=self.key(kind, operation_id),
            kind=kind,
            operation_id=operation_id,
            ref=str(ref),
            legs=[
                Leg(
                    transfer_id=str(t.id),
                    asset_id=leg.asset_id,
                    debit=leg.debit.owner,
                    credit=leg.credit.owner,
                    amount=leg.amount,
                )
                for t, leg in zip(transfers, legs, strict=True)
            ],
            amount=sum(leg.amount for leg in legs),
            fingerprint=fp,
            created_at=self.clock(),
            **fields,
        )
        self.records.put(tx, operation)
        if kind in NOTED_KINDS and results and results[0] == R.OK:
            first_seq = self.ledger.head_in(tx.txn).seq - len(transfers) + 1
            self.notes.note_in(tx, first_seq, _note(operation))
        return operation

    def _refused(
        self,
        tx: Tx,
        kind: ActionKind,
        operation_id: str,
        legs: list[Planned],
        results: list[CreateTransferResult],
    ) -> None:
        """Raise what a refused chain means: InsufficientFunds, a conflict, or a bug."""
        for leg, result in zip(legs, results, strict=True):
            if result == R.EXCEEDS_CREDITS:
                have = self.accounts.available_in(tx.txn, leg.debit, leg.asset_id)
                raise InsufficientFunds(
                    shortfall=leg.amount - have,
                    asset=leg.asset_id,
                    wallet=leg.debit.owner,
                    available=have,
                )
            if result.name.startswith("EXISTS"):
                raise OperationConflict(kind.label, operation_id)
        raise LedgerRefused(kind.label, operation_id, list(results))

    def get(self, kind: ActionKind, operation_id: str) -> Operation | None:
        """The operation done under this id, or None."""
        with self.store.read() as txn:
            return self.records.get(txn, self.key(kind, operation_id))

    def by_ref(self, ref: int) -> Operation | None:
        """The operation whose transfers carry ``user_data_128 == ref``, or None."""
        with self.store.read() as txn:
            return self.records.get_by(txn, "ref", ref)


def _note(operation: Operation) -> OperationNote:
    """The operation's note for readers of the ledger's feed (see :mod:`core.wallets.feed`)."""
    return OperationNote(
        kind=int(operation.kind),
        operation_id=operation.operation_id,
        amount=operation.amount,
        instance=operation.instance,
        author=operation.author,
        reason=operation.reason,
        bank_reference=operation.bank_reference,
        bank_date=operation.bank_date,
        created_at=operation.created_at,
    )
