"""Typed record collections on the store: msgspec Structs with secondary indexes.

A :class:`Collection` keeps records of one Struct type in a named LMDB database, keyed by a
primary key taken from the record, and maintains its indexes in the same write transaction:

- a unique index maps an index value to one primary key and refuses a second record with the
  same value (:class:`UniqueViolation`, naming the index);
- a non-unique index maps an index value to many primary keys (an LMDB ``dupsort`` database).

Keys are ``str`` (UTF-8), ``int`` (16 bytes big-endian, so they sort numerically) or ``bytes``.
Each collection builds one MessagePack encoder and one decoder for its type and reuses them.
Open collections at start-up, outside write transactions: opening a database is itself a write.

A collection made with ``cached=True`` also answers :meth:`Collection.cached` and
:meth:`Collection.cached_by` from memory while no process changed it (the store's shared
change counters, :mod:`core.generations`): for the records every request reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import lmdb
import msgspec

from core.store import Store, Tx

__all__ = ["Collection", "Index", "UniqueViolation", "encode_key"]

R = TypeVar("R", bound=msgspec.Struct)
Key = str | int | bytes


class UniqueViolation(ValueError):
    """A write would give two records the same value of a unique index."""

    def __init__(self, collection: str, index: str, value: Key) -> None:
        super().__init__(f"{collection}: another record already has {index} = {value!r}")
        self.collection = collection
        self.index = index
        self.value = value


def encode_key(key: Key) -> bytes:
    """Encode a key so that LMDB's byte order matches the natural order of the value."""
    if isinstance(key, bytes):
        return key
    if isinstance(key, str):
        return key.encode()
    if isinstance(key, int) and not isinstance(key, bool):
        if key < 0 or key >= 1 << 128:
            raise ValueError(f"integer key out of range: {key}")
        return key.to_bytes(16, "big")
    raise TypeError(f"unsupported key type: {type(key).__name__}")


CACHE_SIZE = 1024  # records a cached collection keeps in memory (emptied when full)
MAX_KEY = 400  # LMDB's limit is 511 bytes; longer index values are stored as a digest


def _index_key(value: Key) -> bytes | None:
    """The stored key of an index value; None for an empty value (never indexed)."""
    raw = encode_key(value)
    if not raw:
        return None
    if len(raw) > MAX_KEY:
        return b"\xff#" + hashlib.sha256(raw).digest()
    return raw


@dataclass(frozen=True)
class Index(Generic[R]):
    """A secondary index: ``value(record)`` gives the indexed value (None: not indexed)."""

    name: str
    value: Callable[[R], Key | None]
    unique: bool = False


