"""The ledger's vocabulary: accounts, transfers, their flags and the result of every event.

Field names, flag bits and result names follow TigerBeetle so that a TigerBeetle cluster can
back the same interface later. Every integer field is unsigned; the ranges are those of
TigerBeetle's 128-byte records (ids and amounts are 128-bit, ``ledger`` 32-bit, ``code``
16-bit, ``timeout`` 32-bit seconds). Money is always an integer in the asset's smallest unit.

Account and Transfer are msgspec Structs (keyword-only, every field defaulting to 0). They are
plain values: what the ledger returns from a lookup is a fresh copy, never shared state. They
hold only integers, so they opt out of the cyclic garbage collector (``gc=False``): a batch
of thousands of them then costs the collector nothing.
"""

from __future__ import annotations

import enum

import msgspec

__all__ = [
    "AMOUNT_MAX",
    "BATCH_MAX",
    "ID_MAX",
    "Account",
    "AccountFlags",
    "CreateAccountResult",
    "CreateTransferResult",
    "LedgerInputError",
    "Transfer",
    "TransferFlags",
    "check_account",
    "check_transfer",
]

#: The largest usable id: ``2**128 - 1`` is reserved, like ``0``.
ID_MAX = (1 << 128) - 2
#: The largest amount (also the "as much as possible" amount of a post or balancing transfer).
AMOUNT_MAX = (1 << 128) - 1
#: The most events one batch may hold (TigerBeetle's limit for 128-byte events).
BATCH_MAX = 8189


class AccountFlags(enum.IntFlag):
    """Bits of ``Account.flags`` (same bit values as TigerBeetle)."""

    NONE = 0
    #: This event is linked to the next one: the chain succeeds or fails as a whole.
    LINKED = 1 << 0
    #: The account's debits (posted + pending) may never exceed its posted credits.
    DEBITS_MUST_NOT_EXCEED_CREDITS = 1 << 1
    #: The account's credits (posted + pending) may never exceed its posted debits.
    CREDITS_MUST_NOT_EXCEED_DEBITS = 1 << 2
    #: Keep the account's history (every account's transfers are indexed here anyway).
    HISTORY = 1 << 3
    #: The account refuses every new transfer (pending ones may still be voided).
    CLOSED = 1 << 5


class TransferFlags(enum.IntFlag):
    """Bits of ``Transfer.flags`` (same bit values as TigerBeetle)."""

    NONE = 0
    #: This event is linked to the next one: the chain succeeds or fails as a whole.
    LINKED = 1 << 0
    #: Reserve the amount (``*_pending``) until posted, voided or expired.
    PENDING = 1 << 1
    #: Post the pending transfer ``pending_id`` (for its amount or less).
    POST_PENDING_TRANSFER = 1 << 2
    #: Void the pending transfer ``pending_id``.
    VOID_PENDING_TRANSFER = 1 << 3
    #: Move at most ``amount``: as much as the debit account's limit allows.
    BALANCING_DEBIT = 1 << 4
    #: Move at most ``amount``: as much as the credit account's limit allows.
    BALANCING_CREDIT = 1 << 5


ACCOUNT_FLAGS_KNOWN = int(
    AccountFlags.LINKED
    | AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
    | AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
    | AccountFlags.HISTORY
    | AccountFlags.CLOSED
)
TRANSFER_FLAGS_KNOWN = (1 << 6) - 1


class Account(msgspec.Struct, kw_only=True, gc=False):
    """An account: what it is (ledger, code, flags, user data) and its four balances.

    Balances and ``timestamp`` are set by the ledger; they must be 0 when creating.
    """

    id: int = 0
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0
    user_data_128: int = 0
    user_data_64: int = 0
    user_data_32: int = 0
    ledger: int = 0
    code: int = 0
    flags: int = 0
    timestamp: int = 0


