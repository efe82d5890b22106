"""The money actions that issue and circulate money: refill, grant, sale, transfer.

Each action is idempotent given the caller's ``operation_id`` (see
:mod:`core.wallets.operations`), validates its parameters before writing (an amount is an
``int`` > 0 in the smallest unit; never a float or a bool), and is one atomic write.

| action   | debit        | credit        | rule                                               |
|----------|--------------|---------------|----------------------------------------------------|
| refill   | issuer       | user or card  | euro-backed assets only (primary, fiat)            |
| grant    | issuer       | any holder    | any category (allocations, gift and time credits)  |
| sale     | payer        | instance      | accepted assets, priority order, all or nothing    |
| transfer | holder       | holder        | only assets marked ``transferable``                |

Archived assets refuse refills, grants, sales and transfers (refunds, in
:mod:`core.wallets.settlement`, still work).
"""

from __future__ import annotations

from collections.abc import Sequence

import lmdb

from core.i18n import N_
from core.store import Tx
from core.wallets.assets import PRIMARY_ASSET_ID, check_decimals
from core.wallets.context import HOLDERS, PEOPLE, ActionContext, owner_of
from core.wallets.errors import (
    ActionNotAllowed,
    AssetNotAccepted,
    InsufficientFunds,
    InvalidInput,
)
from core.wallets.model import (
    MONEY_CATEGORIES,
    REFUNDABLE_CATEGORIES,
    ActionKind,
    Asset,
    Operation,
    WalletRef,
)
from core.wallets.operations import (
    Planned,
    check_amount,
    check_operation_id,
    check_text,
    fingerprint,
)
from core.wallets.priority import sale_order

__all__ = ["Payments"]

A = ActionKind


