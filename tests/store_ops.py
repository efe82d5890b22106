"""What the store's tests share: a write function putting one key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.store import Tx


def put_op(db: Any, key: int, value: bytes = b"v") -> Callable[[Tx], int]:
    """A write function putting ``key`` (8 bytes, big-endian) = ``value``; returns ``key``."""

    def op(tx: Tx) -> int:
        tx.txn.put(key.to_bytes(8, "big"), value, db=db)
        return key

    return op
