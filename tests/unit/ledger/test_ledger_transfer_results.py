"""One test per create_transfers result code, on the accounts of the ``ledger`` fixture."""

from __future__ import annotations

from typing import Any

import pytest

from core.ledger import (
    AMOUNT_MAX,
    Account,
    CreateAccountResult,
    CreateTransferResult,
    Ledger,
    TransferFlags,
)
from tests.ledger_events import Balances, make, one, pending

R = CreateTransferResult
F = TransferFlags
MAX = AMOUNT_MAX
# -- success --------------------------------------------------------------------------------


def test_ok_moves_balances(ledger: Ledger, balances: Balances) -> None:
    assert one(ledger, id=1, amount=25) is R.OK
    assert balances(1) == (0, 25, 0, 0) and balances(2) == (0, 0, 0, 25)
    (t,) = ledger.lookup_transfers([1])
    assert t.amount == 25 and t.timestamp > 0


def test_exists_changes_nothing(ledger: Ledger, balances: Balances) -> None:
    assert one(ledger, id=1) is R.OK
    assert one(ledger, id=1) is R.EXISTS
    assert balances(1) == (0, 10, 0, 0)
    assert ledger.head().seq == 1


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"flags": F.PENDING}, R.EXISTS_WITH_DIFFERENT_FLAGS),
        ({"debit_account_id": 4}, R.EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID),
        ({"credit_account_id": 5}, R.EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID),
        ({"amount": 11}, R.EXISTS_WITH_DIFFERENT_AMOUNT),
        ({"user_data_128": 1}, R.EXISTS_WITH_DIFFERENT_USER_DATA_128),
        ({"user_data_64": 1}, R.EXISTS_WITH_DIFFERENT_USER_DATA_64),
        ({"user_data_32": 1}, R.EXISTS_WITH_DIFFERENT_USER_DATA_32),
        ({"ledger": 2}, R.EXISTS_WITH_DIFFERENT_LEDGER),
        ({"code": 2}, R.EXISTS_WITH_DIFFERENT_CODE),
        ({"pending_id": 5}, R.EXISTS_WITH_DIFFERENT_PENDING_ID),
        ({"timeout": 5}, R.EXISTS_WITH_DIFFERENT_TIMEOUT),
    ],
    ids=lambda v: v.name if isinstance(v, R) else "field",
)
def test_exists_with_different_field(ledger: Ledger, fields: dict[str, int], expected: R) -> None:
    assert one(ledger, id=1) is R.OK
    assert one(ledger, id=1, **fields) is expected


def test_exists_within_one_batch(ledger: Ledger) -> None:
    assert ledger.create_transfers([make(id=7), make(id=7), make(id=7, amount=3)]) == [
        R.OK,
        R.EXISTS,
        R.EXISTS_WITH_DIFFERENT_AMOUNT,
    ]


# -- event validation -----------------------------------------------------------------------


def test_timestamp_must_be_zero(ledger: Ledger) -> None:
    assert one(ledger, timestamp=1) is R.TIMESTAMP_MUST_BE_ZERO


def test_reserved_flag(ledger: Ledger) -> None:
    assert one(ledger, flags=1 << 12) is R.RESERVED_FLAG


def test_id_must_not_be_zero(ledger: Ledger) -> None:
    assert one(ledger, id=0) is R.ID_MUST_NOT_BE_ZERO


def test_id_must_not_be_int_max(ledger: Ledger) -> None:
    assert one(ledger, id=MAX) is R.ID_MUST_NOT_BE_INT_MAX


@pytest.mark.parametrize(
    "flags",
    [
        F.PENDING | F.POST_PENDING_TRANSFER,
        F.PENDING | F.VOID_PENDING_TRANSFER,
        F.POST_PENDING_TRANSFER | F.VOID_PENDING_TRANSFER,
        F.BALANCING_DEBIT | F.POST_PENDING_TRANSFER,
    ],
)
def test_flags_are_mutually_exclusive(ledger: Ledger, flags: int) -> None:
    assert one(ledger, flags=flags, pending_id=1) is R.FLAGS_ARE_MUTUALLY_EXCLUSIVE


