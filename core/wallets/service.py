"""The money service of a network: assets, federation, cards and every money action together.

:class:`Money` is what :class:`core.network.Network` exposes as ``network.money``:

- ``money.assets`` (:class:`~core.wallets.assets.Assets`), ``money.federations``
  (:class:`~core.wallets.federation.Federations`), ``money.cards``
  (:class:`~core.wallets.cards.Cards`), ``money.orders`` (sale priority per instance);
- the actions (``refill``, ``grant``, ``sale``, ``transfer``, ``refund``, ``remittance``,
  ``fusion``, ``correction``, and their ``*_in(tx, ...)`` forms);
- reads: balances, histories, operations, remittances, the per-place breakdown of an asset;
- :meth:`Money.check_invariants`: the money rules checked on the whole store at once.
"""

from __future__ import annotations

from collections.abc import Iterable

import lmdb
import msgspec

from core.accounts import Accounts
from core.instances import Instances
from core.ledger import Ledger
from core.store import Store
from core.tokens import Clock, system_clock
from core.wallets.accounts_map import AccountsMap, account_id_for
from core.wallets.actions import Payments
from core.wallets.assets import Assets
from core.wallets.card_import import ImportReport, import_cards
from core.wallets.cards import Cards, card_records
from core.wallets.federation import Federations
from core.wallets.model import (
    AccountKind,
    ActionKind,
    Balance,
    Operation,
    OwnerKind,
    Remittance,
    WalletRef,
)
from core.wallets.operations import OperationLog
from core.wallets.priority import PaymentOrders
from core.wallets.settlement import Settlements

__all__ = ["HistoryEntry", "InvariantReport", "Money"]


class HistoryEntry(msgspec.Struct, kw_only=True, frozen=True):
    """One line of a wallet's history in one asset: signed for this wallet (+ in, - out)."""

    transfer_id: int
    timestamp: int
    asset_id: int
    amount: int
    kind: ActionKind
    counterparty: str
    operation: str


class InvariantReport(msgspec.Struct, kw_only=True):
    """What :meth:`Money.check_invariants` found; ``ok`` when every rule holds."""

    ok: bool = True
    #: per asset: the sum of every balance (must be 0) and what its issuer owes
    totals: dict[int, int] = msgspec.field(default_factory=dict)
    outstanding: dict[int, int] = msgspec.field(default_factory=dict)
    accounts: int = 0
    problems: list[str] = msgspec.field(default_factory=list)
    ledger_ok: bool = True


