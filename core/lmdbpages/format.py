"""The LMDB 0.9 on-disk format, as far as :mod:`core.lmdbpages.reader` reads it.

Pages of a memory-mapped ``data.mdb`` seen through NumPy views (:class:`Snapshot`): page
headers, node offsets, branch children and the named-database lookup in the main tree.
Layouts (LMDB's ``mdb.c``, ``MDB_DATA_VERSION`` 1):

- page header (16 bytes): page number (8), pad (2), flags (2), lower (2), upper (2), then
  ``lower - 16`` bytes of 2-byte node offsets, in key order;
- node: data size or child page (``lo``, ``hi``: 2 bytes each; on branch pages ``flags``
  holds the child page number's top 16 bits), flags (2), key size (2), key, then the data
  (unpadded);
- meta (after the header of pages 0 and 1; transaction *N* writes page *N mod 2*): magic,
  version, address, map size, the free and main databases' descriptors (48 bytes each: pad
  (the page size, for the free one), flags, depth, branch, leaf and overflow page counts,
  entries, root), last page, txnid.

Whatever does not fit raises :class:`Unexpected`: the reader then declines.
"""

from __future__ import annotations

import mmap

import numpy as np

__all__ = [
    "DATA_VERSION",
    "DB_ROOT",
    "F_SUBDATA",
    "INVALID_PAGE",
    "MAGIC",
    "META_MAIN_ROOT",
    "META_TXNID",
    "NODE_HEADER",
    "PAGE_HEADER",
    "P_BRANCH",
    "P_LEAF",
    "P_TYPE_FLAGS",
    "Snapshot",
    "Unexpected",
    "children",
    "find",
    "page_size",
]

MAGIC = 0xBEEFC0DE
DATA_VERSION = 1
PAGE_HEADER = 16
NODE_HEADER = 8
P_BRANCH, P_LEAF = 0x01, 0x02
P_TYPE_FLAGS = 0x01 | 0x02 | 0x04 | 0x08 | 0x20 | 0x40  # branch, leaf, overflow, meta, ...
F_SUBDATA = 0x02
INVALID_PAGE = 0xFFFF_FFFF_FFFF_FFFF
_META = PAGE_HEADER  # the meta structure starts after the page header
_META_PSIZE = _META + 24  # mm_dbs[FREE_DBI].md_pad
#: where, in a meta page, the main database's root page and the txnid are
META_MAIN_ROOT = _META + 24 + 48 + 40  # mm_dbs[MAIN_DBI].md_root
META_TXNID = _META + 24 + 96 + 8  # after mm_last_pg
DB_ROOT = 40  # md_root inside a 48-byte MDB_db


class Snapshot:
    """NumPy views of the mapped file for one read (dropped before the map is remapped)."""

    def __init__(self, buffer: mmap.mmap, psize: int) -> None:
        self.psize = psize
        self.u8 = np.frombuffer(buffer, dtype=np.uint8)
        usable = len(self.u8) // 8 * 8
        self.u16 = self.u8[:usable].view("<u2")
        self.u32 = self.u8[:usable].view("<u4")
        self.u64 = self.u8[:usable].view("<u8")

    def pages(self, pgnos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flags, node count and base offset of each page (int64 arrays)."""
        base = pgnos.astype(np.int64) * self.psize
        if len(base) and int(base.max()) + self.psize > len(self.u8):
            raise Unexpected("a page lies beyond the end of the file")
        flags = self.u16[(base + 10) // 2].astype(np.int64)
        lower = self.u16[(base + 12) // 2].astype(np.int64)
        return flags, (lower - PAGE_HEADER) // 2, base

    def nodes(self, pgnos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every node of the pages, in page then key order: (offsets, page flags, page index)."""
        flags, count, base = self.pages(pgnos)
        if len(count) == 0 or int(count.min()) < 0:
            raise Unexpected("a page without a node count")
        width = int(count.max())
        slots = np.arange(width, dtype=np.int64)
        mask = slots[None, :] < count[:, None]
        where = (base[:, None] + PAGE_HEADER + 2 * slots[None, :]) // 2
        ptrs = self.u16[where[mask]].astype(np.int64)
        page_of = np.repeat(np.arange(len(base)), count)
        return base[page_of] + ptrs, flags, page_of

    def keys_u64(self, offsets: np.ndarray) -> np.ndarray:
        """The 8-byte big-endian keys of nodes at ``offsets`` (8-byte aligned) as integers."""
        return self.u64[(offsets + NODE_HEADER) // 8].byteswap()


class Unexpected(Exception):
    """The file is not laid out as this reader expects: read through py-lmdb instead."""


def children(
    snap: Snapshot,
    offsets: np.ndarray,
    page_of: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    first_key: int,
    last_key: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The child pages of a branch level whose key range meets [first_key, last_key]."""
    u16 = snap.u16
    words = offsets // 2
    child = (
        u16[words].astype(np.int64)
        | u16[words + 1].astype(np.int64) << 16
        | u16[words + 2].astype(np.int64) << 32
    )
    ksize = u16[words + 3]
    first_of_page = np.ones(len(offsets), dtype=bool)
    first_of_page[1:] = page_of[1:] != page_of[:-1]
    if np.any(ksize[~first_of_page] != 8):
        raise Unexpected("a branch key is not 8 bytes")
    start = np.where(first_of_page, lo[page_of], 0).astype(np.uint64)
    inner = ~first_of_page
    start[inner] = snap.keys_u64(offsets[inner])
    end = np.empty(len(offsets), dtype=np.uint64)  # the largest key a child may hold
    end[:-1] = start[1:] - np.uint64(1)
    last_of_page = np.ones(len(offsets), dtype=bool)
    last_of_page[:-1] = page_of[1:] != page_of[:-1]
    end[last_of_page] = hi[page_of[last_of_page]]
    keep = (end >= np.uint64(first_key)) & (start <= np.uint64(last_key))
    return child[keep], start[keep], end[keep]


def page_size(buffer: mmap.mmap) -> int:
    """The page size recorded in the first meta page."""
    if len(buffer) < 2 * 4096:
        raise Unexpected("the file is too small")
    psize = int.from_bytes(buffer[_META_PSIZE : _META_PSIZE + 4], "little")
    if psize < 512 or psize & (psize - 1):
        raise Unexpected("a strange page size")
    return psize


def find(snap: Snapshot, root: int, key: bytes) -> int | None:
    """The offset of the leaf node holding ``key`` in the tree at ``root`` (memcmp order)."""
    page = root
    for _depth in range(64):
        offsets, flags, _page_of = snap.nodes(np.array([page], dtype=np.int64))
        kind = int(flags[0]) & P_TYPE_FLAGS
        keys = [_key(snap, int(o)) for o in offsets]
        if kind == P_LEAF:
            for offset, found in zip(offsets, keys, strict=True):
                if found == key:
                    return int(offset)
            return None
        if kind != P_BRANCH:
            raise Unexpected("the main tree holds another kind of page")
        chosen = 0  # the last child whose first key is <= key (the first key is implicit)
        for index in range(1, len(keys)):
            if keys[index] <= key:
                chosen = index
            else:
                break
        node = int(offsets[chosen]) // 2
        page = int(snap.u16[node]) | int(snap.u16[node + 1]) << 16 | int(snap.u16[node + 2]) << 32
    raise Unexpected("the main tree is deeper than any LMDB tree can be")


def _key(snap: Snapshot, offset: int) -> bytes:
    ksize = int(snap.u16[offset // 2 + 3])
    start = offset + NODE_HEADER
    return snap.u8[start : start + ksize].tobytes()