class Payments(ActionContext):
    """Refill, grant, sale and transfer, each in an ``_in(tx, ...)`` and a plain form."""

    # -- refill --------------------------------------------------------------------------

    def refill(
        self,
        *,
        operation_id: str,
        wallet: WalletRef,
        asset_id: int,
        amount: int,
        author: str = "",
        instance: str = "",
        grouped: bool = False,
    ) -> Operation:
        """Credit ``wallet`` after a payment in euros (online or at ``instance``'s counter)."""
        check_operation_id(operation_id)
        check_amount(amount)
        return self._write(
            lambda tx: self.refill_in(
                tx,
                operation_id=operation_id,
                wallet=wallet,
                asset_id=asset_id,
                amount=amount,
                author=author,
                instance=instance,
            ),
            grouped,
        )

    def refill_in(
        self,
        tx: Tx,
        *,
        operation_id: str,
        wallet: WalletRef,
        asset_id: int,
        amount: int,
        author: str = "",
        instance: str = "",
    ) -> Operation:
        """Inside a write: issuer -> ``wallet``. Exactly once per ``operation_id``."""
        op_id = check_operation_id(operation_id)
        amount = check_amount(amount)
        author = check_text(author, "author", required=False, limit=200)
        fp = fingerprint("refill", owner_of(wallet, "wallet"), asset_id, amount, instance)

        def plan() -> tuple[list[Planned], dict[str, str]]:
            asset = self._asset(tx.txn, asset_id, usable=True)
            if asset.category not in REFUNDABLE_CATEGORIES:
                raise ActionNotAllowed(
                    "refill", f"{asset.code} is not euro-backed: grant it instead", asset=asset.id
                )
            target = self._wallet(tx.txn, wallet, "wallet", PEOPLE)
            if instance:
                self._accepted(tx.txn, self._instance(tx.txn, instance), asset)
            legs = [Planned(asset.id, WalletRef.issuer(asset.id), target, amount)]
            return legs, {"author": author, "instance": instance}

        return self._run(tx, A.REFILL, op_id, fp, plan)

    # -- grant ---------------------------------------------------------------------------

    def grant(
        self,
        *,
        operation_id: str,
        wallet: WalletRef,
        asset_id: int,
        amount: int,
        author: str = "",
        reason: str = "",
        grouped: bool = False,
    ) -> Operation:
        """Offer ``amount`` of an asset to ``wallet`` (allocation, gift or time credit)."""
        check_operation_id(operation_id)
        check_amount(amount)
        return self._write(
            lambda tx: self.grant_in(
                tx,
                operation_id=operation_id,
                wallet=wallet,
                asset_id=asset_id,
                amount=amount,
                author=author,
                reason=reason,
            ),
            grouped,
        )

    def grant_in(
        self,
        tx: Tx,
        *,
        operation_id: str,
        wallet: WalletRef,
        asset_id: int,
        amount: int,
        author: str = "",
        reason: str = "",
    ) -> Operation:
        """Inside a write: issuer -> ``wallet`` (a user, a card or an instance)."""
        op_id = check_operation_id(operation_id)
        amount = check_amount(amount)
        author = check_text(author, "author", required=False, limit=200)
        reason = check_text(reason, "reason", required=False)
        fp = fingerprint("grant", owner_of(wallet, "wallet"), asset_id, amount, reason)

        def plan() -> tuple[list[Planned], dict[str, str]]:
            asset = self._asset(tx.txn, asset_id, usable=True)
            target = self._wallet(tx.txn, wallet, "wallet", HOLDERS)
            legs = [Planned(asset.id, WalletRef.issuer(asset.id), target, amount)]
            return legs, {"author": author, "reason": reason}

        return self._run(tx, A.GRANT, op_id, fp, plan)

    # -- sale ----------------------------------------------------------------------------

    def sale(
        self,
        *,
        operation_id: str,
        payer: WalletRef,
        instance: str,
        amount: int,
        asset_ids: Sequence[int] | None = None,
        decimals: int | None = None,
        author: str = "",
        grouped: bool = False,
    ) -> Operation:
        """``payer`` pays ``amount`` to ``instance``; see :meth:`sale_in` for the rules."""
        check_operation_id(operation_id)
        check_amount(amount)
        return self._write(
            lambda tx: self.sale_in(
                tx,
                operation_id=operation_id,
                payer=payer,
                instance=instance,
                amount=amount,
                asset_ids=asset_ids,
                decimals=decimals,
                author=author,
            ),
            grouped,
        )

    def sale_in(
        self,
        tx: Tx,
        *,
        operation_id: str,
        payer: WalletRef,
        instance: str,
        amount: int,
        asset_ids: Sequence[int] | None = None,
        decimals: int | None = None,
        author: str = "",
    ) -> Operation:
        """Inside a write: payer -> instance, one leg per asset used, one linked chain.

        The assets are taken in priority order (``asset_ids`` if given, else the instance's
        order, see :mod:`core.wallets.priority`) until ``amount`` is covered; only assets the
        instance accepts, not archived, with the sale's decimals. When the balances do not
        cover it, InsufficientFunds carries the exact shortfall and nothing moves.
        """
        op_id = check_operation_id(operation_id)
        amount = check_amount(amount)
        author = check_text(author, "author", required=False, limit=200)
        ids = None if asset_ids is None else list(asset_ids)
        unit = None if decimals is None else check_decimals(decimals)
        fp = fingerprint("sale", owner_of(payer, "payer"), instance, amount, ids, unit)

        def plan() -> tuple[list[Planned], dict[str, str]]:
            source = self._wallet(tx.txn, payer, "payer", HOLDERS)
            slug = self._instance(tx.txn, instance)
            payee = WalletRef.instance(slug)
            if source == payee:
                raise InvalidInput("payer", N_("an instance cannot pay itself"))
            candidates = self._sale_assets(tx.txn, slug, ids, unit)
            legs = []
            remaining = amount
            for asset in candidates:
                take = min(self.accounts.available_in(tx.txn, source, asset.id), remaining)
                if take > 0:
                    legs.append(Planned(asset.id, source, payee, take))
                    remaining -= take
                if not remaining:
                    break
            if remaining:
                raise InsufficientFunds(
                    shortfall=remaining,
                    asset=candidates[-1].id,
                    wallet=source.owner,
                    available=amount - remaining,
                )
            return legs, {"author": author, "instance": slug}

        return self._run(tx, A.SALE, op_id, fp, plan)

    def _sale_assets(
        self, txn: lmdb.Transaction, slug: str, ids: list[int] | None, unit: int | None
    ) -> list[Asset]:
        """The assets that may pay a sale at ``slug``, in the order they are used."""
        if ids is not None:
            chosen = []
            for asset_id in dict.fromkeys(ids):
                asset = self._asset(txn, asset_id, usable=True)
                if asset.category not in MONEY_CATEGORIES:
                    raise ActionNotAllowed("sale", f"{asset.code} is not money", asset=asset.id)
                self._accepted(txn, slug, asset)
                chosen.append(asset)
            if not chosen:
                raise InvalidInput("asset_ids", N_("name at least one asset"))
            wanted = chosen[0].decimals if unit is None else unit
            if any(a.decimals != wanted for a in chosen):
                raise InvalidInput(
                    "asset_ids", N_("one sale only combines assets of equal decimals")
                )
            return chosen
        if unit is None:
            primary = self.assets.get_in(txn, PRIMARY_ASSET_ID)
            unit = 2 if primary is None else primary.decimals
        accepted = [
            a
            for a in self.assets.records.scan(txn)
            if not a.archived and self.federations.accepts_in(txn, slug, a)
        ]
        ordered = sale_order(accepted, self.orders.preferred_in(txn, slug))
        usable = [a for a in ordered if a.decimals == unit]
        if not usable:
            raise InvalidInput(
                "decimals",
                N_("%(slug)s accepts no asset with %(unit)s decimals"),
                slug=slug,
                unit=unit,
            )
        return usable

    def _accepted(self, txn: lmdb.Transaction, slug: str, asset: Asset) -> None:
        if not self.federations.accepts_in(txn, slug, asset):
            raise AssetNotAccepted(slug, asset.id)

    # -- transfer ------------------------------------------------------------------------

    def transfer(
        self,
        *,
        operation_id: str,
        payer: WalletRef,
        payee: WalletRef,
        asset_id: int,
        amount: int,
        author: str = "",
        grouped: bool = False,
    ) -> Operation:
        """Person to person: ``payer`` gives ``amount`` to ``payee`` (transferable assets)."""
        check_operation_id(operation_id)
        check_amount(amount)
        return self._write(
            lambda tx: self.transfer_in(
                tx,
                operation_id=operation_id,
                payer=payer,
                payee=payee,
                asset_id=asset_id,
                amount=amount,
                author=author,
            ),
            grouped,
        )

    def transfer_in(
        self,
        tx: Tx,
        *,
        operation_id: str,
        payer: WalletRef,
        payee: WalletRef,
        asset_id: int,
        amount: int,
        author: str = "",
    ) -> Operation:
        """Inside a write: payer -> payee, if the asset allows person-to-person transfers."""
        op_id = check_operation_id(operation_id)
        amount = check_amount(amount)
        author = check_text(author, "author", required=False, limit=200)
        fp = fingerprint(
            "transfer", owner_of(payer, "payer"), owner_of(payee, "payee"), asset_id, amount
        )

        def plan() -> tuple[list[Planned], dict[str, str]]:
            asset = self._asset(tx.txn, asset_id, usable=True)
            if not asset.transferable:
                raise ActionNotAllowed(
                    "transfer", f"{asset.code} cannot be given person to person", asset=asset.id
                )
            source = self._wallet(tx.txn, payer, "payer", HOLDERS)
            target = self._wallet(tx.txn, payee, "payee", HOLDERS)
            if source == target:
                raise InvalidInput("payee", N_("the payer and the payee are the same wallet"))
            return [Planned(asset.id, source, target, amount)], {"author": author}

        return self._run(tx, A.TRANSFER, op_id, fp, plan)
