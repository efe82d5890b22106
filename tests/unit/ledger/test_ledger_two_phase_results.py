"""One test per create_transfers result code of two-phase transfers and linked chains.

The other codes are in test_ledger_transfer_results.py; test_ledger_result_coverage.py checks
that every code appears in one of the two.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.ledger import AMOUNT_MAX, CreateTransferResult, Ledger, TransferFlags
from tests.ledger_events import Balances, make, new_id, one, pending

R = CreateTransferResult
F = TransferFlags
MAX = AMOUNT_MAX


# -- two-phase ----------------------------------------------------------------------------


def test_post_for_less(ledger: Ledger, balances: Balances) -> None:
    pid = pending(ledger, amount=50)
    assert balances(1) == (50, 0, 0, 0)
    assert one(ledger, id=600, flags=F.POST_PENDING_TRANSFER, pending_id=pid, amount=30) is R.OK
    assert balances(1) == (0, 30, 0, 0) and balances(2) == (0, 0, 0, 30)
    (t,) = ledger.lookup_transfers([600])
    assert (t.debit_account_id, t.credit_account_id, t.amount) == (1, 2, 30)


def test_post_full_amount(ledger: Ledger, balances: Balances) -> None:
    pid = pending(ledger, amount=50)
    assert one(ledger, flags=F.POST_PENDING_TRANSFER, pending_id=pid, amount=MAX) is R.OK
    assert balances(2) == (0, 0, 0, 50)


def test_void(ledger: Ledger, balances: Balances) -> None:
    pid = pending(ledger, amount=50)
    assert one(ledger, flags=F.VOID_PENDING_TRANSFER, pending_id=pid, amount=0) is R.OK
    assert balances(1) == (0, 0, 0, 0) and balances(2) == (0, 0, 0, 0)


def test_pending_transfer_not_found(ledger: Ledger) -> None:
    result = one(ledger, flags=F.POST_PENDING_TRANSFER, pending_id=12345)
    assert result is R.PENDING_TRANSFER_NOT_FOUND


def test_pending_transfer_not_pending(ledger: Ledger) -> None:
    assert one(ledger, id=40) is R.OK
    assert (
        one(ledger, flags=F.POST_PENDING_TRANSFER, pending_id=40) is R.PENDING_TRANSFER_NOT_PENDING
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"debit_account_id": 4}, R.PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID),
        ({"credit_account_id": 4}, R.PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID),
        ({"ledger": 2}, R.PENDING_TRANSFER_HAS_DIFFERENT_LEDGER),
        ({"code": 9}, R.PENDING_TRANSFER_HAS_DIFFERENT_CODE),
        ({"amount": 51}, R.EXCEEDS_PENDING_TRANSFER_AMOUNT),
    ],
    ids=lambda v: v.name if isinstance(v, R) else "field",
)
def test_post_must_match_the_pending_transfer(
    ledger: Ledger, fields: dict[str, int], expected: R
) -> None:
    pid = pending(ledger, amount=50)
    base = {"debit_account_id": 0, "credit_account_id": 0, "ledger": 0, "code": 0, "amount": 0}
    fields = {**base, **fields}
    assert one(ledger, flags=F.POST_PENDING_TRANSFER, pending_id=pid, **fields) is expected


def test_pending_transfer_has_different_amount(ledger: Ledger) -> None:
    pid = pending(ledger, amount=50)
    result = one(ledger, flags=F.VOID_PENDING_TRANSFER, pending_id=pid, amount=20)
    assert result is R.PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT


def test_pending_transfer_already_posted(ledger: Ledger) -> None:
    pid = pending(ledger)
    assert one(ledger, flags=F.POST_PENDING_TRANSFER, pending_id=pid, amount=0) is R.OK
    assert (
        one(ledger, flags=F.VOID_PENDING_TRANSFER, pending_id=pid, amount=0)
        is R.PENDING_TRANSFER_ALREADY_POSTED
    )


def test_pending_transfer_already_voided(ledger: Ledger) -> None:
    pid = pending(ledger)
    assert one(ledger, flags=F.VOID_PENDING_TRANSFER, pending_id=pid, amount=0) is R.OK
    assert (
        one(ledger, flags=F.POST_PENDING_TRANSFER, pending_id=pid, amount=0)
        is R.PENDING_TRANSFER_ALREADY_VOIDED
    )


def test_pending_transfer_expired(ledger: Ledger, clock: Any, balances: Balances) -> None:
    pid = pending(ledger, amount=50, timeout=2)
    clock.advance(1)
    assert balances(1) == (50, 0, 0, 0)
    clock.advance(1.5)
    assert (
        one(ledger, flags=F.POST_PENDING_TRANSFER, pending_id=pid, amount=0)
        is R.PENDING_TRANSFER_EXPIRED
    )
    assert balances(1) == (0, 0, 0, 0) and balances(2) == (0, 0, 0, 0)
    assert ledger.verify().ok


def test_post_before_expiry(ledger: Ledger, clock: Any, balances: Balances) -> None:
    pid = pending(ledger, amount=50, timeout=2)
    clock.advance(1)
    assert one(ledger, flags=F.POST_PENDING_TRANSFER, pending_id=pid, amount=0) is R.OK
    clock.advance(5)
    assert one(ledger) is R.OK
    assert balances(2) == (0, 0, 0, 60)
    assert ledger.verify().ok


# -- linked chains ------------------------------------------------------------------------


def test_linked_event_failed_rolls_back_the_chain(ledger: Ledger, balances: Balances) -> None:
    results = ledger.create_transfers(
        [
            make(amount=5, flags=F.LINKED),
            make(amount=5, flags=F.LINKED, debit_account_id=99),
            make(amount=5),
            make(amount=7),
        ]
    )
    assert results == [
        R.LINKED_EVENT_FAILED,
        R.DEBIT_ACCOUNT_NOT_FOUND,
        R.LINKED_EVENT_FAILED,
        R.OK,
    ]
    assert balances(1) == (0, 7, 0, 0)
    assert ledger.head().seq == 1


def test_linked_event_chain_open(ledger: Ledger, balances: Balances) -> None:
    results = ledger.create_transfers([make(amount=5), make(flags=F.LINKED), make(flags=F.LINKED)])
    assert results == [R.OK, R.LINKED_EVENT_FAILED, R.LINKED_EVENT_CHAIN_OPEN]
    assert balances(1) == (0, 5, 0, 0)


def test_linked_chain_succeeds_whole(ledger: Ledger, balances: Balances) -> None:
    pid = new_id()
    results = ledger.create_transfers(
        [
            make(id=pid, amount=40, flags=F.PENDING | F.LINKED),
            make(flags=F.POST_PENDING_TRANSFER | F.LINKED, pending_id=pid, amount=15),
            make(amount=1),
        ]
    )
    assert results == [R.OK, R.OK, R.OK]
    assert balances(1) == (0, 16, 0, 0)


def test_failed_chain_restores_pending_status(ledger: Ledger, balances: Balances) -> None:
    pid = pending(ledger, amount=40)
    results = ledger.create_transfers(
        [
            make(flags=F.POST_PENDING_TRANSFER | F.LINKED, pending_id=pid, amount=0),
            make(amount=1, credit_account_id=3),
        ]
    )
    assert results == [R.LINKED_EVENT_FAILED, R.ACCOUNTS_MUST_HAVE_THE_SAME_LEDGER]
    assert balances(1) == (40, 0, 0, 0)
    assert one(ledger, flags=F.VOID_PENDING_TRANSFER, pending_id=pid, amount=0) is R.OK


def test_broken_chain_open_at_the_end_of_the_batch(ledger: Ledger) -> None:
    """Found by the state machine: a chain that failed early and is still open at the end."""
    results = ledger.create_transfers([make(flags=F.LINKED, amount=0), make(flags=F.LINKED)])
    assert results == [R.AMOUNT_MUST_NOT_BE_ZERO, R.LINKED_EVENT_FAILED]
    assert ledger.head().seq == 0