class Transfer(msgspec.Struct, kw_only=True, gc=False):
    """A movement of ``amount`` from ``debit_account_id`` to ``credit_account_id``.

    ``id`` is chosen by the client and is the idempotency key. ``timestamp`` is set at commit.
    """

    id: int = 0
    debit_account_id: int = 0
    credit_account_id: int = 0
    amount: int = 0
    pending_id: int = 0
    user_data_128: int = 0
    user_data_64: int = 0
    user_data_32: int = 0
    timeout: int = 0
    ledger: int = 0
    code: int = 0
    flags: int = 0
    timestamp: int = 0


class CreateAccountResult(enum.IntEnum):
    """The result of one ``create_accounts`` event, in TigerBeetle's order of precedence."""

    OK = 0
    LINKED_EVENT_FAILED = 1
    LINKED_EVENT_CHAIN_OPEN = 2
    TIMESTAMP_MUST_BE_ZERO = 3
    RESERVED_FLAG = 5
    ID_MUST_NOT_BE_ZERO = 6
    ID_MUST_NOT_BE_INT_MAX = 7
    FLAGS_ARE_MUTUALLY_EXCLUSIVE = 8
    DEBITS_PENDING_MUST_BE_ZERO = 9
    DEBITS_POSTED_MUST_BE_ZERO = 10
    CREDITS_PENDING_MUST_BE_ZERO = 11
    CREDITS_POSTED_MUST_BE_ZERO = 12
    LEDGER_MUST_NOT_BE_ZERO = 13
    CODE_MUST_NOT_BE_ZERO = 14
    EXISTS_WITH_DIFFERENT_FLAGS = 15
    EXISTS_WITH_DIFFERENT_USER_DATA_128 = 16
    EXISTS_WITH_DIFFERENT_USER_DATA_64 = 17
    EXISTS_WITH_DIFFERENT_USER_DATA_32 = 18
    EXISTS_WITH_DIFFERENT_LEDGER = 19
    EXISTS_WITH_DIFFERENT_CODE = 20
    EXISTS = 21


class CreateTransferResult(enum.IntEnum):
    """The result of one ``create_transfers`` event, in TigerBeetle's order of precedence."""

    OK = 0
    LINKED_EVENT_FAILED = 1
    LINKED_EVENT_CHAIN_OPEN = 2
    TIMESTAMP_MUST_BE_ZERO = 3
    RESERVED_FLAG = 4
    ID_MUST_NOT_BE_ZERO = 5
    ID_MUST_NOT_BE_INT_MAX = 6
    EXISTS_WITH_DIFFERENT_FLAGS = 36
    EXISTS_WITH_DIFFERENT_PENDING_ID = 40
    EXISTS_WITH_DIFFERENT_TIMEOUT = 44
    EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID = 37
    EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID = 38
    EXISTS_WITH_DIFFERENT_AMOUNT = 39
    EXISTS_WITH_DIFFERENT_USER_DATA_128 = 41
    EXISTS_WITH_DIFFERENT_USER_DATA_64 = 42
    EXISTS_WITH_DIFFERENT_USER_DATA_32 = 43
    EXISTS_WITH_DIFFERENT_LEDGER = 67
    EXISTS_WITH_DIFFERENT_CODE = 45
    EXISTS = 46
    FLAGS_ARE_MUTUALLY_EXCLUSIVE = 7
    DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO = 8
    DEBIT_ACCOUNT_ID_MUST_NOT_BE_INT_MAX = 9
    CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO = 10
    CREDIT_ACCOUNT_ID_MUST_NOT_BE_INT_MAX = 11
    ACCOUNTS_MUST_BE_DIFFERENT = 12
    PENDING_ID_MUST_BE_ZERO = 13
    PENDING_ID_MUST_NOT_BE_ZERO = 14
    PENDING_ID_MUST_NOT_BE_INT_MAX = 15
    PENDING_ID_MUST_BE_DIFFERENT = 16
    TIMEOUT_RESERVED_FOR_PENDING_TRANSFER = 17
    AMOUNT_MUST_NOT_BE_ZERO = 18
    LEDGER_MUST_NOT_BE_ZERO = 19
    CODE_MUST_NOT_BE_ZERO = 20
    DEBIT_ACCOUNT_NOT_FOUND = 21
    CREDIT_ACCOUNT_NOT_FOUND = 22
    ACCOUNTS_MUST_HAVE_THE_SAME_LEDGER = 23
    TRANSFER_MUST_HAVE_THE_SAME_LEDGER_AS_ACCOUNTS = 24
    PENDING_TRANSFER_NOT_FOUND = 25
    PENDING_TRANSFER_NOT_PENDING = 26
    PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID = 27
    PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID = 28
    PENDING_TRANSFER_HAS_DIFFERENT_LEDGER = 29
    PENDING_TRANSFER_HAS_DIFFERENT_CODE = 30
    EXCEEDS_PENDING_TRANSFER_AMOUNT = 31
    PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT = 32
    PENDING_TRANSFER_ALREADY_POSTED = 33
    PENDING_TRANSFER_ALREADY_VOIDED = 34
    PENDING_TRANSFER_EXPIRED = 35
    DEBIT_ACCOUNT_ALREADY_CLOSED = 65
    CREDIT_ACCOUNT_ALREADY_CLOSED = 66
    OVERFLOWS_DEBITS_PENDING = 47
    OVERFLOWS_CREDITS_PENDING = 48
    OVERFLOWS_DEBITS_POSTED = 49
    OVERFLOWS_CREDITS_POSTED = 50
    OVERFLOWS_DEBITS = 51
    OVERFLOWS_CREDITS = 52
    OVERFLOWS_TIMEOUT = 53
    EXCEEDS_CREDITS = 54
    EXCEEDS_DEBITS = 55


