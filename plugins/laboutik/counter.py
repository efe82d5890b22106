"""Money at the counter outside orders: refills (with a gift bonus), refunds, lost cards.

- **Refill**: the customer pays euros in cash or by bank card; the card's wallet is credited
  with ``money.refill_in`` in a euro-backed asset the point of sale refills (the primary asset
  or a local currency). When the point of sale offers a bonus and the refill reaches its
  threshold, ``money.grant_in`` adds ``rate`` of it in the instance's gift asset, rounded down
  (:func:`.amounts.bonus_for`). Refill, bonus and the register's record: one write.
- **Refund**: the card's balance in the local currencies this instance issues is given back to
  the issuer with ``money.refund_in`` (one per asset, one write) and paid out in cash. The
  primary asset is refunded online by the network, not at a counter (docs/money.md).
- **Void** (lost card): ``money.cards.declare_lost_in``, the core's loss rules: the card is
  unusable for ever; its own balances go to the replacement card if one is given (an
  anonymous card's otherwise stay until one is named; a claimed card's are its user's).

Each is idempotent by the caller's operation id, like payments.
"""

from __future__ import annotations

import lmdb
import msgspec

from core.i18n import N_
from core.store import Tx
from core.wallets import Asset, AssetCategory, Card, InvalidInput, WalletRef, normalize_uid
from core.wallets import UnknownCard as UnknownCardError

from .amounts import bonus_for
from .common import Part, check_operation_id, new_id
from .errors import RegisterError
from .model import CounterKind, CounterOp, Method, PaymentLeg, PointOfSale, journal_key
from .payments import money_operation_id
from .records import op_key

__all__ = ["Counter", "CounterResult"]


class CounterResult(msgspec.Struct, kw_only=True):
    """What a counter operation did, and if it was a replay of an earlier call."""

    operation: CounterOp
    replayed: bool = False


