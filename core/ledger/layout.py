"""The stored transfer layouts as NumPy dtypes, for the code that reads or writes them in bulk.

The same bytes as :data:`core.ledger.codec.TRANSFER_STRUCT` (the 128-byte canonical body,
TigerBeetle's layout: 128-bit fields as two little-endian 64-bit halves) and the 160-byte
stored record (``prev_hash`` then the body). The bulk write path (:mod:`core.ledger.bulk`)
and the verification's bulk pass (:mod:`core.ledger.verify_fast`) use them; importing this
module imports NumPy, so the ledger imports it only where the bulk paths run.
"""

from __future__ import annotations

import numpy as np

from core.ledger.codec import RECORD_SIZE, TRANSFER_SIZE

__all__ = ["BODY", "PAIR", "RECORD"]

#: A 128-bit value as two little-endian 64-bit halves.
PAIR = np.dtype([("lo", "<u8"), ("hi", "<u8")])
_BODY_FIELDS = [
    ("id", PAIR), ("debit", PAIR), ("credit", PAIR), ("amount", PAIR),
    ("pending", PAIR), ("ref", PAIR),
    ("user_data_64", "<u8"), ("user_data_32", "<u4"), ("timeout", "<u4"),
    ("ledger", "<u4"), ("code", "<u2"), ("flags", "<u2"), ("timestamp", "<u8"),
]  # fmt: skip
#: The 128-byte canonical encoding of a transfer.
BODY = np.dtype(_BODY_FIELDS)
#: A stored transfer record: the previous transfer's hash, then the body.
RECORD = np.dtype([("prev_hash", "V32"), *_BODY_FIELDS])
assert BODY.itemsize == TRANSFER_SIZE and RECORD.itemsize == RECORD_SIZE
