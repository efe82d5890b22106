"""The fast verification pass and the exact one give the same report, sound or tampered.

A seeded workload mixes everything the replay knows (plain, linked and balancing transfers,
pending transfers with and without timeouts, posts, voids, expiries swept and not yet swept,
limits both ways, amounts above 2**32 and 2**64, two ledgers, small ids and random 128-bit
ids) on a real LMDB ledger; then bytes, index entries and whole rewritten chains are changed
behind the ledger's back, and each time ``verify_ledger(fast=True)`` must say exactly what
``verify_ledger(fast=False)`` (the per-transfer replay) says.
"""

from __future__ import annotations

import hashlib
import random
import struct
from collections.abc import Callable
from pathlib import Path

import lmdb
import pytest

from core.ledger import Account, AccountFlags, Ledger, Transfer, TransferFlags
from core.ledger.codec import TRANSFER_STRUCT
from core.ledger.verify import VerifyReport, _Replay, verify_ledger

SECOND = 1_000_000_000
F = TransferFlags
DMNEC = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
CMNED = AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000 * SECOND

    def __call__(self) -> int:
        return self.now


def account_ids(big: bool) -> dict[str, list[int]]:
    """Issuers (no limit), wallets (debits limited), sinks (credits limited), per ledger."""
    rng = random.Random(11)

    def make(n: int, base: int) -> list[int]:
        return [rng.randrange(1, 1 << 128) if big else base + i for i in range(n)]

    return {
        "issuers": make(3, 1),
        "wallets": make(12, 10),
        "sinks": make(3, 30),
        "other": make(4, 40),  # ledger 2, no limit
    }


