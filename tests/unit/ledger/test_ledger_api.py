"""The Ledger's surface: bad input, lookups, history pages, the change feed, group commit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.ledger import (
    BATCH_MAX,
    Account,
    CreateTransferResult,
    Ledger,
    LedgerInputError,
    Transfer,
)
from core.store import Store

R = CreateTransferResult


def t(i: int, d: int = 1, c: int = 2, amount: int = 1, **fields: int) -> Transfer:
    fields = {"ledger": 1, "code": 1, **fields}
    return Transfer(id=i, debit_account_id=d, credit_account_id=c, amount=amount, **fields)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (t(1, amount=-5), "amount = -5 is out of range"),
        (t(1, amount=1.5), "amount must be an integer, got float"),  # type: ignore[arg-type]
        (t(1, amount="10"), "amount must be an integer, got str"),  # type: ignore[arg-type]
        (t(1 << 128), "id = "),
        (t(1, code=1 << 16), "code = 65536 is out of range"),
        (t(1, d=None), "debit_account_id must be an integer, got NoneType"),  # type: ignore[arg-type]
        ({"id": 1}, "expected a Transfer, got dict"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    ledger: Ledger, event: object, message: str
) -> None:
    with pytest.raises(LedgerInputError, match=message):
        ledger.create_transfers([t(500), event])  # type: ignore[list-item]
    assert ledger.head().seq == 0
    assert ledger.lookup_transfers([500]) == []
    assert ledger.lookup_accounts([1])[0].debits_posted == 0


def test_bad_input_in_a_linked_chain(ledger: Ledger) -> None:
    with pytest.raises(LedgerInputError, match="event 1: amount"):
        ledger.create_transfers([t(5, flags=1), t(6, amount=-1)])
    assert ledger.head().seq == 0


def test_bad_account_input(ledger: Ledger) -> None:
    with pytest.raises(LedgerInputError, match="event 0: ledger = -1"):
        ledger.create_accounts([Account(id=9, ledger=-1, code=1)])
    assert ledger.lookup_accounts([9]) == []


def test_batch_limit(ledger: Ledger) -> None:
    with pytest.raises(LedgerInputError, match="at most 8189"):
        ledger.create_transfers([t(i + 1) for i in range(BATCH_MAX + 1)])
    assert ledger.create_transfers([]) == []


def test_lookups_skip_missing_and_keep_order(ledger: Ledger) -> None:
    assert ledger.create_transfers([t(1), t(2)]) == [R.OK, R.OK]
    assert [x.id for x in ledger.lookup_transfers([2, 99, 1, 0, -1])] == [2, 1]
    assert [a.id for a in ledger.lookup_accounts([3, 99, 1])] == [3, 1]
    with pytest.raises(LedgerInputError):
        ledger.lookup_accounts(["1"])  # type: ignore[list-item]


def test_lookup_transfers_in_sees_the_transfers_of_its_own_write(ledger: Ledger) -> None:
    def op(tx):
        assert ledger.create_transfers_in(tx, [t(7, amount=3)]) == [R.OK]
        (seen,) = ledger.lookup_transfers_in(tx.txn, [7, 99])
        return seen

    seen = ledger.store.write(op)
    (committed,) = ledger.lookup_transfers([7])
    assert seen.amount == 3 and seen.timestamp == committed.timestamp > 0


def test_account_transfers_pages(ledger: Ledger) -> None:
    for start in range(1, 40, 10):  # several batches: several history entries per account
        batch = [t(i, d=1 if i % 2 else 5, c=2) for i in range(start, start + 10)]
        ledger.create_transfers(batch)
    ledger.create_transfers([t(100, d=2, c=1, amount=1000)])
    assert ledger.create_transfers([t(101, d=5, c=1)]) == [R.OK]
    mine = [x.id for x in ledger.account_transfers(1, limit=1000)]
    assert mine == [*range(1, 40, 2), 100, 101]
    pages, after = [], None
    while True:
        page = ledger.account_transfers(1, after=after, limit=7)
        if not page:
            break
        pages.append([x.id for x in page])
        after = page[-1].timestamp
    assert [i for page in pages for i in page] == mine and len(pages[0]) == 7
    back, after = [], None
    while True:
        page = ledger.account_transfers(1, after=after, limit=4, reverse=True)
        if not page:
            break
        back += [x.id for x in page]
        after = page[-1].timestamp
    assert back == mine[::-1]
    assert ledger.account_transfers(99) == []
    assert ledger.account_transfers(3) == []


def test_changes_feed_in_commit_order(ledger: Ledger) -> None:
    ledger.create_transfers([t(10), t(11)])
    ledger.create_transfers([t(12)])
    feed = ledger.changes()
    assert [(c.seq, c.transfer.id) for c in feed] == [(1, 10), (2, 11), (3, 12)]
    assert [c.seq for c in ledger.changes(after_seq=1, limit=1)] == [2]
    assert ledger.changes(after_seq=3) == []
    stamps = [c.transfer.timestamp for c in feed]
    assert stamps == sorted(set(stamps))


def test_head_advances_with_each_commit(ledger: Ledger) -> None:
    empty = ledger.head()
    assert empty.seq == 0 and empty.hash == "00" * 32
    ledger.create_transfers([t(1)])
    first = ledger.head()
    ledger.create_transfers([t(2)])
    second = ledger.head()
    assert (first.seq, second.seq) == (1, 2)
    assert first.hash != second.hash != empty.hash
    assert second.timestamp > first.timestamp


def test_group_commit_from_many_threads(ledger: Ledger) -> None:
    before = ledger.store.stats.write_transactions

    def pay(i: int) -> list[R]:
        return ledger.create_transfers([t(i)], grouped=True)

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(pay, range(1, 201)))
    assert all(r == [R.OK] for r in results)
    assert ledger.lookup_accounts([1])[0].debits_posted == 200
    assert ledger.store.stats.write_transactions - before <= 200
    assert ledger.verify().ok


def test_submit_transfers_future(ledger: Ledger) -> None:
    futures = [ledger.submit_transfers([t(i)]) for i in range(1, 51)]
    futures.append(ledger.submit_transfers([t(1, amount=2)]))
    assert [f.result() for f in futures[:-1]] == [[R.OK]] * 50
    assert futures[-1].result() == [R.EXISTS_WITH_DIFFERENT_AMOUNT]
    assert ledger.verify().ok


def test_failed_grouped_op_leaves_the_cache_right(ledger: Ledger) -> None:
    """A neighbour operation failing in the same group must not leak its ledger changes."""
    store = ledger.store

    def boom(tx: object) -> None:
        ledger.create_transfers_in(tx, [t(900, amount=5)])  # type: ignore[arg-type]
        assert ledger.lookup_accounts_in(tx.txn, [1])[0].debits_posted == 5  # type: ignore[attr-defined]
        raise RuntimeError("the plugin's record write failed")

    bad = store.submit(boom)
    good = ledger.submit_transfers([t(901, amount=7)])
    with pytest.raises(RuntimeError):
        bad.result()
    assert good.result() == [R.OK]
    assert ledger.create_transfers([t(902, amount=1)]) == [R.OK]
    assert ledger.lookup_accounts([1])[0].debits_posted == 8
    assert ledger.lookup_transfers([900]) == []
    assert ledger.verify().ok


def test_shared_store_and_two_ledger_objects(tmp_path: Path) -> None:
    """Two Ledger objects on one store (as two processes would be) stay consistent."""
    store = Store.open(tmp_path / "s")
    a, b = Ledger(store), Ledger(store)
    a.create_accounts([Account(id=1, ledger=1, code=1), Account(id=2, ledger=1, code=1)])
    assert a.create_transfers([t(1, amount=3)]) == [R.OK]
    assert b.create_transfers([t(2, amount=4)]) == [R.OK]
    assert a.create_transfers([t(3, amount=5)]) == [R.OK]
    assert b.lookup_accounts([1])[0].debits_posted == 12
    assert a.verify().ok
    a.close()  # a shared store stays open
    assert b.head().seq == 3
    store.close()


def test_reopen_keeps_everything(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "s") as lg:
        lg.create_accounts([Account(id=1, ledger=1, code=1), Account(id=2, ledger=1, code=1)])
        lg.create_transfers([t(1, amount=3)])
        head = lg.head()
    with Ledger.open(tmp_path / "s") as lg:
        assert lg.head() == head
        assert lg.create_transfers([t(1, amount=3), t(2, amount=1)]) == [R.EXISTS, R.OK]
        assert lg.lookup_accounts([2])[0].credits_posted == 4
        assert lg.verify().ok


def test_submit_after_close_fails_cleanly(tmp_path: Path) -> None:
    lg = Ledger.open(tmp_path / "s")
    lg.create_accounts([Account(id=1, ledger=1, code=1), Account(id=2, ledger=1, code=1)])
    lg.close()
    with pytest.raises(RuntimeError, match="closed"):
        lg.submit_transfers([t(1)])
    with pytest.raises(RuntimeError, match="closed"):
        lg.submit_transfers([t(2)])  # the queue was not left waiting for a drain


def test_grouped_bad_input_fails_only_its_caller(ledger: Ledger) -> None:
    bad = ledger.submit_transfers([t(1, amount=-1)])
    good = ledger.submit_transfers([t(2)])
    with pytest.raises(LedgerInputError, match="amount"):
        bad.result()
    assert good.result() == [R.OK]
