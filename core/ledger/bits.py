"""The ledger's flag bits and statuses as plain ints, for the hot loops.

``AccountFlags`` and ``TransferFlags`` (:mod:`core.ledger.model`) are the public names;
``IntFlag`` arithmetic costs a method call per operation, so the engine, the bulk path and the
verification test bits against these ints instead (they are checked equal to the enums below).
"""

from __future__ import annotations

from core.ledger.model import AMOUNT_MAX, AccountFlags, TransferFlags

__all__ = [
    "BAL_C", "BAL_D", "CLOSED", "CMNED", "DMNEC", "EXPIRED", "INT_MAX", "LINKED", "NS_PER_S",
    "PENDING", "POST", "POSTED", "U64_MAX", "VOID", "VOIDED",
]  # fmt: skip

#: Status of a pending transfer (absent: still pending).
POSTED, VOIDED, EXPIRED = 1, 2, 3
NS_PER_S = 1_000_000_000
U64_MAX = (1 << 64) - 1
INT_MAX = AMOUNT_MAX  # 2**128 - 1, reserved for ids

# Transfer flag bits.
LINKED, PENDING, POST, VOID, BAL_D, BAL_C = 1, 2, 4, 8, 16, 32
# Account flag bits.
DMNEC, CMNED, CLOSED = 2, 4, 32

assert (LINKED, PENDING, POST, VOID, BAL_D, BAL_C) == (
    TransferFlags.LINKED, TransferFlags.PENDING, TransferFlags.POST_PENDING_TRANSFER,
    TransferFlags.VOID_PENDING_TRANSFER, TransferFlags.BALANCING_DEBIT,
    TransferFlags.BALANCING_CREDIT,
)  # fmt: skip
assert (DMNEC, CMNED, CLOSED) == (
    AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS, AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS,
    AccountFlags.CLOSED,
)  # fmt: skip
