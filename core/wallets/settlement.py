"""The money actions that settle and repair: refund, bank remittance, fusion, correction.

| action     | debit           | credit                | rule                                   |
|------------|-----------------|-----------------------|----------------------------------------|
| refund     | user or card    | issuer                | euro-backed; euros paid back outside   |
| remittance | instance wallet | issuer                | euro-backed; bank reference, date, who |
| fusion     | card wallet     | user (or card) wallet | every balance, one linked chain        |
| correction | any             | any                   | reason and author required             |

Each is idempotent given the caller's ``operation_id`` and is one atomic write. A remittance
also stores a :class:`Remittance` record (the treasurer's history) in the same write.
"""

from __future__ import annotations

import datetime

from core.i18n import N_
from core.store import Tx
from core.wallets.context import PEOPLE, ActionContext, owner_of
from core.wallets.errors import ActionNotAllowed, InvalidInput, UnknownCard
from core.wallets.model import (
    REFUNDABLE_CATEGORIES,
    ActionKind,
    Operation,
    OwnerKind,
    Remittance,
    WalletRef,
)
from core.wallets.operations import (
    Planned,
    check_amount,
    check_operation_id,
    check_text,
    fingerprint,
)

__all__ = ["ALL_WALLETS", "Settlements", "check_bank_date"]

A = ActionKind
ALL_WALLETS = frozenset(OwnerKind)


