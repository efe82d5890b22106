"""The order in which a sale takes the payer's assets: deterministic, configurable per instance.

Default order (DOMAIN.md): gift first, then local assets (fiat, time, loyalty issued by
instances), then the primary asset; assets of the same rank by id. An instance may set its own
order (:meth:`PaymentOrders.set`): the assets it lists come first, in its order; every other
asset it accepts follows in the default order. A badge is not money: it never pays.

Units: a sale's price is an integer in the smallest unit of the assets that pay it, so one
sale only combines assets with the same number of decimals (the euro-like assets have 2: one
unit is one cent). By default the unit is the primary asset's; a caller may choose another
(``decimals=0`` to pay in hours of a time currency) or name the assets explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable

import lmdb

from core.i18n import N_
from core.records import Collection
from core.store import Store, Tx
from core.tokens import Clock, system_clock
from core.wallets.errors import InvalidInput
from core.wallets.model import MONEY_CATEGORIES, Asset, AssetCategory, PaymentOrder

__all__ = ["PaymentOrders", "default_rank", "sale_order"]

_RANK = {
    AssetCategory.GIFT: 0,
    AssetCategory.FIAT: 1,
    AssetCategory.TIME: 1,
    AssetCategory.LOYALTY: 1,
    AssetCategory.PRIMARY: 2,
}


def default_rank(asset: Asset) -> tuple[int, int]:
    """The default sort key of an asset in a sale: (category rank, id)."""
    return (_RANK.get(asset.category, 9), asset.id)


def sale_order(accepted: Iterable[Asset], preferred: list[int]) -> list[Asset]:
    """The assets that may pay, in order: ``preferred`` ids first, then the default order.

    ``accepted`` are the assets the instance accepts and that are usable now (not archived);
    badges are dropped, and so are preferred ids that are not among ``accepted``.
    """
    usable = {a.id: a for a in accepted if a.category in MONEY_CATEGORIES}
    first = [usable[i] for i in dict.fromkeys(preferred) if i in usable]
    chosen = {a.id for a in first}
    rest = sorted((a for a in usable.values() if a.id not in chosen), key=default_rank)
    return first + rest


class PaymentOrders:
    """Each instance's chosen priority order of assets (absent: the default order)."""

    def __init__(self, store: Store, *, clock: Clock = system_clock) -> None:
        self.store = store
        self.clock = clock
        self.records: Collection[PaymentOrder] = Collection(
            store, "payment_orders", PaymentOrder, key=lambda p: p.instance
        )

    def preferred_in(self, txn: lmdb.Transaction, instance: str) -> list[int]:
        """The asset ids the instance put first (empty: default order)."""
        found = self.records.get(txn, instance)
        return [] if found is None else list(found.asset_ids)

    def get(self, instance: str) -> list[int]:
        """The asset ids the instance put first (empty: default order)."""
        with self.store.read() as txn:
            return self.preferred_in(txn, instance)

    def set(self, instance: str, asset_ids: list[int]) -> PaymentOrder:
        """Set the instance's order (asset ids, no duplicates); an empty list: the default."""
        ids = list(asset_ids)
        for value in ids:
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise InvalidInput("asset_ids", N_("list asset ids (positive integers)"))
        if len(set(ids)) != len(ids):
            raise InvalidInput("asset_ids", N_("an asset appears twice"))
        order = PaymentOrder(instance=instance, asset_ids=ids, updated_at=self.clock())

        def op(tx: Tx) -> PaymentOrder:
            return self.records.put(tx, order)

        return self.store.write(op)
