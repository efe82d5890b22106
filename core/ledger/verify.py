"""Verification: replay the whole chain and recompute every account's balances.

What is checked, in one read transaction:

- order: sequence numbers are 1, 2, 3... with no gap, timestamps strictly increase;
- bytes: each record is 160 bytes and its hash is the ``prev_hash`` stored by the next one
  (the last one's hash is the head); the id index points back at each transfer;
- effects: replaying every transfer from zero balances (pending reservations, posts, voids,
  expiries) moves only existing accounts of the transfer's ledger, never posts or voids a
  pending transfer twice or for more than it reserved, never breaks an account's limit, and
  ends on exactly the balances stored for every account;
- per ledger, the sum of debits equals the sum of credits (posted and pending).

The first bad transfer is named by its sequence number and id. A tampered record is told apart
from a tampered link: changing a record's body breaks only the link after it, changing its
``prev_hash`` breaks the links on both sides.
"""

from __future__ import annotations

import gc
import heapq
import time
from dataclasses import dataclass, field
from hashlib import sha256
from itertools import islice
from typing import TYPE_CHECKING

from core.ledger.bits import CMNED, DMNEC, EXPIRED, NS_PER_S, PENDING, POST, POSTED, VOID, VOIDED
from core.ledger.codec import (
    GENESIS_HASH,
    RECORD_SIZE,
    TRANSFER_STRUCT,
    decode_account_state,
)

if TYPE_CHECKING:
    from core.ledger.reads import LedgerReads as Ledger

__all__ = ["BadTransfer", "VerifyReport", "verify_ledger"]

CHUNK = 8192


@dataclass(frozen=True)
class BadTransfer:
    """The first transfer whose bytes, order or balance effect do not match."""

    seq: int
    id: int | None
    reason: str

    def __str__(self) -> str:
        return f"transfer seq {self.seq} (id {self.id}): {self.reason}"


@dataclass
class VerifyReport:
    """What :func:`verify_ledger` found. ``ok`` is true when nothing is wrong."""

    ok: bool = True
    transfers: int = 0
    accounts: int = 0
    ledgers: dict[int, tuple[int, int]] = field(default_factory=dict)
    head_seq: int = 0
    head_hash: str = GENESIS_HASH.hex()
    first_bad: BadTransfer | None = None
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: "fast" (bulk checks, see core.ledger.verify_fast) or "exact" (the per-transfer replay)
    path: str = "exact"
    #: transfers the fast pass handed to the exact replay (pending, posts, voids...)
    exact_replayed: int = 0

    def fail(self, message: str) -> None:
        """Record a problem that is not one transfer's (an account, the head, an index)."""
        self.ok = False
        self.errors.append(message)

    def bad(self, seq: int, transfer_id: int | None, reason: str) -> None:
        """Record the first bad transfer (later ones are consequences)."""
        self.ok = False
        if self.first_bad is None:
            self.first_bad = BadTransfer(seq, transfer_id, reason)

    def summary(self) -> str:
        """One line for a terminal."""
        state = "ok" if self.ok else "FAILED"
        text = (
            f"ledger {state}: {self.transfers} transfers, {self.accounts} accounts, "
            f"{len(self.ledgers)} ledgers, head {self.head_seq}:{self.head_hash[:16]}"
        )
        if self.first_bad is not None:
            text += f"; first bad {self.first_bad}"
        elif self.errors:
            text += f"; {self.errors[0]}"
        return text


def verify_ledger(
    ledger: Ledger, *, fast: bool = True, min_stretch: int | None = None
) -> VerifyReport:
    """Replay the chain of ``ledger`` and compare it with the stored accounts and head.

    ``fast`` first tries the bulk pass (:mod:`core.ledger.verify_fast`), which hands over to
    the exact per-transfer pass at the first thing it cannot clear; ``fast=False`` runs the
    exact pass only. Both give the same report. ``min_stretch`` (for tests) is the shortest
    run of plain transfers the bulk pass sums with NumPy (``verify_fast.MIN_STRETCH``).
    """
    started = time.perf_counter()
    report = VerifyReport()
    paused = gc.isenabled()
    gc.disable()  # the replay allocates millions of small acyclic tuples
    try:
        with ledger.store.read() as txn:
            _Replay(ledger, txn, report).run(fast, min_stretch)
    finally:
        if paused:
            gc.enable()
    report.seconds = time.perf_counter() - started
    return report