def check_bank_date(value: object) -> str:
    """The date as ``YYYY-MM-DD`` (a ``date`` or an ISO string); else InvalidInput."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise InvalidInput("bank_date", N_("give the bank transfer's date as YYYY-MM-DD"))


class Settlements(ActionContext):
    """Refund, remittance, fusion and correction, each in an ``_in(tx, ...)`` and a plain form."""

    # -- refund --------------------------------------------------------------------------

    def refund(
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
        """Give back ``amount`` of a euro-backed asset to the issuer; euros are paid outside."""
        check_operation_id(operation_id)
        check_amount(amount)
        return self._write(
            lambda tx: self.refund_in(
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

    def refund_in(
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
        """Inside a write: ``wallet`` (a user or a card) -> issuer. Gift, time, loyalty and
        badges are not refundable (ActionNotAllowed)."""
        op_id = check_operation_id(operation_id)
        amount = check_amount(amount)
        author = check_text(author, "author", required=False, limit=200)
        fp = fingerprint("refund", owner_of(wallet, "wallet"), asset_id, amount, instance)

        def plan() -> tuple[list[Planned], dict[str, str]]:
            asset = self._asset(tx.txn, asset_id, usable=False)
            if asset.category not in REFUNDABLE_CATEGORIES:
                raise ActionNotAllowed(
                    "refund", f"{asset.code} ({asset.category}) is not refundable", asset=asset.id
                )
            source = self._wallet(tx.txn, wallet, "wallet", PEOPLE)
            if instance:
                self._instance(tx.txn, instance)
            legs = [Planned(asset.id, source, WalletRef.issuer(asset.id), amount)]
            return legs, {"author": author, "instance": instance}

        return self._run(tx, A.REFUND, op_id, fp, plan)

    # -- bank remittance -----------------------------------------------------------------

    def remittance(
        self,
        *,
        operation_id: str,
        instance: str,
        asset_id: int,
        amount: int,
        bank_reference: str,
        bank_date: str | datetime.date,
        author: str,
        grouped: bool = False,
    ) -> Operation:
        """Record that the issuer paid ``instance`` by bank transfer ("retour en banque")."""
        check_operation_id(operation_id)
        check_amount(amount)
        return self._write(
            lambda tx: self.remittance_in(
                tx,
                operation_id=operation_id,
                instance=instance,
                asset_id=asset_id,
                amount=amount,
                bank_reference=bank_reference,
                bank_date=bank_date,
                author=author,
            ),
            grouped,
        )

    def remittance_in(
        self,
        tx: Tx,
        *,
        operation_id: str,
        instance: str,
        asset_id: int,
        amount: int,
        bank_reference: str,
        bank_date: str | datetime.date,
        author: str,
    ) -> Operation:
        """Inside a write: instance wallet -> issuer, and the remittance's record."""
        op_id = check_operation_id(operation_id)
        amount = check_amount(amount)
        reference = check_text(bank_reference, "bank_reference", required=True, limit=200)
        date = check_bank_date(bank_date)
        author = check_text(author, "author", required=True, limit=200)
        fp = fingerprint("remittance", instance, asset_id, amount, reference, date)

        def plan() -> tuple[list[Planned], dict[str, str]]:
            asset = self._asset(tx.txn, asset_id, usable=False)
            if asset.category not in REFUNDABLE_CATEGORIES:
                raise ActionNotAllowed(
                    "remittance", f"{asset.code} is not euro-backed", asset=asset.id
                )
            slug = self._instance(tx.txn, instance)
            source = WalletRef.instance(slug)
            self.log.remittances.put(
                tx,
                Remittance(
                    key=self.log.key(A.REMITTANCE, op_id),
                    asset_id=asset.id,
                    instance=slug,
                    amount=amount,
                    bank_reference=reference,
                    bank_date=date,
                    author=author,
                    created_at=self.clock(),
                ),
            )
            legs = [Planned(asset.id, source, WalletRef.issuer(asset.id), amount)]
            fields = {
                "instance": slug,
                "author": author,
                "bank_reference": reference,
                "bank_date": date,
            }
            return legs, fields

        return self._run(tx, A.REMITTANCE, op_id, fp, plan)

    # -- fusion --------------------------------------------------------------------------

    def fusion(
        self, *, operation_id: str, card_id: str, user_id: str, author: str = ""
    ) -> Operation:
        """Move every balance left on a claimed card's wallet into its user's wallet."""
        check_operation_id(operation_id)

        def op(tx: Tx) -> Operation:
            card = self.card_records.get(tx.txn, card_id) if card_id else None
            if card is None:
                raise UnknownCard(card_id)
            if card.owner != user_id:
                raise InvalidInput("user_id", N_("a card's balances only go to its own user"))
            return self.fusion_in(
                tx,
                operation_id=operation_id,
                card_id=card_id,
                target=WalletRef.user(user_id),
                author=author,
            )

        return self.store.write(op)

    def fusion_in(
        self, tx: Tx, *, operation_id: str, card_id: str, target: WalletRef, author: str = ""
    ) -> Operation:
        """Inside a write: every balance of the card's own wallet -> ``target``, one chain.

        The card is not resolved (a claimed or lost card's own wallet is read as it is);
        ``target`` is a user's wallet or a replacement card's. An empty card wallet gives an
        operation without legs.
        """
        op_id = check_operation_id(operation_id)
        author = check_text(author, "author", required=False, limit=200)
        fp = fingerprint("fusion", card_id, owner_of(target, "target"))

        def plan() -> tuple[list[Planned], dict[str, str]]:
            source = self._wallet(
                tx.txn, WalletRef.card(card_id), "card_id", frozenset({OwnerKind.CARD}),
                resolve=False,
            )  # fmt: skip
            destination = self._wallet(
                tx.txn, target, "target", frozenset({OwnerKind.USER, OwnerKind.CARD}),
                resolve=False,
            )  # fmt: skip
            if destination == source:
                raise InvalidInput("target", N_("a card cannot be fused into itself"))
            legs = []
            for balance in self.accounts.balances_in(tx.txn, source):
                have = self.accounts.available_in(tx.txn, source, balance.asset_id)
                if have > 0:
                    legs.append(Planned(balance.asset_id, source, destination, have))
            return legs, {"author": author}

        return self._run(tx, A.FUSION, op_id, fp, plan)

    # -- correction ----------------------------------------------------------------------

    def correction(
        self,
        *,
        operation_id: str,
        debit: WalletRef,
        credit: WalletRef,
        asset_id: int,
        amount: int,
        reason: str,
        author: str,
        grouped: bool = False,
    ) -> Operation:
        """Move money between any two wallets to fix a mistake; a reason and an author are
        required, and the past is never edited: the correction is a new transfer."""
        check_operation_id(operation_id)
        check_amount(amount)
        check_text(reason, "reason", required=True)
        check_text(author, "author", required=True, limit=200)
        return self._write(
            lambda tx: self.correction_in(
                tx,
                operation_id=operation_id,
                debit=debit,
                credit=credit,
                asset_id=asset_id,
                amount=amount,
                reason=reason,
                author=author,
            ),
            grouped,
        )

    def correction_in(
        self,
        tx: Tx,
        *,
        operation_id: str,
        debit: WalletRef,
        credit: WalletRef,
        asset_id: int,
        amount: int,
        reason: str,
        author: str,
    ) -> Operation:
        """Inside a write: ``debit`` -> ``credit`` (any wallets, the issuer's included)."""
        op_id = check_operation_id(operation_id)
        amount = check_amount(amount)
        reason = check_text(reason, "reason", required=True)
        author = check_text(author, "author", required=True, limit=200)
        fp = fingerprint(
            "correction", owner_of(debit, "debit"), owner_of(credit, "credit"), asset_id, amount,
            reason,
        )  # fmt: skip

        def plan() -> tuple[list[Planned], dict[str, str]]:
            asset = self._asset(tx.txn, asset_id, usable=False)
            ends = []
            for field, ref in (("debit", debit), ("credit", credit)):
                end = self._wallet(tx.txn, ref, field, ALL_WALLETS, resolve=False)
                if end.kind == OwnerKind.ISSUER and end.id != str(asset.id):
                    raise InvalidInput(field, N_("this issuer account belongs to another asset"))
                ends.append(end)
            if ends[0] == ends[1]:
                raise InvalidInput("credit", N_("the debit and credit wallets are the same"))
            legs = [Planned(asset.id, ends[0], ends[1], amount)]
            return legs, {"author": author, "reason": reason}

        return self._run(tx, A.CORRECTION, op_id, fp, plan)
