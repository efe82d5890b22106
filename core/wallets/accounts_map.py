"""The map between wallets and ledger accounts: one account per (owner, asset), both ways.

- The account id is derived from ``owner|asset``: the first 16 bytes of its SHA-256, as a
  big-endian integer (0 and ``2**128 - 1``, reserved by the ledger, are skipped by hashing
  again). Anyone can recompute it; the map records it anyway, because analytics and histories
  need the reverse direction (account id -> owner) and a wallet's list of accounts.
- Accounts are created lazily, inside the write of the first action that touches them
  (:meth:`AccountsMap.ensure`), ledger account and map record together.
- Non-issuer accounts carry ``DEBITS_MUST_NOT_EXCEED_CREDITS``: the ledger itself refuses to
  take them below zero. The issuer's account has no limit: its negative balance is what the
  issuer owes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import lmdb

from core.ledger import Account, AccountFlags, CreateAccountResult, Ledger
from core.records import Collection, Index
from core.store import Tx
from core.tokens import Clock, system_clock
from core.wallets.errors import LedgerRefused
from core.wallets.model import AccountKind, Balance, WalletAccount, WalletRef

__all__ = ["AccountsMap", "account_id_for", "available"]

_RESERVED = {0, (1 << 128) - 1}


def account_id_for(owner: str, asset_id: int) -> int:
    """The ledger account id of ``owner`` in ``asset_id`` (deterministic, 128-bit)."""
    seed = f"{owner}|{asset_id}".encode()
    while True:
        value = int.from_bytes(hashlib.sha256(seed).digest()[:16], "big")
        if value not in _RESERVED:
            return value
        seed += b"#"


def available(account: Account | None) -> int:
    """What an account may still spend: posted credits minus posted and pending debits."""
    if account is None:
        return 0
    return account.credits_posted - account.debits_posted - account.debits_pending


class AccountsMap:
    """Wallet accounts: created on first use, found by owner and asset, or by account id."""

    def __init__(self, ledger: Ledger, *, clock: Clock = system_clock) -> None:
        self.ledger = ledger
        self.store = ledger.store
        self.clock = clock
        self.records: Collection[WalletAccount] = Collection(
            self.store,
            "wallet_accounts",
            WalletAccount,
            key=lambda a: a.account_id,
            indexes=(
                Index("owner", lambda a: a.owner),
                Index("asset", lambda a: a.asset_id.to_bytes(4, "big")),
            ),
        )

    # -- reading -----------------------------------------------------------------------

    def account_in(self, txn: lmdb.Transaction, account_id: int) -> Account | None:
        """The ledger account as ``txn`` sees it (inside a write: with its own changes)."""
        found = self.ledger.lookup_accounts_in(txn, [account_id])
        return found[0] if found else None

    def available_in(self, txn: lmdb.Transaction, ref: WalletRef, asset_id: int) -> int:
        """What ``ref`` may spend in ``asset_id``, as ``txn`` sees it (0 without an account)."""
        return available(self.account_in(txn, account_id_for(ref.owner, asset_id)))

    def balance_in(self, txn: lmdb.Transaction, ref: WalletRef, asset_id: int) -> int:
        """The posted balance of ``ref`` in ``asset_id`` (credits - debits; may be < 0)."""
        account = self.account_in(txn, account_id_for(ref.owner, asset_id))
        if account is None:
            return 0
        return account.credits_posted - account.debits_posted

    def balances_in(self, txn: lmdb.Transaction, ref: WalletRef) -> list[Balance]:
        """Every balance of a wallet (zero ones included), by asset id."""
        out = []
        for record in self.records.find(txn, "owner", ref.owner):
            account = self.account_in(txn, record.account_id)
            amount = 0 if account is None else account.credits_posted - account.debits_posted
            out.append(
                Balance(asset_id=record.asset_id, amount=amount, account_id=record.account_id)
            )
        return sorted(out, key=lambda b: b.asset_id)

    def of_asset(self, txn: lmdb.Transaction, asset_id: int) -> Iterator[WalletAccount]:
        """Every wallet account of one asset (the issuer's included)."""
        return self.records.find(txn, "asset", asset_id.to_bytes(4, "big"))

    def owner_of(self, account_id: int) -> WalletAccount | None:
        """The map record of a ledger account (its owner and asset), or None."""
        with self.store.read() as txn:
            return self.records.get(txn, account_id)

    # -- writing -----------------------------------------------------------------------

    def ensure(self, tx: Tx, ref: WalletRef, asset_id: int) -> int:
        """Inside a write: the account of ``ref`` in ``asset_id``, created if new; its id."""
        account_id = account_id_for(ref.owner, asset_id)
        found = self.records.get(tx.txn, account_id)
        if found is not None:
            if found.owner != ref.owner or found.asset_id != asset_id:  # 2**-128, but say so
                raise RuntimeError(f"account id collision: {ref.owner} and {found.owner}")
            return account_id
        kind = ref.account_kind
        flags = 0 if kind == AccountKind.ISSUER else AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS
        account = Account(id=account_id, ledger=asset_id, code=int(kind), flags=int(flags))
        (result,) = self.ledger.create_accounts_in(tx, [account])
        if result not in (CreateAccountResult.OK, CreateAccountResult.EXISTS):
            raise LedgerRefused("account", ref.owner, [result])
        record = WalletAccount(
            account=str(account_id),
            owner=ref.owner,
            asset_id=asset_id,
            kind=kind,
            created_at=self.clock(),
        )
        self.records.put(tx, record)
        return account_id