class Money(Payments, Settlements):
    """Assets, federation, cards and the money actions of one network, on one store."""

    def __init__(
        self,
        store: Store,
        ledger: Ledger,
        instances: Instances,
        people: Accounts,
        *,
        clock: Clock = system_clock,
    ) -> None:
        assets = Assets(store, instances, clock=clock)
        accounts = AccountsMap(ledger, clock=clock)
        super().__init__(
            store=store,
            instances=instances,
            people=people,
            assets=assets,
            federations=Federations(store, assets, instances, people, clock=clock),
            accounts=accounts,
            log=OperationLog(store, accounts, clock=clock),
            orders=PaymentOrders(store, clock=clock),
            cards=card_records(store),
            clock=clock,
        )
        self.ledger = ledger
        self.cards = Cards(self)

    # -- cards ---------------------------------------------------------------------------

    def import_cards(self, source: str | Iterable[str], *, by_instance: str = "") -> ImportReport:
        """Import cards from CSV (``uid, number[, qr_id]``); see :mod:`core.wallets.card_import`.

        ``by_instance``: the instance whose admin imports them (recorded on each card).
        """
        return import_cards(self.cards, source, by_instance=by_instance)

    # -- balances ------------------------------------------------------------------------

    def balances(self, wallet: WalletRef) -> list[Balance]:
        """Every balance of a wallet, by asset (a claimed card: its user's wallet)."""
        with self.store.read() as txn:
            return self.accounts.balances_in(txn, self._resolved(txn, wallet))

    def balance(self, wallet: WalletRef, asset_id: int) -> int:
        """The balance of a wallet in one asset (0 if it never held any)."""
        with self.store.read() as txn:
            return self.accounts.balance_in(txn, self._resolved(txn, wallet), asset_id)

    def outstanding(self, asset_id: int) -> int:
        """What the issuer of ``asset_id`` owes: minus its issuer account's balance."""
        with self.store.read() as txn:
            return -self.accounts.balance_in(txn, WalletRef.issuer(asset_id), asset_id)

    def instance_balances(self, asset_id: int) -> list[tuple[str, int]]:
        """Each instance's balance in an asset ("Ventilation par lieu"), by slug."""
        with self.store.read() as txn:
            rows = []
            for record in self.accounts.of_asset(txn, asset_id):
                if record.kind == AccountKind.INSTANCE:
                    ref = WalletRef.parse(record.owner)
                    rows.append((ref.id, self.accounts.balance_in(txn, ref, asset_id)))
        return sorted(rows)

    def _resolved(self, txn: lmdb.Transaction, wallet: WalletRef) -> WalletRef:
        if wallet.kind == OwnerKind.CARD:
            card = self.card_records.get(txn, wallet.id) if wallet.id else None
            if card is not None and card.owner:
                return WalletRef.user(card.owner)
        return wallet

    # -- operations and histories --------------------------------------------------------

    def operation(self, kind: ActionKind, operation_id: str) -> Operation | None:
        """The operation done under this action and id, or None."""
        return self.log.get(kind, operation_id)

    def operation_in(
        self, txn: lmdb.Transaction, kind: ActionKind, operation_id: str
    ) -> Operation | None:
        """The operation done under this action and id as ``txn`` sees it (inside a write:
        with the write's own changes), or None."""
        return self.log.records.get(txn, self.log.key(kind, operation_id))

    def balance_in(self, txn: lmdb.Transaction, wallet: WalletRef, asset_id: int) -> int:
        """The balance of a wallet in one asset as ``txn`` sees it (a claimed card: its
        user's): for checks made inside the write that acts on them."""
        return self.accounts.balance_in(txn, self._resolved(txn, wallet), asset_id)

    def remittances(
        self, *, instance: str | None = None, asset_id: int | None = None
    ) -> list[Remittance]:
        """Bank remittances of an instance and/or an asset (all if neither), newest bank date
        first (then newest recorded first)."""
        with self.store.read() as txn:
            if instance is not None:
                found = list(self.log.remittances.find(txn, "instance", instance))
            elif asset_id is not None:
                found = list(self.log.remittances.find(txn, "asset", asset_id.to_bytes(4, "big")))
            else:
                found = list(self.log.remittances.scan(txn))
        if asset_id is not None:
            found = [r for r in found if r.asset_id == asset_id]
        return sorted(found, key=lambda r: (r.bank_date, r.created_at), reverse=True)

    def history(
        self, wallet: WalletRef, asset_id: int, *, limit: int = 50, before: int | None = None
    ) -> list[HistoryEntry]:
        """A wallet's transfers in one asset, newest first; page with ``before`` (a timestamp)."""
        with self.store.read() as txn:
            ref = self._resolved(txn, wallet)
        account_id = account_id_for(ref.owner, asset_id)
        transfers = self.ledger.account_transfers(
            account_id, after=before, limit=limit, reverse=True
        )
        entries = []
        with self.store.read() as txn:
            for t in transfers:
                incoming = t.credit_account_id == account_id
                other = t.debit_account_id if incoming else t.credit_account_id
                record = self.accounts.records.get(txn, other)
                operation = self.log.records.get_by(txn, "ref", t.user_data_128)
                entries.append(
                    HistoryEntry(
                        transfer_id=t.id,
                        timestamp=t.timestamp,
                        asset_id=t.ledger,
                        amount=t.amount if incoming else -t.amount,
                        kind=ActionKind(t.code),
                        counterparty="" if record is None else record.owner,
                        operation="" if operation is None else operation.key,
                    )
                )
        return entries

    # -- invariants ----------------------------------------------------------------------

    def check_invariants(self, *, verify_ledger: bool = True) -> InvariantReport:
        """Check the money rules on one snapshot of the store.

        For each asset the sum of all balances is zero; no account but an issuer's is below
        zero; each mapped account exists in the ledger with the asset's ledger number and its
        owner's kind as code. With ``verify_ledger``, the ledger's own verification (hash
        chain replayed, balances recomputed from the transfers) must pass too.
        """
        report = InvariantReport()
        with self.store.read() as txn:
            for record in self.accounts.records.scan(txn):
                report.accounts += 1
                account = self.accounts.account_in(txn, record.account_id)
                if account is None:
                    report.problems.append(f"account {record.account} ({record.owner}) is missing")
                    continue
                if account.ledger != record.asset_id or account.code != int(record.kind):
                    report.problems.append(
                        f"account {record.account} ({record.owner}) is mislabelled"
                    )
                balance = account.credits_posted - account.debits_posted
                report.totals[record.asset_id] = report.totals.get(record.asset_id, 0) + balance
                if record.kind == AccountKind.ISSUER:
                    report.outstanding[record.asset_id] = -balance
                elif balance - account.debits_pending < 0:
                    report.problems.append(f"{record.owner} is below zero in {record.asset_id}")
        for asset_id, total in sorted(report.totals.items()):
            if total != 0:
                report.problems.append(f"asset {asset_id}: balances sum to {total}, not 0")
        if verify_ledger:
            verified = self.ledger.verify()
            report.ledger_ok = bool(verified.ok)
            if not verified.ok:
                report.problems.append(f"ledger verification failed: {verified.summary()}")
        report.ok = not report.problems
        return report
