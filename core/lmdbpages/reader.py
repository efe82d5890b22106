"""Reading a run of an LMDB database's records straight from the data file, with NumPy.

The ledger's transfers live in ``ledger:transfers``: 8-byte big-endian sequence numbers to
160-byte records, appended in order. py-lmdb hands records back one Python ``bytes`` at a
time (0.3-0.5 µs each, the largest cost of a sync once the rest was vectorised), so the
mirror reads the B-tree pages itself: it maps ``data.mdb`` read-only, walks the tree of the
snapshot of an open py-lmdb read transaction level by level (all the pages of a level at
once), and gathers each wanted field of every record with one NumPy fancy-index: no Python
object per record.

It is safe because LMDB never overwrites a page of a snapshot that a reader still uses: the
caller keeps its read transaction open while the columns are gathered (they are copies).
Transaction *N* is described by meta page *N mod 2*; its ``txnid`` is checked before and
after reading it, so a meta page being rewritten by a later commit is never trusted.

The on-disk format is described in :mod:`core.lmdbpages.format` (LMDB 0.9's).

Anything else (another format version, overflow or duplicate nodes, keys or values of other
sizes, unaligned records, a gap in the keys) makes :meth:`PageReader.read` answer None, and
the caller reads through py-lmdb instead: never a wrong row.
"""

from __future__ import annotations

import mmap
import os
import threading
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import lmdb
import numpy as np

from core.lmdbpages.format import (
    DATA_VERSION,
    DB_ROOT,
    F_SUBDATA,
    INVALID_PAGE,
    MAGIC,
    META_MAIN_ROOT,
    META_TXNID,
    NODE_HEADER,
    P_BRANCH,
    P_LEAF,
    P_TYPE_FLAGS,
    PAGE_HEADER,
    Snapshot,
    Unexpected,
    children,
    find,
    page_size,
)

__all__ = ["PageReader"]

TILE_BYTES = 700_000  # pages copied at once: within a core's L2 cache


