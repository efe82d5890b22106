"""What the money writes beside the ledger for readers of its change feed (the analytics mirror).

A reader of the ledger's feed (``Ledger.raw_changes``) sees transfers: accounts, amounts,
codes, the operation's reference. Two things a treasurer asks about are not in those fields,
and reading each operation's record to find them costs far more than reading the transfer.
So every money action also writes, in the same write:

- **the place in the transfer**: ``user_data_64`` of every leg carries the operation's
  instance as a compact number (:class:`PlaceNumbers`: each slug gets a number the first time
  an operation names it, stored in ``wallets:place_numbers`` and never changed). Layout:
  bits 56-63 hold the layout tag :data:`PLACE_LAYOUT` (1), bits 0-31 the place number (0: no
  place). Transfers written before this layout carry 0: readers fall back to the record.
- **a note per operation** of the kinds whose record says more than their transfers
  (:data:`NOTED_KINDS`: refills, grants, refunds, remittances, corrections): an
  :class:`OperationNote` in ``wallets:operation_feed``, keyed by the commit sequence of the
  operation's first transfer (8 bytes, big-endian), so a reader takes the notes of a run of
  transfers with one cursor walk, in order. A note is a JSON array (``[kind, operation id,
  amount, instance, author, reason, bank reference, bank date, created at]``): the mirror
  hands the notes of a chunk to DuckDB as they are and DuckDB's JSON reader splits them,
  without a Python object per field.

Sales, transfers and fusions get the place but no note: their transfers tell the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import cast

import lmdb
import msgspec

from core.store import Store, Tx
from core.wallets.model import ActionKind

__all__ = [
    "NOTED_KINDS",
    "NOTE_DECODER",
    "PLACE_LAYOUT",
    "PLACE_MASK",
    "PLACE_SHIFT",
    "LedgerNotes",
    "OperationNote",
    "PlaceNumbers",
    "place_number",
    "place_user_data",
]

#: The layout tag of ``user_data_64`` (bits 56-63); 0 is a transfer written before it.
PLACE_LAYOUT = 1
PLACE_SHIFT = 56
PLACE_MASK = 0xFFFF_FFFF
#: Kinds whose operation gets a note (their record says more than their transfers).
NOTED_KINDS = frozenset(
    {
        ActionKind.REFILL,
        ActionKind.GRANT,
        ActionKind.REFUND,
        ActionKind.REMITTANCE,
        ActionKind.CORRECTION,
    }
)
_NEXT = b"#next"  # sorts before the "n" and "s" keys


def place_user_data(number: int) -> int:
    """The ``user_data_64`` of a transfer made at place ``number`` (0: no place)."""
    if not 0 <= number <= PLACE_MASK:
        raise ValueError(f"place number out of range: {number}")
    return PLACE_LAYOUT << PLACE_SHIFT | number


def place_number(user_data_64: int) -> int | None:
    """The place number a transfer carries, or None when it predates the layout."""
    if user_data_64 >> PLACE_SHIFT != PLACE_LAYOUT:
        return None
    return user_data_64 & PLACE_MASK


class OperationNote(msgspec.Struct, array_like=True, kw_only=True):
    """What an operation's record adds to its transfers (stored as a JSON array).

    Array-like: fields are only ever appended, with defaults (msgspec's evolution rules).
    """

    kind: int
    operation_id: str
    amount: int
    instance: str = ""
    author: str = ""
    reason: str = ""
    bank_reference: str = ""
    bank_date: str = ""
    created_at: float = 0.0


#: Decodes one stored note.
NOTE_DECODER = msgspec.json.Decoder(OperationNote)
_ENCODER = msgspec.json.Encoder()


class PlaceNumbers:
    """Instance slugs <-> compact numbers (1, 2, 3... in order of first use), never changed.

    Stored in ``wallets:place_numbers``: ``s<slug>`` -> number (4 bytes, big-endian),
    ``n<number>`` -> slug, ``#next`` -> the next number. A process keeps the numbers it saw
    committed in memory; an assignment made in a write that is rolled back is forgotten.
    """

    def __init__(self, store: Store) -> None:
        self.db = store.db("wallets:place_numbers")
        self._committed: dict[str, int] = {}

    def number_in(self, tx: Tx, slug: str) -> int:
        """The number of ``slug`` (0 for no place), assigned in ``tx`` on first use."""
        if not slug:
            return 0
        found = self._committed.get(slug)
        if found is not None:
            return found
        txn = tx.txn
        key = b"s" + slug.encode()
        raw = txn.get(key, db=self.db)
        if raw is not None:
            number = int.from_bytes(raw, "big")
        else:
            raw_next = txn.get(_NEXT, db=self.db)
            number = int.from_bytes(raw_next, "big") if raw_next is not None else 1
            if number > PLACE_MASK:
                raise OverflowError("no place number left")
            txn.put(key, number.to_bytes(4, "big"), db=self.db)
            txn.put(b"n" + number.to_bytes(4, "big"), slug.encode(), db=self.db)
            txn.put(_NEXT, (number + 1).to_bytes(4, "big"), db=self.db)
        tx.on_commit(lambda: self._remember(slug, number))
        return number

    def _remember(self, slug: str, number: int) -> None:
        self._committed.setdefault(slug, number)

    def slugs_in(self, txn: lmdb.Transaction) -> dict[int, str]:
        """Every assigned number and its slug, as ``txn`` sees them."""
        out: dict[int, str] = {}
        cursor = txn.cursor(db=self.db)
        if cursor.set_range(b"n"):
            for key, value in cursor.iternext():
                if key[:1] != b"n":
                    break
                out[int.from_bytes(key[1:], "big")] = bytes(value).decode()
        return out


class LedgerNotes:
    """The place numbers and the operation feed (see the module's docstring)."""

    def __init__(self, store: Store) -> None:
        self.places = PlaceNumbers(store)
        self.feed_db = store.db("wallets:operation_feed")

    def note_in(self, tx: Tx, first_seq: int, note: OperationNote) -> None:
        """File ``note`` under the commit sequence of its operation's first transfer."""
        tx.txn.put(first_seq.to_bytes(8, "big"), _ENCODER.encode(note), db=self.feed_db)

    def raw_notes_in(
        self, txn: lmdb.Transaction, first_seq: int, last_seq: int
    ) -> tuple[list[int], list[bytes]]:
        """The notes filed under ``first_seq`` .. ``last_seq``: their sequences and their
        stored JSON, in order."""
        seqs: list[int] = []
        blobs: list[bytes] = []
        for key, blob in _walk(txn.cursor(db=self.feed_db), first_seq, last_seq):
            seqs.append(int.from_bytes(key, "big"))
            blobs.append(blob)
        return seqs, blobs

    def run_in(
        self, txn: lmdb.Transaction, first_seq: int, count: int
    ) -> tuple[int, int, list[bytes]]:
        """The stored JSON of the ``count`` notes from ``first_seq`` on, for bulk readers
        that know which sequences hold notes: returns the first and last sequences read (0
        when none) to check against, and the notes; no key is kept per note."""
        cursor = txn.cursor(db=self.feed_db)
        if count <= 0 or not cursor.set_range(first_seq.to_bytes(8, "big")):
            return 0, 0, []
        first = int.from_bytes(cursor.key(), "big")
        # the store's transactions hand out bytes (no buffers): no copy, no check per note
        values = cast(list[bytes], list(islice(cursor.iternext(keys=False, values=True), count)))
        return first, int.from_bytes(cursor.key(), "big"), values

    def notes(
        self, store: Store, first_seq: int = 1, last_seq: int = 2**63 - 1
    ) -> list[tuple[int, OperationNote]]:
        """The notes of a range of sequences, decoded, with their sequences (tests, tools)."""
        with store.read() as txn:
            seqs, blobs = self.raw_notes_in(txn, first_seq, last_seq)
        return [(seq, NOTE_DECODER.decode(blob)) for seq, blob in zip(seqs, blobs, strict=True)]


def _walk(cursor: lmdb.Cursor, first_seq: int, last_seq: int) -> Iterator[tuple[bytes, bytes]]:
    """(key, value) of the cursor's database for keys ``first_seq`` .. ``last_seq``."""
    if not cursor.set_range(first_seq.to_bytes(8, "big")):
        return
    end = last_seq.to_bytes(8, "big")
    for key, value in cursor.iternext():
        if bytes(key) > end:
            return
        yield bytes(key), bytes(value)
