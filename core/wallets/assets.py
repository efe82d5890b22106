"""Assets: the network's primary asset and the local assets instances issue.

- The primary asset (the federated euro) has id 1, no issuer instance (``issuer == ""``) and
  is created once, when the network is set up (:meth:`Assets.ensure_primary`, called by
  :meth:`core.network.Network.open`).
- An instance admin creates local assets (fiat, gift, time, loyalty, badge): a name, a code
  of three upper-case letters unique in the network, and the number of decimals (0 to 4).
  Ids are the ledger numbers, allocated in order from 2.
- Only the issuer edits (name, code, transferable) or archives its assets. The category and
  the decimals never change: every amount already in the ledger is counted in that unit.
- Archiving stops new money in the asset (refill, grant, sale, transfer); holders keep their
  balances and can still be refunded, remitted, fused or corrected.

Authorization (is this person an admin of the issuer?) is the web layer's job; the services
check the rules of money (is this instance the issuer?).
"""

from __future__ import annotations

import re

import lmdb
import msgspec

from core.i18n import N_
from core.instances import Instances
from core.records import Collection, Index
from core.store import Store, Tx
from core.tokens import Clock, system_clock
from core.wallets.errors import (
    DuplicateAssetCode,
    InvalidInput,
    NotIssuer,
    PrimaryAssetExists,
    UnknownAsset,
    UnknownInstance,
)
from core.wallets.model import Asset, AssetCategory

__all__ = ["PRIMARY_ASSET_ID", "Assets", "check_code", "check_decimals", "check_name"]

PRIMARY_ASSET_ID = 1
CODE_RE = re.compile(r"^[A-Z]{3}$")
NAME_MAX = 100


def check_code(code: object) -> str:
    """The code upper-cased if it is three letters A-Z; else InvalidInput on ``code``."""
    cleaned = code.strip().upper() if isinstance(code, str) else ""
    if not CODE_RE.match(cleaned):
        raise InvalidInput("code", N_("use exactly three letters (A-Z)"))
    return cleaned


def check_name(name: object) -> str:
    """The name trimmed if it has 1 to 100 characters; else InvalidInput on ``name``."""
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned or len(cleaned) > NAME_MAX:
        raise InvalidInput("name", N_("use 1 to %(name_max)s characters"), name_max=NAME_MAX)
    return cleaned


def check_decimals(decimals: object) -> int:
    """The number of decimals if it is an integer from 0 to 4; else InvalidInput."""
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 4:
        raise InvalidInput("decimals", N_("use an integer from 0 to 4"))
    return decimals