class PageReader:
    """Reads runs of fixed-size records keyed by 8-byte big-endian integers (see module)."""

    def __init__(
        self, data_file: Path, db_name: str, *, value_size: int, populate: bool = False
    ) -> None:
        self.data_file = data_file
        #: fault the whole file in when mapping it (one pass over a file read whole: far
        #: cheaper than a page fault per 4 KiB page)
        self.populate = populate
        self.db_name = db_name.encode()
        self.value_size = value_size
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._map: mmap.mmap | None = None
        #: how each read went: "slots", "scattered", "declined" (the caller used py-lmdb)
        self.paths: Counter[str] = Counter()

    def close(self) -> None:
        """Unmap the file and close it."""
        with self._lock:
            if self._map is not None:
                self._map.close()
                self._map = None
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def _mapped(self) -> mmap.mmap:
        if self._fd is None:
            self._fd = os.open(self.data_file, os.O_RDONLY)
        size = os.fstat(self._fd).st_size
        if self._map is None or len(self._map) < size:
            if self._map is not None:
                self._map.close()
            flags = mmap.MAP_SHARED
            if self.populate:
                flags |= getattr(mmap, "MAP_POPULATE", 0)  # Linux only; a hint elsewhere
            self._map = mmap.mmap(self._fd, size, flags=flags, prot=mmap.PROT_READ)
        return self._map

    def read(
        self,
        txn: lmdb.Transaction,
        first_key: int,
        count: int,
        fields: Mapping[str, tuple[int, np.dtype]],
    ) -> dict[str, np.ndarray] | None:
        """The ``fields`` (name -> (byte offset in the value, little-endian NumPy dtype, maybe
        structured)) of the records
        keyed ``first_key`` .. ``first_key + count - 1``, as the snapshot of ``txn`` holds
        them, one contiguous array per field; None when they cannot be read this way (the
        caller then reads through py-lmdb). Fewer rows when the database ends earlier."""
        with self._lock:
            try:
                buffer = self._mapped()
                snap = Snapshot(buffer, page_size(buffer))
                try:
                    return self._read(snap, txn, first_key, count, fields)
                finally:
                    del snap  # no view of the map may outlive a remap
            except (Unexpected, OSError, ValueError, IndexError):
                self.paths["declined"] += 1
                return None

    def _read(
        self,
        snap: Snapshot,
        txn: lmdb.Transaction,
        first_key: int,
        count: int,
        fields: Mapping[str, tuple[int, np.dtype]],
    ) -> dict[str, np.ndarray]:
        root = self._root(snap, txn.id())
        last_key = first_key + count - 1
        empty = {name: np.zeros(0, dtype=dtype) for name, (_offset, dtype) in fields.items()}
        if root == INVALID_PAGE or count <= 0:
            return empty
        level = np.array([root], dtype=np.int64)
        lo = np.zeros(1, dtype=np.uint64)  # the smallest key each page may hold
        hi = np.full(1, np.iinfo(np.uint64).max, dtype=np.uint64)  # the largest
        for _depth in range(64):
            offsets, flags, page_of = snap.nodes(level)
            kinds = flags & P_TYPE_FLAGS
            if np.all(kinds == P_LEAF):
                return self._leaves(snap, offsets, level, page_of, first_key, last_key,
                                    fields)  # fmt: skip
            if not np.all(kinds == P_BRANCH) or np.any(offsets & 7):
                raise Unexpected("a level mixes page kinds, or nodes are unaligned")
            level, lo, hi = children(snap, offsets, page_of, lo, hi, first_key, last_key)
            if not len(level):
                return empty
        raise Unexpected("the tree is deeper than any LMDB tree can be")

    def _root(self, snap: Snapshot, txnid: int) -> int:
        """The root page of the database in the snapshot of transaction ``txnid``."""
        meta = (txnid & 1) * snap.psize
        u32, u64 = snap.u32, snap.u64
        if int(u32[(meta + PAGE_HEADER) // 4]) != MAGIC:
            raise Unexpected("not an LMDB data file")
        if int(u32[(meta + PAGE_HEADER) // 4 + 1]) != DATA_VERSION:
            raise Unexpected("another LMDB data format version")
        if int(u64[(meta + META_TXNID) // 8]) != txnid:
            raise Unexpected("the meta page no longer describes this snapshot")
        main_root = int(u64[(meta + META_MAIN_ROOT) // 8])
        if int(u64[(meta + META_TXNID) // 8]) != txnid:  # rewritten while it was read
            raise Unexpected("the meta page changed while it was read")
        if main_root == INVALID_PAGE:
            return INVALID_PAGE
        node = find(snap, main_root, self.db_name)
        if node is None:
            return INVALID_PAGE
        ksize = int(snap.u16[node // 2 + 3])
        dsize = int(snap.u16[node // 2]) | int(snap.u16[node // 2 + 1]) << 16
        if not int(snap.u16[node // 2 + 2]) & F_SUBDATA or dsize != 48:
            raise Unexpected("the name is not a named database")
        start = node + NODE_HEADER + ksize  # the data follows the key, unpadded
        raw = snap.u8[start : start + 48].tobytes()
        return int.from_bytes(raw[DB_ROOT : DB_ROOT + 8], "little")

    def _leaves(
        self,
        snap: Snapshot,
        offsets: np.ndarray,
        level: np.ndarray,
        page_of: np.ndarray,
        first_key: int,
        last_key: int,
        fields: Mapping[str, tuple[int, np.dtype]],
    ) -> dict[str, np.ndarray]:
        """Keep the wanted keys of the leaf nodes, check them, gather the fields.

        Nodes of one size are laid from the end of their page downwards, so each fills a
        "slot" of a block ending at the page's end, and a page filled by appending holds its
        keys in slot order read backwards: :func:`_by_slots` copies each column out of the
        blocks with strided views. Any other layout goes through :meth:`_scattered`.
        """
        if np.any(offsets & 7):
            raise Unexpected("records are not 8-byte aligned")
        psize = snap.psize
        size = NODE_HEADER + 8 + self.value_size
        slots = (psize - PAGE_HEADER) // (size + 2)
        region = psize - slots * size
        in_page = offsets - level[page_of] * psize - region
        if not size % 8 and not np.any(in_page < 0) and not np.any(in_page % size):
            mapped = np.ndarray(
                (len(snap.u8) // psize, slots * size), dtype=np.uint8, buffer=snap.u8,
                offset=region, strides=(psize, 1),
            )  # fmt: skip
            rows = page_of * slots + in_page // size
            header = self.value_size | 8 << 48  # data size, no flags, an 8-byte key
            found = _by_slots(mapped, level, rows, slots, size, header, first_key, last_key,
                              fields)  # fmt: skip
            if found is not None:
                self.paths["slots"] += 1
                return found
        self.paths["scattered"] += 1
        return self._scattered(snap, offsets, first_key, last_key, fields)

    def _scattered(
        self,
        snap: Snapshot,
        offsets: np.ndarray,
        first_key: int,
        last_key: int,
        fields: Mapping[str, tuple[int, np.dtype]],
    ) -> dict[str, np.ndarray]:
        """The general gather: each field of each node read from the map where it lies."""
        words = offsets // 2
        u16 = snap.u16
        dsize = u16[words].astype(np.int64) | u16[words + 1].astype(np.int64) << 16
        if (
            np.any(u16[words + 2])
            or np.any(u16[words + 3] != 8)
            or np.any(dsize != self.value_size)
        ):
            raise Unexpected("a leaf holds another kind of node")
        keys = snap.keys_u64(offsets)
        keep = (keys >= first_key) & (keys <= last_key)
        offsets, keys = offsets[keep], keys[keep]
        _check_contiguous(keys, first_key)
        data = offsets + NODE_HEADER + 8
        return {
            name: _gather(snap, data + offset, dtype) for name, (offset, dtype) in fields.items()
        }


def _by_slots(
    mapped: np.ndarray,
    level: np.ndarray,
    rows: np.ndarray,
    slots: int,
    size: int,
    header: int,
    first_key: int,
    last_key: int,
    fields: Mapping[str, tuple[int, np.dtype]],
) -> dict[str, np.ndarray] | None:
    """The columns when each page's slots, read from its end, are in key order; None when
    they are not (the caller then gathers node by node).

    Pages are copied a tile at a time (about 700 KB: it stays in the processor's cache) and
    every column is copied out of the tile by a strided view before the next tile: the
    records are read from memory once, where a column-by-column pass read them once per
    column (memory bandwidth was the cost). The node headers come out as one more column
    and are checked on the rows kept.
    """
    pages = len(level)
    used = np.zeros(pages * slots, dtype=bool)
    used[rows] = True
    used = used.reshape(pages, slots)[:, ::-1].ravel()
    wanted = {"": (0, np.dtype("<u8")), " key": (NODE_HEADER, np.dtype(">u8"))} | {
        name: (NODE_HEADER + 8 + offset, dtype) for name, (offset, dtype) in fields.items()
    }
    out = {name: np.empty(pages * slots, dtype=dtype) for name, (_o, dtype) in wanted.items()}
    tile_pages = max(1, TILE_BYTES // (slots * size))
    for start in range(0, pages, tile_pages):
        tile = mapped[level[start : start + tile_pages]]
        count = len(tile)
        for name, (offset, dtype) in wanted.items():
            view = np.ndarray(
                (count, slots), dtype=dtype, buffer=tile, offset=(slots - 1) * size + offset,
                strides=(slots * size, -size),
            )  # fmt: skip
            target = out[name][start * slots : (start + count) * slots]
            np.copyto(target.reshape(count, slots), view)
    headers, keys = out.pop(""), out.pop(" key")
    picked = np.flatnonzero(used & (keys >= first_key) & (keys <= last_key))
    take: slice | np.ndarray = picked
    if len(picked) and int(picked[-1]) - int(picked[0]) + 1 == len(picked):
        take = slice(int(picked[0]), int(picked[-1]) + 1)
    expected = np.arange(first_key, first_key + len(picked), dtype=np.uint64)
    if not np.array_equal(keys[take], expected) or np.any(headers[take] != header):
        return None
    return {name: column[take] for name, column in out.items()}


def _check_contiguous(keys: np.ndarray, first_key: int) -> None:
    expected = np.arange(first_key, first_key + len(keys), dtype=np.uint64)
    if not np.array_equal(keys, expected):
        raise Unexpected("the keys are not contiguous")


def _gather(snap: Snapshot, at: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The little-endian values of ``dtype`` (integers, or a structure of them) at ``at``."""
    if dtype.fields:
        out = np.empty(len(at), dtype=dtype)
        for name, (sub, offset, *_title) in dtype.fields.items():
            out[name] = _gather(snap, at + offset, sub)
        return out
    size = dtype.itemsize
    if np.any(at % size):
        raise Unexpected("a field is not aligned")
    view = {1: snap.u8, 2: snap.u16, 4: snap.u32, 8: snap.u64}[size]
    return view[at // size].astype(dtype, copy=False)
