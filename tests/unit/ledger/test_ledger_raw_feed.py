"""The raw change feed: the stored records back to back, for bulk readers (analytics)."""

from __future__ import annotations

from core.ledger import Ledger, Transfer
from core.ledger.codec import RECORD_SIZE, decode_transfer, hash_record
from core.ledger.reads import RawChanges


def _t(i: int, amount: int = 1) -> Transfer:
    return Transfer(id=i, debit_account_id=1, credit_account_id=2, amount=amount, ledger=1, code=1)


def test_raw_changes_are_the_stored_records_in_commit_order(ledger: Ledger) -> None:
    ledger.create_transfers([_t(10, 5), _t(11, 6)])
    ledger.create_transfers([_t(12, 7)])
    raw = ledger.raw_changes()
    assert (raw.first_seq, raw.count, len(raw.records)) == (1, 3, 3 * RECORD_SIZE)
    decoded = [decode_transfer(raw.records[i + 32 : i + RECORD_SIZE]) for i in range(0, 480, 160)]
    assert [(f[0], f[3]) for f in decoded] == [(10, 5), (11, 6), (12, 7)]
    feed = ledger.changes()
    assert [d[12] for d in decoded] == [c.transfer.timestamp for c in feed]
    # each record's prev_hash is the hash of the one before: the chain, as stored
    assert raw.records[RECORD_SIZE : RECORD_SIZE + 32] == hash_record(raw.records[:RECORD_SIZE])
    assert ledger.head().hash == hash_record(raw.records[-RECORD_SIZE:]).hex()


def test_raw_changes_pages_by_sequence(ledger: Ledger) -> None:
    ledger.create_transfers([_t(i) for i in range(20, 27)])
    page = ledger.raw_changes(after_seq=2, limit=3)
    assert (page.first_seq, page.count) == (3, 3)
    rest = ledger.raw_changes(after_seq=5, limit=100)
    assert (rest.first_seq, rest.count) == (6, 2)
    assert ledger.raw_changes(after_seq=7) == RawChanges(8, 0, b"")
    assert ledger.raw_changes(limit=0).count == 0
    assert ledger.raw_changes(after_seq=-1).count == 0
