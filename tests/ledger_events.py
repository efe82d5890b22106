"""Helpers of the ledger's result-code tests: one transfer, a pending one, balances."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from core.ledger import CreateTransferResult, Ledger, Transfer, TransferFlags

__all__ = ["Balances", "make", "new_id", "one", "pending"]

R = CreateTransferResult
F = TransferFlags
_ids = count(1000)

Balances = Callable[[int], tuple[int, int, int, int]]


def make(**fields: int) -> Transfer:
    """A transfer from account 1 to account 2 of 10, with a fresh id, unless told otherwise."""
    defaults = {"debit_account_id": 1, "credit_account_id": 2, "amount": 10, "ledger": 1, "code": 1}
    if "id" not in fields:
        fields["id"] = next(_ids)
    return Transfer(**{**defaults, **fields})


def one(lg: Ledger, **fields: int) -> R:
    (result,) = lg.create_transfers([make(**fields)])
    return result


def pending(lg: Ledger, amount: int = 50, timeout: int = 0, **fields: int) -> int:
    """Create a pending transfer; return its id."""
    t = make(amount=amount, flags=F.PENDING, timeout=timeout, **fields)
    assert lg.create_transfers([t]) == [R.OK]
    return t.id


def new_id() -> int:
    """A transfer id no other test event uses."""
    return next(_ids)
