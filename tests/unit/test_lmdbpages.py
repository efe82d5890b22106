"""The page reader reads what py-lmdb reads, or declines: never a wrong row.

A real LMDB environment per test, keys 8-byte big-endian integers, values 160 bytes that
embed their key (so a value read at the wrong place shows), as the ledger stores transfers.
"""

from __future__ import annotations

import random
from pathlib import Path

import lmdb
import numpy as np
import pytest

from core.lmdbpages.reader import PageReader

VALUE = 160
FIELDS = {
    "key": (0, np.dtype("<u8")),
    "pair": (16, np.dtype([("lo", "<u8"), ("hi", "<u8")])),
    "small": (140, np.dtype("<u2")),
    "word": (152, np.dtype("<u8")),
}


def value(key: int) -> bytes:
    """160 bytes that say which key they belong to."""
    out = bytearray(VALUE)
    out[0:8] = key.to_bytes(8, "little")
    out[16:24] = (key * 3).to_bytes(8, "little")
    out[24:32] = (key ^ 0xFFFF).to_bytes(8, "little")
    out[140:142] = (key % 65_000).to_bytes(2, "little")
    out[152:160] = (key * 7 + 1).to_bytes(8, "little")
    return bytes(out)


def expected(first: int, count: int, last: int) -> dict[str, list[int]]:
    keys = list(range(first, min(first + count - 1, last) + 1))
    return {
        "key": keys,
        "lo": [k * 3 for k in keys],
        "hi": [k ^ 0xFFFF for k in keys],
        "small": [k % 65_000 for k in keys],
        "word": [k * 7 + 1 for k in keys],
    }


def as_lists(columns: dict[str, np.ndarray]) -> dict[str, list[int]]:
    return {
        "key": columns["key"].tolist(),
        "lo": columns["pair"]["lo"].tolist(),
        "hi": columns["pair"]["hi"].tolist(),
        "small": columns["small"].tolist(),
        "word": columns["word"].tolist(),
    }


class Env:
    """An LMDB environment with one named database of fixed-size records."""

    def __init__(self, path: Path, name: str = "records") -> None:
        self.env = lmdb.open(str(path), map_size=1 << 30, max_dbs=4, subdir=True)
        self.db = self.env.open_db(name.encode())
        self.reader = PageReader(path / "data.mdb", name, value_size=VALUE)

    def append(self, keys: list[int]) -> None:
        with self.env.begin(write=True) as txn:
            txn.cursor(db=self.db).putmulti(
                [(k.to_bytes(8, "big"), value(k)) for k in keys], append=True
            )

    def put(self, keys: list[int], raw: bytes | None = None) -> None:
        with self.env.begin(write=True) as txn:
            for k in keys:
                txn.put(k.to_bytes(8, "big"), raw if raw is not None else value(k), db=self.db)

    def read(self, first: int, count: int) -> dict[str, list[int]] | None:
        with self.env.begin() as txn:
            found = self.reader.read(txn, first, count, FIELDS)
        return None if found is None else as_lists(found)


@pytest.fixture
def env(tmp_path: Path):
    e = Env(tmp_path)
    yield e
    e.reader.close()
    e.env.close()


def test_an_appended_database_is_read_by_slots_at_any_range(env: Env) -> None:
    last = 30_000  # three levels: leaves, branches, root
    for start in range(1, last + 1, 7_000):
        env.append(list(range(start, min(start + 7_000, last + 1))))
    rng = random.Random(7)
    cases = [(1, last), (1, 1), (last, 5), (22, 23), (5_000, 1)]
    cases += [(rng.randrange(1, last), rng.randrange(1, 9_000)) for _ in range(20)]
    for first, count in cases:
        assert env.read(first, count) == expected(first, count, last), (first, count)
    assert env.reader.paths["slots"] == len(cases) and not env.reader.paths["scattered"]


def test_beyond_the_end_is_empty(env: Env) -> None:
    env.append(list(range(1, 100)))
    assert env.read(100, 10) == expected(100, 10, 99) == {k: [] for k in expected(1, 1, 1)}
    assert env.read(0, 0) is not None and env.read(0, 0)["key"] == []


def test_records_put_in_any_order_are_gathered_one_by_one(env: Env) -> None:
    keys = list(range(1, 8_001))
    random.Random(3).shuffle(keys)
    for start in range(0, len(keys), 1_000):
        env.put(keys[start : start + 1_000])
    assert env.read(1, 8_000) == expected(1, 8_000, 8_000)
    assert env.read(4_321, 77) == expected(4_321, 77, 8_000)
    assert env.reader.paths["scattered"] >= 1


def test_a_gap_in_the_keys_is_declined(env: Env) -> None:
    env.append(list(range(1, 5_001)))
    with env.env.begin(write=True) as txn:
        txn.delete((2_500).to_bytes(8, "big"), db=env.db)
    assert env.read(1, 5_000) is None
    assert env.read(1, 2_499) == expected(1, 2_499, 2_499)
    assert env.reader.paths["declined"] == 1


def test_records_of_another_size_are_declined(tmp_path: Path) -> None:
    e = Env(tmp_path)
    try:
        e.put([1, 2, 3], raw=b"x" * 100)
        assert e.read(1, 3) is None
    finally:
        e.reader.close()
        e.env.close()


def test_a_missing_database_reads_empty(tmp_path: Path) -> None:
    e = Env(tmp_path)
    try:
        e.put([1])
        e.reader.db_name = b"nothing-here"
        assert e.read(1, 3) == {k: [] for k in expected(1, 1, 1)}
    finally:
        e.reader.close()
        e.env.close()


def test_a_snapshot_is_read_as_it_was_or_declined(env: Env) -> None:
    env.append(list(range(1, 3_001)))
    with env.env.begin() as old:
        env.append(list(range(3_001, 4_001)))  # one commit later: the old meta page stays
        found = env.reader.read(old, 1, 10_000, FIELDS)
        assert found is not None and as_lists(found) == expected(1, 3_000, 3_000)
        env.append(list(range(4_001, 5_001)))  # two commits later: its meta page is reused
        assert env.reader.read(old, 1, 10_000, FIELDS) is None
    assert env.read(1, 10_000) == expected(1, 10_000, 5_000)
