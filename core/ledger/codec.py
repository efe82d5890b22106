"""Canonical binary encodings of accounts and transfers, keys, and the integrity chain hash.

Both records are 128 bytes, little-endian, laid out like TigerBeetle's: 128-bit fields as two
64-bit halves (low first). A stored transfer is ``prev_hash (32 bytes) + encoding (128 bytes)``
and its own hash is ``sha256`` of those 160 bytes, so each record commits to its predecessor:
changing one byte of any stored transfer breaks the link to the next one (or to the head).

Keys are big-endian so LMDB's byte order is numeric order: ids on 16 bytes, commit sequence
numbers and expiry timestamps on 8 bytes.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

from core.ledger.model import Account, Transfer

__all__ = [
    "ACCOUNT_SIZE",
    "GENESIS_HASH",
    "HASH_SIZE",
    "RECORD_SIZE",
    "TRANSFER_SIZE",
    "account_from_state",
    "decode_account_state",
    "decode_transfer",
    "encode_account_state",
    "encode_transfer_fields",
    "hash_record",
    "id_key",
    "new_account_state",
    "seq_key",
    "transfer_fields",
    "transfer_from_fields",
]

TRANSFER_SIZE = 128
ACCOUNT_SIZE = 128
HASH_SIZE = 32
RECORD_SIZE = HASH_SIZE + TRANSFER_SIZE
GENESIS_HASH = bytes(HASH_SIZE)
MASK64 = (1 << 64) - 1

# id, debit, credit, amount, pending_id, user_data_128 (each two u64), user_data_64,
# user_data_32, timeout, ledger, code, flags, timestamp.
TRANSFER_STRUCT = struct.Struct("<12QQIIIHHQ")
# id, debits_pending, debits_posted, credits_pending, credits_posted, user_data_128 (each two
# u64), user_data_64, user_data_32, reserved, ledger, code, flags, timestamp.
ACCOUNT_STRUCT = struct.Struct("<12QQIIIHHQ")
ACCOUNT_TAIL = struct.Struct("<QQQIIIHHQ")
assert TRANSFER_STRUCT.size == TRANSFER_SIZE and ACCOUNT_STRUCT.size == ACCOUNT_SIZE

_pack_transfer = TRANSFER_STRUCT.pack
_unpack_transfer = TRANSFER_STRUCT.unpack
_sha256 = hashlib.sha256

#: Account working state, a list indexed by these positions (balances first: the hot fields);
#: HEAD and TAIL hold the constant bytes of the encoding (the id, and what follows balances),
#: KEY the account's LMDB key.
DP, DPO, CP, CPO, LEDGER, FLAGS, CODE, ID, UD128, UD64, UD32, TS, HEAD, TAIL, KEY = range(15)

#: A transfer as a tuple of fields, in this order (the engine's and the codec's common form).
TRANSFER_FIELDS = (
    "id",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "pending_id",
    "user_data_128",
    "user_data_64",
    "user_data_32",
    "timeout",
    "ledger",
    "code",
    "flags",
    "timestamp",
)


def id_key(value: int) -> bytes:
    """A 128-bit id as a 16-byte big-endian key."""
    return value.to_bytes(16, "big")


def seq_key(value: int) -> bytes:
    """A commit sequence number (or timestamp) as an 8-byte big-endian key."""
    return value.to_bytes(8, "big")


def encode_transfer_fields(f: tuple[int, ...]) -> bytes:
    """Encode a transfer given as a field tuple (see ``TRANSFER_FIELDS``) to 128 bytes."""
    i, d, c, a, p, u, u64, u32, timeout, ledger, code, flags, ts = f
    return _pack_transfer(
        i & MASK64, i >> 64, d & MASK64, d >> 64, c & MASK64, c >> 64, a & MASK64, a >> 64,
        p & MASK64, p >> 64, u & MASK64, u >> 64, u64, u32, timeout, ledger, code, flags, ts,
    )  # fmt: skip


def decode_transfer(raw: bytes | memoryview) -> tuple[int, ...]:
    """Decode 128 bytes into a transfer field tuple (see ``TRANSFER_FIELDS``)."""
    v = _unpack_transfer(raw)
    return (
        v[0] | v[1] << 64, v[2] | v[3] << 64, v[4] | v[5] << 64, v[6] | v[7] << 64,
        v[8] | v[9] << 64, v[10] | v[11] << 64, v[12], v[13], v[14], v[15], v[16], v[17], v[18],
    )  # fmt: skip


def transfer_fields(t: Transfer) -> tuple[int, ...]:
    """The field tuple of a Transfer Struct."""
    return (
        t.id, t.debit_account_id, t.credit_account_id, t.amount, t.pending_id, t.user_data_128,
        t.user_data_64, t.user_data_32, t.timeout, t.ledger, t.code, t.flags, t.timestamp,
    )  # fmt: skip


def transfer_from_fields(f: tuple[int, ...]) -> Transfer:
    """A Transfer Struct from a field tuple."""
    return Transfer(
        id=f[0], debit_account_id=f[1], credit_account_id=f[2], amount=f[3], pending_id=f[4],
        user_data_128=f[5], user_data_64=f[6], user_data_32=f[7], timeout=f[8], ledger=f[9],
        code=f[10], flags=f[11], timestamp=f[12],
    )  # fmt: skip


def new_account_state(
    account_id: int, ud128: int, ud64: int, ud32: int, ledger: int, code: int, flags: int, ts: int
) -> list[int | bytes]:
    """A fresh account working state (zero balances) with its constant bytes precomputed."""
    head = account_id.to_bytes(16, "little")
    tail = ACCOUNT_TAIL.pack(ud128 & MASK64, ud128 >> 64, ud64, ud32, 0, ledger, code, flags, ts)
    key = account_id.to_bytes(16, "big")
    return [0, 0, 0, 0, ledger, flags, code, account_id, ud128, ud64, ud32, ts, head, tail, key]


def encode_account_state(s: list[Any]) -> bytes:
    """Encode an account working state (see the ``DP`` .. ``TAIL`` positions) to 128 bytes.

    Only the four balances change after creation, so the id and the tail are cached bytes.
    """
    return (
        s[HEAD] + (s[0] | s[1] << 128 | s[2] << 256 | s[3] << 384).to_bytes(64, "little") + s[TAIL]
    )


def decode_account_state(raw: bytes | memoryview) -> list[Any]:
    """Decode 128 bytes into an account working state list."""
    v = ACCOUNT_STRUCT.unpack(raw)
    raw = bytes(raw)
    return [
        v[2] | v[3] << 64, v[4] | v[5] << 64, v[6] | v[7] << 64, v[8] | v[9] << 64,
        v[15], v[17], v[16], v[0] | v[1] << 64, v[10] | v[11] << 64, v[12], v[13], v[18],
        raw[:16], raw[80:], raw[15::-1],
    ]  # fmt: skip


def account_from_state(s: list[Any]) -> Account:
    """An Account Struct from a working state list."""
    return Account(
        id=s[ID], debits_pending=s[DP], debits_posted=s[DPO], credits_pending=s[CP],
        credits_posted=s[CPO], user_data_128=s[UD128], user_data_64=s[UD64],
        user_data_32=s[UD32], ledger=s[LEDGER], code=s[CODE], flags=s[FLAGS], timestamp=s[TS],
    )  # fmt: skip


def hash_record(record: bytes) -> bytes:
    """The chain hash of a stored record (``prev_hash + encoding``): sha256, 32 bytes."""
    return _sha256(record).digest()
