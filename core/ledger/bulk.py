"""The bulk path of ``create_transfers``: a batch of plain transfers, in columns.

TigerBeetle's own benchmark, and any import or settlement run, sends big batches of plain
transfers (no flags, no pending id, no timeout) between existing accounts. For such a batch
the engine's rules have one outcome per event that can be decided for the whole batch at once,
so :func:`apply_plain` decides it with NumPy on the batch's columns and :func:`write_plain`
encodes and indexes the batch the same way, leaving Python only the hash chain (one sha256 per
transfer, each link depending on the previous one) and a few passes over the touched accounts.

The bulk path takes a batch only when EVERY event would succeed on the engine's fast path:

- every event plain (``flags``, ``pending_id``, ``timeout``, ``timestamp`` all 0) and the
  batch's ids fresh (no duplicate, none committed: the caller's ``fast`` test);
- every integer field a non-negative ``int`` (or ``bool``) below ``2**63`` and inside its
  width; ids and accounts non-zero, debit != credit, amount > 0 and below ``2**32`` (so the
  per-account sums are exact), ledger and code non-zero;
- both accounts of each transfer found, on the transfer's ledger, not ``CLOSED``; no debited
  account with ``DEBITS_MUST_NOT_EXCEED_CREDITS`` and no credited account with
  ``CREDITS_MUST_NOT_EXCEED_DEBITS`` (their outcome depends on the order of the events); the
  touched accounts' balances below ``2**62`` (so nothing can overflow).

Otherwise it answers None having changed nothing but the engine's account cache (states loaded,
none changed), and the engine runs the batch event by event as before. What it stores is byte
for byte what the engine's path stores (tests/unit/ledger/test_ledger_bulk.py compares every
database of two stores fed the same batches).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from hashlib import sha256 as _sha256
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any

import lmdb
import numpy as np

from core.ledger.bits import CLOSED, CMNED, DMNEC
from core.ledger.codec import CP, CPO, DP, DPO, FLAGS, LEDGER, TAIL, TRANSFER_SIZE
from core.ledger.engine import TransferEngine
from core.ledger.layout import BODY, PAIR
from core.ledger.model import Transfer

__all__ = ["PlainBatch", "apply_plain", "write_plain"]

#: Amounts at or above this are left to the engine: per-account sums stay exact in a float64.
AMOUNT_LIMIT = 1 << 32
#: Account balances at or above this are left to the engine (int64 sums cannot overflow).
BALANCE_LIMIT = 1 << 62

#: A 16-byte big-endian id key (ids below 2**63: the high half is 0).
_ID_KEY = np.dtype([("hi", ">u8"), ("lo", ">u8")])
#: A history key: epoch label (8) + account id (16) + first sequence of the operation (8).
_HISTORY_KEY = np.dtype([("label", ">u8"), ("hi", ">u8"), ("lo", ">u8"), ("first", ">u8")])
#: An account's 128-byte encoding (core.ledger.codec.encode_account_state): the id, the four
#: balances, then the constant tail.
_ACCOUNT = np.dtype(
    [("id", PAIR), ("dp", PAIR), ("dpo", PAIR), ("cp", PAIR), ("cpo", PAIR), ("tail", "V48")]
)
assert _ACCOUNT.itemsize == 128
_TAIL = itemgetter(TAIL)
#: The first six positions of an account state: the four balances, the ledger and the flags.
_ROW = itemgetter(slice(DP, FLAGS + 1))
assert tuple(range(6)) == (DP, DPO, CP, CPO, LEDGER, FLAGS)

#: Fields that must be 0 on every event of a plain batch.
_ZEROS = tuple(attrgetter(name) for name in ("flags", "pending_id", "timeout", "timestamp"))
#: Fields read as columns, with the largest value each may hold here.
_COLUMNS = (
    ("id", (1 << 63) - 1),
    ("debit_account_id", (1 << 63) - 1),
    ("credit_account_id", (1 << 63) - 1),
    ("amount", AMOUNT_LIMIT - 1),
    ("user_data_128", (1 << 63) - 1),
    ("user_data_64", (1 << 63) - 1),
    ("user_data_32", (1 << 32) - 1),
    ("ledger", (1 << 32) - 1),
    ("code", (1 << 16) - 1),
)
_GETTERS = tuple((attrgetter(name), top) for name, top in _COLUMNS)


@dataclass
class PlainBatch:
    """A plain batch the bulk path applied: its columns, ready to be written."""

    ts0: int
    columns: list[np.ndarray]
    #: The accounts touched, sorted, and each endpoint's index into them (debit, credit, ...).
    accounts: np.ndarray
    inverse: np.ndarray
    #: The touched accounts' states (in id order, like ``accounts``), their balances after the
    #: batch (debits pending, debits posted, credits pending, credits posted), and whether the
    #: engine touched no other account (then :meth:`account_puts` may encode them).
    states: list[Any]
    balances: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    alone: bool

    def __len__(self) -> int:
        return len(self.columns[0])

    def account_puts(self, touched: dict[int, Any]) -> list[tuple[bytes, bytes]] | None:
        """The (key, 128-byte encoding) of every account in ``touched`` (the engine's dict),
        in id order; None if it holds accounts this batch did not load."""
        states = self.states
        m = len(states)
        if not self.alone or len(touched) != m:
            return None
        encoded = np.zeros(m, _ACCOUNT)
        encoded["id"]["lo"] = self.accounts
        encoded["tail"] = np.frombuffer(b"".join(map(_TAIL, states)), "V48")
        for name, column in zip(("dp", "dpo", "cp", "cpo"), self.balances, strict=True):
            encoded[name]["lo"] = column
        keys = np.zeros(m, _ID_KEY)
        keys["lo"] = self.accounts
        return list(zip(keys.view("V16").tolist(), encoded.view("V128").tolist(), strict=True))


def _column(transfers: Sequence[Transfer], getter: Callable[[Any], Any], top: int) -> Any:
    """One field of every event as an int64 array, or None if a value is not a small int."""
    return _array(list(map(getter, transfers)), top)


def _array(values: list[Any], top: int) -> Any:
    """``values`` as an int64 array, or None unless all are ints (or bools) in 0 .. top."""
    if type(sum(values)) is not int:
        return None  # a float, a NumPy integer...: the engine refuses them, by name
    col = np.array(values)
    if col.ndim != 1 or col.dtype.kind not in "iub":
        return None  # floats, strings, ints of 2**63 and more (float64 or object arrays)...
    col = col.astype(np.int64)
    if len(col) and (int(col.min()) < 0 or int(col.max()) > top):
        return None
    return col


def _account_columns(states: list[Any]) -> Any:
    """The balances, ledger and flags of ``states`` as an int64 array of rows (DP .. FLAGS),
    or None if a balance reaches 2**62."""
    m = len(states)
    try:
        rows = np.fromiter(chain.from_iterable(map(_ROW, states)), np.int64, m * 6)
    except OverflowError:
        return None
    rows = rows.reshape(m, 6)
    if m and int(rows[:, DP : CPO + 1].max()) >= BALANCE_LIMIT:
        return None
    return rows


def _distinct(ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``ends`` (non-negative), sorted, and each one's index in them.

    ``np.unique`` sorts; ids of accounts are usually dense, so a table indexed by id is
    faster when the largest id is not much more than the batch's size.
    """
    top = int(ends.max())
    if top > 64 * len(ends) + 65_536:
        accounts, inverse = np.unique(ends, return_inverse=True)
        return accounts, inverse
    seen = np.zeros(top + 1, np.bool_)
    seen[ends] = True
    accounts = np.flatnonzero(seen)
    where = np.empty(top + 1, np.int64)
    where[accounts] = np.arange(len(accounts))
    return accounts, where[ends]


def apply_plain(
    engine: TransferEngine,
    transfers: Sequence[Transfer],
    ts0: int,
    ids: list[Any],
    known: dict[int, Any] | None = None,
) -> PlainBatch | None:
    """Apply a batch of fresh plain transfers to the engine's account states, in bulk.

    ``ids`` are the events' ids (the caller read them already), ``ts0`` the batch's first
    timestamp, ``known`` the writer's cache of account states (see
    :meth:`TransferEngine.load_accounts`). Returns a :class:`PlainBatch` (every event
    succeeds, the balances are changed in place) or None when the bulk path cannot decide
    the batch: nothing was changed, only account states loaded, and the engine must run it.
    """
    n = len(transfers)
    if not n or ts0 + n >= 1 << 63:
        return None
    try:
        if any(any(map(getter, transfers)) for getter in _ZEROS):
            return None
        columns = [_array(ids, _COLUMNS[0][1])]
        columns += [_column(transfers, getter, top) for getter, top in _GETTERS[1:]]
    except (TypeError, ValueError, ArithmeticError):
        return None  # odd values (NumPy scalars summed past 2**64...): the engine decides
    if any(col is None for col in columns):
        return None
    ids_col, debits, credits, amounts, _, _, _, ledgers, codes = columns
    if not (ids_col.all() and debits.all() and credits.all() and amounts.all()) or not (
        ledgers.all() and codes.all() and (debits != credits).all()
    ):
        return None
    ends = np.empty(2 * n, np.int64)
    ends[0::2] = debits
    ends[1::2] = credits
    accounts, inverse = _distinct(ends)
    # loaded (and later written) in id order; the engine loads them in order of appearance,
    # which changes nothing stored
    alone = not engine.accounts
    states: list[Any] = engine.load_accounts(accounts.tolist(), known)
    if None in states:
        return None
    inv_d = inverse[0::2]
    inv_c = inverse[1::2]
    m = len(accounts)
    rows = _account_columns(states)
    if rows is None:
        return None
    acct_ledger = rows[:, LEDGER]
    acct_flags = rows[:, FLAGS]
    if (
        (acct_ledger[inv_d] != ledgers).any()
        or (acct_ledger[inv_c] != ledgers).any()
        or (acct_flags[inv_d] & (CLOSED | DMNEC)).any()
        or (acct_flags[inv_c] & (CLOSED | CMNED)).any()
    ):
        return None
    # float64 sums are exact: fewer than 2**13 amounts below 2**32 each; balances stay below
    # 2**63, so no overflow of 128 bits is possible
    dp, dpo, cp, cpo = (np.ascontiguousarray(rows[:, k]) for k in (DP, DPO, CP, CPO))
    dpo = dpo + np.bincount(inv_d, weights=amounts, minlength=m).astype(np.int64)
    cpo = cpo + np.bincount(inv_c, weights=amounts, minlength=m).astype(np.int64)
    for state, debits_posted, credits_posted in zip(
        states, dpo.tolist(), cpo.tolist(), strict=True
    ):
        state[DPO] = debits_posted
        state[CPO] = credits_posted
    balances = (dp, dpo, cp, cpo)
    return PlainBatch(ts0, columns, accounts, inverse, states, balances, alone)


def write_plain(
    txn: lmdb.Transaction,
    dbs: tuple[Any, Any, Any],
    batch: PlainBatch,
    seq: int,
    head_hash: bytes,
    label: int,
) -> tuple[int, bytes]:
    """Store a batch :func:`apply_plain` applied: records, id index, history index.

    ``dbs`` are the transfers, id index and history databases; ``seq`` and ``head_hash`` the
    head before the batch, ``label`` the epoch of its first sequence number. Returns the new
    sequence and head hash. The records, keys and values are those the engine's path writes,
    put in the same order.
    """
    n = len(batch)
    ids, debits, credits, amounts, ud128, ud64, ud32, ledgers, codes = batch.columns
    body = np.zeros(n, BODY)
    body["id"]["lo"] = ids
    body["debit"]["lo"] = debits
    body["credit"]["lo"] = credits
    body["amount"]["lo"] = amounts
    body["ref"]["lo"] = ud128
    body["user_data_64"] = ud64
    body["user_data_32"] = ud32
    body["ledger"] = ledgers
    body["code"] = codes
    body["timestamp"] = np.arange(batch.ts0, batch.ts0 + n, dtype=np.uint64)
    seqs = np.arange(seq + 1, seq + n + 1, dtype=">u8")
    keys = seqs.view("V8").tolist()
    # the hash chain: one link per transfer, each on the previous one
    values: list[bytes] = []
    append = values.append
    sha256 = _sha256
    for encoded in body.view(f"V{TRANSFER_SIZE}").tolist():
        record = head_hash + encoded
        head_hash = sha256(record).digest()
        append(record)
    transfers_db, ids_db, history_db = dbs
    txn.cursor(db=transfers_db).putmulti(list(zip(keys, values, strict=True)), append=True)
    # id index, in id order
    id_keys = np.zeros(n, _ID_KEY)
    if n > 1 and not (ids[1:] > ids[:-1]).all():
        order = np.argsort(ids)
        id_keys["lo"] = ids[order]
        keys = seqs[order].view("V8").tolist()
    else:
        id_keys["lo"] = ids
    index = list(zip(id_keys.view("V16").tolist(), keys, strict=True))
    txn.cursor(db=ids_db).putmulti(index)
    # history: per account (in id order) the sequences of its transfers, in commit order
    m = len(batch.accounts)
    # fewer than 2**15 accounts in a batch: a stable sort of int16 is a radix sort
    by_account = np.argsort(batch.inverse.astype(np.int16), kind="stable")
    hb = (seq + 1 + (by_account >> 1)).astype(">u8").tobytes()
    ends = (np.cumsum(np.bincount(batch.inverse, minlength=m)) * 8).tolist()
    hkeys = np.zeros(m, _HISTORY_KEY)
    hkeys["label"] = label
    hkeys["lo"] = batch.accounts
    hkeys["first"] = seq + 1
    entries = list(
        zip(
            hkeys.view("V32").tolist(),
            [hb[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)],
            strict=True,
        )
    )
    txn.cursor(db=history_db).putmulti(entries)
    return seq + n, head_hash
