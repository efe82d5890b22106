"""The ledger's rules: validate and apply a batch of events to working account states.

Pure: no I/O. The engine reads what it does not hold through three loader callbacks (an
account's state, a committed transfer, a pending transfer's status) and leaves its outcome in
plain attributes (``accounts`` it touched, ``created`` transfers in order, ``statuses`` it
changed); the caller persists them. :class:`core.ledger.Ledger` runs it on LMDB and the SQLite
peer of the benchmark runs the very same rules on SQLite.

Checks follow TigerBeetle's documented order of precedence. A plain transfer (no flags, not in
a linked chain, in a batch without duplicate or existing ids) takes an inlined fast path that
applies exactly the same rules; any other event goes through :meth:`TransferEngine.apply`.
Linked chains keep an undo journal and are rolled back whole when one event fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core.ledger.bits import (
    BAL_C,
    BAL_D,
    CLOSED,
    CMNED,
    DMNEC,
    EXPIRED,
    INT_MAX,
    LINKED,
    NS_PER_S,
    PENDING,
    POST,
    POSTED,
    U64_MAX,
    VOID,
    VOIDED,
)  # fmt: skip
from core.ledger.codec import (
    CP,
    CPO,
    DP,
    DPO,
    FLAGS,
    LEDGER,
)  # fmt: skip
from core.ledger.exists import Fields, exists_result
from core.ledger.journal import ChainJournal
from core.ledger.model import (
    AMOUNT_MAX,
    ID_MAX,
    TRANSFER_FLAGS_KNOWN,
    CreateAccountResult,
    CreateTransferResult,
    Transfer,
)

__all__ = ["TransferEngine"]

TR = CreateTransferResult
AR = CreateAccountResult
T_OK = TR.OK

_MISSING: Any = object()
State = list[Any]


class TransferEngine(ChainJournal):
    """Applies one batch of transfers on top of what the loaders return."""

    def __init__(
        self,
        load_account: Callable[[int], State | None],
        load_transfer: Callable[[int], Fields | None],
        load_status: Callable[[int], int],
        check: Callable[[Any, int], None],
    ) -> None:
        self._load_account = load_account
        self._load_transfer = load_transfer
        self._load_status = load_status
        self._check = check
        #: Working account states touched by this batch (None: no such account).
        self.accounts: dict[int, State | None] = {}
        #: Transfers created by this batch, in commit order, as field tuples.
        self.created: list[Fields] = []
        self.by_id: dict[int, Fields] = {}
        #: Pending transfers posted or voided by this batch.
        self.statuses: dict[int, int] = {}
        self._journal = []
        self._in_chain = False
        self._mark = 0

    # -- loaders -------------------------------------------------------------------------

    def account(self, account_id: int) -> State | None:
        """The working state of an account, loaded on first use."""
        state = self.accounts.get(account_id, _MISSING)
        if state is _MISSING:
            state = self.accounts[account_id] = self._load_account(account_id)
        return state

    def load_accounts(
        self, account_ids: list[int], known: dict[int, State] | None = None
    ) -> list[State | None]:
        """The working states of ``account_ids`` (as :meth:`account` gives them), in order.

        ``known`` holds states the loader would return (the writer's cache): they are read
        from it directly, the loader is called for the others.
        """
        if self.accounts:
            return [self.account(account_id) for account_id in account_ids]
        if known is None:
            states = list(map(self._load_account, account_ids))
        else:
            states = list(map(known.get, account_ids))
            if None in states:
                load = self._load_account
                states = [
                    load(account_id) if state is None else state
                    for account_id, state in zip(account_ids, states, strict=True)
                ]
        self.accounts.update(zip(account_ids, states, strict=True))
        return states

    def transfer(self, transfer_id: int) -> Fields | None:
        """A transfer created earlier in this batch or committed before."""
        found = self.by_id.get(transfer_id)
        return found if found is not None else self._load_transfer(transfer_id)

    def status(self, pending_id: int) -> int:
        """The status of a pending transfer: 0 (pending), POSTED, VOIDED or EXPIRED."""
        found = self.statuses.get(pending_id)
        return found if found is not None else self._load_status(pending_id)

    # -- the batch -------------------------------------------------------------------------

    def run(self, transfers: Sequence[Transfer], ts0: int, fast: bool) -> list[TR]:
        """Apply ``transfers``; event ``i`` gets timestamp ``ts0 + i``. One result per event.

        ``fast`` says the batch has no duplicate id and no id already committed, so plain
        transfers may skip the idempotency lookups.
        """
        n = len(transfers)
        results = [T_OK] * n
        accounts = self.accounts
        created = self.created
        by_id = self.by_id
        load = self._load_account
        apply = self.apply
        i = 0
        if not fast:
            for j, t in enumerate(transfers):
                self._check(t, j)
        while i < n:
            t = transfers[i]
            if fast and not (t.flags or t.pending_id or t.timeout or t.timestamp):
                tid = t.id
                d = t.debit_account_id
                c = t.credit_account_id
                a = t.amount
                ledger = t.ledger
                code = t.code
                if 0 < tid <= ID_MAX and 0 < d <= ID_MAX and 0 < c <= ID_MAX and d != c:
                    dr = accounts.get(d)
                    if dr is None:
                        dr = accounts[d] = load(d)
                    cr = accounts.get(c)
                    if cr is None:
                        cr = accounts[c] = load(c)
                    if (
                        a > 0
                        and ledger
                        and code
                        and dr is not None
                        and cr is not None
                        and dr[LEDGER] == ledger
                        and cr[LEDGER] == ledger
                    ):
                        dflags = dr[FLAGS]
                        cflags = cr[FLAGS]
                        dpo = dr[DPO] + a
                        cpo = cr[CPO] + a
                        if (
                            not (dflags | cflags) & CLOSED
                            and dr[DP] + dpo <= AMOUNT_MAX
                            and cr[CP] + cpo <= AMOUNT_MAX
                            and not (dflags & DMNEC and dr[DP] + dpo > dr[CPO])
                            and not (cflags & CMNED and cr[CP] + cpo > cr[DPO])
                        ):
                            dr[DPO] = dpo
                            cr[CPO] = cpo
                            f = (tid, d, c, a, 0, t.user_data_128, t.user_data_64,
                                 t.user_data_32, 0, ledger, code, 0, ts0 + i)  # fmt: skip
                            created.append(f)
                            by_id[tid] = f
                            i += 1
                            continue
                self._check(t, i)
                results[i] = apply(t, i + ts0)
                i += 1
            elif not t.flags & LINKED:
                self._check(t, i)
                results[i] = apply(t, i + ts0)
                i += 1
            else:
                i = self._chain(transfers, i, ts0, results)
        return results

    def _record(self, f: Fields) -> TR:
        self.created.append(f)
        self.by_id[f[0]] = f
        return T_OK

    # -- one event -------------------------------------------------------------------------

    def apply(self, t: Transfer, ts: int) -> TR:
        """Validate and apply one transfer at timestamp ``ts``; return its result."""
        flags = t.flags
        tid = t.id
        if t.timestamp:
            return TR.TIMESTAMP_MUST_BE_ZERO
        if flags & ~TRANSFER_FLAGS_KNOWN:
            return TR.RESERVED_FLAG
        if tid == 0:
            return TR.ID_MUST_NOT_BE_ZERO
        if tid == INT_MAX:
            return TR.ID_MUST_NOT_BE_INT_MAX
        existing = self.transfer(tid)
        if existing is not None:
            return exists_result(t, existing)
        post_or_void = flags & (POST | VOID)
        if (
            (flags & PENDING and post_or_void)
            or post_or_void == POST | VOID
            or (flags & (BAL_D | BAL_C) and post_or_void)
        ):
            return TR.FLAGS_ARE_MUTUALLY_EXCLUSIVE
        if post_or_void:
            return self._post_or_void(t, ts)
        d = t.debit_account_id
        c = t.credit_account_id
        if d == 0:
            return TR.DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO
        if d == INT_MAX:
            return TR.DEBIT_ACCOUNT_ID_MUST_NOT_BE_INT_MAX
        if c == 0:
            return TR.CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO
        if c == INT_MAX:
            return TR.CREDIT_ACCOUNT_ID_MUST_NOT_BE_INT_MAX
        if d == c:
            return TR.ACCOUNTS_MUST_BE_DIFFERENT
        if t.pending_id:
            return TR.PENDING_ID_MUST_BE_ZERO
        pending = flags & PENDING
        if t.timeout and not pending:
            return TR.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
        if t.amount == 0:
            return TR.AMOUNT_MUST_NOT_BE_ZERO
        if t.ledger == 0:
            return TR.LEDGER_MUST_NOT_BE_ZERO
        if t.code == 0:
            return TR.CODE_MUST_NOT_BE_ZERO
        dr = self.account(d)
        if dr is None:
            return TR.DEBIT_ACCOUNT_NOT_FOUND
        cr = self.account(c)
        if cr is None:
            return TR.CREDIT_ACCOUNT_NOT_FOUND
        if dr[LEDGER] != cr[LEDGER]:
            return TR.ACCOUNTS_MUST_HAVE_THE_SAME_LEDGER
        if t.ledger != dr[LEDGER]:
            return TR.TRANSFER_MUST_HAVE_THE_SAME_LEDGER_AS_ACCOUNTS
        if dr[FLAGS] & CLOSED:
            return TR.DEBIT_ACCOUNT_ALREADY_CLOSED
        if cr[FLAGS] & CLOSED:
            return TR.CREDIT_ACCOUNT_ALREADY_CLOSED
        amount = t.amount
        if flags & BAL_D:
            amount = min(amount, max(0, dr[CPO] - dr[DP] - dr[DPO]))
            if amount == 0:
                return TR.EXCEEDS_CREDITS
        if flags & BAL_C:
            amount = min(amount, max(0, cr[DPO] - cr[CP] - cr[CPO]))
            if amount == 0:
                return TR.EXCEEDS_DEBITS
        if pending:
            if amount + dr[DP] > AMOUNT_MAX:
                return TR.OVERFLOWS_DEBITS_PENDING
            if amount + cr[CP] > AMOUNT_MAX:
                return TR.OVERFLOWS_CREDITS_PENDING
        if amount + dr[DPO] > AMOUNT_MAX:
            return TR.OVERFLOWS_DEBITS_POSTED
        if amount + cr[CPO] > AMOUNT_MAX:
            return TR.OVERFLOWS_CREDITS_POSTED
        if amount + dr[DP] + dr[DPO] > AMOUNT_MAX:
            return TR.OVERFLOWS_DEBITS
        if amount + cr[CP] + cr[CPO] > AMOUNT_MAX:
            return TR.OVERFLOWS_CREDITS
        if ts + t.timeout * NS_PER_S > U64_MAX:
            return TR.OVERFLOWS_TIMEOUT
        if dr[FLAGS] & DMNEC and dr[DP] + dr[DPO] + amount > dr[CPO]:
            return TR.EXCEEDS_CREDITS
        if cr[FLAGS] & CMNED and cr[CP] + cr[CPO] + amount > cr[DPO]:
            return TR.EXCEEDS_DEBITS
        self._touch(dr, cr)
        if pending:
            dr[DP] += amount
            cr[CP] += amount
        else:
            dr[DPO] += amount
            cr[CPO] += amount
        return self._record(
            (tid, d, c, amount, 0, t.user_data_128, t.user_data_64, t.user_data_32,
             t.timeout, t.ledger, t.code, flags, ts)
        )  # fmt: skip

    def _post_or_void(self, t: Transfer, ts: int) -> TR:
        pid = t.pending_id
        if pid == 0:
            return TR.PENDING_ID_MUST_NOT_BE_ZERO
        if pid == INT_MAX:
            return TR.PENDING_ID_MUST_NOT_BE_INT_MAX
        if pid == t.id:
            return TR.PENDING_ID_MUST_BE_DIFFERENT
        if t.timeout:
            return TR.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
        p = self.transfer(pid)
        if p is None:
            return TR.PENDING_TRANSFER_NOT_FOUND
        if not p[11] & PENDING:
            return TR.PENDING_TRANSFER_NOT_PENDING
        d, c, p_amount, ledger, code = p[1], p[2], p[3], p[9], p[10]
        if t.debit_account_id and t.debit_account_id != d:
            return TR.PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID
        if t.credit_account_id and t.credit_account_id != c:
            return TR.PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID
        if t.ledger and t.ledger != ledger:
            return TR.PENDING_TRANSFER_HAS_DIFFERENT_LEDGER
        if t.code and t.code != code:
            return TR.PENDING_TRANSFER_HAS_DIFFERENT_CODE
        amount = t.amount
        if amount == 0 or amount == AMOUNT_MAX:
            amount = p_amount
        if amount > p_amount:
            return TR.EXCEEDS_PENDING_TRANSFER_AMOUNT
        post = t.flags & POST
        if not post and amount < p_amount:
            return TR.PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT
        status = self.status(pid)
        if status == POSTED:
            return TR.PENDING_TRANSFER_ALREADY_POSTED
        if status == VOIDED:
            return TR.PENDING_TRANSFER_ALREADY_VOIDED
        if status == EXPIRED or (p[8] and p[12] + p[8] * NS_PER_S <= ts):
            return TR.PENDING_TRANSFER_EXPIRED
        dr = self.account(d)
        cr = self.account(c)
        if dr is None or cr is None:  # accounts are never deleted
            raise RuntimeError(f"pending transfer {pid} names a missing account")
        if post and dr[FLAGS] & CLOSED:
            return TR.DEBIT_ACCOUNT_ALREADY_CLOSED
        if post and cr[FLAGS] & CLOSED:
            return TR.CREDIT_ACCOUNT_ALREADY_CLOSED
        self._touch(dr, cr)
        if self._in_chain:
            self._journal.append(("status", pid, self.statuses.get(pid)))
        dr[DP] -= p_amount
        cr[CP] -= p_amount
        if post:
            dr[DPO] += amount
            cr[CPO] += amount
        self.statuses[pid] = POSTED if post else VOIDED
        return self._record(
            (t.id, d, c, amount, pid, t.user_data_128 or p[5], t.user_data_64 or p[6],
             t.user_data_32 or p[7], 0, ledger, code, t.flags, ts)
        )  # fmt: skip