class LedgerInputError(ValueError):
    """An event is not well-formed (wrong type, negative or too wide a field); nothing written.

    The message names the event's index in its batch and the field. A ``bool`` is accepted
    where an integer is expected (Python's bool is an int), like everywhere in Python.
    """


#: Width in bits of every integer field: what a value must fit in.
TRANSFER_WIDTHS = {
    "id": 128, "debit_account_id": 128, "credit_account_id": 128, "amount": 128,
    "pending_id": 128, "user_data_128": 128, "user_data_64": 64, "user_data_32": 32,
    "timeout": 32, "ledger": 32, "code": 16, "flags": 16, "timestamp": 64,
}  # fmt: skip
ACCOUNT_WIDTHS = {
    "id": 128, "debits_pending": 128, "debits_posted": 128, "credits_pending": 128,
    "credits_posted": 128, "user_data_128": 128, "user_data_64": 64, "user_data_32": 32,
    "ledger": 32, "code": 16, "flags": 16, "timestamp": 64,
}  # fmt: skip


def _check(event: object, index: int, kind: type, widths: dict[str, int]) -> None:
    if not isinstance(event, kind):
        raise LedgerInputError(
            f"event {index}: expected a {kind.__name__}, got {type(event).__name__}"
        )
    for name, bits in widths.items():
        value = getattr(event, name)
        if not isinstance(value, int):  # bool is an int (True counts as 1), as on the fast path
            raise LedgerInputError(
                f"event {index}: {name} must be an integer, got {type(value).__name__}"
            )
        if value < 0 or value >> bits:
            raise LedgerInputError(
                f"event {index}: {name} = {value} is out of range (0 .. 2**{bits} - 1)"
            )


def check_transfer(event: object, index: int) -> None:
    """Raise :class:`LedgerInputError` unless ``event`` is a well-formed Transfer."""
    _check(event, index, Transfer, TRANSFER_WIDTHS)


def check_account(event: object, index: int) -> None:
    """Raise :class:`LedgerInputError` unless ``event`` is a well-formed Account."""
    _check(event, index, Account, ACCOUNT_WIDTHS)
