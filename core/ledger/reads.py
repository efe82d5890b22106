"""The ledger's reads: lookups, account history, the change feed, the head, verification.

Every read opens its own LMDB read transaction, so it sees committed state only, from any
thread; the ``*_in`` variants read inside a caller's transaction instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

import lmdb

from core.ledger.codec import (
    GENESIS_HASH,
    RECORD_SIZE,
    account_from_state,
    decode_account_state,
    decode_transfer,
    transfer_from_fields,
)
from core.ledger.model import ID_MAX, Account, LedgerInputError, Transfer
from core.ledger.verify import VerifyReport, verify_ledger

if TYPE_CHECKING:
    from core.store import Store

__all__ = [
    "EPOCH_SHIFT",
    "HEAD_KEY",
    "Change",
    "Head",
    "LedgerReads",
    "RawChanges",
    "parse_head",
]

HEAD_KEY = b"head"
#: The account history index groups sequence numbers by epochs of 2**13 commits.
EPOCH_SHIFT = 13


class Head(NamedTuple):
    """The end of the chain: last sequence number, its hash (hex) and last timestamp."""

    seq: int
    hash: str
    timestamp: int


class Change(NamedTuple):
    """One committed transfer of the change feed, with its commit sequence number."""

    seq: int
    transfer: Transfer


@dataclass(frozen=True)
class RawChanges:
    """A run of committed transfers as stored, for bulk readers (see ``raw_changes``).

    ``records`` holds ``count`` stored records of ``RECORD_SIZE`` (160) bytes each, back to
    back, with the sequence numbers ``first_seq`` .. ``first_seq + count - 1`` (the chain has
    no gaps): each record is ``prev_hash`` (32 bytes) then the transfer's canonical 128-byte
    little-endian encoding (see :mod:`core.ledger.codec`).
    """

    first_seq: int
    count: int
    records: bytes


def parse_head(raw: bytes | None) -> tuple[int, bytes, int]:
    if raw is None:
        return 0, GENESIS_HASH, 0
    return int.from_bytes(raw[:8], "big"), bytes(raw[8:40]), int.from_bytes(raw[40:48], "big")


def _bytes(raw: bytes | memoryview | None) -> bytes | None:
    return None if raw is None else bytes(raw)


def _record(txn: lmdb.Transaction, key: bytes | memoryview, db: Any) -> bytes:
    """A stored transfer record that must exist (the index or the history names it)."""
    raw = txn.get(key, db=db)
    if raw is None:
        raise LookupError(f"transfer record {key.hex()} is missing: run verify()")
    return bytes(raw)


def _check_ids(ids: Iterable[int]) -> list[int]:
    out = []
    for index, value in enumerate(ids):
        if not isinstance(value, int) or isinstance(value, bool):
            raise LedgerInputError(f"id {index} must be an integer, got {type(value).__name__}")
        out.append(value)
    return out


class LedgerReads:
    """The read side of :class:`core.ledger.Ledger` (a mixin: it holds the database handles)."""

    store: Store
    _transfers: Any
    _ids: Any
    _accounts: Any
    _history: Any
    _status: Any
    _meta: Any

    def lookup_accounts(self, ids: Iterable[int]) -> list[Account]:
        """The accounts found among ``ids``, with their committed balances, in order."""
        wanted = _check_ids(ids)
        with self.store.read() as txn:
            return self.lookup_accounts_in(txn, wanted)

    def lookup_accounts_in(self, txn: lmdb.Transaction, ids: Iterable[int]) -> list[Account]:
        """Like :meth:`lookup_accounts`, as ``txn`` sees it (inside a write: with its changes)."""
        found = []
        for account_id in _check_ids(ids):
            if 0 < account_id <= ID_MAX:
                raw = txn.get(account_id.to_bytes(16, "big"), db=self._accounts)
                if raw is not None:
                    found.append(account_from_state(decode_account_state(raw)))
        return found

    def _load_transfer(self, txn: lmdb.Transaction) -> Callable[[int], tuple[int, ...] | None]:
        def load(transfer_id: int) -> tuple[int, ...] | None:
            sk = txn.get(transfer_id.to_bytes(16, "big"), db=self._ids)
            if sk is None:
                return None
            return decode_transfer(_record(txn, sk, self._transfers)[32:])

        return load

    def _load_status(self, txn: lmdb.Transaction) -> Callable[[int], int]:
        def load(pending_id: int) -> int:
            raw = txn.get(pending_id.to_bytes(16, "big"), db=self._status)
            return 0 if raw is None else raw[0]

        return load

    def lookup_transfers(self, ids: Iterable[int]) -> list[Transfer]:
        """The committed transfers found among ``ids``, in order."""
        wanted = _check_ids(ids)
        with self.store.read() as txn:
            return self.lookup_transfers_in(txn, wanted)

    def lookup_transfers_in(self, txn: lmdb.Transaction, ids: Iterable[int]) -> list[Transfer]:
        """Like :meth:`lookup_transfers`, as ``txn`` sees it: inside a write, the transfers it
        just created are found, with the timestamp the ledger gave them."""
        load = self._load_transfer(txn)
        found = []
        for transfer_id in _check_ids(ids):
            if 0 < transfer_id <= ID_MAX:
                f = load(transfer_id)
                if f is not None:
                    found.append(transfer_from_fields(f))
        return found

    # -- history, feed, head -------------------------------------------------------------

    def account_transfers(
        self, account_id: int, *, after: int | None = None, limit: int = 100, reverse: bool = False
    ) -> list[Transfer]:
        """The transfers of an account in commit order (newest first with ``reverse``).

        ``after`` is the timestamp of the last transfer of the previous page: the page holds
        transfers strictly after it (strictly before it when ``reverse``).
        """
        _check_ids([account_id])
        if not 0 < account_id <= ID_MAX or limit <= 0:
            return []
        account = account_id.to_bytes(16, "big")
        out: list[Transfer] = []
        with self.store.read() as txn:
            head_seq = parse_head(_bytes(txn.get(HEAD_KEY, db=self._meta)))[0]
            if reverse:
                bound = (
                    head_seq + 1 if after is None else self._seq_at(txn, after - 1, head_seq) + 1
                )
                labels: Iterable[int] = range(bound >> EPOCH_SHIFT, -1, -1)
            else:
                bound = 0 if after is None else self._seq_at(txn, after, head_seq)
                labels = range(max(0, (bound >> EPOCH_SHIFT) - 1), (head_seq >> EPOCH_SHIFT) + 1)
            cursor = txn.cursor(db=self._history)
            for label in labels:
                prefix = label.to_bytes(8, "big") + account
                seqs: list[int] = []
                if cursor.set_range(prefix):
                    for key, value in cursor.iternext():
                        if key[:24] != prefix:
                            break
                        seqs.extend(
                            int.from_bytes(value[i : i + 8], "big") for i in range(0, len(value), 8)
                        )
                for seq in reversed(seqs) if reverse else seqs:
                    if (seq >= bound) if reverse else (seq <= bound):
                        continue
                    raw = _record(txn, seq.to_bytes(8, "big"), self._transfers)
                    out.append(transfer_from_fields(decode_transfer(raw[32:])))
                    if len(out) >= limit:
                        return out
        return out

    def _seq_at(self, txn: lmdb.Transaction, timestamp: int, head_seq: int) -> int:
        """The largest sequence number whose transfer's timestamp is <= ``timestamp`` (or 0)."""
        lo, hi = 0, head_seq
        while lo < hi:
            mid = (lo + hi + 1) // 2
            raw = _record(txn, mid.to_bytes(8, "big"), self._transfers)
            if int.from_bytes(raw[152:160], "little") <= timestamp:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def changes(self, after_seq: int = 0, limit: int = 10_000) -> list[Change]:
        """Committed transfers with a sequence number above ``after_seq``, in commit order."""
        out: list[Change] = []
        if limit <= 0 or after_seq < 0:
            return out
        with self.store.read() as txn:
            cursor = txn.cursor(db=self._transfers)
            if not cursor.set_range((after_seq + 1).to_bytes(8, "big")):
                return out
            for sk, record in cursor.iternext():
                out.append(
                    Change(
                        int.from_bytes(sk, "big"),
                        transfer_from_fields(decode_transfer(record[32:])),
                    )
                )
                if len(out) >= limit:
                    break
        return out

    def raw_changes(self, after_seq: int = 0, limit: int = 1_000_000) -> RawChanges:
        """Up to ``limit`` committed transfers after ``after_seq``, as raw stored bytes.

        The bulk form of :meth:`changes` for readers that decode many records at once (the
        analytics mirror decodes them with a NumPy structured dtype): no Python object per
        transfer is kept, only one ``bytes`` holding the records back to back. Raises
        ``LookupError`` if the stored sequence numbers are not contiguous (run ``verify()``).
        """
        with self.store.read() as txn:
            return self.raw_changes_in(txn, after_seq, limit)

    def raw_changes_in(
        self, txn: lmdb.Transaction, after_seq: int = 0, limit: int = 1_000_000
    ) -> RawChanges:
        """Like :meth:`raw_changes`, as ``txn`` sees it (a reader that reads other records of
        the same snapshot)."""
        if limit <= 0 or after_seq < 0:
            return RawChanges(after_seq + 1, 0, b"")
        cursor = txn.cursor(db=self._transfers)
        if not cursor.set_range((after_seq + 1).to_bytes(8, "big")):
            return RawChanges(after_seq + 1, 0, b"")
        first = int.from_bytes(cursor.key(), "big")
        values = list(islice(cursor.iternext(keys=False, values=True), limit))
        if not cursor.key():  # the iteration ran off the end: the last record is last
            cursor.last()
        last = int.from_bytes(cursor.key(), "big")
        count = len(values)
        if first != after_seq + 1 or last - first + 1 != count:
            raise LookupError(f"transfer sequence numbers are not contiguous after {after_seq}")
        records = b"".join(values)
        if len(records) != count * RECORD_SIZE:
            raise LookupError(f"a transfer record after {after_seq} is not {RECORD_SIZE} bytes")
        return RawChanges(first, count, records)

    def head(self) -> Head:
        """The committed head of the chain: sequence, hash (hex), last timestamp."""
        with self.store.read() as txn:
            return self.head_in(txn)

    def head_in(self, txn: lmdb.Transaction) -> Head:
        """Like :meth:`head`, as ``txn`` sees it (inside a write: with its changes, so right
        after ``create_transfers_in`` the new transfers are the last sequence numbers)."""
        raw = txn.get(HEAD_KEY, db=self._meta)
        seq, head_hash, ts = parse_head(None if raw is None else bytes(raw))
        return Head(seq, head_hash.hex(), ts)

    def verify(self) -> VerifyReport:
        """Replay the whole chain and recompute every balance; see :mod:`core.ledger.verify`."""
        return verify_ledger(self)