class _Replay:
    def __init__(self, ledger: Ledger, txn: object, report: VerifyReport) -> None:
        self.ledger = ledger
        self.txn = txn
        self.report = report
        # account id -> [dp, dpo, cp, cpo, ledger, flags] recomputed from the transfers
        self.balances: dict[int, list[int]] = {}
        self.pending: dict[int, tuple[int, int, int, int]] = {}  # id -> d, c, amount, expiry
        self.expiring: list[tuple[int, int]] = []  # heap of (expires_at, id)
        self.expired: dict[int, tuple[int, int, int, int]] = {}
        self.stored: dict[int, list[int]] = {}
        self.exact_replayed = 0

    def run(self, fast: bool, min_stretch: int | None = None) -> None:
        ledger, txn, report = self.ledger, self.txn, self.report
        for key, raw in txn.cursor(db=ledger._accounts).iternext():  # type: ignore[attr-defined]
            s = decode_account_state(raw)
            if len(raw) != 128 or int.from_bytes(key, "big") != s[7]:
                report.fail(f"account record {key.hex()} is malformed")
            self.balances[s[7]] = [0, 0, 0, 0, s[4], s[5]]
            self.stored[s[7]] = s
        report.accounts = len(self.balances)
        chained = self._fast_chain(min_stretch) if fast else None
        head_seq, head_hash, _ = chained if chained is not None else self._chain()
        stored = txn.get(b"head", db=ledger._meta)  # type: ignore[attr-defined]
        head_ts = 0 if stored is None else int.from_bytes(stored[40:48], "big")
        while self.expiring and self.expiring[0][0] <= head_ts:
            self._expire(heapq.heappop(self.expiring)[1])
        self._finish_pending()
        self._compare_accounts()
        if stored is not None:
            seq, hash_ = int.from_bytes(stored[:8], "big"), bytes(stored[8:40])
            report.head_seq, report.head_hash = seq, hash_.hex()
            if seq != head_seq:
                report.fail(f"head says sequence {seq}, the chain ends at {head_seq}")
            elif hash_ != head_hash and report.first_bad is None:
                report.bad(head_seq, None, "its hash does not match the stored head hash")
        elif head_seq:
            report.fail("transfers exist but no head is stored")
        index_count = txn.stat(ledger._ids)["entries"]  # type: ignore[attr-defined]
        if index_count != report.transfers:
            report.fail(f"id index holds {index_count} entries for {report.transfers} transfers")

    def _fast_chain(self, min_stretch: int | None) -> tuple[int, bytes, int] | None:
        """The bulk pass; None (and the state reset) when the exact pass must decide."""
        from core.ledger.verify_fast import fast_chain  # NumPy and the page readers: on use

        report = self.report
        ok, errors = report.ok, len(report.errors)
        found = fast_chain(self, min_stretch)
        if found is not None:
            report.path, report.exact_replayed = "fast", self.exact_replayed
            return found
        report.ok, report.first_bad, report.transfers = ok, None, 0
        del report.errors[errors:]
        for balances in self.balances.values():
            balances[0:4] = [0, 0, 0, 0]
        self.pending.clear()
        self.expiring.clear()
        self.expired.clear()
        self.exact_replayed = 0
        return None

    def _chain(self) -> tuple[int, bytes, int]:
        ledger, txn, report = self.ledger, self.txn, self.report
        cursor = txn.cursor(db=ledger._transfers)  # type: ignore[attr-defined]
        ids_cursor = txn.cursor(db=ledger._ids)  # type: ignore[attr-defined]
        items = cursor.iternext()
        prev = GENESIS_HASH
        expected = 1
        last_ts = 0
        prev_seq = 0
        while True:
            chunk = list(islice(items, CHUNK))
            if not chunk:
                break
            keys = [k for k, _ in chunk]
            records = [v for _, v in chunk]
            first = int.from_bytes(keys[0], "big")
            if first != expected or int.from_bytes(keys[-1], "big") != expected + len(keys) - 1:
                for offset, key in enumerate(keys):
                    if int.from_bytes(key, "big") != expected + offset:
                        report.bad(
                            int.from_bytes(key, "big"),
                            None,
                            f"expected sequence {expected + offset}",
                        )
                        return expected + offset - 1, prev, last_ts
            if any(len(r) != RECORD_SIZE for r in records):
                offset = next(i for i, r in enumerate(records) if len(r) != RECORD_SIZE)
                report.bad(expected + offset, None, "record is not 160 bytes")
                return expected + offset - 1, prev, last_ts
            hashes = [sha256(r).digest() for r in records]
            links = [r[:32] for r in records]
            if links[0] != prev or links[1:] != hashes[:-1]:
                chain = [prev, *hashes]
                k = next(i for i in range(len(records)) if links[i] != chain[i])
                # link k broken: record k changed its prev field (then link k+1 breaks too)
                # or record k-1 changed its body
                nxt = links[k + 1] if k + 1 < len(records) else None
                if nxt is not None and nxt != hashes[k]:
                    report.bad(expected + k, None, "its prev_hash field was altered")
                elif k == 0 and prev_seq:
                    report.bad(
                        prev_seq, None, "its bytes do not match the hash its successor stored"
                    )
                else:
                    report.bad(
                        expected + k - 1,
                        None,
                        "its bytes do not match the hash its successor stored",
                    )
            body = b"".join([r[32:] for r in records])
            found = ids_cursor.getmulti([r[32:48][::-1] for r in records])
            if [v for _, v in found] != keys:
                report.fail(
                    f"id index does not match transfers {expected}..{expected + len(keys) - 1}"
                )
            last_ts = self._replay(TRANSFER_STRUCT.iter_unpack(body), expected, last_ts)
            prev = hashes[-1]
            expected += len(keys)
            prev_seq = expected - 1
            report.transfers = prev_seq
        return expected - 1, prev, last_ts

    def _replay(self, rows: object, seq0: int, last_ts: int) -> int:
        balances, pending, heap, report = self.balances, self.pending, self.expiring, self.report
        bad = report.bad
        seq = seq0 - 1
        for v in rows:  # type: ignore[attr-defined]
            seq += 1
            ts = v[18]
            if ts <= last_ts:
                bad(seq, v[0] | v[1] << 64, "its timestamp does not increase")
            last_ts = ts
            while heap and heap[0][0] <= ts:
                self._expire(heapq.heappop(heap)[1])
            flags = v[17]
            a = v[6] | v[7] << 64
            d = v[2] | v[3] << 64
            c = v[4] | v[5] << 64
            dr = balances.get(d)
            cr = balances.get(c)
            ledger = v[15]
            if dr is None or cr is None or d == c or dr[4] != ledger or cr[4] != ledger or not a:
                bad(seq, v[0] | v[1] << 64, "it moves money between unknown or mismatched accounts")
                continue
            if flags & (POST | VOID):
                p = pending.pop(v[8] | v[9] << 64, None)
                if p is None:
                    bad(seq, v[0] | v[1] << 64, "it resolves a transfer that is not pending")
                    continue
                if p[0] != d or p[1] != c or a > p[2] or (flags & VOID and a != p[2]):
                    bad(
                        seq, v[0] | v[1] << 64, "it does not match the pending transfer it resolves"
                    )
                    continue
                dr[0] -= p[2]
                cr[2] -= p[2]
                if flags & POST:
                    dr[1] += a
                    cr[3] += a
            elif flags & PENDING:
                dr[0] += a
                cr[2] += a
                tid = v[0] | v[1] << 64
                expires = ts + v[14] * NS_PER_S if v[14] else 0
                pending[tid] = (d, c, a, expires)
                if expires:
                    heapq.heappush(heap, (expires, tid))
            else:
                dr[1] += a
                cr[3] += a
            if dr[5] & DMNEC and dr[0] + dr[1] > dr[3]:
                bad(seq, v[0] | v[1] << 64, "its debit account's debits exceed its credits")
            if cr[5] & CMNED and cr[2] + cr[3] > cr[1]:
                bad(seq, v[0] | v[1] << 64, "its credit account's credits exceed its debits")
        return last_ts

    def _expire(self, pending_id: int) -> None:
        p = self.pending.pop(pending_id, None)
        if p is not None:
            self.balances[p[0]][0] -= p[2]
            self.balances[p[1]][2] -= p[2]
            self.expired[pending_id] = p

    def _finish_pending(self) -> None:
        """Match the replay's expiries with the statuses the ledger stored."""
        report = self.report
        statuses = {}
        for key, raw in self.txn.cursor(db=self.ledger._status).iternext():  # type: ignore[attr-defined]
            statuses[int.from_bytes(key, "big")] = raw[0]
        for pending_id, status in statuses.items():
            if status == EXPIRED and pending_id not in self.expired:
                report.fail(f"pending transfer {pending_id} is marked expired before its timeout")
            elif status in (POSTED, VOIDED) and pending_id in self.pending:
                report.fail(f"pending transfer {pending_id} is marked resolved but was not")
            elif status not in (POSTED, VOIDED, EXPIRED):
                report.fail(f"pending transfer {pending_id} has an unknown status {status}")
        for pending_id, p in self.expired.items():
            if statuses.get(pending_id) != EXPIRED:  # past its timeout, not swept yet
                self.balances[p[0]][0] += p[2]
                self.balances[p[1]][2] += p[2]

    def _compare_accounts(self) -> None:
        report = self.report
        sums: dict[int, list[int]] = {}
        for account_id, stored in self.stored.items():
            computed = self.balances[account_id]
            if computed[:4] != stored[:4]:
                report.fail(
                    f"account {account_id}: stored balances {stored[:4]} differ from the replay's "
                    f"{computed[:4]}"
                )
            s = sums.setdefault(stored[4], [0, 0, 0, 0])
            for i in range(4):
                s[i] += stored[i]
        for ledger, (dp, dpo, cp, cpo) in sorted(sums.items()):
            report.ledgers[ledger] = (dp + dpo, cp + cpo)
            if dp != cp or dpo != cpo:
                report.fail(f"ledger {ledger}: debits {dp}+{dpo} differ from credits {cp}+{cpo}")
