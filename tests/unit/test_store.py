"""The store: transactions, group commit, failure isolation and automatic map growth."""

from __future__ import annotations

import threading

import lmdb
import pytest

from core.store import Store
from tests.store_ops import put_op as _put


def test_write_commits_and_read_sees_it(store):
    db = store.db("t")
    assert store.write(_put(db, 1, b"one")) == 1
    with store.read() as txn:
        assert txn.get((1).to_bytes(8, "big"), db=db) == b"one"
    assert store.stats.write_transactions == 1


def test_failing_write_leaves_nothing(store):
    db = store.db("t")

    def op(tx):
        tx.txn.put(b"k", b"v", db=db)
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        store.write(op)
    with store.read() as txn:
        assert txn.get(b"k", db=db) is None
    assert store.stats.write_transactions == 0


def test_group_commit_1000_ops_from_32_threads_use_far_fewer_transactions(store):
    db = store.db("t")
    futures = []
    lock = threading.Lock()
    barrier = threading.Barrier(32)

    def worker(k: int) -> None:
        barrier.wait()
        for j in range(1000 // 32 + (1 if k < 1000 % 32 else 0)):
            f = store.submit(_put(db, k * 1000 + j))
            with lock:
                futures.append(f)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results = [f.result(timeout=30) for f in futures]
    assert len(results) == 1000
    with store.read() as txn:
        assert txn.stat(db)["entries"] == 1000
    assert store.stats.grouped_operations == 1000
    # grouping is what makes the writer fast: far fewer durable commits than operations
    assert store.stats.write_transactions < 500, store.stats


def test_failing_operation_in_a_group_aborts_alone(store):
    db = store.db("t")
    release = threading.Event()

    def blocker(tx):
        release.wait(5)  # hold the writer so the next operations queue up into one group
        return "first"

    def failing(tx):
        tx.txn.put(b"bad", b"x", db=db)
        raise RuntimeError("this one fails")

    first = store.submit(blocker)
    before = store.stats.write_transactions
    ops = [store.submit(_put(db, i)) for i in range(5)]
    bad = store.submit(failing)
    more = [store.submit(_put(db, i)) for i in range(5, 10)]
    release.set()
    assert first.result(5) == "first"
    assert [f.result(5) for f in ops + more] == list(range(10))
    with pytest.raises(RuntimeError, match="this one fails"):
        bad.result(5)
    with store.read() as txn:
        assert txn.get(b"bad", db=db) is None
        assert txn.stat(db)["entries"] == 10
    # the 11 queued operations shared one transaction
    assert store.stats.write_transactions - before <= 2


def test_abort_callbacks_undo_in_reverse_and_commit_callbacks_run_after_commit(store):
    db = store.db("t")
    events = []

    def ok(tx):
        tx.on_commit(lambda: events.append("commit-ok"))
        tx.on_abort(lambda: events.append("abort-ok"))

    def bad(tx):
        tx.on_abort(lambda: events.append("undo-1"))
        tx.on_abort(lambda: events.append("undo-2"))
        tx.on_commit(lambda: events.append("never"))
        tx.txn.put(b"x", b"y", db=db)
        raise ValueError

    store.write(ok)
    with pytest.raises(ValueError):
        store.write(bad)
    assert events == ["commit-ok", "undo-2", "undo-1"]


def test_map_grows_by_itself(tmp_path):
    small = Store(tmp_path / "small", map_size=64 * 1024)
    try:
        db = small.db("blobs")
        for i in range(200):
            small.write(_put(db, i, b"x" * 8000))
        futures = [small.submit(_put(db, 1000 + i, b"y" * 8000)) for i in range(200)]
        for f in futures:
            f.result(30)
        with small.read() as txn:
            assert txn.stat(db)["entries"] == 400
        assert small.stats.map_resizes > 0
    finally:
        small.close()


def test_map_full_error_never_reaches_a_caller_even_with_readers_open(tmp_path):
    small = Store(tmp_path / "small", map_size=64 * 1024)
    try:
        db = small.db("blobs")
        stop = threading.Event()
        errors = []

        def reader():
            while not stop.is_set():
                try:
                    with small.read() as txn:
                        txn.stat(db)
                except lmdb.Error as exc:  # pragma: no cover - the test fails on it
                    errors.append(exc)

        t = threading.Thread(target=reader)
        t.start()
        try:
            for i in range(100):
                small.write(_put(db, i, b"z" * 16000))
        finally:
            stop.set()
            t.join()
        assert errors == []
    finally:
        small.close()


def test_submit_after_close_is_refused(tmp_path):
    s = Store(tmp_path / "s")
    s.close()
    with pytest.raises(RuntimeError, match="closed"):
        s.submit(lambda tx: None)


def test_nested_step_rolls_back_alone_and_keeps_its_callbacks(store):
    db = store.db("t")
    events: list[str] = []

    def op(tx):
        tx.txn.put(b"before", b"1", db=db)

        def refused(child):
            child.txn.put(b"refused", b"1", db=db)
            child.on_abort(lambda: events.append("undo refused"))
            raise ValueError("no")

        def accepted(child):
            child.txn.put(b"accepted", b"1", db=db)
            child.on_commit(lambda: events.append("commit accepted"))
            return "ok"

        with pytest.raises(ValueError):
            tx.nested(refused)
        return tx.nested(accepted)

    assert store.write_grouped(op) == "ok"
    with store.read() as txn:
        assert txn.get(b"before", db=db) == b"1"
        assert txn.get(b"accepted", db=db) == b"1"
        assert txn.get(b"refused", db=db) is None
    assert events == ["undo refused", "commit accepted"]
