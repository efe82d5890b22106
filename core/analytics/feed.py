"""One chunk of the ledger's feed made into mirror rows: accounts, operations, transfers.

:class:`FeedState` is what the sync keeps between chunks (and between syncs, while no other
process wrote the mirror): the account index (128-bit ids -> dense numbers), each account's
instance, and the dictionary of instance slugs used for the ``place`` column.

A chunk arrives as columns (:class:`Chunk`, read by :mod:`core.lmdbpages.reader` or,
failing that, through py-lmdb). Everything is vectorised with NumPy except what is new:
accounts seen for the first time (their owner is read from the store's ``wallet_accounts``
map) and the operations' notes (one cursor walk over the operation feed, decoded in one
msgspec call). Places come from the transfers themselves: ``user_data_64`` carries the
operation's instance as a number (:mod:`core.wallets.feed`); a sale is at its seller, a
remittance at the remitted instance. Transfers written before that layout fall back to their
operation's record (:func:`core.analytics.operations.looked_up_operations`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import lmdb
import numpy as np
import pyarrow as pa

from core.analytics.decode import PAIR, AccountIndex, NewAccounts, uhugeint
from core.analytics.operations import looked_up_operations, noted_operations
from core.records import Key
from core.wallets.feed import PLACE_LAYOUT, PLACE_MASK, PLACE_SHIFT
from core.wallets.model import AccountKind, ActionKind

if TYPE_CHECKING:
    from core.network import Network

__all__ = ["OP_CODES", "Chunk", "ChunkRows", "FeedState", "MirrorError"]

#: Codes whose operation record is mirrored (the others are fully told by their transfers).
OP_CODES = np.array(
    [ActionKind.REFILL, ActionKind.GRANT, ActionKind.REFUND, ActionKind.REMITTANCE,
     ActionKind.CORRECTION], dtype=np.uint16,
)  # fmt: skip
_KIND_NAMES = {int(k): k.name.lower() for k in AccountKind}
_CODE_OFFSET = 116  # the account code in the 128-byte account encoding


class MirrorError(RuntimeError):
    """The mirror cannot follow the ledger; the message says why."""


@dataclass
class Chunk:
    """A run of the ledger's feed: ``count`` transfers from ``first_seq``, as columns
    (:data:`core.analytics.decode.FIELDS`)."""

    first_seq: int
    count: int
    columns: dict[str, np.ndarray]


_BE_KEY = np.dtype([("hi", ">u8"), ("lo", ">u8")])


def _be_keys(ids: np.ndarray) -> list[bytes]:
    """128-bit values (:data:`PAIR`) as 16-byte big-endian keys (the store's integer keys)."""
    arr = np.empty(len(ids), dtype=_BE_KEY)
    arr["hi"], arr["lo"] = ids["hi"], ids["lo"]
    buf = arr.tobytes()
    return [buf[i : i + 16] for i in range(0, len(buf), 16)]


@dataclass
class ChunkRows:
    """What one chunk adds to the mirror, as Arrow tables."""

    transfers: pa.Table
    accounts: pa.Table | None
    #: from the operation feed: each operation once
    operations: pa.Table | None
    #: looked up for transfers without a place: an operation may span two chunks
    looked_up: pa.Table | None
    last_seq: int


@dataclass
class FeedState:
    """The sync's memory between chunks: accounts and instance slugs (see module doc)."""

    index: AccountIndex = field(default_factory=AccountIndex)
    #: account number -> index of its instance slug in ``slugs`` (0: none)
    account_slug: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int32))
    slugs: list[str] = field(default_factory=lambda: [""])
    slug_index: dict[str, int] = field(default_factory=lambda: {"": 0})
    #: place number (``user_data_64``) -> index of its slug in ``slugs``
    place_slug: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int32))
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

    def rows(self, chunk: Chunk, txn: lmdb.Transaction, network: Network) -> ChunkRows:
        """Build a chunk's rows (new accounts, operations, transfers); ``txn`` is the read
        transaction the chunk was read in (or a later one)."""
        cols = chunk.columns
        n = chunk.count
        if np.any(cols["amount_hi"]):
            bad = int(np.flatnonzero(cols["amount_hi"])[0]) + chunk.first_seq
            raise MirrorError(f"transfer {bad} moves more than 2**64-1: not mirrored")
        ids = np.empty(2 * n, dtype=PAIR)
        ids[0::2], ids[1::2] = cols["debit"], cols["credit"]
        numbers, created = self.index.resolve(ids)
        debit, credit = numbers[0::2], numbers[1::2]
        code = cols["code"]
        seq = np.arange(chunk.first_seq, chunk.first_seq + n, dtype=np.uint64)
        accounts = self._new_accounts(txn, network, created, seq)
        user_data = cols["user_data_64"]
        tagged = (user_data >> np.uint64(PLACE_SHIFT)) == PLACE_LAYOUT
        place, looked_up = self._places(txn, network, cols, tagged, seq)
        operations = noted_operations(txn, network, cols, chunk.first_seq, tagged)
        sale = code == ActionKind.SALE
        remit = code == ActionKind.REMITTANCE
        place[sale] = self.account_slug[credit[sale]]
        place[remit] = self.account_slug[debit[remit]]
        ts_ns = cols["timestamp"]
        columns: dict[str, Any] = {"seq": seq, "id": uhugeint(cols["id"])}
        columns["debit_account"], columns["credit_account"] = debit, credit
        columns["amount"] = cols["amount_lo"]
        columns["pending_id"] = uhugeint(cols["pending"])
        columns["ref"] = uhugeint(cols["ref"])
        for name in ("user_data_64", "user_data_32", "timeout", "code", "flags"):
            columns[name] = cols[name]
        columns["asset_id"] = cols["ledger"]
        columns["timestamp"] = ts_ns
        columns["ts"] = pa.array((ts_ns // 1000).astype("datetime64[us]"))
        columns["place"] = pa.DictionaryArray.from_arrays(pa.array(place), pa.array(self.slugs))
        self.last_seq = chunk.first_seq + n - 1
        return ChunkRows(pa.table(columns), accounts, operations, looked_up, self.last_seq)

    def _places(
        self, txn: lmdb.Transaction, network: Network, cols: dict[str, np.ndarray],
        tagged: np.ndarray, seq: np.ndarray,
    ) -> tuple[np.ndarray, pa.Table | None]:  # fmt: skip
        """Each row's place from ``user_data_64``, or from the record for older transfers."""
        user_data = cols["user_data_64"]
        number = (user_data & np.uint64(PLACE_MASK)).astype(np.int64)
        place = np.zeros(len(user_data), dtype=np.int32)
        if np.any(tagged):
            wanted = int(number[tagged].max())
            if wanted >= len(self.place_slug):
                self._load_places(txn, network, wanted)
            place[tagged] = self.place_slug[number[tagged]]
        ref = (cols["ref"]["lo"] != 0) | (cols["ref"]["hi"] != 0)
        old = np.flatnonzero(~tagged & ref & np.isin(cols["code"], OP_CODES))
        found, slugs, table = looked_up_operations(txn, network, cols, old, seq)
        if len(slugs):
            index = np.array([self.slug(s) for s in slugs], dtype=np.int32)
            place[old[found >= 0]] = index[found[found >= 0]]
        return place, table

    def _load_places(self, txn: lmdb.Transaction, network: Network, wanted: int) -> None:
        """Read the place numbers (they only ever grow); ``wanted`` must be among them."""
        numbers = network.money.log.notes.places.slugs_in(txn)
        if wanted not in numbers:
            raise MirrorError(f"place number {wanted} is not in the store")
        table = np.zeros(max(numbers) + 1, dtype=np.int32)
        for number, slug in numbers.items():
            table[number] = self.slug(slug)
        self.place_slug = table

    def _new_accounts(
        self,
        txn: lmdb.Transaction,
        network: Network,
        created: NewAccounts | None,
        seq: np.ndarray,
    ) -> pa.Table | None:
        """Rows for accounts seen for the first time (owner from the wallet map)."""
        if created is None:
            return None
        grow = int(created.numbers[-1]) + 1
        if grow > len(self.account_slug):
            extra = np.zeros(max(grow, 2 * len(self.account_slug)) - len(self.account_slug))
            self.account_slug = np.concatenate([self.account_slug, extra.astype(np.int32)])
        money = network.money
        ledger_accounts = network.store.db("ledger:accounts")
        issuers: dict[int, str] = {}
        keys = _be_keys(created.ids)  # the store's 128-bit integer keys
        found = money.accounts.records.get_many(txn, list[Key](keys))
        asset_ids, kinds, owners, owner_ids, instances = [], [], [], [], []
        for key, record in zip(keys, found, strict=True):
            if record is not None:
                kind = _KIND_NAMES.get(int(record.kind), "other")
                owner, asset_id = record.owner, record.asset_id
            else:  # a ledger account no wallet owns (raw ledger use)
                raw = txn.get(key, db=ledger_accounts)
                asset_id = int.from_bytes(raw[96 + 16 : 116], "little") if raw is not None else 0
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
            asset_ids.append(asset_id)
            kinds.append(kind)
            owners.append(owner)
            owner_ids.append(owner_id)
            instances.append(instance)
        slug_of = {slug: self.slug(slug) for slug in set(instances)}
        self.account_slug[created.numbers] = [slug_of[i] for i in instances]
        return pa.table(
            {
                "account_no": created.numbers,
                "account": uhugeint(created.ids),
                "asset_id": pa.array(asset_ids, type=pa.uint32()),
                "kind": kinds,
                "owner": owners,
                "owner_id": owner_ids,
                "instance": instances,
                "first_seq": seq[created.rows // 2],
            }
        )
