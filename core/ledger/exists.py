"""Idempotency: what a transfer whose id is already taken gets back.

The same transfer submitted again returns ``EXISTS`` and changes nothing; the same id with any
other field different returns the ``EXISTS_WITH_DIFFERENT_<FIELD>`` of the first field that
differs, in TigerBeetle's order. Used by the engine (:mod:`core.ledger.engine`) for ids
committed earlier or created earlier in the same batch.
"""

from __future__ import annotations

from core.ledger.bits import BAL_C, BAL_D, POST, VOID
from core.ledger.model import AMOUNT_MAX, CreateTransferResult, Transfer

__all__ = ["Fields", "exists_result"]

#: A transfer as the engine keeps it: (id, debit, credit, amount, pending id, user_data_128,
#: user_data_64, user_data_32, timeout, ledger, code, flags, timestamp)
Fields = tuple[int, ...]
TR = CreateTransferResult


def exists_result(t: Transfer, e: Fields) -> TR:
    """The result for a transfer whose id is already taken by ``e`` (a field tuple).

    For a post or void, a zero field of the request means "as the pending transfer", so it
    matches what was stored; for a balancing transfer, the stored amount is what moved, at
    most the amount asked.
    """
    flags = t.flags
    if flags != e[11]:
        return TR.EXISTS_WITH_DIFFERENT_FLAGS
    if t.pending_id != e[4]:
        return TR.EXISTS_WITH_DIFFERENT_PENDING_ID
    if t.timeout != e[8]:
        return TR.EXISTS_WITH_DIFFERENT_TIMEOUT
    pv = flags & (POST | VOID)
    if t.debit_account_id != e[1] and not (pv and t.debit_account_id == 0):
        return TR.EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID
    if t.credit_account_id != e[2] and not (pv and t.credit_account_id == 0):
        return TR.EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID
    if flags & (BAL_D | BAL_C):
        if t.amount < e[3]:
            return TR.EXISTS_WITH_DIFFERENT_AMOUNT
    elif t.amount != e[3] and not (pv and t.amount in (0, AMOUNT_MAX)):
        return TR.EXISTS_WITH_DIFFERENT_AMOUNT
    if t.user_data_128 != e[5] and not (pv and t.user_data_128 == 0):
        return TR.EXISTS_WITH_DIFFERENT_USER_DATA_128
    if t.user_data_64 != e[6] and not (pv and t.user_data_64 == 0):
        return TR.EXISTS_WITH_DIFFERENT_USER_DATA_64
    if t.user_data_32 != e[7] and not (pv and t.user_data_32 == 0):
        return TR.EXISTS_WITH_DIFFERENT_USER_DATA_32
    if t.ledger != e[9] and not (pv and t.ledger == 0):
        return TR.EXISTS_WITH_DIFFERENT_LEDGER
    if t.code != e[10] and not (pv and t.code == 0):
        return TR.EXISTS_WITH_DIFFERENT_CODE
    return TR.EXISTS
