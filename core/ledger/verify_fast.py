"""The fast pass of verification: the exact checks of :mod:`core.ledger.verify`, in bulk.

The same chain is checked, the same way, with the work per transfer moved out of Python:

- records are read a run at a time (``RUN`` transfers) straight from the LMDB pages
  (:class:`core.lmdbpages.reader.PageReader`, which checks that the keys are exactly the
  next sequence numbers and every value 160 bytes; py-lmdb when it declines);
- each record is hashed with ``hashlib`` (one sha256 per record, C-level calls over the run)
  and the run's ``prev_hash`` column is compared with the hashes at once;
- the id index is read whole from its pages (:class:`core.lmdbpages.scan.TreeScanner`)
  and must map every transfer's id to its sequence number, one to one;
- timestamps, accounts, ledgers and amounts are checked on columns, and the balance effects
  of plain transfers (neither pending, nor post, nor void: balancing and linked transfers
  move posted amounts like any other) are summed per account with NumPy; limits
  (``DEBITS_MUST_NOT_EXCEED_CREDITS`` / ``CREDITS_MUST_NOT_EXCEED_DEBITS``) are checked in
  commit order with cumulative sums per account;
- pending transfers, posts and voids, transfers that the bulk checks do not clear (huge
  amounts, unknown accounts...), and the transfer at which a pending transfer expires are
  replayed by the exact Python replay (:meth:`core.ledger.verify._Replay._replay`) on the same
  state, in commit order.

The fast pass never reports anything itself: at the first thing it cannot clear (a broken link,
a gap, an index entry, a timestamp, a balance effect or limit the exact replay objects to) it
answers None, and :func:`core.ledger.verify.verify_ledger` replays the whole chain again with
the exact pass, which names the first bad transfer as it always did. On a sound ledger both
passes end on the same balances, so the report is the same either way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

import lmdb
import numpy as np

from core.ledger.bits import CMNED, DMNEC, PENDING, POST, VOID
from core.ledger.codec import GENESIS_HASH, RECORD_SIZE, TRANSFER_STRUCT
from core.ledger.layout import PAIR, RECORD
from core.lmdbpages.reader import PageReader
from core.lmdbpages.scan import TreeScanner

if TYPE_CHECKING:
    from core.ledger.verify import _Replay

__all__ = ["RUN", "fast_chain"]

#: Transfers read, hashed and replayed at once.
RUN = 65_536
#: Transfer flags that the exact replay handles (pending, post, void).
EXACT_FLAGS = PENDING | POST | VOID
#: Amounts below this are summed in bulk: a run's sum stays exact in a float64 (< 2**53).
BULK_AMOUNT = 1 << 32
#: Headrooms are clipped to +-LIMIT_CLIP: a run moves far less, so their signs stay exact.
LIMIT_CLIP = 1 << 62
#: A stretch of plain transfers shorter than this is replayed exactly (cheaper).
MIN_STRETCH = 16
#: Bulk sums are added to the replay's balances at least every so many transfers (and before
#: any exact replay): int64 sums cannot overflow (each transfer moves less than 2**32).
FLUSH_EVERY = 1 << 24

_WHOLE = {"record": (0, np.dtype(f"V{RECORD_SIZE}"))}
_sha256 = hashlib.sha256
_digest = type(_sha256()).digest


class _Declined(Exception):
    """Something the fast pass does not clear: the exact pass decides."""


def fast_chain(replay: _Replay, min_stretch: int | None = None) -> tuple[int, bytes, int] | None:
    """Check and replay the whole chain into ``replay``'s state, as ``replay._chain`` does.

    Returns (last sequence, its hash, last timestamp), or None when anything is unexpected;
    then ``replay``'s balances and pending state are half-replayed and must be reset.
    ``min_stretch`` overrides :data:`MIN_STRETCH` (tests use 1 to sum every plain transfer in
    bulk).
    """
    ledger = replay.ledger
    data_file = ledger.store.path / "data.mdb"
    reader = PageReader(data_file, "ledger:transfers", value_size=RECORD_SIZE, populate=True)
    scanner = TreeScanner(data_file, "ledger:transfer_ids", key_size=16, value_size=8)
    try:
        chain = _FastChain(replay, reader, scanner)
        if min_stretch is not None:
            chain.min_stretch = max(1, min_stretch)
        return chain.run()
    except _Declined:
        return None
    finally:
        reader.close()
        scanner.close()


class _Accounts:
    """The replay's accounts as arrays, and a lookup of 128-bit ids to their positions."""

    def __init__(self, balances: dict[int, list[int]]) -> None:
        ids = list(balances)
        n = len(ids)
        mask = (1 << 64) - 1
        self.lists = list(balances.values())
        lo = np.fromiter((i & mask for i in ids), dtype=np.uint64, count=n)
        hi = np.fromiter((i >> 64 for i in ids), dtype=np.uint64, count=n)
        self.ledger = np.fromiter((b[4] for b in self.lists), dtype=np.int64, count=n)
        flags = np.fromiter((b[5] for b in self.lists), dtype=np.int64, count=n)
        self.dmnec = (flags & DMNEC) != 0
        self.cmned = (flags & CMNED) != 0
        self.count = n
        self.table: np.ndarray | None = None
        if n and not hi.any() and int(lo.max()) < max(4 * n, 1 << 20):
            self.table = np.full(int(lo.max()) + 1, -1, dtype=np.int64)
            self.table[lo.astype(np.int64)] = np.arange(n)
            return
        order = np.argsort(lo, kind="stable")
        self.sorted_lo = lo[order]
        self.sorted_hi = hi[order]
        self.order = order
        if n > 1 and not np.all(self.sorted_lo[1:] > self.sorted_lo[:-1]):
            raise _Declined("two account ids share their low 64 bits")

    def find(self, pairs: np.ndarray) -> np.ndarray:
        """Positions of the accounts of ``pairs`` (128-bit ids), -1 where none exists."""
        lo, hi = pairs["lo"], pairs["hi"]
        if self.table is not None:
            inside = (hi == 0) & (lo < len(self.table))
            out = np.full(len(lo), -1, dtype=np.int64)
            out[inside] = self.table[lo[inside].astype(np.int64)]
            return out
        if not self.count:
            return np.full(len(lo), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.sorted_lo, lo), self.count - 1)
        found = (self.sorted_lo[at] == lo) & (self.sorted_hi[at] == hi)
        return np.where(found, self.order[at], -1)