def test_debit_account_id_must_not_be_zero(ledger: Ledger) -> None:
    assert one(ledger, debit_account_id=0) is R.DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO


def test_debit_account_id_must_not_be_int_max(ledger: Ledger) -> None:
    assert one(ledger, debit_account_id=MAX) is R.DEBIT_ACCOUNT_ID_MUST_NOT_BE_INT_MAX


def test_credit_account_id_must_not_be_zero(ledger: Ledger) -> None:
    assert one(ledger, credit_account_id=0) is R.CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO


def test_credit_account_id_must_not_be_int_max(ledger: Ledger) -> None:
    assert one(ledger, credit_account_id=MAX) is R.CREDIT_ACCOUNT_ID_MUST_NOT_BE_INT_MAX


def test_accounts_must_be_different(ledger: Ledger) -> None:
    assert one(ledger, credit_account_id=1) is R.ACCOUNTS_MUST_BE_DIFFERENT


def test_pending_id_must_be_zero(ledger: Ledger) -> None:
    assert one(ledger, pending_id=3) is R.PENDING_ID_MUST_BE_ZERO


def test_pending_id_must_not_be_zero(ledger: Ledger) -> None:
    assert one(ledger, flags=F.POST_PENDING_TRANSFER) is R.PENDING_ID_MUST_NOT_BE_ZERO


def test_pending_id_must_not_be_int_max(ledger: Ledger) -> None:
    result = one(ledger, flags=F.VOID_PENDING_TRANSFER, pending_id=MAX)
    assert result is R.PENDING_ID_MUST_NOT_BE_INT_MAX


def test_pending_id_must_be_different(ledger: Ledger) -> None:
    result = one(ledger, id=77, flags=F.POST_PENDING_TRANSFER, pending_id=77)
    assert result is R.PENDING_ID_MUST_BE_DIFFERENT


def test_timeout_reserved_for_pending_transfer(ledger: Ledger) -> None:
    assert one(ledger, timeout=5) is R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER


def test_amount_must_not_be_zero(ledger: Ledger) -> None:
    assert one(ledger, amount=0) is R.AMOUNT_MUST_NOT_BE_ZERO


def test_ledger_must_not_be_zero(ledger: Ledger) -> None:
    assert one(ledger, ledger=0) is R.LEDGER_MUST_NOT_BE_ZERO


def test_code_must_not_be_zero(ledger: Ledger) -> None:
    assert one(ledger, code=0) is R.CODE_MUST_NOT_BE_ZERO


def test_debit_account_not_found(ledger: Ledger) -> None:
    assert one(ledger, debit_account_id=99) is R.DEBIT_ACCOUNT_NOT_FOUND


def test_credit_account_not_found(ledger: Ledger) -> None:
    assert one(ledger, credit_account_id=99) is R.CREDIT_ACCOUNT_NOT_FOUND


def test_accounts_must_have_the_same_ledger(ledger: Ledger) -> None:
    assert one(ledger, credit_account_id=3) is R.ACCOUNTS_MUST_HAVE_THE_SAME_LEDGER


def test_transfer_must_have_the_same_ledger_as_accounts(ledger: Ledger) -> None:
    assert one(ledger, ledger=2) is R.TRANSFER_MUST_HAVE_THE_SAME_LEDGER_AS_ACCOUNTS


def test_debit_account_already_closed(ledger: Ledger) -> None:
    assert one(ledger, debit_account_id=6) is R.DEBIT_ACCOUNT_ALREADY_CLOSED


def test_credit_account_already_closed(ledger: Ledger) -> None:
    assert one(ledger, credit_account_id=6) is R.CREDIT_ACCOUNT_ALREADY_CLOSED


# -- limits -------------------------------------------------------------------------------


