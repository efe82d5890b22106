"""One chunk of the ledger's raw feed made into mirror rows: accounts, operations, transfers.

:class:`FeedState` is what the sync keeps between chunks (and between syncs, while no other
process wrote the mirror): the account index (128-bit ids -> dense numbers), each account's
instance, and the dictionary of instance slugs used for the ``place`` column.

Per chunk (:meth:`FeedState.rows`), everything is vectorised with NumPy except what is new:
accounts seen for the first time (their owner is read from the store's ``wallet_accounts``
map) and the operations that say where a refill, grant, refund, remittance or correction
happened (read in bulk with LMDB ``getmulti`` and decoded by msgspec in one call).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import lmdb
import msgspec
import numpy as np
import pyarrow as pa

from core.analytics.decode import AccountIndex, decode_records, unique128
from core.ledger.reads import RawChanges
from core.wallets.model import AccountKind, ActionKind

if TYPE_CHECKING:
    from core.network import Network

__all__ = ["OP_CODES", "ChunkRows", "FeedState", "MirrorError"]

#: Codes whose operation record is mirrored (the others are fully told by their transfers).
OP_CODES = np.array(
    [ActionKind.REFILL, ActionKind.GRANT, ActionKind.REFUND, ActionKind.REMITTANCE,
     ActionKind.CORRECTION], dtype=np.uint16,
)  # fmt: skip
_KIND_NAMES = {int(k): k.name.lower() for k in AccountKind}
_LABELS = {int(k): k.label for k in ActionKind}
_CODE_OFFSET = 116  # the account code in the 128-byte account encoding


class MirrorError(RuntimeError):
    """The mirror cannot follow the ledger; the message says why."""


class _OpNote(msgspec.Struct, kw_only=True):
    """The fields of a stored Operation the mirror keeps (the rest is skipped undecoded)."""

    key: str
    kind: int
    operation_id: str
    amount: int = 0
    instance: str = ""
    author: str = ""
    reason: str = ""
    bank_reference: str = ""
    bank_date: str = ""
    created_at: float = 0.0


_NOTES = msgspec.msgpack.Decoder(list[_OpNote])
_BE_KEY = np.dtype([("hi", ">u8"), ("lo", ">u8")])


def _be_keys(lo: np.ndarray, hi: np.ndarray) -> list[bytes]:
    """128-bit values as 16-byte big-endian keys (the store's integer key encoding)."""
    arr = np.empty(len(lo), dtype=_BE_KEY)
    arr["hi"], arr["lo"] = hi, lo
    buf = arr.tobytes()
    return [buf[i : i + 16] for i in range(0, len(buf), 16)]


@dataclass
class ChunkRows:
    """What one chunk adds to the mirror, as Arrow tables."""

    transfers: pa.Table
    accounts: pa.Table | None
    operations: pa.Table | None
    last_seq: int


@dataclass
class FeedState:
    """The sync's memory between chunks: accounts and instance slugs (see module doc)."""

    index: AccountIndex = field(default_factory=AccountIndex)
    #: account number -> index of its instance slug in ``slugs`` (0: none)
    account_slug: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int32))
    slugs: list[str] = field(default_factory=lambda: [""])
    slug_index: dict[str, int] = field(default_factory=lambda: {"": 0})
    last_seq: int = 0

    @classmethod
    def load(cls, known: list[tuple[int, int, str]], last_seq: int) -> FeedState:
        """The state of a mirror whose accounts are ``(account_no, account id, instance)``."""
        state = cls(index=AccountIndex((a, n) for n, a, _ in known), last_seq=last_seq)
        state.account_slug = np.zeros(len(known) + 1, dtype=np.int32)
        for number, _account, slug in known:
            state.account_slug[number] = state.slug(slug)
        return state

    def slug(self, slug: str) -> int:
        """The index of an instance slug in the ``place`` dictionary (added if new)."""
        found = self.slug_index.get(slug)
        if found is None:
            found = self.slug_index[slug] = len(self.slugs)
            self.slugs.append(slug)
        return found

    # -- one chunk ---------------------------------------------------------------------

    def rows(self, raw: RawChanges, network: Network) -> ChunkRows:
        """Decode a chunk of the raw feed and build its rows (new accounts, operations)."""
        rec = decode_records(raw.records)
        n = raw.count
        if np.any(rec["amount_hi"]):
            bad = int(np.flatnonzero(rec["amount_hi"])[0]) + raw.first_seq
            raise MirrorError(f"transfer {bad} moves more than 2**64-1: not mirrored")
        lo = np.empty(2 * n, dtype=np.uint64)
        hi = np.empty(2 * n, dtype=np.uint64)
        lo[0::2], lo[1::2] = rec["debit_lo"], rec["credit_lo"]
        hi[0::2], hi[1::2] = rec["debit_hi"], rec["credit_hi"]
        numbers, created = self.index.resolve(lo, hi)
        debit, credit = numbers[0::2], numbers[1::2]
        code = np.ascontiguousarray(rec["code"])
        seq = np.arange(raw.first_seq, raw.first_seq + n, dtype=np.uint64)
        with network.store.read() as txn:
            accounts = self._new_accounts(txn, network, created, seq)
            place, operations = self._operations(txn, network, rec, code, seq)
        sale = code == ActionKind.SALE
        remit = code == ActionKind.REMITTANCE
        place[sale] = self.account_slug[credit[sale]]
        place[remit] = self.account_slug[debit[remit]]
        ts_ns = np.ascontiguousarray(rec["timestamp"])
        columns: dict[str, Any] = {"seq": seq}
        for name in ("id_lo", "id_hi"):
            columns[name] = np.ascontiguousarray(rec[name])
        columns["debit_account"], columns["credit_account"] = debit, credit
        columns["amount"] = np.ascontiguousarray(rec["amount_lo"])
        for name in ("pending_lo", "pending_hi", "ref_lo", "ref_hi", "user_data_64",
                     "user_data_32", "timeout", "ledger"):  # fmt: skip
            columns[name] = np.ascontiguousarray(rec[name])
        columns["code"] = code
        columns["flags"] = np.ascontiguousarray(rec["flags"])
        columns["timestamp"] = ts_ns
        columns["ts"] = pa.array((ts_ns // 1000).astype("datetime64[us]"))
        columns["place"] = pa.DictionaryArray.from_arrays(pa.array(place), pa.array(self.slugs))
        self.last_seq = raw.first_seq + n - 1
        return ChunkRows(pa.table(columns), accounts, operations, self.last_seq)

    def _new_accounts(
        self,
        txn: lmdb.Transaction,
        network: Network,
        created: list[tuple[int, int, int]],
        seq: np.ndarray,
    ) -> pa.Table | None:
        """Rows for accounts seen for the first time (owner from the wallet map)."""
        if not created:
            return None
        grow = created[-1][0] + 1
        if grow > len(self.account_slug):
            extra = np.zeros(max(grow, 2 * len(self.account_slug)) - len(self.account_slug))
            self.account_slug = np.concatenate([self.account_slug, extra.astype(np.int32)])
        money = network.money
        ledger_accounts = network.store.db("ledger:accounts")
        issuers: dict[int, str] = {}
        rows = []
        for number, account_id, position in created:
            record = money.accounts.records.get(txn, account_id)
            raw = txn.get(account_id.to_bytes(16, "big"), db=ledger_accounts)
            asset_id = int.from_bytes(raw[96 + 16 : 116], "little") if raw is not None else 0
            if record is not None:
                kind = _KIND_NAMES.get(int(record.kind), "other")
                owner, asset_id = record.owner, record.asset_id
            else:
                code = int.from_bytes(raw[_CODE_OFFSET : _CODE_OFFSET + 2], "little") if raw else 0
                kind, owner = "other", f"ledger:{code}"
            owner_id = owner.partition(":")[2]
            instance = ""
            if kind == "instance":
                instance = owner_id
            elif kind == "issuer":
                if asset_id not in issuers:
                    asset = money.assets.records.get(txn, asset_id)
                    issuers[asset_id] = asset.issuer if asset is not None else ""
                instance = issuers[asset_id]
            self.account_slug[number] = self.slug(instance)
            rows.append(
                (number, account_id & 0xFFFFFFFFFFFFFFFF, account_id >> 64, asset_id, kind,
                 owner, owner_id, instance, int(seq[position // 2]))
            )  # fmt: skip
        names = ("account_no", "lo", "hi", "asset_id", "kind", "owner", "owner_id", "instance",
                 "first_seq")  # fmt: skip
        return pa.table(
            {
                name: pa.array(values, type=pa.uint64() if name in {"lo", "hi"} else None)
                for name, values in zip(names, zip(*rows, strict=True), strict=True)
            }
        )

    def _operations(
        self,
        txn: lmdb.Transaction,
        network: Network,
        rec: np.ndarray,
        code: np.ndarray,
        seq: np.ndarray,
    ) -> tuple[np.ndarray, pa.Table | None]:
        """Each row's place from its operation (refill, grant...) and the operations' rows."""
        place = np.zeros(len(code), dtype=np.int32)
        ref_lo = np.ascontiguousarray(rec["ref_lo"])
        ref_hi = np.ascontiguousarray(rec["ref_hi"])
        rows = np.flatnonzero(np.isin(code, OP_CODES) & ((ref_lo != 0) | (ref_hi != 0)))
        if not len(rows):
            return place, None
        ulo, uhi, first, inverse = unique128(ref_lo[rows], ref_hi[rows])
        order = np.argsort(uhi)  # key order: LMDB reads walk each B-tree forwards
        keys = _be_keys(ulo[order], uhi[order])
        pairs = txn.cursor(db=network.store.db("idx:operations:ref")).getmulti(keys)
        if len(pairs) != len(keys):  # transfers without an operation record (raw ledger use)
            known = dict(pairs)
            keep = [i for i, k in enumerate(keys) if k in known]
            pairs = [(keys[i], known[keys[i]]) for i in keep]
            order = order[np.array(keep, dtype=np.int64)]
        stored = dict(
            txn.cursor(db=network.store.db("rec:operations")).getmulti([v for _, v in pairs])
        )
        blobs = [stored[v] for _, v in pairs]
        notes = _NOTES.decode(b"\xdd" + len(blobs).to_bytes(4, "big") + b"".join(blobs))
        ref_place = np.zeros(len(ulo), dtype=np.int32)
        if not notes:
            return place, None
        instances = [n.instance for n in notes]
        slug_of = {slug: self.slug(slug) for slug in set(instances)}
        ref_place[order] = np.array([slug_of[s] for s in instances], dtype=np.int32)
        place[rows] = ref_place[inverse]
        created = np.array([n.created_at for n in notes], dtype=np.float64)
        table = pa.table(
            {
                "lo": ulo[order],
                "hi": uhi[order],
                "key": [n.key for n in notes],
                "kind": [_LABELS.get(n.kind, str(n.kind)) for n in notes],
                "operation_id": [n.operation_id for n in notes],
                "instance": instances,
                "amount": pa.array([n.amount for n in notes], type=pa.uint64()),
                "author": [n.author for n in notes],
                "reason": [n.reason for n in notes],
                "bank_reference": [n.bank_reference for n in notes],
                "bank_date": [n.bank_date for n in notes],
                "created_at": (created * 1e6).astype("int64").astype("datetime64[us]"),
                "first_seq": seq[rows[first[order]]],
            }
        )
        return place, table
