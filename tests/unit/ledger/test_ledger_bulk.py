"""The bulk path of create_transfers (core/ledger/bulk.py) against the engine's path.

Two stores get the same seeded operations, one with ``Ledger.bulk`` on, one with it off; every
result must be the same and, at the end, every database of the two stores the same, key for
key and byte for byte. The operations mix batches the bulk path takes (plain transfers, ids
out of order, user data, limits on the side that cannot fail, a sweep in the same operation)
and batches it must hand to the engine (a failing event, a limit that may fail, duplicates,
ids already taken, 128-bit ids, big amounts, pending transfers, small batches, bad input).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from core.ledger import (
    Account,
    AccountFlags,
    CreateTransferResult,
    Ledger,
    LedgerInputError,
    Transfer,
    TransferFlags,
)

SECOND = 1_000_000_000
DATABASES = (
    "transfers",
    "transfer_ids",
    "accounts",
    "account_transfers",
    "pending_status",
    "expiry",
    "meta",
)
OK = CreateTransferResult.OK
#: Accounts 1..40: plain, ledger 1. 41: debits must not exceed credits; 42: credits must not
#: exceed debits; 43: closed; 44: ledger 2; 45: plain, high balances after the first batches.
PLAIN = range(1, 41)
DMNEC, CMNED, CLOSED, OTHER_LEDGER = 41, 42, 43, 44


class StepClock:
    """A deterministic clock: one second more at every call."""

    def __init__(self) -> None:
        self.now = 1_700_000_000 * SECOND

    def __call__(self) -> int:
        self.now += SECOND
        return self.now


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Ledger, Ledger]]:
    """Two ledgers on their own stores and clocks: bulk path on, bulk path off."""
    fast = Ledger.open(tmp_path / "bulk", clock=StepClock(), map_size=1 << 28)
    slow = Ledger.open(tmp_path / "engine", clock=StepClock(), map_size=1 << 28)
    slow.bulk = False
    accounts = [Account(id=i, ledger=1, code=1) for i in PLAIN]
    accounts += [
        Account(id=DMNEC, ledger=1, code=2, flags=AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS),
        Account(id=CMNED, ledger=1, code=2, flags=AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS),
        Account(id=CLOSED, ledger=1, code=2, flags=AccountFlags.CLOSED),
        Account(id=OTHER_LEDGER, ledger=2, code=1, user_data_64=7),
    ]
    for ledger in (fast, slow):
        assert set(ledger.create_accounts(accounts)) == {OK}
    try:
        yield fast, slow
    finally:
        fast.close()
        slow.close()


def plain_batch(rng: random.Random, ids: Iterator[int], size: int, **fields: int) -> list[Transfer]:
    """``size`` plain transfers between random distinct plain accounts."""
    batch = []
    for _ in range(size):
        d, c = rng.sample(PLAIN, 2)
        values = {
            "id": next(ids),
            "debit_account_id": d,
            "credit_account_id": c,
            "amount": rng.randrange(1, 1_000),
            "ledger": 1,
            "code": rng.choice((1, 2, 65_535)),
            "user_data_128": rng.choice((0, 0, rng.randrange(1 << 62))),
            "user_data_64": rng.choice((0, 0, rng.randrange(1 << 62))),
            "user_data_32": rng.choice((0, 0, rng.randrange(1 << 32))),
        }
        values.update(fields)
        batch.append(Transfer(**values))  # type: ignore[arg-type]
    return batch


def same_everywhere(fast: Ledger, slow: Ledger) -> None:
    """Every database of the two stores holds the same keys and values."""
    for name in DATABASES:
        dumps = []
        for ledger in (fast, slow):
            db = ledger.store.db(f"ledger:{name}")
            with ledger.store.env.begin() as txn:
                dumps.append([(bytes(k), bytes(v)) for k, v in txn.cursor(db=db)])
        assert dumps[0] == dumps[1], name
    assert fast.head() == slow.head()


def both(
    pair: tuple[Ledger, Ledger], batch: list[Transfer]
) -> list[CreateTransferResult] | type[Exception]:
    """Send ``batch`` to both ledgers; same results (or the same error) required."""
    outcomes: list[object] = []
    for ledger in pair:
        try:
            outcomes.append(ledger.create_transfers(batch))
        except LedgerInputError:
            outcomes.append(LedgerInputError)
    assert outcomes[0] == outcomes[1]
    return outcomes[0]  # type: ignore[return-value]


def test_bulk_and_engine_store_the_same_bytes(pair: tuple[Ledger, Ledger]) -> None:
    fast, slow = pair
    rng = random.Random(20261130)
    counter = iter(range(1_000, 10**9))
    taken: list[int] = []
    bulk_expected = 0

    def send(batch: list[Transfer], *, bulk: bool) -> list[CreateTransferResult]:
        nonlocal bulk_expected
        before = fast.bulk_batches
        results = both(pair, batch)
        bulk_expected += bulk
        assert fast.bulk_batches - before == bulk, batch[:2]
        assert slow.bulk_batches == 0
        if isinstance(results, list):
            taken.extend(t.id for t, r in zip(batch, results, strict=True) if r == OK)
        return results  # type: ignore[return-value]

    def replace(batch: list[Transfer], at: int, make: Callable[[Transfer], Transfer]) -> None:
        batch[at] = make(batch[at])

    # plain batches: sequential ids, then shuffled ids (the id index is sorted)
    for size in (64, 500, 8189):
        assert set(send(plain_batch(rng, counter, size), bulk=True)) == {OK}
    shuffled = plain_batch(rng, counter, 300)
    rng.shuffle(shuffled)
    send(shuffled, bulk=True)
    # limits on the side that cannot fail: a DMNEC account credited, a CMNED account debited
    batch = plain_batch(rng, counter, 200)
    replace(batch, 10, lambda t: Transfer(**{**_fields(t), "credit_account_id": DMNEC}))
    replace(batch, 20, lambda t: Transfer(**{**_fields(t), "debit_account_id": CMNED}))
    send(batch, bulk=True)
    # the engine's batches: one event failing or undecidable in bulk, anywhere in the batch
    spoilers: list[Callable[[Transfer], Transfer]] = [
        lambda t: Transfer(**{**_fields(t), "debit_account_id": DMNEC}),  # limit may fail
        lambda t: Transfer(**{**_fields(t), "credit_account_id": CMNED}),
        lambda t: Transfer(**{**_fields(t), "credit_account_id": CLOSED}),
        lambda t: Transfer(**{**_fields(t), "credit_account_id": OTHER_LEDGER}),
        lambda t: Transfer(**{**_fields(t), "debit_account_id": 999}),  # not found
        lambda t: Transfer(**{**_fields(t), "credit_account_id": t.debit_account_id}),
        lambda t: Transfer(**{**_fields(t), "amount": 0}),
        lambda t: Transfer(**{**_fields(t), "amount": 1 << 40}),  # too big for bulk sums
        lambda t: Transfer(**{**_fields(t), "ledger": 2}),
        lambda t: Transfer(**{**_fields(t), "code": 0}),
        lambda t: Transfer(**{**_fields(t), "id": 1 << 100}),  # 128-bit id
        lambda t: Transfer(**{**_fields(t), "user_data_128": 1 << 90}),
        lambda t: Transfer(**{**_fields(t), "id": taken[0]}),  # already committed
        lambda t: Transfer(**{**_fields(t), "flags": TransferFlags.LINKED}),
        lambda t: Transfer(**{**_fields(t), "flags": TransferFlags.PENDING, "timeout": 2}),
        lambda t: Transfer(**{**_fields(t), "timeout": 5}),
        lambda t: Transfer(**{**_fields(t), "pending_id": 5}),
        lambda t: Transfer(**{**_fields(t), "timestamp": 5}),
    ]
    for spoil in spoilers:
        batch = plain_batch(rng, counter, 150)
        replace(batch, rng.randrange(150), spoil)
        send(batch, bulk=False)
    duplicated = plain_batch(rng, counter, 100)
    duplicated[70] = Transfer(**{**_fields(duplicated[70]), "id": duplicated[3].id})
    send(duplicated, bulk=False)
    send(plain_batch(rng, counter, 63), bulk=False)  # below Ledger.bulk_min
    # a pending transfer with a timeout, swept at the start of a later bulk batch
    pending = plain_batch(rng, counter, 1, flags=TransferFlags.PENDING, timeout=1)
    assert send(pending, bulk=False) == [OK]
    assert set(send(plain_batch(rng, counter, 400), bulk=True)) == {OK}
    # bad input: refused whole by both paths, nothing written
    bad_values: list[dict[str, object]] = [
        {"amount": 2.0},
        {"amount": np.int64(5)},
        {"user_data_32": 1 << 32},
        {"code": -1},
        {"ledger": "1"},
    ]
    for bad in bad_values:
        batch = plain_batch(rng, counter, 100)
        replace(batch, 50, lambda t, bad=bad: Transfer(**{**_fields(t), **bad}))  # type: ignore[misc]
        assert both(pair, batch) is LedgerInputError
    # odd values the engine's fast path lets through (a NumPy integer that packs): the bulk
    # path hands them to it, same outcome
    batch = plain_batch(rng, counter, 100, user_data_64=1 << 62)
    replace(batch, 50, lambda t: Transfer(**{**_fields(t), "user_data_64": np.uint64(5)}))
    assert set(send(batch, bulk=False)) == {OK}
    assert set(send(plain_batch(rng, counter, 1_000), bulk=True)) == {OK}
    assert fast.bulk_batches == bulk_expected
    same_everywhere(fast, slow)
    for ledger in pair:
        report = ledger.verify()
        assert report.ok, report.summary()
    assert fast.lookup_accounts(PLAIN) == slow.lookup_accounts(PLAIN)
    assert fast.account_transfers(1, limit=10_000) == slow.account_transfers(1, limit=10_000)


def test_bulk_batch_inside_a_callers_transaction_rolls_back(pair: tuple[Ledger, Ledger]) -> None:
    fast, _ = pair
    rng = random.Random(7)
    counter = iter(range(1, 10**9))
    before = fast.lookup_accounts(PLAIN)

    class Refused(Exception):
        pass

    def op(tx: object) -> None:
        assert set(fast.create_transfers_in(tx, plain_batch(rng, counter, 500))) == {OK}  # type: ignore[arg-type]
        raise Refused

    with pytest.raises(Refused):
        fast.store.write(op)
    assert fast.bulk_batches == 1
    assert fast.lookup_accounts(PLAIN) == before
    assert fast.head().seq == 0
    # the writer's cache was dropped with the rollback: the next batch starts from LMDB
    batch = plain_batch(rng, counter, 500)
    assert set(fast.create_transfers(batch)) == {OK}
    moved = sum(t.amount for t in batch)
    after = fast.lookup_accounts(PLAIN)
    assert sum(a.debits_posted for a in after) == moved
    assert fast.verify().ok


def _fields(t: Transfer) -> dict[str, int]:
    return {name: getattr(t, name) for name in Transfer.__struct_fields__}
