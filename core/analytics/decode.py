"""Decoding the ledger's raw feed in bulk: NumPy columns over the stored records.

A stored transfer is 160 bytes: ``prev_hash`` (32) then TigerBeetle's 128-byte little-endian
layout (see :mod:`core.ledger.codec`). :data:`RECORD_DTYPE` reads a run of them without a
Python object per transfer; a 128-bit field is one :data:`PAIR` column (``lo``, ``hi``:
two 64-bit halves, little-endian), which is also the memory layout of DuckDB's ``UHUGEINT``
in Arrow (:func:`uhugeint`), so ids reach the mirror without arithmetic.

:class:`AccountIndex` turns 128-bit account ids into the mirror's dense account numbers with
a hash lookup (Arrow's ``index_in``); ids it does not know get the next numbers, in order of
first appearance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.ledger.layout import PAIR  # a 128-bit value as two little-endian 64-bit halves

__all__ = [
    "FIELDS",
    "PAIR",
    "RECORD_DTYPE",
    "AccountIndex",
    "NewAccounts",
    "columns_of",
    "decode_records",
    "u128",
    "uhugeint",
    "unique128",
]


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
#: record, NumPy dtype), the shape :class:`core.lmdbpages.reader.PageReader` reads.
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


@dataclass
class NewAccounts:
    """Accounts a chunk names for the first time: their numbers, ids (:data:`PAIR`) and the
    row (of the interleaved debit/credit ids) where each first appears."""

    numbers: np.ndarray
    ids: np.ndarray
    rows: np.ndarray


class AccountIndex:
    """128-bit ledger account ids -> dense account numbers (1, 2, 3... by first appearance).

    Lookups are hash-based: the known ids form an Arrow array of 16-byte values and
    ``pyarrow.compute.index_in`` finds a chunk's ids in it (a binary search was the slowest
    step of a sync once records were read in bulk). New ids get the next numbers in order of
    first appearance, without a Python object per account.
    """

    def __init__(self, known: Iterable[tuple[int, int]] = ()) -> None:
        rows = [(a & 0xFFFFFFFFFFFFFFFF, a >> 64, n) for a, n in known]
        self._pairs = np.array([(lo, hi) for lo, hi, _n in rows], dtype=PAIR)
        self._no = np.array([n for _lo, _hi, n in rows], dtype=np.uint32)
        self._next = int(self._no.max()) + 1 if len(self._no) else 1
        self._set: pa.Array | None = _binary16(self._pairs) if len(self._pairs) else None

    def __len__(self) -> int:
        return len(self._no)

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

    def resolve(self, ids: np.ndarray) -> tuple[np.ndarray, NewAccounts | None]:
        """Numbers of every id (:data:`PAIR`); unknown ids get the next numbers in order of
        appearance. Returns the numbers and the accounts seen for the first time."""
        out, missing = self.lookup(ids)
        rows = np.flatnonzero(missing)
        if not len(rows):
            return out, None
        values, first, inverse = unique128(ids[rows])
        numbers = np.arange(self._next, self._next + len(values), dtype=np.uint32)
        self._next += len(values)
        out[rows] = numbers[inverse]
        self._pairs = np.concatenate([self._pairs, values])
        self._no = np.concatenate([self._no, numbers])
        self._set = _binary16(self._pairs)
        return out, NewAccounts(numbers, values, rows[first])


def _binary16(pairs: np.ndarray) -> pa.Array:
    """128-bit values (contiguous :data:`PAIR` records) as 16-byte Arrow values (no copy)."""
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(16), len(pairs), [None, pa.py_buffer(pairs)]
    )
