"""The store's group commit for coroutines (Store.write_async, core._loop_writer)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from core.store import Store
from tests.store_ops import put_op as _put


def _keys(store, db) -> list[int]:
    with store.read() as txn:
        return [int.from_bytes(k, "big") for k, _ in txn.cursor(db=db)]


def test_concurrent_writes_share_few_commits_and_all_land(store):
    db = store.db("t")

    async def main():
        return await asyncio.gather(*(store.write_async(_put(db, i)) for i in range(500)))

    before = store.stats.write_transactions
    assert asyncio.run(main()) == list(range(500))
    assert _keys(store, db) == list(range(500))
    commits = store.stats.write_transactions - before
    assert 1 <= commits <= 5, commits  # gathered in one iteration: one group (a few at most)


def test_a_failing_write_aborts_alone_and_its_caller_hears_why(store):
    db = store.db("t")

    def boom(tx):
        tx.txn.put(b"half", b"written", db=db)
        raise ValueError("refused")

    async def main():
        return await asyncio.gather(
            store.write_async(_put(db, 1)),
            store.write_async(boom),
            store.write_async(_put(db, 2)),
            return_exceptions=True,
        )

    one, failure, two = asyncio.run(main())
    assert (one, two) == (1, 2)
    assert isinstance(failure, ValueError) and str(failure) == "refused"
    with store.read() as txn:
        assert txn.get(b"half", db=db) is None
    assert _keys(store, db) == [1, 2]


def test_the_answer_comes_after_the_commit_callbacks_and_on_the_loop(store):
    db = store.db("t")
    seen: list[str] = []

    def op(tx):
        tx.txn.put(b"k", b"v", db=db)
        tx.on_commit(lambda: seen.append("committed"))
        return "done"

    async def main():
        result = await store.write_async(op)
        seen.append(result)
        return threading.current_thread() is threading.main_thread()

    assert asyncio.run(main()) is True
    assert seen == ["committed", "done"]


def test_a_caller_cancelled_before_its_group_starts_writes_nothing(store):
    db = store.db("t")

    async def main():
        task = asyncio.ensure_future(store.write_async(_put(db, 7)))
        kept = asyncio.ensure_future(store.write_async(_put(db, 8)))
        await asyncio.sleep(0)  # both submitted, the flush is scheduled, not run
        task.cancel()
        await kept
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert _keys(store, db) == [8]


def test_writes_of_a_burst_beyond_one_group_all_land(store):
    db = store.db("t")

    async def main():
        return await asyncio.gather(*(store.write_async(_put(db, i)) for i in range(2500)))

    before = store.stats.write_transactions
    assert asyncio.run(main()) == list(range(2500))
    assert len(_keys(store, db)) == 2500
    assert store.stats.write_transactions - before >= 3  # at most 1,024 per group


def test_the_map_grows_under_async_writes(tmp_path):
    small = Store(tmp_path / "small", map_size=64 * 1024)
    try:
        db = small.db("blobs")

        async def main():
            await asyncio.gather(*(small.write_async(_put(db, i, b"x" * 8000)) for i in range(300)))

        asyncio.run(main())
        with small.read() as txn:
            assert txn.stat(db)["entries"] == 300
        assert small.stats.map_resizes > 0
    finally:
        small.close()


def test_write_async_after_close_is_refused(tmp_path):
    s = Store(tmp_path / "s")
    s.close()
    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(s.write_async(lambda tx: None))


def test_close_waits_for_the_group_in_flight_and_ends_the_thread(tmp_path):
    s = Store(tmp_path / "s")
    db = s.db("t")

    async def main():
        return await s.write_async(_put(db, 3))

    assert asyncio.run(main()) == 3
    threads = [t for t in threading.enumerate() if t.name == "tirelire-loop-writer"]
    assert threads
    s.close()
    for thread in threads:
        thread.join(5)
        assert not thread.is_alive()
