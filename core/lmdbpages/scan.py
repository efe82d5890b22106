"""Reading every record of an LMDB database of fixed-size keys and values from its pages.

The companion of :class:`core.lmdbpages.reader.PageReader` for a database whose keys are
not a run of sequence numbers, such as the ledger's id index (16-byte ids to 8-byte sequence
numbers), read whole by :func:`core.ledger.verify` at a few hundredths of a microsecond a
record where py-lmdb hands back one ``bytes`` per key and per value (0.15 µs each).

The same safety rules hold: the snapshot of an open read transaction is read (its meta page's
``txnid`` is checked, see ``PageReader``), the caller keeps that transaction open while the
arrays are gathered (they are copies), and anything unexpected (another format version,
overflow, sub-database or duplicate nodes, keys or values of another size, unaligned nodes)
makes :meth:`TreeScanner.scan` answer None: the caller then reads through py-lmdb.

The tree is walked level by level: every child of every branch page, then every node of
every leaf page, in key order.
"""

from __future__ import annotations

from pathlib import Path

import lmdb
import numpy as np

from core.lmdbpages.format import (
    INVALID_PAGE,
    NODE_HEADER,
    P_BRANCH,
    P_LEAF,
    P_TYPE_FLAGS,
    Snapshot,
    Unexpected,
    page_size,
)
from core.lmdbpages.reader import PageReader

__all__ = ["TreeScanner"]


class TreeScanner(PageReader):
    """Reads all the records of a database whose keys and values have fixed sizes.

    Both sizes must be multiples of 8 (the nodes are then 8-byte aligned in their pages and
    each word is gathered at once).
    """

    def __init__(self, data_file: Path, db_name: str, *, key_size: int, value_size: int) -> None:
        super().__init__(data_file, db_name, value_size=value_size)
        if key_size % 8 or value_size % 8 or not 0 < key_size <= 504:
            raise ValueError("key and value sizes must be multiples of 8")
        self.key_size = key_size

    def scan(self, txn: lmdb.Transaction) -> tuple[np.ndarray, np.ndarray] | None:
        """Every (key, value) of the database as ``txn`` sees it, in key order: two uint8
        arrays of shapes (n, key_size) and (n, value_size); None when the pages cannot be
        read this way (read through py-lmdb instead)."""
        with self._lock:
            try:
                buffer = self._mapped()
                snap = Snapshot(buffer, page_size(buffer))
                try:
                    return self._scan(snap, txn)
                finally:
                    del snap  # no view of the map may outlive a remap
            except (Unexpected, OSError, ValueError, IndexError):
                self.paths["declined"] += 1
                return None

    def _scan(self, snap: Snapshot, txn: lmdb.Transaction) -> tuple[np.ndarray, np.ndarray]:
        root = self._root(snap, txn.id())
        if root == INVALID_PAGE:
            return self._empty(0)
        level = np.array([root], dtype=np.int64)
        for _depth in range(64):
            offsets, flags, _page_of = snap.nodes(level)
            kinds = flags & P_TYPE_FLAGS
            if np.all(kinds == P_LEAF):
                self.paths["scanned"] += 1
                return self._gather(snap, offsets)
            if not np.all(kinds == P_BRANCH) or np.any(offsets & 1):
                raise Unexpected("a level mixes page kinds, or nodes are unaligned")
            words = offsets // 2
            u16 = snap.u16
            level = (
                u16[words].astype(np.int64)
                | u16[words + 1].astype(np.int64) << 16
                | u16[words + 2].astype(np.int64) << 32
            )
        raise Unexpected("the tree is deeper than any LMDB tree can be")

    def _gather(self, snap: Snapshot, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if np.any(offsets & 7):
            raise Unexpected("leaf nodes are not 8-byte aligned")
        words = offsets // 2
        u16 = snap.u16
        dsize = u16[words].astype(np.int64) | u16[words + 1].astype(np.int64) << 16
        if (
            np.any(u16[words + 2])
            or np.any(u16[words + 3] != self.key_size)
            or np.any(dsize != self.value_size)
        ):
            raise Unexpected("a leaf holds another kind of node")
        keys, values = self._empty(len(offsets))
        first = (offsets + NODE_HEADER) // 8
        key_words = self.key_size // 8
        u64 = snap.u64
        key_view, value_view = keys.view("<u8"), values.view("<u8")
        for w in range(key_words):
            key_view[:, w] = u64[first + w]
        for w in range(self.value_size // 8):
            value_view[:, w] = u64[first + key_words + w]
        return keys, values

    def _empty(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.empty((count, self.key_size), dtype=np.uint8),
            np.empty((count, self.value_size), dtype=np.uint8),
        )
