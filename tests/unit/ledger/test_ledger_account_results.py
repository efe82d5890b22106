"""One test per create_accounts result code."""

from __future__ import annotations

import pytest

from core.ledger import Account, AccountFlags, CreateAccountResult, Ledger

R = CreateAccountResult


def one(lg: Ledger, **fields: int) -> R:
    fields.setdefault("ledger", 1)
    fields.setdefault("code", 1)
    (result,) = lg.create_accounts([Account(**fields)])
    return result


def test_ok_sets_timestamp_and_zero_balances(ledger: Ledger) -> None:
    assert one(ledger, id=50, user_data_64=7) is R.OK
    (a,) = ledger.lookup_accounts([50])
    assert a.timestamp > 0 and a.user_data_64 == 7 and a.debits_posted == 0


def test_exists(ledger: Ledger) -> None:
    assert one(ledger, id=1, code=10) is R.EXISTS


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"flags": AccountFlags.HISTORY}, R.EXISTS_WITH_DIFFERENT_FLAGS),
        ({"user_data_128": 1}, R.EXISTS_WITH_DIFFERENT_USER_DATA_128),
        ({"user_data_64": 1}, R.EXISTS_WITH_DIFFERENT_USER_DATA_64),
        ({"user_data_32": 1}, R.EXISTS_WITH_DIFFERENT_USER_DATA_32),
        ({"ledger": 9}, R.EXISTS_WITH_DIFFERENT_LEDGER),
        ({"code": 11}, R.EXISTS_WITH_DIFFERENT_CODE),
    ],
    ids=lambda v: v.name if isinstance(v, R) else "field",
)
def test_exists_with_different_field(ledger: Ledger, fields: dict[str, int], expected: R) -> None:
    base = {"id": 1, "ledger": 1, "code": 10}
    assert one(ledger, **{**base, **fields}) is expected


def test_linked_event_failed_and_rollback(ledger: Ledger) -> None:
    results = ledger.create_accounts(
        [
            Account(id=60, ledger=1, code=1, flags=AccountFlags.LINKED),
            Account(id=61, ledger=0, code=1),
            Account(id=62, ledger=1, code=1),
        ]
    )
    assert results == [R.LINKED_EVENT_FAILED, R.LEDGER_MUST_NOT_BE_ZERO, R.OK]
    assert [a.id for a in ledger.lookup_accounts([60, 61, 62])] == [62]


def test_linked_event_chain_open(ledger: Ledger) -> None:
    results = ledger.create_accounts(
        [
            Account(id=70, ledger=1, code=1, flags=AccountFlags.LINKED),
            Account(id=71, ledger=1, code=1, flags=AccountFlags.LINKED),
        ]
    )
    assert results == [R.LINKED_EVENT_FAILED, R.LINKED_EVENT_CHAIN_OPEN]
    assert ledger.lookup_accounts([70, 71]) == []


def test_timestamp_must_be_zero(ledger: Ledger) -> None:
    assert one(ledger, id=80, timestamp=5) is R.TIMESTAMP_MUST_BE_ZERO


def test_reserved_flag(ledger: Ledger) -> None:
    assert one(ledger, id=80, flags=1 << 10) is R.RESERVED_FLAG


def test_id_must_not_be_zero(ledger: Ledger) -> None:
    assert one(ledger, id=0) is R.ID_MUST_NOT_BE_ZERO


def test_id_must_not_be_int_max(ledger: Ledger) -> None:
    assert one(ledger, id=(1 << 128) - 1) is R.ID_MUST_NOT_BE_INT_MAX


def test_flags_are_mutually_exclusive(ledger: Ledger) -> None:
    flags = (
        AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS | AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS
    )
    assert one(ledger, id=80, flags=flags) is R.FLAGS_ARE_MUTUALLY_EXCLUSIVE


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("debits_pending", R.DEBITS_PENDING_MUST_BE_ZERO),
        ("debits_posted", R.DEBITS_POSTED_MUST_BE_ZERO),
        ("credits_pending", R.CREDITS_PENDING_MUST_BE_ZERO),
        ("credits_posted", R.CREDITS_POSTED_MUST_BE_ZERO),
    ],
)
def test_balances_must_be_zero(ledger: Ledger, field: str, expected: R) -> None:
    assert one(ledger, id=80, **{field: 1}) is expected


def test_ledger_must_not_be_zero(ledger: Ledger) -> None:
    assert one(ledger, id=80, ledger=0) is R.LEDGER_MUST_NOT_BE_ZERO


def test_code_must_not_be_zero(ledger: Ledger) -> None:
    assert one(ledger, id=80, code=0) is R.CODE_MUST_NOT_BE_ZERO


def test_duplicate_in_one_batch(ledger: Ledger) -> None:
    results = ledger.create_accounts(
        [Account(id=90, ledger=1, code=1), Account(id=90, ledger=1, code=2)]
    )
    assert results == [R.OK, R.EXISTS_WITH_DIFFERENT_CODE]


def test_timestamps_strictly_increase(ledger: Ledger) -> None:
    ledger.create_accounts([Account(id=i, ledger=1, code=1) for i in range(100, 110)])
    stamps = [a.timestamp for a in ledger.lookup_accounts(range(1, 110))]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