class Counter(Part):
    """Refills, refunds and voids at the points of sale."""

    def card(self, uid: str) -> Card:
        """The card with this UID (UnknownCard if none; InvalidInput if not a UID)."""
        cleaned = normalize_uid(uid)
        found = self.money.cards.by_uid(cleaned)
        if found is None:
            raise UnknownCardError(cleaned)
        return found

    def refill(
        self,
        instance: str,
        pos_id: str,
        *,
        uid: str,
        asset_id: int,
        amount: int,
        method: Method,
        operation_id: str,
        author: str,
    ) -> CounterResult:
        """Credit the card ``uid`` with ``amount`` of ``asset_id``, paid in ``method``."""
        check_operation_id(operation_id)
        cleaned = normalize_uid(uid)
        if method not in (Method.CASH, Method.CARD):
            raise RegisterError("method", N_("Choose cash or bank card."))
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise RegisterError("amount", N_("The amount must be greater than zero."))

        def op(tx: Tx) -> CounterResult:
            done = self._replay(tx.txn, instance, operation_id)
            if done is not None:
                return done
            pos = self._open_point(tx.txn, instance, pos_id)
            if method not in pos.methods:
                raise RegisterError("method", N_("This point of sale does not take this method."))
            if asset_id not in {a.id for a in self.lb.catalog.refill_assets(pos)}:
                raise RegisterError(
                    "asset_id", N_("This point of sale does not refill this asset.")
                )
            card = self._card_in(tx.txn, cleaned)
            wallet = WalletRef.card(card.id)
            money_id = money_operation_id(instance, operation_id)
            refill = self.money.refill_in(
                tx, operation_id=money_id, wallet=wallet, asset_id=asset_id, amount=amount,
                author=author, instance=instance,
            )  # fmt: skip
            bonus, bonus_asset = self._bonus(tx, pos, asset_id, amount, wallet, money_id, author)
            (transfer,) = self.money.ledger.lookup_transfers_in(
                tx.txn, [int(refill.legs[0].transfer_id)]
            )
            record = CounterOp(
                key=journal_key(instance, transfer.timestamp, oid := new_id()), id=oid,
                instance=instance, pos_id=pos.id, kind=CounterKind.REFILL, at=transfer.timestamp,
                method=method.value, card_id=card.id, asset_id=asset_id, amount=amount,
                bonus_asset=bonus_asset, bonus=bonus, author=author, operation_id=operation_id,
            )  # fmt: skip
            return CounterResult(operation=self.records.counter.insert(tx, record))

        return self.write(op)

    def _bonus(
        self,
        tx: Tx,
        pos: PointOfSale,
        asset_id: int,
        amount: int,
        wallet: WalletRef,
        money_id: str,
        author: str,
    ) -> tuple[int, int]:
        """Grant the point of sale's bonus for a refill; (bonus, gift asset) or (0, 0)."""
        if not pos.bonus_asset or not pos.bonus_rate:
            return 0, 0
        gift = self.money.assets.get_in(tx.txn, pos.bonus_asset)
        refilled = self.money.assets.get_in(tx.txn, asset_id)
        if gift is None or gift.archived or gift.category != AssetCategory.GIFT or not refilled:
            return 0, 0
        bonus = bonus_for(
            amount, rate=pos.bonus_rate, threshold=pos.bonus_threshold,
            refill_decimals=refilled.decimals, bonus_decimals=gift.decimals,
        )  # fmt: skip
        if bonus <= 0:
            return 0, 0
        self.money.grant_in(
            tx, operation_id=f"{money_id}:bonus", wallet=wallet, asset_id=gift.id, amount=bonus,
            author=author, reason="refill bonus",
        )  # fmt: skip
        return bonus, gift.id

    def refundable(self, instance: str, uid: str) -> list[tuple[Asset, int]]:
        """What the card ``uid`` would get back here: (asset, amount) per local currency of
        the instance it holds."""
        card = self.card(uid)
        wallet = self.money.cards.wallet_of(card)
        out = []
        for asset in self._refundable(instance):
            held = self.money.balance(wallet, asset.id)
            if held > 0:
                out.append((asset, held))
        return out

    def _refundable(self, instance: str) -> list[Asset]:
        return [
            a for a in self.money.assets.issued_by(instance) if a.category == AssetCategory.FIAT
        ]

    def refund(
        self, instance: str, pos_id: str, *, uid: str, operation_id: str, author: str
    ) -> CounterResult:
        """Give back, in cash, everything the card ``uid`` holds in the instance's currencies."""
        check_operation_id(operation_id)
        cleaned = normalize_uid(uid)
        assets = self._refundable(instance)

        def op(tx: Tx) -> CounterResult:
            done = self._replay(tx.txn, instance, operation_id)
            if done is not None:
                return done
            pos = self._open_point(tx.txn, instance, pos_id)
            if Method.CASH not in pos.methods:
                raise RegisterError("method", N_("This point of sale does not take cash."))
            card = self._card_in(tx.txn, cleaned)
            wallet = WalletRef.card(card.id)
            resolved = WalletRef.user(card.owner) if card.owner else wallet
            money_id = money_operation_id(instance, operation_id)
            legs = []
            for asset in assets:
                held = self.money.accounts.available_in(tx.txn, resolved, asset.id)
                if held <= 0:
                    continue
                done_op = self.money.refund_in(
                    tx, operation_id=f"{money_id}:{asset.id}", wallet=wallet, asset_id=asset.id,
                    amount=held, author=author, instance=instance,
                )  # fmt: skip
                (transfer,) = self.money.ledger.lookup_transfers_in(
                    tx.txn, [int(done_op.legs[0].transfer_id)]
                )
                legs.append(PaymentLeg(asset_id=asset.id, amount=held, at=transfer.timestamp))
            if not legs:
                raise RegisterError("uid", N_("This card holds nothing refundable here."))
            at = legs[0].at
            record = CounterOp(
                key=journal_key(instance, at, oid := new_id()), id=oid, instance=instance,
                pos_id=pos.id, kind=CounterKind.REFUND, at=at, method=Method.CASH.value,
                card_id=card.id, amount=sum(leg.amount for leg in legs), legs=legs,
                author=author, operation_id=operation_id,
            )  # fmt: skip
            return CounterResult(operation=self.records.counter.insert(tx, record))

        return self.write(op)

    def void(
        self,
        instance: str,
        pos_id: str,
        *,
        card: str,
        replacement_uid: str = "",
        operation_id: str,
        author: str,
    ) -> CounterResult:
        """Declare a card lost (found by its UID or its printed number), with an optional
        replacement card (by UID) that receives what it holds."""
        check_operation_id(operation_id)
        replacement = ""
        if replacement_uid.strip():
            try:
                replacement = normalize_uid(replacement_uid)
            except InvalidInput as exc:
                raise RegisterError("replacement", N_("This is not a card's UID.")) from exc

        def op(tx: Tx) -> CounterResult:
            done = self._replay(tx.txn, instance, operation_id)
            if done is not None:
                return done
            pos = self.lb.catalog.point_in(tx.txn, instance, pos_id)
            lost = self._card_by_uid_or_number(tx.txn, card)
            new_id_ = ""
            if replacement:
                new = self.money.card_records.get_by(tx.txn, "uid", replacement)
                if new is None:
                    raise RegisterError("replacement", N_("This card is unknown."))
                if new.lost or new.id == lost.id:
                    raise RegisterError("replacement", N_("This card cannot replace it."))
                if new.owner and new.owner != lost.owner:
                    raise RegisterError(
                        "replacement", N_("This card already belongs to someone else.")
                    )
                new_id_ = new.id
            if lost.lost and (not new_id_ or lost.replaced_by):
                raise RegisterError("card", N_("This card was declared lost."))
            self.money.cards.declare_lost_in(
                tx, lost.id, replacement_id=new_id_ or None, author=author
            )
            at = self.now()
            record = CounterOp(
                key=journal_key(instance, at, oid := new_id()), id=oid, instance=instance,
                pos_id=pos.id, kind=CounterKind.VOID, at=at, card_id=lost.id,
                replacement_id=new_id_, author=author, operation_id=operation_id,
            )  # fmt: skip
            return CounterResult(operation=self.records.counter.insert(tx, record))

        return self.write(op)

    # -- helpers ---------------------------------------------------------------------------

    def _replay(
        self, txn: lmdb.Transaction, instance: str, operation_id: str
    ) -> CounterResult | None:
        done = self.records.counter.get_by(txn, "op", op_key(instance, operation_id))
        return None if done is None else CounterResult(operation=done, replayed=True)

    def _open_point(self, txn: lmdb.Transaction, instance: str, pos_id: str) -> PointOfSale:
        pos = self.lb.catalog.point_in(txn, instance, pos_id)
        if self.records.sessions.get_by(txn, "open", pos.id) is None:
            raise RegisterError("pos_id", N_("Open this point of sale first."))
        return pos

    def _card_in(self, txn: lmdb.Transaction, uid: str) -> Card:
        found = self.money.card_records.get_by(txn, "uid", uid)
        if found is None:
            raise UnknownCardError(uid)
        return found

    def _card_by_uid_or_number(self, txn: lmdb.Transaction, text: str) -> Card:
        cleaned = (text or "").strip()
        if not cleaned:
            raise RegisterError("card", N_("This field is required."))
        try:
            found = self.money.card_records.get_by(txn, "uid", normalize_uid(cleaned))
        except InvalidInput:
            found = None
        if found is None:
            found = self.money.card_records.get_by(txn, "number", cleaned)
        if found is None:
            raise RegisterError("card", N_("This card is unknown."))
        return found