class _FastChain:
    def __init__(self, replay: _Replay, reader: PageReader, scanner: TreeScanner) -> None:
        self.replay = replay
        self.reader = reader
        self.scanner = scanner
        self.txn: lmdb.Transaction = replay.txn  # type: ignore[assignment]
        self.accounts = _Accounts(replay.balances)
        self.prev = GENESIS_HASH
        self.last_ts = 0
        self.min_stretch = MIN_STRETCH
        #: debits posted (row 0) and credits posted (row 1) moved in bulk, not yet flushed
        self.moved = np.zeros((2, self.accounts.count), dtype=np.int64)
        self.unflushed = 0

    def run(self) -> tuple[int, bytes, int]:
        ledger, txn = self.replay.ledger, self.txn
        total = txn.stat(ledger._transfers)["entries"]
        self._index(total)
        seq = 1
        while True:
            record = self._read(seq, RUN)
            count = len(record)
            if count:
                self._check_run(record, seq)
                seq += count
                self.replay.report.transfers = seq - 1
            if count < RUN:
                break
        if seq - 1 != total:
            raise _Declined("the chain does not hold every stored transfer")
        self._flush()
        return seq - 1, self.prev, self.last_ts

    # -- reading -------------------------------------------------------------------------

    def _read(self, first: int, count: int) -> np.ndarray:
        """Records ``first`` .. (at most) ``first + count - 1`` as a V160 array."""
        found = self.reader.read(self.txn, first, count, _WHOLE)
        if found is not None:
            return found["record"]
        cursor = self.txn.cursor(db=self.replay.ledger._transfers)
        keys: list[bytes] = []
        values: list[bytes] = []
        if cursor.set_range(first.to_bytes(8, "big")):
            for key, value in cursor.iternext():
                keys.append(bytes(key))
                values.append(bytes(value))
                if len(keys) == count:
                    break
        expected = [(first + k).to_bytes(8, "big") for k in range(len(keys))]
        if keys != expected or any(len(v) != RECORD_SIZE for v in values):
            raise _Declined("a gap in the sequence numbers or a record of another size")
        return np.frombuffer(b"".join(values), dtype=_WHOLE["record"][1])

    def _index(self, total: int) -> None:
        """Read the id index whole: ``self.ids`` is each sequence number's id (lo, hi)."""
        ledger, txn = self.replay.ledger, self.txn
        scanned = self.scanner.scan(txn)
        if scanned is None:
            cursor = txn.cursor(db=ledger._ids)
            raw_keys = b"".join(cursor.iternext(keys=True, values=False))
            raw_values = b"".join(txn.cursor(db=ledger._ids).iternext(keys=False, values=True))
            entries = txn.stat(ledger._ids)["entries"]
            if len(raw_keys) != 16 * entries or len(raw_values) != 8 * entries:
                raise _Declined("an id index entry of another size")
            keys = np.frombuffer(raw_keys, dtype=np.uint8).reshape(-1, 16)
            values = np.frombuffer(raw_values, dtype=np.uint8).reshape(-1, 8)
        else:
            keys, values = scanned
        if len(keys) != total:
            raise _Declined("the id index does not hold one entry per transfer")
        seqs = values.view(">u8").ravel().astype(np.int64)
        if total and (seqs.min() < 1 or seqs.max() > total):
            raise _Declined("an id index entry points outside the chain")
        halves = keys.view(">u8")  # (hi, lo) of each big-endian id
        ids = np.zeros(total + 1, dtype=PAIR)
        ids["hi"][seqs] = halves[:, 0]
        ids["lo"][seqs] = halves[:, 1]
        seen = np.zeros(total + 1, dtype=bool)
        seen[seqs] = True
        if int(seen.sum()) != total:
            raise _Declined("two id index entries point at one transfer")
        self.ids = ids

    # -- one run ---------------------------------------------------------------------------

    def _check_run(self, record: np.ndarray, seq0: int) -> None:
        count = len(record)
        raw = record.view(np.uint8).reshape(count, RECORD_SIZE)
        records = record.tolist()
        hashes = list(map(_digest, map(_sha256, records)))
        links = np.frombuffer(b"".join(hashes), dtype=np.uint8).reshape(count, 32)
        if raw[0, :32].tobytes() != self.prev or not np.array_equal(raw[1:, :32], links[:-1]):
            raise _Declined("a broken link")
        self.prev = hashes[-1]
        rows = record.view(RECORD)
        expected = self.ids[seq0 : seq0 + count]
        ids = rows["id"]
        if not (
            np.array_equal(ids["lo"], expected["lo"]) and np.array_equal(ids["hi"], expected["hi"])
        ):
            raise _Declined("the id index does not point back at a transfer")
        ts = rows["timestamp"]
        if int(ts[0]) <= self.last_ts or not np.all(ts[1:] > ts[:-1]):
            raise _Declined("a timestamp does not increase")
        self._replay_run(rows, raw, seq0)

    def _replay_run(self, rows: np.ndarray, raw: np.ndarray, seq0: int) -> None:
        """Replay a run: plain stretches in bulk, the rest exactly, in commit order."""
        accounts = self.accounts
        debit = accounts.find(rows["debit"])
        credit = accounts.find(rows["credit"])
        amount = rows["amount"]
        ledger = rows["ledger"].astype(np.int64)
        bulk = (
            ((rows["flags"] & EXACT_FLAGS) == 0)
            & (debit >= 0)
            & (credit >= 0)
            & (debit != credit)
            & (amount["hi"] == 0)
            & (amount["lo"] != 0)
            & (amount["lo"] < BULK_AMOUNT)
        )
        if accounts.count:
            bulk &= (accounts.ledger[debit] == ledger) & (accounts.ledger[credit] == ledger)
        amounts = amount["lo"].astype(np.int64)
        ts = rows["timestamp"]
        edges = np.flatnonzero(bulk[1:] != bulk[:-1]) + 1
        bounds = [0, *edges.tolist(), len(rows)]
        for start, end in pairwise(bounds):
            if not bulk[start] or end - start < self.min_stretch:
                self._exact(raw, start, end, seq0)
                continue
            while start < end:
                stop = self._before_expiry(ts, start, end)
                if stop == start:  # a pending transfer expires at this one
                    self._exact(raw, start, start + 1, seq0)
                    start += 1
                    continue
                self._bulk(debit[start:stop], credit[start:stop], amounts[start:stop])
                self.last_ts = int(ts[stop - 1])
                start = stop

    def _before_expiry(self, ts: np.ndarray, start: int, end: int) -> int:
        """The end of the stretch before the next expiry (``end`` if none falls in it)."""
        heap = self.replay.expiring
        if not heap or heap[0][0] > int(ts[end - 1]):
            return end
        return start + int(np.searchsorted(ts[start:end], np.uint64(heap[0][0]), side="left"))

    def _exact(self, raw: np.ndarray, start: int, end: int, seq0: int) -> None:
        replay = self.replay
        if self.unflushed:
            self._flush()
        body = raw[start:end, 32:].tobytes()
        self.last_ts = replay._replay(TRANSFER_STRUCT.iter_unpack(body), seq0 + start, self.last_ts)
        replay.exact_replayed += end - start
        if replay.report.first_bad is not None:
            raise _Declined("the exact replay found a bad transfer")

    def _bulk(self, debit: np.ndarray, credit: np.ndarray, amounts: np.ndarray) -> None:
        """Apply a stretch of plain transfers: limits in commit order, then the sums (kept in
        ``self.moved`` until the exact replay or the end needs the balances)."""
        accounts = self.accounts
        lists = accounts.lists
        moved = self.moved
        # debits must not exceed credits: headroom = cpo - dp - dpo, lowered by debits
        if accounts.dmnec[debit].any():
            _limits(debit, credit, amounts, accounts.dmnec, lists, moved, _debit_headroom)
        # credits must not exceed debits: headroom = dpo - cp - cpo, lowered by credits
        if accounts.cmned[credit].any():
            _limits(credit, debit, amounts, accounts.cmned, lists, moved, _credit_headroom)
        weights = amounts.astype(np.float64)  # exact: a stretch sums to less than 2**53
        for positions, row in ((debit, moved[0]), (credit, moved[1])):
            if accounts.count <= 4 * len(positions):
                row += np.bincount(positions, weights=weights, minlength=accounts.count).astype(
                    np.int64
                )
            else:
                touched, inverse = np.unique(positions, return_inverse=True)
                row[touched] += np.bincount(inverse, weights=weights).astype(np.int64)
        self.unflushed += len(amounts)
        if self.unflushed >= FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        """Add the amounts moved in bulk to the replay's balances (debits and credits posted)."""
        lists = self.accounts.lists
        for row, slot in ((self.moved[0], 1), (self.moved[1], 3)):
            touched = np.flatnonzero(row)
            for k, v in zip(touched.tolist(), row[touched].tolist(), strict=True):
                lists[k][slot] += v
        self.moved[:] = 0
        self.unflushed = 0


