"""Typed record collections: primary keys, unique and non-unique indexes, scans."""

from __future__ import annotations

import msgspec
import pytest

from core.records import Collection, Index, UniqueViolation, encode_key
from core.store import Store


class Person(msgspec.Struct, kw_only=True):
    id: int
    email: str
    city: str = ""
    nickname: str | None = None


@pytest.fixture
def people(tmp_path):
    store = Store(tmp_path / "s")
    coll = Collection(
        store,
        "people",
        Person,
        key=lambda p: p.id,
        indexes=(
            Index("email", lambda p: p.email, unique=True),
            Index("city", lambda p: p.city or None),
            Index("nickname", lambda p: p.nickname, unique=True),
        ),
    )
    yield store, coll
    store.close()


def test_put_get_and_indexes(people):
    store, coll = people
    store.write(lambda tx: coll.put(tx, Person(id=1, email="a@x.fr", city="Flers")))
    store.write(lambda tx: coll.put(tx, Person(id=2, email="b@x.fr", city="Flers")))
    store.write(lambda tx: coll.put(tx, Person(id=3, email="c@x.fr", city="Caen")))
    with store.read() as txn:
        assert coll.get(txn, 2).email == "b@x.fr"
        assert coll.get(txn, 99) is None
        assert coll.get_by(txn, "email", "c@x.fr").id == 3
        assert [p.id for p in coll.find(txn, "city", "Flers")] == [1, 2]
        assert list(coll.find(txn, "city", "Paris")) == []
        assert [p.id for p in coll.scan(txn)] == [1, 2, 3]
        assert coll.count(txn) == 3


def test_unique_index_refuses_a_second_record_and_writes_nothing(people):
    store, coll = people
    store.write(lambda tx: coll.put(tx, Person(id=1, email="a@x.fr")))
    with pytest.raises(UniqueViolation) as info:
        store.write(lambda tx: coll.put(tx, Person(id=2, email="a@x.fr", city="Caen")))
    assert info.value.index == "email"
    with store.read() as txn:
        assert coll.get(txn, 2) is None
        assert list(coll.find(txn, "city", "Caen")) == []


def test_update_moves_index_entries(people):
    store, coll = people
    store.write(lambda tx: coll.put(tx, Person(id=1, email="a@x.fr", city="Flers")))
    store.write(lambda tx: coll.put(tx, Person(id=1, email="new@x.fr", city="Caen")))
    with store.read() as txn:
        assert coll.get_by(txn, "email", "a@x.fr") is None
        assert coll.get_by(txn, "email", "new@x.fr").id == 1
        assert list(coll.find(txn, "city", "Flers")) == []
        assert [p.id for p in coll.find(txn, "city", "Caen")] == [1]
    # the old unique value is free again
    store.write(lambda tx: coll.put(tx, Person(id=2, email="a@x.fr")))


def test_delete_removes_record_and_index_entries(people):
    store, coll = people
    store.write(lambda tx: coll.put(tx, Person(id=1, email="a@x.fr", city="Flers")))
    store.write(lambda tx: coll.put(tx, Person(id=2, email="b@x.fr", city="Flers")))
    assert store.write(lambda tx: coll.delete(tx, 1)) is True
    assert store.write(lambda tx: coll.delete(tx, 1)) is False
    with store.read() as txn:
        assert coll.get_by(txn, "email", "a@x.fr") is None
        assert [p.id for p in coll.find(txn, "city", "Flers")] == [2]


def test_insert_refuses_an_existing_key(people):
    store, coll = people
    store.write(lambda tx: coll.insert(tx, Person(id=1, email="a@x.fr")))
    with pytest.raises(UniqueViolation):
        store.write(lambda tx: coll.insert(tx, Person(id=1, email="z@x.fr")))


def test_none_index_values_are_not_indexed(people):
    store, coll = people
    store.write(lambda tx: coll.put(tx, Person(id=1, email="a@x.fr")))
    store.write(lambda tx: coll.put(tx, Person(id=2, email="b@x.fr")))  # both nickname None
    with store.read() as txn:
        assert coll.get_by(txn, "nickname", "") is None


def test_scan_with_prefix_and_int_keys_sort_numerically(tmp_path):
    store = Store(tmp_path / "s")
    try:
        words = Collection(store, "words", Person, key=lambda p: p.email)
        for i, w in enumerate(["ab", "abc", "b", "aa"]):
            store.write(lambda tx, w=w, i=i: words.put(tx, Person(id=i, email=w)))
        with store.read() as txn:
            assert [p.email for p in words.scan(txn, prefix="ab")] == ["ab", "abc"]
            assert [p.email for p in words.scan(txn, limit=2)] == ["aa", "ab"]
    finally:
        store.close()
    assert encode_key(2) < encode_key(10) < encode_key(2**100)
    with pytest.raises(ValueError):
        encode_key(-1)
    with pytest.raises(TypeError):
        encode_key(1.5)  # type: ignore[arg-type]


def test_long_index_values_and_bad_primary_keys(people):
    store, coll = people
    long_email = "x" * 600 + "@x.fr"
    store.write(lambda tx: coll.put(tx, Person(id=1, email=long_email)))
    with store.read() as txn:
        assert coll.get_by(txn, "email", long_email).id == 1
    with pytest.raises(UniqueViolation):
        store.write(lambda tx: coll.put(tx, Person(id=2, email=long_email)))
    words = Collection(store, "words", Person, key=lambda p: p.email)
    with pytest.raises(ValueError, match="primary key"):
        store.write(lambda tx: words.put(tx, Person(id=1, email="")))


def test_range_reads_a_half_open_key_interval_both_ways(people):
    store, coll = people
    for i in (1, 3, 5, 7, 9):
        store.write(lambda tx, i=i: coll.put(tx, Person(id=i, email=f"{i}@x.fr")))
    with store.read() as txn:
        assert [p.id for p in coll.range(txn, 3, 9)] == [3, 5, 7]
        assert [p.id for p in coll.range(txn, 2, 8, reverse=True)] == [7, 5, 3]
        assert [p.id for p in coll.range(txn, 0, 100, limit=2)] == [1, 3]
        assert [p.id for p in coll.range(txn, 0, 100, reverse=True, limit=2)] == [9, 7]
        assert list(coll.range(txn, 5, 5)) == []
        assert list(coll.range(txn, 10, 20)) == []
        assert list(coll.range(txn, 10, 20, reverse=True)) == []
        assert list(coll.range(txn, 0, 1, reverse=True)) == []
