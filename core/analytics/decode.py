"""Decoding the ledger's raw feed in bulk: a NumPy structured dtype over the stored records.

A stored transfer is 160 bytes: ``prev_hash`` (32) then TigerBeetle's 128-byte little-endian
layout (see :mod:`core.ledger.codec`). :data:`RECORD_DTYPE` reads a run of them without a
Python object per transfer; 128-bit fields come as two 64-bit halves (``*_lo``, ``*_hi``).

:class:`AccountIndex` turns 128-bit account ids into the mirror's dense account numbers with
a vectorised binary search on the low halves, checked against the high halves; rows it cannot
resolve (an account seen for the first time, or two accounts sharing a low half) go through an
exact dictionary, so the result is always exact.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa

__all__ = ["RECORD_DTYPE", "AccountIndex", "decode_records", "u128", "unique128"]

RECORD_DTYPE = np.dtype(
    [
        ("prev_hash", "V32"),
        ("id_lo", "<u8"), ("id_hi", "<u8"),
        ("debit_lo", "<u8"), ("debit_hi", "<u8"),
        ("credit_lo", "<u8"), ("credit_hi", "<u8"),
        ("amount_lo", "<u8"), ("amount_hi", "<u8"),
        ("pending_lo", "<u8"), ("pending_hi", "<u8"),
        ("ref_lo", "<u8"), ("ref_hi", "<u8"),
        ("user_data_64", "<u8"), ("user_data_32", "<u4"), ("timeout", "<u4"),
        ("ledger", "<u4"), ("code", "<u2"), ("flags", "<u2"), ("timestamp", "<u8"),
    ]
)  # fmt: skip
assert RECORD_DTYPE.itemsize == 160


def decode_records(raw: bytes) -> np.ndarray:
    """The records of ``raw`` (160 bytes each) as a structured array (no copy)."""
    return np.frombuffer(raw, dtype=RECORD_DTYPE)


def u128(lo: int, hi: int) -> int:
    """A 128-bit integer from its two 64-bit halves."""
    return int(lo) | int(hi) << 64


def unique128(
    lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct 128-bit values of ``lo``/``hi`` halves, in order of first appearance.

    Returns (lo, hi, first row, inverse), like ``np.unique(..., return_index=True,
    return_inverse=True)`` but ordered by first appearance and hash-based (Arrow's
    ``dictionary_encode`` over 16-byte values): linear time, where sorting 16-byte records
    was the slowest step of a sync.
    """
    n = len(lo)
    pairs = np.empty(n, dtype=[("lo", "<u8"), ("hi", "<u8")])
    pairs["lo"], pairs["hi"] = lo, hi
    values = pa.FixedSizeBinaryArray.from_buffers(pa.binary(16), n, [None, pa.py_buffer(pairs)])
    encoded = values.dictionary_encode()
    inverse = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    dictionary = encoded.dictionary
    found = np.frombuffer(
        dictionary.buffers()[1], dtype=pairs.dtype, count=len(dictionary),
        offset=dictionary.offset * 16,
    )  # fmt: skip
    first = np.full(len(found), n, dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(n, dtype=np.int64))
    return (np.ascontiguousarray(found["lo"]), np.ascontiguousarray(found["hi"]), first,
            inverse)  # fmt: skip


class AccountIndex:
    """128-bit ledger account ids -> dense account numbers (1, 2, 3... by first appearance)."""

    def __init__(self, known: Iterable[tuple[int, int]] = ()) -> None:
        #: exact map: account id -> number
        self.numbers: dict[int, int] = {}
        self._all = np.zeros(0, dtype=[("lo", "<u8"), ("hi", "<u8"), ("no", "<u4")])
        self._add([(number, account_id) for account_id, number in known])

    def __len__(self) -> int:
        return len(self.numbers)

    def _add(self, accounts: list[tuple[int, int]]) -> None:
        """Add ``(number, account id)`` pairs and re-sort the search arrays (vectorised)."""
        if accounts:
            extra = np.array(
                [(a & 0xFFFFFFFFFFFFFFFF, a >> 64, n) for n, a in accounts], dtype=self._all.dtype
            )
            for number, account_id in accounts:
                self.numbers[account_id] = number
            self._all = np.concatenate([self._all, extra])
        order = np.argsort(self._all["lo"], kind="stable")
        ordered = self._all[order]
        self._lo = np.ascontiguousarray(ordered["lo"])
        self._hi = np.ascontiguousarray(ordered["hi"])
        self._no = np.ascontiguousarray(ordered["no"])

    def lookup(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Numbers of the ids (``lo``/``hi`` halves) and a mask of the rows not resolved."""
        out = np.zeros(len(lo), dtype=np.uint32)
        if not len(self._lo):
            return out, np.ones(len(lo), dtype=bool)
        pos = np.searchsorted(self._lo, lo)
        pos[pos >= len(self._lo)] = 0
        hit = (self._lo[pos] == lo) & (self._hi[pos] == hi)
        out[hit] = self._no[pos[hit]]
        return out, ~hit

    def resolve(
        self, lo: np.ndarray, hi: np.ndarray
    ) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
        """Numbers of every id; unknown ids get the next numbers in order of appearance.

        Returns the numbers and the new accounts as ``(number, account id, first row)``.
        """
        out, missing = self.lookup(lo, hi)
        rows = np.flatnonzero(missing)
        created: list[tuple[int, int, int]] = []
        if len(rows):
            ulo, uhi, first, inverse = unique128(lo[rows], hi[rows])
            numbers = np.zeros(len(ulo), dtype=np.uint32)
            for u in range(len(ulo)):  # already in order of first appearance
                account_id = u128(ulo[u], uhi[u])
                number = self.numbers.get(account_id)
                if number is None:
                    number = len(self.numbers) + 1
                    self.numbers[account_id] = number
                    created.append((number, account_id, int(rows[first[u]])))
                numbers[u] = number
            out[rows] = numbers[inverse]
            if created:
                self._add([(n, a) for n, a, _row in created])
        return out, created