class Collection(Generic[R]):
    """Records of one msgspec Struct type, with their secondary indexes, in one store."""

    def __init__(
        self,
        store: Store,
        name: str,
        record_type: type[R],
        *,
        key: Callable[[R], Key],
        indexes: tuple[Index[R], ...] = (),
        cached: bool = False,
    ) -> None:
        self.store = store
        self.name = name
        self.record_type = record_type
        self._key = key
        self._indexes = indexes
        self._db = store.db(f"rec:{name}")
        self._index_dbs = {
            ix.name: store.db(f"idx:{name}:{ix.name}", dupsort=not ix.unique) for ix in indexes
        }
        self._encoder = msgspec.msgpack.Encoder()
        self._decoder = msgspec.msgpack.Decoder(record_type)
        self._many = msgspec.msgpack.Decoder(list[record_type])  # type: ignore[valid-type]
        #: with ``cached``: reads kept in memory while no process changed the collection
        self._generation = store.generations.of(f"rec:{name}") if cached else None
        self._cache: dict[tuple[str, Key], tuple[int, R | None]] = {}

    # -- reading ---------------------------------------------------------------------------

    def get(self, txn: lmdb.Transaction, key: Key) -> R | None:
        """The record with primary key ``key``, or None."""
        raw = txn.get(encode_key(key), db=self._db)
        return None if raw is None else self._decoder.decode(raw)

    def cached(self, key: Key) -> R | None:
        """:meth:`get` in a read of its own, answered from memory while nothing changed.

        Only for a collection made with ``cached=True`` (see :mod:`core.generations`). The
        record returned is shared with later callers: never change it in place.
        """
        return self._cached(("", key), lambda txn: self.get(txn, key))

    def cached_by(self, index: str, value: Key) -> R | None:
        """:meth:`get_by` in a read of its own, answered from memory while nothing changed."""
        return self._cached((index, value), lambda txn: self.get_by(txn, index, value))

    def _cached(
        self, slot: tuple[str, Key], read: Callable[[lmdb.Transaction], R | None]
    ) -> R | None:
        generation = self._generation
        if generation is None:
            raise TypeError(f"the collection {self.name!r} is not cached")
        seen = generation.value  # before the read: a change meanwhile drops what we keep
        hit = self._cache.get(slot)
        if hit is not None and hit[0] == seen:
            return hit[1]
        with self.store.read() as txn:
            record = read(txn)
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()
        self._cache[slot] = (seen, record)
        return record

    def get_many(self, txn: lmdb.Transaction, keys: list[Key]) -> list[R | None]:
        """The records with primary keys ``keys`` (None where missing), in order: one LMDB
        ``getmulti`` and one decode for all, for readers of thousands of records."""
        encoded = [encode_key(key) for key in keys]
        found = dict(txn.cursor(db=self._db).getmulti(sorted(set(encoded))))
        present = [found[k] for k in encoded if k in found]
        records = iter(
            self._many.decode(b"\xdd" + len(present).to_bytes(4, "big") + b"".join(present))
        )
        return [next(records) if k in found else None for k in encoded]

    def get_by(self, txn: lmdb.Transaction, index: str, value: Key) -> R | None:
        """The first record whose ``index`` equals ``value``, or None."""
        for record in self.find(txn, index, value, limit=1):
            return record
        return None

    def find(
        self, txn: lmdb.Transaction, index: str, value: Key, *, limit: int | None = None
    ) -> Iterator[R]:
        """Records whose ``index`` equals ``value``, in primary-key order."""
        db = self._index_dbs[index]
        ikey = _index_key(value)
        if ikey is None:
            return
        count = 0
        with txn.cursor(db=db) as cursor:
            if not cursor.set_key(ikey):
                return
            keys = cursor.iternext_dup() if self._is_dupsort(index) else iter([cursor.value()])
            for pkey in keys:
                raw = txn.get(pkey, db=self._db)
                if raw is None:
                    continue
                yield self._decoder.decode(raw)
                count += 1
                if limit is not None and count >= limit:
                    return

    def scan(
        self, txn: lmdb.Transaction, *, prefix: Key | None = None, limit: int | None = None
    ) -> Iterator[R]:
        """All records in primary-key order, optionally those whose key starts with ``prefix``."""
        start = b"" if prefix is None else encode_key(prefix)
        count = 0
        with txn.cursor(db=self._db) as cursor:
            if not cursor.set_range(start):
                return
            for pkey, raw in cursor:
                if start and not bytes(pkey).startswith(start):
                    return
                yield self._decoder.decode(raw)
                count += 1
                if limit is not None and count >= limit:
                    return

    def range(
        self,
        txn: lmdb.Transaction,
        start: Key,
        stop: Key,
        *,
        limit: int | None = None,
        reverse: bool = False,
    ) -> Iterator[R]:
        """Records whose primary key is in ``[start, stop)``, in key order (newest first with
        ``reverse``).

        Keys compare as their stored bytes, so a key that starts with a fixed prefix and a
        zero-padded number (``"le-bisik/00001732924800000000000/..."``) makes a time index:
        one cursor seek, then only the records of the range are read.
        """
        low, high = encode_key(start), encode_key(stop)
        if low >= high:
            return
        count = 0
        with txn.cursor(db=self._db) as cursor:
            if reverse:
                found = cursor.prev() if cursor.set_range(high) else cursor.last()
                items = cursor.iterprev(keys=True, values=True) if found else iter(())
            else:
                items = (
                    cursor.iternext(keys=True, values=True) if cursor.set_range(low) else iter(())
                )
            for pkey, raw in items:
                key = bytes(pkey)
                if key < low if reverse else key >= high:
                    return
                yield self._decoder.decode(raw)
                count += 1
                if limit is not None and count >= limit:
                    return

    def count(self, txn: lmdb.Transaction) -> int:
        """How many records the collection holds."""
        return int(txn.stat(self._db)["entries"])

    # -- writing ---------------------------------------------------------------------------

    def put(self, tx: Tx, record: R) -> R:
        """Insert or replace ``record``, updating every index; unique clashes raise."""
        txn = tx.txn
        pkey = self._primary(record)
        old_raw = txn.get(pkey, db=self._db)
        old = None if old_raw is None else self._decoder.decode(old_raw)
        for ix in self._indexes:
            new_value = ix.value(record)
            old_value = None if old is None else ix.value(old)
            if new_value == old_value:
                continue
            db = self._index_dbs[ix.name]
            old_key = None if old_value is None else _index_key(old_value)
            if old_key is not None:
                txn.delete(old_key, pkey if not ix.unique else b"", db=db)
            ikey = None if new_value is None else _index_key(new_value)
            if ikey is not None and new_value is not None:
                if ix.unique:
                    current = txn.get(ikey, db=db)
                    if current is not None and current != pkey:
                        raise UniqueViolation(self.name, ix.name, new_value)
                txn.put(ikey, pkey, db=db)
        txn.put(pkey, self._encoder.encode(record), db=self._db)
        self._changed(tx)
        return record

    def insert(self, tx: Tx, record: R) -> R:
        """Insert ``record``; a record with the same primary key already there raises."""
        pkey = self._primary(record)
        if tx.txn.get(pkey, db=self._db) is not None:
            raise UniqueViolation(self.name, "key", self._key(record))
        return self.put(tx, record)

    def delete(self, tx: Tx, key: Key) -> bool:
        """Delete the record with primary key ``key`` and its index entries; False if absent."""
        txn = tx.txn
        pkey = encode_key(key)
        raw = txn.get(pkey, db=self._db)
        if raw is None:
            return False
        old = self._decoder.decode(raw)
        for ix in self._indexes:
            value = ix.value(old)
            ikey = None if value is None else _index_key(value)
            if ikey is not None:
                db = self._index_dbs[ix.name]
                txn.delete(ikey, pkey if not ix.unique else b"", db=db)
        txn.delete(pkey, db=self._db)
        self._changed(tx)
        return True

    def _changed(self, tx: Tx) -> None:
        if self._generation is not None:  # every process drops its copies once it is durable
            tx.on_commit(self._generation.bump)

    def _primary(self, record: R) -> bytes:
        pkey = encode_key(self._key(record))
        if not pkey or len(pkey) > MAX_KEY:
            raise ValueError(f"{self.name}: a primary key must be 1 to {MAX_KEY} bytes long")
        return pkey

    def _is_dupsort(self, index: str) -> bool:
        return not next(ix.unique for ix in self._indexes if ix.name == index)


def as_dict(record: msgspec.Struct) -> dict[str, Any]:
    """A record as a plain dict (for templates and JSON)."""
    return msgspec.structs.asdict(record)
