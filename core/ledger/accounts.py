"""The rules of ``create_accounts``: validate and create accounts, linked chains included."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core.ledger.bits import CMNED, DMNEC, INT_MAX
from core.ledger.chains import drive_chains
from core.ledger.codec import CODE, FLAGS, LEDGER, UD32, UD64, UD128, new_account_state
from core.ledger.model import ACCOUNT_FLAGS_KNOWN, Account, CreateAccountResult

__all__ = ["AccountEngine"]

AR = CreateAccountResult
State = list[Any]


class AccountEngine:
    """Applies one batch of new accounts on top of what ``load_account`` returns."""

    def __init__(
        self, load_account: Callable[[int], State | None], check: Callable[[Any, int], None]
    ) -> None:
        self._load_account = load_account
        self._check = check
        #: Accounts created by this batch, in order, as working states.
        self.created: dict[int, State] = {}

    def run(self, accounts: Sequence[Account], ts0: int) -> list[AR]:
        """Create ``accounts``; event ``i`` gets timestamp ``ts0 + i``. One result per event."""
        for j, a in enumerate(accounts):
            self._check(a, j)
        results = [AR.OK] * len(accounts)
        journal: list[Any] = []
        i = 0
        while i < len(accounts):
            mark = list(self.created)

            def rollback(mark: list[int] = mark) -> None:
                for key in list(self.created):
                    if key not in mark:
                        del self.created[key]

            i = drive_chains(
                accounts,
                i,
                results,
                lambda a, j: self.apply(a, ts0 + j),
                journal,
                rollback,
                AR.OK,
                AR.LINKED_EVENT_FAILED,
                AR.LINKED_EVENT_CHAIN_OPEN,
            )
        return results

    def apply(self, a: Account, ts: int) -> AR:
        """Validate and create one account at timestamp ``ts``; return its result."""
        flags = a.flags
        if a.timestamp:
            return AR.TIMESTAMP_MUST_BE_ZERO
        if flags & ~ACCOUNT_FLAGS_KNOWN:
            return AR.RESERVED_FLAG
        if a.id == 0:
            return AR.ID_MUST_NOT_BE_ZERO
        if a.id == INT_MAX:
            return AR.ID_MUST_NOT_BE_INT_MAX
        if flags & DMNEC and flags & CMNED:
            return AR.FLAGS_ARE_MUTUALLY_EXCLUSIVE
        if a.debits_pending:
            return AR.DEBITS_PENDING_MUST_BE_ZERO
        if a.debits_posted:
            return AR.DEBITS_POSTED_MUST_BE_ZERO
        if a.credits_pending:
            return AR.CREDITS_PENDING_MUST_BE_ZERO
        if a.credits_posted:
            return AR.CREDITS_POSTED_MUST_BE_ZERO
        if a.ledger == 0:
            return AR.LEDGER_MUST_NOT_BE_ZERO
        if a.code == 0:
            return AR.CODE_MUST_NOT_BE_ZERO
        e = self.created.get(a.id) or self._load_account(a.id)
        if e is not None:
            if flags != e[FLAGS]:
                return AR.EXISTS_WITH_DIFFERENT_FLAGS
            if a.user_data_128 != e[UD128]:
                return AR.EXISTS_WITH_DIFFERENT_USER_DATA_128
            if a.user_data_64 != e[UD64]:
                return AR.EXISTS_WITH_DIFFERENT_USER_DATA_64
            if a.user_data_32 != e[UD32]:
                return AR.EXISTS_WITH_DIFFERENT_USER_DATA_32
            if a.ledger != e[LEDGER]:
                return AR.EXISTS_WITH_DIFFERENT_LEDGER
            if a.code != e[CODE]:
                return AR.EXISTS_WITH_DIFFERENT_CODE
            return AR.EXISTS
        state = new_account_state(
            a.id, a.user_data_128, a.user_data_64, a.user_data_32, a.ledger, a.code, flags, ts
        )
        self.created[a.id] = state
        return AR.OK