class Assets:
    """The asset records of a store and the rules for creating and changing them."""

    def __init__(self, store: Store, instances: Instances, *, clock: Clock = system_clock):
        self.store = store
        self.instances = instances
        self.clock = clock
        self.records: Collection[Asset] = Collection(
            store,
            "assets",
            Asset,
            key=lambda a: a.id,
            indexes=(
                Index("code", lambda a: a.code, unique=True),
                Index("issuer", lambda a: a.issuer or None),
            ),
        )

    # -- reading -------------------------------------------------------------------------

    def get(self, asset_id: int) -> Asset | None:
        """The asset with this id, or None."""
        with self.store.read() as txn:
            return self.get_in(txn, asset_id)

    def get_in(self, txn: lmdb.Transaction, asset_id: object) -> Asset | None:
        """The asset with this id as ``txn`` sees it, or None (also for a non-integer id)."""
        if not isinstance(asset_id, int) or isinstance(asset_id, bool) or asset_id <= 0:
            return None
        if asset_id >= 1 << 32:
            return None
        return self.records.get(txn, asset_id)

    def require_in(self, txn: lmdb.Transaction, asset_id: object) -> Asset:
        """The asset with this id; UnknownAsset if there is none."""
        asset = self.get_in(txn, asset_id)
        if asset is None:
            raise UnknownAsset(asset_id)  # type: ignore[arg-type]
        return asset

    def by_code(self, code: str) -> Asset | None:
        """The asset with this code (any case), or None."""
        with self.store.read() as txn:
            return self.records.get_by(txn, "code", code.strip().upper())

    def primary(self) -> Asset | None:
        """The network's primary asset, or None before the network is set up."""
        with self.store.read() as txn:
            return self.records.get(txn, PRIMARY_ASSET_ID)

    def all(self, *, include_archived: bool = True) -> list[Asset]:
        """Every asset, by id."""
        with self.store.read() as txn:
            return [a for a in self.records.scan(txn) if include_archived or not a.archived]

    def issued_by(self, instance: str) -> list[Asset]:
        """The assets an instance issued, by id."""
        with self.store.read() as txn:
            return list(self.records.find(txn, "issuer", instance))

    # -- writing -------------------------------------------------------------------------

    def ensure_primary(
        self, *, code: str = "FED", name: str = "Euro fédéré", decimals: int = 2
    ) -> Asset:
        """The primary asset, created with these values if the network has none yet."""
        existing = self.primary()
        if existing is not None:
            return existing

        def op(tx: Tx) -> Asset:
            found = self.records.get(tx.txn, PRIMARY_ASSET_ID)
            return found if found is not None else self._create_primary(tx, code, name, decimals)

        return self.store.write(op)

    def create_primary(self, *, code: str, name: str, decimals: int = 2) -> Asset:
        """Create the primary asset; PrimaryAssetExists if the network already has one."""
        return self.store.write(lambda tx: self._create_primary(tx, code, name, decimals))

    def _create_primary(self, tx: Tx, code: str, name: str, decimals: int) -> Asset:
        found = self.records.get(tx.txn, PRIMARY_ASSET_ID)
        if found is not None:
            raise PrimaryAssetExists(found.code)
        asset = Asset(
            id=PRIMARY_ASSET_ID,
            code=check_code(code),
            name=check_name(name),
            category=AssetCategory.PRIMARY,
            decimals=check_decimals(decimals),
            issuer="",
            transferable=True,
            created_at=self.clock(),
        )
        return self._put_new(tx, asset)

    def create(
        self,
        *,
        issuer: str,
        code: str,
        name: str,
        category: AssetCategory | str,
        decimals: int = 2,
        transferable: bool = False,
    ) -> Asset:
        """Create a local asset issued by the instance ``issuer``; returns it with its id."""
        self._checked(code=code, name=name, category=category, decimals=decimals)
        return self.store.write(
            lambda tx: self.create_in(
                tx,
                issuer=issuer,
                code=code,
                name=name,
                category=category,
                decimals=decimals,
                transferable=transferable,
            )
        )

    def create_in(
        self,
        tx: Tx,
        *,
        issuer: str,
        code: str,
        name: str,
        category: AssetCategory | str,
        decimals: int = 2,
        transferable: bool = False,
    ) -> Asset:
        """Inside the caller's write: create a local asset (see :meth:`create`).

        A plugin's record about the asset (a food fund's "this is my asset") and the asset
        itself then commit together or not at all.
        """
        kind, checked_code, checked_name, checked_decimals = self._checked(
            code=code, name=name, category=category, decimals=decimals
        )
        if self.instances.records.get(tx.txn, issuer) is None:
            raise UnknownInstance(issuer)
        last = max((a.id for a in self.records.scan(tx.txn)), default=PRIMARY_ASSET_ID)
        asset = Asset(
            id=max(last, PRIMARY_ASSET_ID) + 1,
            category=kind,
            issuer=issuer,
            transferable=bool(transferable),
            code=checked_code,
            name=checked_name,
            decimals=checked_decimals,
            created_at=self.clock(),
        )
        return self._put_new(tx, asset)

    @staticmethod
    def _checked(
        *, code: object, name: object, category: AssetCategory | str, decimals: object
    ) -> tuple[AssetCategory, str, str, int]:
        """The validated (category, code, name, decimals) of a new local asset."""
        try:
            kind = AssetCategory(category)
        except ValueError:
            raise InvalidInput("category", N_("unknown category")) from None
        if kind == AssetCategory.PRIMARY:
            raise InvalidInput("category", N_("the network has one primary asset, created with it"))
        return kind, check_code(code), check_name(name), check_decimals(decimals)

    def edit(
        self,
        asset_id: int,
        *,
        by_instance: str,
        name: str | None = None,
        code: str | None = None,
        transferable: bool | None = None,
    ) -> Asset:
        """Change an asset's name, code or transferability; only its issuer may."""
        changes: dict[str, object] = {}
        if name is not None:
            changes["name"] = check_name(name)
        if code is not None:
            changes["code"] = check_code(code)
        if transferable is not None:
            changes["transferable"] = bool(transferable)

        def op(tx: Tx) -> Asset:
            asset = self._issued(tx.txn, asset_id, by_instance)
            changed = msgspec.structs.replace(asset, updated_at=self.clock(), **changes)
            return self._put(tx, changed)

        return self.store.write(op)

    def archive(self, asset_id: int, *, by_instance: str, archived: bool = True) -> Asset:
        """Archive (or, with ``archived=False``, restore) an asset; only its issuer may."""

        def op(tx: Tx) -> Asset:
            asset = self._issued(tx.txn, asset_id, by_instance)
            if asset.id == PRIMARY_ASSET_ID and archived:
                raise InvalidInput("archived", N_("the primary asset cannot be archived"))
            changed = msgspec.structs.replace(
                asset, archived=bool(archived), updated_at=self.clock()
            )
            return self._put(tx, changed)

        return self.store.write(op)

    def _issued(self, txn: lmdb.Transaction, asset_id: int, by_instance: str) -> Asset:
        asset = self.require_in(txn, asset_id)
        if asset.issuer != by_instance:
            raise NotIssuer(asset.id, by_instance)
        return asset

    def _put_new(self, tx: Tx, asset: Asset) -> Asset:
        if self.records.get(tx.txn, asset.id) is not None:
            raise RuntimeError(f"asset id {asset.id} is taken")
        return self._put(tx, asset)

    def _put(self, tx: Tx, asset: Asset) -> Asset:
        owner = self.records.get_by(tx.txn, "code", asset.code)
        if owner is not None and owner.id != asset.id:
            raise DuplicateAssetCode(asset.code)
        return self.records.put(tx, asset)
