"""The mirror's operation notes of one chunk, and the places of transfers made before the
ledger carried them.

Since places and notes are written beside the ledger (:mod:`core.wallets.feed`), a chunk's
operations are the notes filed under its sequence numbers (:func:`noted_operations`): one
cursor walk hands their JSON to an Arrow string column, stored as it is in
``operation_notes`` (the ``operations`` view splits them when read). Transfers written before
that (``user_data_64`` without the layout tag) still name their operation only by reference:
:func:`looked_up_operations` reads those records through the ``ref`` index with LMDB
``getmulti``, as every transfer was read before, gives their places, and makes them notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lmdb
import msgspec
import numpy as np
import pyarrow as pa

from core.analytics.decode import uhugeint, unique128
from core.wallets.feed import NOTED_KINDS, OperationNote
from core.wallets.model import ActionKind

if TYPE_CHECKING:
    from core.network import Network

__all__ = ["LABELS", "looked_up_operations", "noted_operations"]

LABELS = {int(k): k.label for k in ActionKind}
NOTED_CODES = np.array(sorted(int(k) for k in NOTED_KINDS), dtype=np.uint16)

_BE_KEY = np.dtype([("hi", ">u8"), ("lo", ">u8")])


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


_RECORDS = msgspec.msgpack.Decoder(list[_OpNote])


_NOTE = msgspec.json.Encoder()


def _table(refs: np.ndarray, records: list[_OpNote], first_seq: np.ndarray) -> pa.Table:
    """Operation records as ``operation_notes`` rows (``refs``: their references, PAIR)."""
    notes = [_NOTE.encode(_note_of(r)) for r in records]
    return pa.table(
        {
            "ref": uhugeint(refs),
            "code": np.array([r.kind for r in records], dtype=np.uint16),
            "first_seq": first_seq,
            "note": _strings(notes),
        }
    )


def _note_of(r: _OpNote) -> OperationNote:
    return OperationNote(
        kind=r.kind, operation_id=r.operation_id, amount=r.amount, instance=r.instance,
        author=r.author, reason=r.reason, bank_reference=r.bank_reference,
        bank_date=r.bank_date, created_at=r.created_at,
    )  # fmt: skip


def _strings(values: list[bytes]) -> pa.Array:
    """UTF-8 values as an Arrow string array built from one buffer (no object per value)."""
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.StringArray.from_buffers(
        len(values), pa.py_buffer(offsets), pa.py_buffer(b"".join(values))
    )


def noted_operations(
    txn: lmdb.Transaction,
    network: Network,
    columns: dict[str, np.ndarray],
    first_seq: int,
    tagged: np.ndarray,
) -> pa.Table | None:
    """The notes of the operations whose first transfer is in the chunk (``operation_notes``
    rows). ``tagged``: the rows carrying a place (written with their note)."""
    code = columns["code"]
    rows = np.flatnonzero(tagged & np.isin(code, NOTED_CODES) & (columns["user_data_32"] == 0))
    feed = network.money.log.notes
    seqs = rows + first_seq
    first, last, notes = feed.run_in(txn, int(seqs[0]) if len(rows) else 0, len(rows))
    if len(notes) != len(rows) or (len(rows) and (first, last) != (seqs[0], seqs[-1])):
        # a transfer of a noted kind without its note: match notes by their keys
        found, notes = feed.raw_notes_in(txn, first_seq, first_seq + len(code) - 1)
        rows = np.array(found, dtype=np.int64) - first_seq
    if not notes:
        return None
    return pa.table(
        {
            "ref": uhugeint(columns["ref"][rows]),
            "code": code[rows],
            "first_seq": (rows + first_seq).astype(np.uint64),
            "note": _strings(notes),
        }
    )


def looked_up_operations(
    txn: lmdb.Transaction,
    network: Network,
    columns: dict[str, np.ndarray],
    rows: np.ndarray,
    seq: np.ndarray,
) -> tuple[np.ndarray, list[str], pa.Table | None]:
    """For transfers ``rows`` (untagged, of noted kinds): their operations' instances
    (an index into the returned slugs per row, -1 when no record names them) and their
    ``operation_notes`` rows."""
    place = np.full(len(rows), -1, dtype=np.int32)
    if not len(rows):
        return place, [], None
    refs, first, inverse = unique128(columns["ref"][rows])
    order = np.argsort(refs["hi"])  # key order: LMDB reads walk each B-tree forwards
    keys = _be_keys(refs[order])
    pairs = txn.cursor(db=network.store.db("idx:operations:ref")).getmulti(keys)
    if len(pairs) != len(keys):  # transfers without an operation record (raw ledger use)
        known = dict(pairs)
        keep = [i for i, k in enumerate(keys) if k in known]
        pairs = [(keys[i], known[keys[i]]) for i in keep]
        order = order[np.array(keep, dtype=np.int64)]
    stored = dict(txn.cursor(db=network.store.db("rec:operations")).getmulti([v for _, v in pairs]))
    blobs = [stored[v] for _, v in pairs]
    records = _RECORDS.decode(b"\xdd" + len(blobs).to_bytes(4, "big") + b"".join(blobs))
    if not records:
        return place, [], None
    slugs = sorted({r.instance for r in records})
    slug_no = {slug: i for i, slug in enumerate(slugs)}
    ref_place = np.full(len(refs), -1, dtype=np.int32)
    ref_place[order] = np.array([slug_no[r.instance] for r in records], dtype=np.int32)
    place[:] = ref_place[inverse]
    table = _table(refs[order], records, seq[rows[first[order]]])
    return place, slugs, table


def _be_keys(refs: np.ndarray) -> list[bytes]:
    """128-bit values as 16-byte big-endian keys (the store's integer key encoding)."""
    arr = np.empty(len(refs), dtype=_BE_KEY)
    arr["hi"], arr["lo"] = refs["hi"], refs["lo"]
    buf = arr.tobytes()
    return [buf[i : i + 16] for i in range(0, len(buf), 16)]
