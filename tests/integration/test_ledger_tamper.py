"""Tamper evidence: change one byte of a stored transfer and verify() names it."""

from __future__ import annotations

from pathlib import Path

import lmdb
import pytest

from core.ledger import Account, Ledger, Transfer


def build(path: Path, batches: int = 3, size: int = 40) -> None:
    with Ledger.open(path) as ledger:
        ledger.create_accounts([Account(id=i, ledger=1, code=1) for i in range(1, 6)])
        for b in range(batches):
            ledger.create_transfers(
                [
                    Transfer(id=b * size + k + 1, debit_account_id=1 + k % 5,
                             credit_account_id=1 + (k + 2) % 5, amount=10 + k, ledger=1, code=1)
                    for k in range(size)
                ]
            )  # fmt: skip
        assert ledger.verify().ok


def poke(path: Path, db_name: bytes, key: bytes, offset: int) -> None:
    """Flip one byte of a stored value, behind the ledger's back."""
    env = lmdb.open(str(path), max_dbs=256, subdir=True)
    db = env.open_db(db_name)
    with env.begin(write=True) as txn:
        value = bytearray(txn.get(key, db=db))
        value[offset] ^= 0x01
        txn.put(key, bytes(value), db=db)
    env.close()


@pytest.mark.parametrize(
    ("seq", "offset", "what"),
    [
        (57, 32 + 48, "amount byte"),
        (57, 32 + 0, "id byte"),
        (57, 32 + 127, "timestamp byte"),
        (57, 5, "prev_hash byte"),
        (1, 40, "first transfer"),
        (80, 32 + 50, "amount byte of a chunk's last transfer"),
        (120, 32 + 48, "amount byte of the last transfer"),
    ],
)
def test_one_changed_byte_is_named(tmp_path: Path, seq: int, offset: int, what: str) -> None:
    path = tmp_path / "store"
    build(path)
    poke(path, b"ledger:transfers", seq.to_bytes(8, "big"), offset)
    with Ledger.open(path) as ledger:
        report = ledger.verify()
    assert not report.ok, what
    assert report.first_bad is not None and report.first_bad.seq == seq, report.summary()
    assert f"seq {seq}" in report.summary()


def test_changed_balance_is_named(tmp_path: Path) -> None:
    path = tmp_path / "store"
    build(path)
    poke(path, b"ledger:accounts", (3).to_bytes(16, "big"), 32)  # debits_posted of account 3
    with Ledger.open(path) as ledger:
        report = ledger.verify()
    assert not report.ok and report.first_bad is None
    assert any(e.startswith("account 3:") for e in report.errors), report.errors


def test_deleted_transfer_is_a_gap(tmp_path: Path) -> None:
    path = tmp_path / "store"
    build(path)
    env = lmdb.open(str(path), max_dbs=256, subdir=True)
    db = env.open_db(b"ledger:transfers")
    with env.begin(write=True) as txn:
        txn.delete((30).to_bytes(8, "big"), db=db)
    env.close()
    with Ledger.open(path) as ledger:
        report = ledger.verify()
    assert not report.ok and report.first_bad is not None
    assert report.first_bad.seq == 31 and "sequence 30" in report.first_bad.reason
