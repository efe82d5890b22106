"""Fixtures for the ledger tests: a real LMDB ledger in a temporary directory, a settable clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.ledger import Account, AccountFlags, Ledger

SECOND = 1_000_000_000


class Clock:
    """A clock the test moves by hand (nanoseconds)."""

    def __init__(self, now: int = 1_700_000_000 * SECOND) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += int(seconds * SECOND)


@pytest.fixture
def clock() -> Clock:
    """The clock of the ``ledger`` fixture."""
    return Clock()


@pytest.fixture
def ledger(tmp_path: Path, clock: Clock) -> Iterator[Ledger]:
    """A ledger on its own store, with the standard accounts of these tests.

    1, 2: ledger 1, no limit; 3: ledger 2; 4: ledger 1, debits must not exceed credits;
    5: ledger 1, credits must not exceed debits; 6: ledger 1, closed.
    """
    lg = Ledger.open(tmp_path / "store", clock=clock)
    results = lg.create_accounts(
        [
            Account(id=1, ledger=1, code=10),
            Account(id=2, ledger=1, code=10),
            Account(id=3, ledger=2, code=10),
            Account(id=4, ledger=1, code=10, flags=AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS),
            Account(id=5, ledger=1, code=10, flags=AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS),
            Account(id=6, ledger=1, code=10, flags=AccountFlags.CLOSED),
        ]
    )
    assert all(r.name == "OK" for r in results)
    try:
        yield lg
    finally:
        lg.close()


@pytest.fixture
def balances(ledger: Ledger) -> Callable[[int], tuple[int, int, int, int]]:
    """(debits_pending, debits_posted, credits_pending, credits_posted) of an account."""

    def read(account_id: int) -> tuple[int, int, int, int]:
        (a,) = ledger.lookup_accounts([account_id])
        return a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted

    return read
