"""Decoding the ledger's raw feed in bulk: NumPy columns over the stored records.

A stored transfer is 160 bytes: ``prev_hash`` (32) then TigerBeetle's 128-byte little-endian
layout (see :mod:`core.ledger.codec`). :data:`RECORD_DTYPE` reads a run of them without a
Python object per transfer; a 128-bit field is one :data:`PAIR` column (``lo``, ``hi``:
two 64-bit halves, little-endian), which is also the memory layout of DuckDB's ``UHUGEINT``
in Arrow (:func:`uhugeint`), so ids reach the mirror without arithmetic.

:class:`AccountIndex` turns 128-bit account ids into the mirror's dense account numbers with
a hash lookup (Arrow's ``index_in``); ids it does not know get the next numbers, in order of
first appearance, through an exact dictionary.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "FIELDS",
    "PAIR",
    "RECORD_DTYPE",
    "AccountIndex",
    "columns_of",
    "decode_records",
    "u128",
    "uhugeint",
    "unique128",
]

#: A 128-bit value as two little-endian 64-bit halves (TigerBeetle's and DuckDB's layout).
PAIR = np.dtype([("lo", "<u8"), ("hi", "<u8")])

RECORD_DTYPE = np.dtype(
    [
        ("prev_hash", "V32"),
        ("id", PAIR), ("debit", PAIR), ("credit", PAIR),
        ("amount_lo", "<u8"), ("amount_hi", "<u8"),
        ("pending", PAIR), ("ref", PAIR),
        ("user_data_64", "<u8"), ("user_data_32", "<u4"), ("timeout", "<u4"),
        ("ledger", "<u4"), ("code", "<u2"), ("flags", "<u2"), ("timestamp", "<u8"),
    ]
)  # fmt: skip
assert RECORD_DTYPE.itemsize == 160

#: The fields the mirror keeps (all but ``prev_hash``): name -> (byte offset in the stored
#: record, NumPy dtype), the shape :class:`core.analytics.lmdb_pages.PageReader` reads.
FIELDS: dict[str, tuple[int, np.dtype]] = {
    name: (offset, dtype)
    for name, (dtype, offset, *_title) in (RECORD_DTYPE.fields or {}).items()
    if name != "prev_hash"
}

_UHUGEINT = pa.opaque(pa.binary(16), "uhugeint", "DuckDB")


def decode_records(raw: bytes) -> np.ndarray:
    """The records of ``raw`` (160 bytes each) as a structured array (no copy)."""
    return np.frombuffer(raw, dtype=RECORD_DTYPE)


def columns_of(raw: bytes) -> dict[str, np.ndarray]:
    """The :data:`FIELDS` of the records of ``raw`` as contiguous columns."""
    rec = decode_records(raw)
    return {name: np.ascontiguousarray(rec[name]) for name in FIELDS}


def uhugeint(pairs: np.ndarray) -> pa.ExtensionArray:
    """128-bit values (a contiguous :data:`PAIR` array) as the Arrow extension type DuckDB
    reads as ``UHUGEINT`` (``arrow.opaque`` of 16 bytes named ``uhugeint`` by ``DuckDB``: what
    DuckDB itself writes with ``arrow_lossless_conversion``); no copy."""
    return pa.ExtensionArray.from_storage(_UHUGEINT, _binary16(np.ascontiguousarray(pairs)))


def u128(lo: int, hi: int) -> int:
    """A 128-bit integer from its two 64-bit halves."""
    return int(lo) | int(hi) << 64


def unique128(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct 128-bit values of ``pairs`` (:data:`PAIR`), in order of first appearance.

    Returns (values, first row, inverse), like ``np.unique(..., return_index=True,
    return_inverse=True)`` but ordered by first appearance and hash-based (Arrow's
    ``dictionary_encode`` over 16-byte values): linear time, where sorting 16-byte records
    was the slowest step of a sync.
    """
    n = len(pairs)
    encoded = _binary16(np.ascontiguousarray(pairs)).dictionary_encode()
    inverse = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    dictionary = encoded.dictionary
    found = np.frombuffer(
        dictionary.buffers()[1], dtype=PAIR, count=len(dictionary),
        offset=dictionary.offset * 16,
    ).copy()  # fmt: skip
    # dictionary_encode numbers values in order of first appearance: a row is a value's
    # first when its index exceeds every index before it
    seen = np.maximum.accumulate(inverse)
    new = np.ones(n, dtype=bool)
    new[1:] = seen[1:] > seen[:-1]
    first = np.flatnonzero(new)
    return found, first, inverse


class AccountIndex:
    """128-bit ledger account ids -> dense account numbers (1, 2, 3... by first appearance).

    Lookups are hash-based: the known ids form an Arrow array of 16-byte values and
    ``pyarrow.compute.index_in`` finds a chunk's ids in it (a binary search was the slowest
    step of a sync once records were read in bulk).
    """

    def __init__(self, known: Iterable[tuple[int, int]] = ()) -> None:
        #: exact map: account id -> number
        self.numbers: dict[int, int] = {}
        self._pairs = np.zeros(0, dtype=PAIR)
        self._no = np.zeros(0, dtype=np.uint32)
        self._set: pa.Array | None = None
        self._add([(number, account_id) for account_id, number in known])

    def __len__(self) -> int:
        return len(self.numbers)

    def _add(self, accounts: list[tuple[int, int]]) -> None:
        """Add ``(number, account id)`` pairs."""
        if not accounts:
            return
        extra = np.array([(a & 0xFFFFFFFFFFFFFFFF, a >> 64) for _n, a in accounts], dtype=PAIR)
        for number, account_id in accounts:
            self.numbers[account_id] = number
        self._pairs = np.concatenate([self._pairs, extra])
        self._no = np.concatenate([self._no, np.array([n for n, _a in accounts], np.uint32)])
        self._set = _binary16(self._pairs)

    def lookup(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Numbers of the ids (:data:`PAIR`) and a mask of the rows not resolved."""
        if self._set is None:
            return np.zeros(len(ids), dtype=np.uint32), np.ones(len(ids), dtype=bool)
        found = pc.index_in(_binary16(np.ascontiguousarray(ids)), value_set=self._set)
        index = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        missing = index < 0
        out = self._no[np.where(missing, 0, index)]
        out[missing] = 0
        return out, missing

    def resolve(self, ids: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
        """Numbers of every id (:data:`PAIR`); unknown ids get the next numbers in order of
        appearance. Returns the numbers and the new accounts as ``(number, account id, first
        row)``."""
        out, missing = self.lookup(ids)
        rows = np.flatnonzero(missing)
        created: list[tuple[int, int, int]] = []
        if len(rows):
            values, first, inverse = unique128(ids[rows])
            numbers = np.zeros(len(values), dtype=np.uint32)
            for u, (lo, hi) in enumerate(values.tolist()):  # in order of first appearance
                account_id = lo | hi << 64
                number = self.numbers.get(account_id)
                if number is None:
                    number = len(self.numbers) + 1
                    self.numbers[account_id] = number
                    created.append((number, account_id, int(rows[first[u]])))
                numbers[u] = number
            out[rows] = numbers[inverse]
            if created:
                self._add([(n, a) for n, a, _ in created])
        return out, created


def _binary16(pairs: np.ndarray) -> pa.Array:
    """128-bit values (contiguous :data:`PAIR` records) as 16-byte Arrow values (no copy)."""
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(16), len(pairs), [None, pa.py_buffer(pairs)]
    )
