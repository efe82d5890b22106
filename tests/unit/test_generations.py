"""Cached collections: answers from memory until any process changes the collection."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import msgspec
import pytest

from core.accounts import Role
from core.apikeys import ApiKeys
from core.generations import Generations
from core.records import Collection, Index
from core.store import Store

ROOT = Path(__file__).resolve().parents[2]


class Thing(msgspec.Struct):
    """A record for these tests."""

    name: str
    colour: str


def _things(store: Store) -> Collection[Thing]:
    return Collection(
        store, "things", Thing, key=lambda t: t.name,
        indexes=(Index("colour", lambda t: t.colour, unique=True),), cached=True,
    )  # fmt: skip


def test_a_cached_read_is_kept_until_the_collection_changes(store):
    things = _things(store)
    store.write(lambda tx: things.put(tx, Thing("a", "red")))
    first = things.cached("a")
    assert first == Thing("a", "red")
    assert things.cached("a") is first  # from memory
    assert things.cached_by("colour", "red") == first
    store.write(lambda tx: things.put(tx, Thing("a", "blue")))
    assert things.cached("a") == Thing("a", "blue")
    assert things.cached_by("colour", "red") is None
    store.write(lambda tx: things.delete(tx, "a"))
    assert things.cached("a") is None


def test_an_aborted_write_bumps_nothing(store):
    things = _things(store)
    store.write(lambda tx: things.put(tx, Thing("a", "red")))
    counter = store.generations.of("rec:things")
    before = counter.value

    def fails(tx):
        things.put(tx, Thing("b", "green"))
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.write(fails)
    assert counter.value == before
    assert things.cached("b") is None


def test_an_unknown_key_is_cached_too_and_dropped_when_it_appears(store):
    things = _things(store)
    assert things.cached("later") is None
    store.write(lambda tx: things.put(tx, Thing("later", "red")))
    assert things.cached("later") == Thing("later", "red")


def test_a_collection_made_without_cache_refuses_cached_reads(store):
    plain = Collection(store, "plain", Thing, key=lambda t: t.name)
    with pytest.raises(TypeError, match="not cached"):
        plain.cached("a")


def test_counters_are_shared_through_the_file(tmp_path):
    one, two = Generations(tmp_path), Generations(tmp_path)
    try:
        a, b = one.of("rec:x"), two.of("rec:x")
        start = a.value
        b.bump()
        b.bump()
        assert a.value == start + 2
    finally:
        one.close()
        two.close()


def test_a_key_revoked_by_another_process_is_refused_at_once(tmp_path):
    """The web workers are processes: a revocation in one is seen by the others' caches."""
    store = Store(tmp_path / "store")
    try:
        keys = ApiKeys(store)
        record, secret = keys.create("venue", Role.CASHIER, "till")
        assert keys.authenticate(secret) == record  # cached from now on
        assert keys.authenticate(secret) is keys.authenticate(secret)
        child = textwrap.dedent(
            f"""
            from core.apikeys import ApiKeys
            from core.store import Store
            store = Store({str(tmp_path / "store")!r})
            ApiKeys(store).revoke("venue", {record.id!r})
            store.close()
            """
        )
        subprocess.run([sys.executable, "-c", child], cwd=ROOT, check=True, timeout=60)
        assert keys.authenticate(secret) is None
    finally:
        store.close()
