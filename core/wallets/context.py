"""What every money action shares: its collaborators and the rules for naming wallets and assets.

:class:`ActionContext` is the base of :class:`core.wallets.actions.Payments` and
:class:`core.wallets.settlement.Settlements`; :class:`core.wallets.service.Money` combines
them. Each action has two forms: ``action_in(tx, ...)`` runs inside the caller's write (a
plugin's records and the money commit together), and ``action(...)`` opens its own write
(``grouped=True``: through the group-commit writer, for the payment path).

A card in a wallet position is resolved: a lost card is refused (:class:`CardLost`); a
claimed card is only a key to its user's wallet (its own wallet was emptied into the user's
when it was claimed); an anonymous card has its own wallet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import lmdb

from core.accounts import Accounts
from core.i18n import N_
from core.instances import Instances
from core.records import Collection
from core.store import Store, Tx
from core.tokens import Clock, system_clock
from core.wallets.accounts_map import AccountsMap
from core.wallets.assets import Assets
from core.wallets.errors import AssetArchived, CardLost, InvalidInput, UnknownCard, UnknownInstance
from core.wallets.federation import Federations
from core.wallets.model import ActionKind, Asset, Card, Operation, OwnerKind, WalletRef
from core.wallets.operations import OperationLog, Planned
from core.wallets.priority import PaymentOrders

__all__ = ["HOLDERS", "PEOPLE", "ActionContext", "owner_of"]

T = TypeVar("T")

#: wallets that may hold money: users, instances, anonymous cards
HOLDERS = frozenset({OwnerKind.USER, OwnerKind.INSTANCE, OwnerKind.CARD})
#: wallets of the public: users and anonymous cards
PEOPLE = frozenset({OwnerKind.USER, OwnerKind.CARD})


class ActionContext:
    """The collaborators of the money actions and the helpers they share."""

    def __init__(
        self,
        *,
        store: Store,
        instances: Instances,
        people: Accounts,
        assets: Assets,
        federations: Federations,
        accounts: AccountsMap,
        log: OperationLog,
        orders: PaymentOrders,
        cards: Collection[Card],
        clock: Clock = system_clock,
    ) -> None:
        self.store = store
        self.instances = instances
        self.people = people
        self.assets = assets
        self.federations = federations
        self.accounts = accounts
        self.log = log
        self.orders = orders
        self.card_records = cards
        self.clock = clock

    def _write(self, fn: Callable[[Tx], T], grouped: bool) -> T:
        """Run ``fn`` in its own durable write (through the group-commit writer if grouped)."""
        return self.store.write_grouped(fn) if grouped else self.store.write(fn)

    def _run(
        self,
        tx: Tx,
        kind: ActionKind,
        operation_id: str,
        fp: str,
        plan: Callable[[], tuple[list[Planned], dict[str, Any]]],
    ) -> Operation:
        """Replay the operation if it was done; else plan its legs and commit them in ``tx``."""
        done = self.log.replay(tx, kind, operation_id, fp)
        if done is not None:
            return done
        legs, fields = plan()
        return self.log.commit(tx, kind, operation_id, fp, legs, **fields)

    def _asset(self, txn: lmdb.Transaction, asset_id: object, *, usable: bool) -> Asset:
        """The asset; UnknownAsset if absent, AssetArchived if ``usable`` and archived."""
        asset = self.assets.require_in(txn, asset_id)
        if usable and asset.archived:
            raise AssetArchived(asset.id)
        return asset

    def _wallet(
        self,
        txn: lmdb.Transaction,
        ref: object,
        field: str,
        allowed: frozenset[OwnerKind] = HOLDERS,
        *,
        resolve: bool = True,
    ) -> WalletRef:
        """The wallet ``ref`` names, checked to exist; a card is resolved (see the module)."""
        if not isinstance(ref, WalletRef):
            raise InvalidInput(field, N_("name a wallet (WalletRef)"))
        if not ref.id:
            raise InvalidInput(field, N_("the wallet has no id"))
        if ref.kind not in allowed:
            raise InvalidInput(
                field, N_("a %(kind)s wallet is not allowed here"), kind=ref.kind.value
            )
        if ref.kind == OwnerKind.USER:
            if self.people.users.get(txn, ref.id) is None:
                raise InvalidInput(field, N_("no user %(id)s"), id=repr(ref.id))
        elif ref.kind == OwnerKind.INSTANCE:
            if self.instances.records.get(txn, ref.id) is None:
                raise UnknownInstance(ref.id)
        elif ref.kind == OwnerKind.CARD:
            card = self.card_records.get(txn, ref.id)
            if card is None:
                raise UnknownCard(ref.id)
            if resolve:
                if card.lost:
                    raise CardLost(ref.id)
                if card.owner:
                    return WalletRef.user(card.owner)
        elif self.assets.get_in(txn, _int(ref.id)) is None:
            raise InvalidInput(
                field, N_("no asset %(id)s for this issuer account"), id=repr(ref.id)
            )
        return ref

    def _instance(self, txn: lmdb.Transaction, slug: object) -> str:
        """The slug of an existing instance; UnknownInstance otherwise."""
        if not isinstance(slug, str) or not slug or self.instances.records.get(txn, slug) is None:
            raise UnknownInstance(str(slug))
        return slug


def owner_of(ref: object, field: str) -> str:
    """The owner string of a wallet reference (for fingerprints); InvalidInput if not one."""
    if not isinstance(ref, WalletRef):
        raise InvalidInput(field, N_("name a wallet (WalletRef)"))
    return ref.owner


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0