def test_exceeds_credits(ledger: Ledger, balances: Balances) -> None:
    assert one(ledger, debit_account_id=2, credit_account_id=4, amount=30) is R.OK
    assert one(ledger, debit_account_id=4, amount=31) is R.EXCEEDS_CREDITS
    assert one(ledger, debit_account_id=4, amount=30) is R.OK
    assert balances(4) == (0, 30, 0, 30)


def test_exceeds_debits(ledger: Ledger) -> None:
    assert one(ledger, credit_account_id=5, amount=1) is R.EXCEEDS_DEBITS
    assert one(ledger, debit_account_id=5, credit_account_id=2, amount=5) is R.OK
    assert one(ledger, credit_account_id=5, amount=5) is R.OK


def test_pending_counts_against_the_limit(ledger: Ledger) -> None:
    assert one(ledger, debit_account_id=2, credit_account_id=4, amount=30) is R.OK
    pending(ledger, amount=20, debit_account_id=4)
    assert one(ledger, debit_account_id=4, amount=11) is R.EXCEEDS_CREDITS


def test_balancing_debit_moves_what_is_available(ledger: Ledger, balances: Balances) -> None:
    assert one(ledger, debit_account_id=2, credit_account_id=4, amount=30) is R.OK
    assert one(ledger, id=500, debit_account_id=4, amount=100, flags=F.BALANCING_DEBIT) is R.OK
    (t,) = ledger.lookup_transfers([500])
    assert t.amount == 30 and balances(4) == (0, 30, 0, 30)
    assert one(ledger, id=500, debit_account_id=4, amount=100, flags=F.BALANCING_DEBIT) is R.EXISTS
    assert one(ledger, debit_account_id=4, amount=1, flags=F.BALANCING_DEBIT) is R.EXCEEDS_CREDITS


def test_balancing_credit_moves_what_is_available(ledger: Ledger) -> None:
    assert one(ledger, debit_account_id=5, credit_account_id=2, amount=8) is R.OK
    assert one(ledger, id=501, credit_account_id=5, amount=100, flags=F.BALANCING_CREDIT) is R.OK
    assert ledger.lookup_transfers([501])[0].amount == 8
    assert one(ledger, credit_account_id=5, amount=1, flags=F.BALANCING_CREDIT) is R.EXCEEDS_DEBITS


# -- overflows ----------------------------------------------------------------------------


def test_overflows_debits_pending(ledger: Ledger) -> None:
    pending(ledger, amount=MAX)
    assert one(ledger, amount=1, flags=F.PENDING, credit_account_id=4) is R.OVERFLOWS_DEBITS_PENDING


def test_overflows_credits_pending(ledger: Ledger) -> None:
    pending(ledger, amount=MAX)
    assert one(ledger, amount=1, flags=F.PENDING, debit_account_id=4) is R.OVERFLOWS_CREDITS_PENDING


def test_overflows_debits_posted(ledger: Ledger) -> None:
    assert one(ledger, amount=MAX) is R.OK
    assert one(ledger, amount=1, credit_account_id=4) is R.OVERFLOWS_DEBITS_POSTED


def test_overflows_credits_posted(ledger: Ledger) -> None:
    assert one(ledger, amount=MAX) is R.OK
    assert one(ledger, amount=1, debit_account_id=4) is R.OVERFLOWS_CREDITS_POSTED


def test_overflows_debits(ledger: Ledger) -> None:
    pending(ledger, amount=1 << 127, credit_account_id=4)
    assert one(ledger, amount=1 << 127) is R.OVERFLOWS_DEBITS


def test_overflows_credits(ledger: Ledger) -> None:
    assert ledger.create_accounts([Account(id=7, ledger=1, code=10)]) == [CreateAccountResult.OK]
    pending(ledger, amount=1 << 127, debit_account_id=7)
    assert one(ledger, amount=1 << 127) is R.OVERFLOWS_CREDITS


def test_overflows_timeout(ledger: Ledger, clock: Any) -> None:
    clock.now = (1 << 64) - 5_000_000_000
    assert one(ledger, flags=F.PENDING, timeout=10) is R.OVERFLOWS_TIMEOUT