def _limits(
    checked: np.ndarray,
    other: np.ndarray,
    amounts: np.ndarray,
    limited: np.ndarray,
    lists: list[list[int]],
    moved: np.ndarray,
    headroom: Callable[[list[int], int, int], int],
) -> None:
    """Declines when a limited account's headroom goes below zero where the exact replay
    checks it (after each transfer that lowers it), replaying events in commit order.

    ``checked`` lowers the headroom of its accounts, ``other`` raises it; ``headroom`` gives an
    account's headroom from its balances in the replay and what bulk stretches not yet
    flushed moved (debits and credits posted, see ``_FastChain.moved``).
    """
    down = np.flatnonzero(limited[checked])
    up = np.flatnonzero(limited[other])
    account = np.concatenate([checked[down], other[up]])
    position = np.concatenate([down, up])
    delta = np.concatenate([-amounts[down], amounts[up]])
    is_check = np.concatenate([np.ones(len(down), bool), np.zeros(len(up), bool)])
    order = np.lexsort((position, account))
    account, delta, is_check = account[order], delta[order], is_check[order]
    starts = np.flatnonzero(np.r_[True, account[1:] != account[:-1]])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(account)]))
    running = np.cumsum(delta)
    before = running[starts] - delta[starts]  # the running sum before each account's events
    owners = account[starts]
    first = [
        headroom(lists[k], d, c)
        for k, d, c in zip(
            owners.tolist(), moved[0][owners].tolist(), moved[1][owners].tolist(), strict=True
        )
    ]
    clipped = np.array([min(max(h, -LIMIT_CLIP), LIMIT_CLIP) for h in first], dtype=np.int64)
    value = clipped[group] + running - before[group]
    if np.any(value[is_check] < 0):
        raise _Declined("a limit is broken")


def _debit_headroom(b: list[int], debited: int, credited: int) -> int:
    """How much more an account may be debited under ``DEBITS_MUST_NOT_EXCEED_CREDITS``."""
    return b[3] + credited - b[0] - b[1] - debited


def _credit_headroom(b: list[int], debited: int, credited: int) -> int:
    """How much more an account may be credited under ``CREDITS_MUST_NOT_EXCEED_DEBITS``."""
    return b[1] + debited - b[2] - b[3] - credited