def build(path: Path, *, big: bool = False, batches: int = 12, seed: int = 5) -> Clock:
    """A ledger with a seeded mixed workload; returns its clock (for more batches)."""
    clock = Clock()
    rng = random.Random(seed)
    ids = account_ids(big)
    with Ledger.open(path, clock=clock) as ledger:
        accounts = [Account(id=i, ledger=1, code=1) for i in ids["issuers"]]
        accounts += [Account(id=i, ledger=1, code=2, flags=DMNEC) for i in ids["wallets"]]
        accounts += [Account(id=i, ledger=1, code=3, flags=CMNED) for i in ids["sinks"]]
        accounts += [Account(id=i, ledger=2, code=1) for i in ids["other"]]
        assert {r.name for r in ledger.create_accounts(accounts)} == {"OK"}
        next_id = 1
        pendings: list[int] = []
        for _ in range(batches):
            batch: list[Transfer] = []
            for _ in range(rng.randrange(150, 400)):
                next_id += 1
                batch.append(_event(rng, next_id, ids, pendings))
            ledger.create_transfers(batch)
            clock.now += rng.choice([0, SECOND // 2, SECOND, 3 * SECOND])
        assert ledger.verify().ok
    return clock


def _event(
    rng: random.Random, tid: int, ids: dict[str, list[int]], pendings: list[int]
) -> Transfer:
    roll = rng.random()
    issuer, wallet, sink = (rng.choice(ids[k]) for k in ("issuers", "wallets", "sinks"))
    w2 = rng.choice(ids["wallets"])
    a, b = rng.sample(ids["other"], 2)
    amount = rng.randrange(1, 500)
    if roll < 0.40:  # refills: issuer -> wallet
        return Transfer(id=tid, debit_account_id=issuer, credit_account_id=wallet,
                        amount=amount * 3, ledger=1, code=1)  # fmt: skip
    if roll < 0.60:  # payments: wallet -> wallet, some refused by the limit
        return Transfer(id=tid, debit_account_id=wallet, credit_account_id=w2, amount=amount,
                        ledger=1, code=1)  # fmt: skip
    if roll < 0.66:  # sinks take credits only up to their debits
        d, c = (sink, issuer) if rng.random() < 0.5 else (issuer, sink)
        return Transfer(id=tid, debit_account_id=d, credit_account_id=c, amount=amount,
                        ledger=1, code=1)  # fmt: skip
    if roll < 0.72:  # huge amounts on the other ledger
        huge = rng.choice([1 << 33, 1 << 40, (1 << 70) + 5])
        return Transfer(id=tid, debit_account_id=a, credit_account_id=b, amount=huge,
                        ledger=2, code=1)  # fmt: skip
    if roll < 0.80:  # pending, some expiring
        pendings.append(tid)
        return Transfer(id=tid, debit_account_id=wallet, credit_account_id=issuer,
                        amount=amount, ledger=1, code=1, flags=F.PENDING,
                        timeout=rng.choice([0, 1, 2, 5]))  # fmt: skip
    if roll < 0.88 and pendings:
        pid = pendings.pop(rng.randrange(len(pendings)))
        flag = F.POST_PENDING_TRANSFER if rng.random() < 0.6 else F.VOID_PENDING_TRANSFER
        return Transfer(id=tid, pending_id=pid, flags=flag)
    if roll < 0.93:
        return Transfer(id=tid, debit_account_id=wallet, credit_account_id=w2,
                        amount=amount * 10, ledger=1, code=1, flags=F.BALANCING_DEBIT)  # fmt: skip
    return Transfer(id=tid, debit_account_id=issuer, credit_account_id=wallet, amount=amount,
                    ledger=1, code=1, flags=F.LINKED if rng.random() < 0.5 else 0)  # fmt: skip


def both(path: Path, *, min_stretch: int | None = None) -> tuple[VerifyReport, VerifyReport]:
    with Ledger.open(path) as ledger:
        fast = verify_ledger(ledger, min_stretch=min_stretch)
        exact = verify_ledger(ledger, fast=False)
    assert exact.path == "exact"
    return fast, exact


def same(fast: VerifyReport, exact: VerifyReport) -> None:
    def fields(r: VerifyReport) -> tuple[object, ...]:
        return (r.ok, r.transfers, r.accounts, r.ledgers, r.head_seq, r.head_hash,
                r.first_bad, r.errors)  # fmt: skip

    assert fields(fast) == fields(exact), (fast.summary(), exact.summary())


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sound") / "store"
    build(path)
    return path


@pytest.mark.parametrize("big", [False, True], ids=["small ids", "128-bit ids"])
@pytest.mark.parametrize("min_stretch", [None, 1], ids=["default", "every stretch in bulk"])
def test_both_passes_agree_on_a_sound_ledger(
    tmp_path: Path, big: bool, min_stretch: int | None
) -> None:
    path = tmp_path / "store"
    build(path, big=big)
    fast, exact = both(path, min_stretch=min_stretch)
    same(fast, exact)
    assert fast.ok and fast.path == "fast"
    # both halves of the fast pass ran: bulk sums and the exact replay of pending and others
    assert 0 < fast.exact_replayed < fast.transfers
    if min_stretch == 1:
        assert fast.exact_replayed < fast.transfers / 2
    assert set(fast.ledgers) == {1, 2} and fast.ledgers[2][0] > 1 << 64


def test_expired_but_not_swept_reservations_agree(tmp_path: Path) -> None:
    path = tmp_path / "store"
    clock = build(path, batches=3)
    with Ledger.open(path, clock=clock) as ledger:
        (w,) = [i for i in account_ids(False)["wallets"][:1]]
        ledger.create_transfers(
            [Transfer(id=10**6, debit_account_id=1, credit_account_id=w, amount=50, ledger=1,
                      code=1),
             Transfer(id=10**6 + 1, debit_account_id=w, credit_account_id=1, amount=20,
                      ledger=1, code=1, flags=F.PENDING, timeout=1)]
        )  # fmt: skip
        clock.now += 5 * SECOND  # past its timeout, no batch after: not swept
    fast, exact = both(path, min_stretch=1)
    same(fast, exact)
    assert fast.ok and fast.path == "fast"


def poke(path: Path, db_name: bytes, key: bytes, change: Callable[[bytearray], None]) -> None:
    env = lmdb.open(str(path), max_dbs=256, subdir=True)
    db = env.open_db(db_name)
    with env.begin(write=True) as txn:
        value = bytearray(txn.get(key, db=db))
        change(value)
        txn.put(key, bytes(value), db=db)
    env.close()


def flip(offset: int) -> Callable[[bytearray], None]:
    def change(value: bytearray) -> None:
        value[offset] ^= 0x01

    return change


@pytest.mark.parametrize("seq", [1, 2, 150, 777, 1500, -1])
@pytest.mark.parametrize("offset", [5, 32, 32 + 16, 32 + 48, 32 + 112, 32 + 120, 159])
def test_both_passes_name_the_same_changed_byte(
    tmp_path: Path, sound: Path, seq: int, offset: int
) -> None:
    path = tmp_path / "store"
    _copy(sound, path)
    last = seq == -1
    if last:
        with Ledger.open(path) as ledger:
            seq = ledger.head().seq
    poke(path, b"ledger:transfers", seq.to_bytes(8, "big"), flip(offset))
    fast, exact = both(path)
    same(fast, exact)
    assert not fast.ok and fast.first_bad is not None
    # a change inside the chain breaks the next link: the fast pass hands over; the last
    # record has no next link, only the head (checked after either pass) tells
    assert fast.path == "exact" or last
    # the last record's prev_hash has no successor to tell it from its predecessor's bytes
    assert fast.first_bad.seq == (seq - 1 if last and offset < 32 else seq)


def test_index_and_account_changes_agree(tmp_path: Path, sound: Path) -> None:
    cases: list[Callable[[Path], None]] = [
        lambda p: poke(p, b"ledger:transfer_ids", (40).to_bytes(16, "big"), flip(7)),
        lambda p: _delete(p, b"ledger:transfer_ids", _nth_key(p, b"ledger:transfer_ids", 41)),
        lambda p: _put(p, b"ledger:transfer_ids", (1 << 100).to_bytes(16, "big"), b"\0" * 8),
        lambda p: _put(p, b"ledger:transfer_ids", (42).to_bytes(16, "big"), b"\0" * 7),
        lambda p: poke(p, b"ledger:accounts", (12).to_bytes(16, "big"), flip(32)),
        lambda p: poke(p, b"ledger:meta", b"head", flip(20)),
        lambda p: _delete(p, b"ledger:transfers", (900).to_bytes(8, "big")),
        lambda p: _put(p, b"ledger:transfers", (10**7).to_bytes(8, "big"), b"\0" * 160),
        lambda p: _put(p, b"ledger:transfers", (12).to_bytes(4, "big"), b"\0" * 160),
    ]
    for number, tamper in enumerate(cases):
        path = tmp_path / f"store{number}"
        _copy(sound, path)
        tamper(path)
        fast, exact = both(path)
        same(fast, exact)
        assert not fast.ok, number


def rechain(path: Path, seq: int, change: Callable[[list[int]], None]) -> None:
    """Change fields of transfer ``seq`` and rebuild a consistent chain and head after it:
    what someone able to rewrite the whole file could do. Only the replay can tell."""
    env = lmdb.open(str(path), max_dbs=256, subdir=True)
    transfers, meta = env.open_db(b"ledger:transfers"), env.open_db(b"ledger:meta")
    with env.begin(write=True) as txn:
        cursor = txn.cursor(db=transfers)
        cursor.set_key(seq.to_bytes(8, "big"))
        prev = bytes(cursor.value()[:32])
        rows = []
        for key, value in cursor.iternext():
            rows.append((bytes(key), bytes(value[32:])))
        fields = list(TRANSFER_STRUCT.unpack(rows[0][1]))
        change(fields)
        rows[0] = (rows[0][0], TRANSFER_STRUCT.pack(*fields))
        for key, body in rows:
            txn.put(key, prev + body, db=transfers)
            prev = hashlib.sha256(prev + body).digest()
        head = bytearray(txn.get(b"head", db=meta))
        head[8:40] = prev
        txn.put(b"head", bytes(head), db=meta)
    env.close()


def _set(index: int, value: int) -> Callable[[list[int]], None]:
    def change(fields: list[int]) -> None:
        fields[index] = value

    return change


# TRANSFER_STRUCT positions: 0/1 id, 2/3 debit, 4/5 credit, 6/7 amount, 8/9 pending id,
# 12 user_data_64, 14 timeout, 15 ledger, 16 code, 17 flags, 18 timestamp
@pytest.mark.parametrize(
    ("what", "change", "named"),
    [
        ("a wallet spends more than it holds", _set(6, 10**9), True),
        ("an unknown debit account", _set(2, 999), True),
        ("a 128-bit unknown credit account", _set(5, 1), True),
        ("debit and credit the same", lambda f: f.__setitem__(4, f[2]), True),
        ("another ledger", _set(15, 2), True),
        ("an amount of zero", _set(6, 0), True),
        ("an amount above 2**64", _set(7, 1), True),
        ("a timestamp that goes back", _set(18, 5), True),
        ("a plain transfer turned into a post", _set(17, 4), True),
        ("a small change of amount", lambda f: f.__setitem__(6, f[6] + 1), False),
        ("a plain transfer turned pending", _set(17, 2), False),
    ],
)
def test_a_rewritten_chain_is_named_by_both_passes(
    tmp_path: Path, sound: Path, what: str, change: Callable[[list[int]], None], named: bool
) -> None:
    path = tmp_path / "store"
    _copy(sound, path)
    seq = _first_payment(path, after=400)
    rechain(path, seq, change)
    for min_stretch in (None, 1):
        fast, exact = both(path, min_stretch=min_stretch)
        same(fast, exact)
        assert not exact.ok, what
        if named:  # a broken rule names the transfer
            assert exact.first_bad is not None and exact.first_bad.seq == seq, what
            assert fast.path == "exact", what
        else:  # a rule-abiding change only shows in the balances
            assert exact.first_bad is None and exact.errors, what


def test_a_broken_credit_limit_is_named_by_both_passes(tmp_path: Path, sound: Path) -> None:
    path = tmp_path / "store"
    _copy(sound, path)
    sinks = set(account_ids(False)["sinks"])
    seq = _first(path, 300, lambda f: f[4] in sinks and f[17] == 0)
    rechain(path, seq, _set(6, 10**9))
    for min_stretch in (None, 1):
        fast, exact = both(path, min_stretch=min_stretch)
        same(fast, exact)
        assert exact.first_bad is not None and exact.first_bad.seq == seq
        assert "credits exceed" in exact.first_bad.reason


def test_an_old_snapshot_is_read_through_py_lmdb_with_the_same_report(tmp_path: Path) -> None:
    """The page reader declines a snapshot whose meta page was reused; py-lmdb reads it."""
    path = tmp_path / "store"
    clock = build(path, batches=4)
    before = ledger_seq(path)
    with Ledger.open(path, clock=clock) as ledger, ledger.store.read() as old:
        for k in range(3):  # two commits later the old snapshot's meta page is reused
            ledger.create_transfers(
                [Transfer(id=10**6 + k, debit_account_id=1, credit_account_id=10, amount=5,
                          ledger=1, code=1)]
            )  # fmt: skip
        reports = []
        for fast in (True, False):
            report = VerifyReport()
            _Replay(ledger, old, report).run(fast)
            reports.append(report)
    same(*reports)
    assert reports[0].ok and reports[0].path == "fast"
    assert reports[0].transfers == before == ledger_seq(path) - 3


def ledger_seq(path: Path) -> int:
    with Ledger.open(path) as ledger:
        return ledger.head().seq


def _first_payment(path: Path, after: int) -> int:
    wallets = set(account_ids(False)["wallets"])
    return _first(path, after, lambda f: f[2] in wallets and f[17] == 0)


def _first(path: Path, after: int, wanted: Callable[[tuple[int, ...]], bool]) -> int:
    with Ledger.open(path) as ledger:
        raw = ledger.raw_changes(after_seq=after, limit=10_000)
    for k in range(raw.count):
        fields = struct.unpack_from(TRANSFER_STRUCT.format, raw.records, k * 160 + 32)
        if wanted(fields):
            return raw.first_seq + k
    raise AssertionError("no such transfer")


def _copy(source: Path, target: Path) -> None:
    env = lmdb.open(str(source), max_dbs=256, subdir=True, readonly=True, lock=False)
    target.mkdir(parents=True)
    env.copy(str(target))
    env.close()


def _delete(path: Path, db_name: bytes, key: bytes) -> None:
    env = lmdb.open(str(path), max_dbs=256, subdir=True)
    db = env.open_db(db_name)  # before the write transaction: opening one takes the writer lock
    with env.begin(write=True) as txn:
        assert txn.delete(key, db=db)
    env.close()


def _nth_key(path: Path, db_name: bytes, n: int) -> bytes:
    """The key of the ``n``-th entry (from 0) of a database, in key order."""
    env = lmdb.open(str(path), max_dbs=256, subdir=True, readonly=True, lock=False)
    db = env.open_db(db_name, create=False)
    with env.begin() as txn:
        keys = txn.cursor(db=db).iternext(keys=True, values=False)
        key = bytes(next(k for i, k in enumerate(keys) if i == n))
    env.close()
    return key


def _put(path: Path, db_name: bytes, key: bytes, value: bytes) -> None:
    env = lmdb.open(str(path), max_dbs=256, subdir=True)
    db = env.open_db(db_name)  # before the write transaction: opening one takes the writer lock
    with env.begin(write=True) as txn:
        txn.put(key, value, db=db)
    env.close()
