"""A plain in-memory model of the ledger's rules, for the property test.

:class:`Model` is a deliberately naive re-statement of docs/ledger.md's rules (dicts, deep
copies for linked chains, its own flag constants), written apart from ``core/ledger`` so that
tests/unit/ledger/test_ledger_state_machine.py compares two independent readings of the rules.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from core.ledger import AMOUNT_MAX, Account, CreateAccountResult, CreateTransferResult, Transfer

__all__ = ["BAL_C", "BAL_D", "CLOSED", "CMNED", "DMNEC", "LINKED", "MAX", "PENDING", "POST",
           "SECOND", "VOID", "Model"]  # fmt: skip

R = CreateTransferResult
AR = CreateAccountResult
SECOND = 1_000_000_000
LINKED, PENDING, POST, VOID, BAL_D, BAL_C = 1, 2, 4, 8, 16, 32
DMNEC, CMNED, CLOSED = 2, 4, 32
MAX = AMOUNT_MAX


@dataclass
class Acct:
    ledger: int
    code: int
    flags: int
    ud: tuple[int, int, int] = (0, 0, 0)
    dp: int = 0
    dpo: int = 0
    cp: int = 0
    cpo: int = 0


@dataclass
class Model:
    """The rules, written plainly: every step readable, no speed tricks."""

    accounts: dict[int, Acct] = field(default_factory=dict)
    transfers: dict[int, dict[str, int]] = field(default_factory=dict)
    status: dict[int, str] = field(default_factory=dict)

    def create_accounts(self, events: list[Account]) -> list[AR]:
        return self._chains(events, self._account, AR)

    def _account(self, a: Account, _ts: int) -> AR:
        if a.timestamp:
            return AR.TIMESTAMP_MUST_BE_ZERO
        if a.flags & ~(1 | 2 | 4 | 8 | 32):
            return AR.RESERVED_FLAG
        if a.id == 0:
            return AR.ID_MUST_NOT_BE_ZERO
        if a.id == MAX:
            return AR.ID_MUST_NOT_BE_INT_MAX
        if a.flags & DMNEC and a.flags & CMNED:
            return AR.FLAGS_ARE_MUTUALLY_EXCLUSIVE
        if a.debits_pending or a.debits_posted or a.credits_pending or a.credits_posted:
            return AR.DEBITS_PENDING_MUST_BE_ZERO  # only the first can happen here
        if a.ledger == 0:
            return AR.LEDGER_MUST_NOT_BE_ZERO
        if a.code == 0:
            return AR.CODE_MUST_NOT_BE_ZERO
        e = self.accounts.get(a.id)
        if e is not None:
            if a.flags != e.flags:
                return AR.EXISTS_WITH_DIFFERENT_FLAGS
            if (a.user_data_128, a.user_data_64, a.user_data_32) != e.ud:
                return AR.EXISTS_WITH_DIFFERENT_USER_DATA_128
            if a.ledger != e.ledger:
                return AR.EXISTS_WITH_DIFFERENT_LEDGER
            if a.code != e.code:
                return AR.EXISTS_WITH_DIFFERENT_CODE
            return AR.EXISTS
        self.accounts[a.id] = Acct(
            a.ledger, a.code, a.flags, (a.user_data_128, a.user_data_64, a.user_data_32)
        )
        return AR.OK

    def create_transfers(self, events: list[Transfer], ts0: int) -> list[R]:
        for pid, p in self.transfers.items():  # expire what timed out before this batch
            pending = p["flags"] & PENDING and p["timeout"] and pid not in self.status
            if pending and p["timestamp"] + p["timeout"] * SECOND <= ts0:
                self.status[pid] = "expired"
                self.accounts[p["debit"]].dp -= p["amount"]
                self.accounts[p["credit"]].cp -= p["amount"]
        return self._chains(events, self._transfer, R, ts0)

    def _chains(self, events: list[Any], apply: Any, enum: Any, ts0: int = 0) -> list[Any]:
        results: list[Any] = []
        i = 0
        while i < len(events):
            chain = [i]
            while events[chain[-1]].flags & LINKED and chain[-1] + 1 < len(events):
                chain.append(chain[-1] + 1)
            saved = copy.deepcopy((self.accounts, self.transfers, self.status))
            out = []
            for j in chain:
                if out and out[-1] is not enum.OK:
                    out.append(enum.LINKED_EVENT_FAILED)
                elif j == len(events) - 1 and events[j].flags & LINKED:
                    out.append(enum.LINKED_EVENT_CHAIN_OPEN)
                else:
                    out.append(apply(events[j], ts0 + j))
            failed = next((k for k, r in enumerate(out) if r is not enum.OK), None)
            if failed is not None:
                self.accounts, self.transfers, self.status = saved
                out = [r if k == failed else enum.LINKED_EVENT_FAILED for k, r in enumerate(out)]
                if out[failed] is enum.LINKED_EVENT_FAILED:  # cannot happen: first failure
                    raise AssertionError("model bug")
            results += out
            i = chain[-1] + 1
        return results

    def _exists(self, t: Transfer, e: dict[str, int]) -> R:
        pv = t.flags & (POST | VOID)
        if t.flags != e["flags"]:
            return R.EXISTS_WITH_DIFFERENT_FLAGS
        if t.pending_id != e["pending_id"]:
            return R.EXISTS_WITH_DIFFERENT_PENDING_ID
        if t.timeout != e["timeout"]:
            return R.EXISTS_WITH_DIFFERENT_TIMEOUT
        if t.debit_account_id not in ((e["debit"], 0) if pv else (e["debit"],)):
            return R.EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID
        if t.credit_account_id not in ((e["credit"], 0) if pv else (e["credit"],)):
            return R.EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID
        if t.flags & (BAL_D | BAL_C):
            if t.amount < e["amount"]:
                return R.EXISTS_WITH_DIFFERENT_AMOUNT
        elif t.amount not in ((e["amount"], 0, MAX) if pv else (e["amount"],)):
            return R.EXISTS_WITH_DIFFERENT_AMOUNT
        if t.user_data_32 not in ((e["ud32"], 0) if pv else (e["ud32"],)):
            return R.EXISTS_WITH_DIFFERENT_USER_DATA_32
        if t.ledger not in ((e["ledger"], 0) if pv else (e["ledger"],)):
            return R.EXISTS_WITH_DIFFERENT_LEDGER
        if t.code not in ((e["code"], 0) if pv else (e["code"],)):
            return R.EXISTS_WITH_DIFFERENT_CODE
        return R.EXISTS

    def _transfer(self, t: Transfer, ts: int) -> R:
        f = t.flags
        if f & ~63:
            return R.RESERVED_FLAG
        if t.id == 0:
            return R.ID_MUST_NOT_BE_ZERO
        if t.id in self.transfers:
            return self._exists(t, self.transfers[t.id])
        pv = f & (POST | VOID)
        if (f & PENDING and pv) or pv == POST | VOID or (f & (BAL_D | BAL_C) and pv):
            return R.FLAGS_ARE_MUTUALLY_EXCLUSIVE
        if pv:
            return self._post_or_void(t, ts)
        if t.debit_account_id == 0:
            return R.DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO
        if t.credit_account_id == 0:
            return R.CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO
        if t.debit_account_id == t.credit_account_id:
            return R.ACCOUNTS_MUST_BE_DIFFERENT
        if t.pending_id:
            return R.PENDING_ID_MUST_BE_ZERO
        if t.timeout and not f & PENDING:
            return R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
        if t.amount == 0:
            return R.AMOUNT_MUST_NOT_BE_ZERO
        if t.ledger == 0:
            return R.LEDGER_MUST_NOT_BE_ZERO
        if t.code == 0:
            return R.CODE_MUST_NOT_BE_ZERO
        dr = self.accounts.get(t.debit_account_id)
        if dr is None:
            return R.DEBIT_ACCOUNT_NOT_FOUND
        cr = self.accounts.get(t.credit_account_id)
        if cr is None:
            return R.CREDIT_ACCOUNT_NOT_FOUND
        if dr.ledger != cr.ledger:
            return R.ACCOUNTS_MUST_HAVE_THE_SAME_LEDGER
        if t.ledger != dr.ledger:
            return R.TRANSFER_MUST_HAVE_THE_SAME_LEDGER_AS_ACCOUNTS
        if dr.flags & CLOSED:
            return R.DEBIT_ACCOUNT_ALREADY_CLOSED
        if cr.flags & CLOSED:
            return R.CREDIT_ACCOUNT_ALREADY_CLOSED
        amount = t.amount
        if f & BAL_D:
            amount = min(amount, max(0, dr.cpo - dr.dpo - dr.dp))
            if amount == 0:
                return R.EXCEEDS_CREDITS
        if f & BAL_C:
            amount = min(amount, max(0, cr.dpo - cr.cpo - cr.cp))
            if amount == 0:
                return R.EXCEEDS_DEBITS
        if f & PENDING and dr.dp + amount > MAX:
            return R.OVERFLOWS_DEBITS_PENDING
        if f & PENDING and cr.cp + amount > MAX:
            return R.OVERFLOWS_CREDITS_PENDING
        if dr.dpo + amount > MAX:
            return R.OVERFLOWS_DEBITS_POSTED
        if cr.cpo + amount > MAX:
            return R.OVERFLOWS_CREDITS_POSTED
        if dr.dp + dr.dpo + amount > MAX:
            return R.OVERFLOWS_DEBITS
        if cr.cp + cr.cpo + amount > MAX:
            return R.OVERFLOWS_CREDITS
        if dr.flags & DMNEC and dr.dp + dr.dpo + amount > dr.cpo:
            return R.EXCEEDS_CREDITS
        if cr.flags & CMNED and cr.cp + cr.cpo + amount > cr.dpo:
            return R.EXCEEDS_DEBITS
        if f & PENDING:
            dr.dp += amount
            cr.cp += amount
        else:
            dr.dpo += amount
            cr.cpo += amount
        self._record(t, ts, t.debit_account_id, t.credit_account_id, amount, t.ledger, t.code)
        return R.OK

    def _post_or_void(self, t: Transfer, ts: int) -> R:
        if t.pending_id == 0:
            return R.PENDING_ID_MUST_NOT_BE_ZERO
        if t.pending_id == t.id:
            return R.PENDING_ID_MUST_BE_DIFFERENT
        if t.timeout:
            return R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
        p = self.transfers.get(t.pending_id)
        if p is None:
            return R.PENDING_TRANSFER_NOT_FOUND
        if not p["flags"] & PENDING:
            return R.PENDING_TRANSFER_NOT_PENDING
        if t.debit_account_id and t.debit_account_id != p["debit"]:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID
        if t.credit_account_id and t.credit_account_id != p["credit"]:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID
        if t.ledger and t.ledger != p["ledger"]:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_LEDGER
        if t.code and t.code != p["code"]:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_CODE
        amount = p["amount"] if t.amount in (0, MAX) else t.amount
        if amount > p["amount"]:
            return R.EXCEEDS_PENDING_TRANSFER_AMOUNT
        if t.flags & VOID and amount < p["amount"]:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT
        state = self.status.get(t.pending_id)
        if state == "posted":
            return R.PENDING_TRANSFER_ALREADY_POSTED
        if state == "voided":
            return R.PENDING_TRANSFER_ALREADY_VOIDED
        if state == "expired" or (p["timeout"] and p["timestamp"] + p["timeout"] * SECOND <= ts):
            return R.PENDING_TRANSFER_EXPIRED
        dr, cr = self.accounts[p["debit"]], self.accounts[p["credit"]]
        if t.flags & POST and dr.flags & CLOSED:
            return R.DEBIT_ACCOUNT_ALREADY_CLOSED
        if t.flags & POST and cr.flags & CLOSED:
            return R.CREDIT_ACCOUNT_ALREADY_CLOSED
        dr.dp -= p["amount"]
        cr.cp -= p["amount"]
        if t.flags & POST:
            dr.dpo += amount
            cr.cpo += amount
        self.status[t.pending_id] = "posted" if t.flags & POST else "voided"
        self._record(t, ts, p["debit"], p["credit"], amount, p["ledger"], p["code"])
        return R.OK

    def _record(
        self, t: Transfer, ts: int, d: int, c: int, amount: int, ledger: int, code: int
    ) -> None:
        self.transfers[t.id] = {
            "flags": t.flags, "pending_id": t.pending_id, "timeout": t.timeout, "debit": d,
            "credit": c, "amount": amount, "ud32": t.user_data_32 or (
                self.transfers[t.pending_id]["ud32"] if t.pending_id else 0),
            "ledger": ledger, "code": code, "timestamp": ts,
        }  # fmt: skip
