"""Federation: which instances accept which asset, and the invitations that decide it.

An instance accepts (for sales and payments):

- the network's primary asset, always;
- the assets it issued;
- the assets it was invited to share and accepted, as long as the issuer did not revoke the
  invitation and the instance did not leave.

The issuer shares an asset ("Partager cet actif"): :meth:`Federations.invite` records a
pending invitation and returns the e-mail addresses of the invited instance's admins, for the
web layer to notify. The invited instance sees its pending list ("Invitations d'actifs") and
accepts or declines. The issuer may revoke (a pending or accepted invitation); the instance
may leave. Revoking or leaving moves no money: balances stay where they are; only new sales in
that asset at that instance are refused. An ended invitation may be sent again.
"""

from __future__ import annotations

import lmdb
import msgspec

from core.accounts import Accounts, Role
from core.instances import Instances
from core.records import Collection, Index
from core.store import Store, Tx
from core.tokens import Clock, system_clock
from core.wallets.assets import PRIMARY_ASSET_ID, Assets
from core.wallets.errors import AssetArchived, FederationError, NotIssuer, UnknownInstance
from core.wallets.model import Asset, AssetCategory, Federation, FederationStatus, Invitation

__all__ = ["Federations"]

S = FederationStatus


def _key(asset_id: int, instance: str) -> str:
    return f"{asset_id:010d}|{instance}"


class Federations:
    """Invitations to share assets, their answers, and the acceptance rule built on them."""

    def __init__(
        self,
        store: Store,
        assets: Assets,
        instances: Instances,
        people: Accounts,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self.store = store
        self.assets = assets
        self.instances = instances
        self.people = people
        self.clock = clock
        self.records: Collection[Federation] = Collection(
            store,
            "federations",
            Federation,
            key=lambda f: _key(f.asset_id, f.instance),
            indexes=(
                Index("instance", lambda f: f.instance),
                Index("asset", lambda f: f.asset_id.to_bytes(4, "big")),
            ),
        )

    # -- the acceptance rule -------------------------------------------------------------

    def accepts_in(self, txn: lmdb.Transaction, instance: str, asset: Asset) -> bool:
        """True when ``instance`` accepts ``asset`` (as ``txn`` sees the records)."""
        if asset.category == AssetCategory.PRIMARY or asset.issuer == instance:
            return True
        found = self.records.get(txn, _key(asset.id, instance))
        return found is not None and found.status == S.ACCEPTED

    def accepts(self, instance: str, asset_id: int) -> bool:
        """True when ``instance`` accepts the asset ``asset_id`` (False for an unknown one)."""
        with self.store.read() as txn:
            asset = self.assets.get_in(txn, asset_id)
            return asset is not None and self.accepts_in(txn, instance, asset)

    def accepted_assets(self, instance: str, *, include_archived: bool = False) -> list[Asset]:
        """Every asset the instance accepts, by id."""
        with self.store.read() as txn:
            return [
                a
                for a in self.assets.records.scan(txn)
                if (include_archived or not a.archived) and self.accepts_in(txn, instance, a)
            ]

    def federated_instances(self, asset_id: int) -> list[str]:
        """The instances that accepted the asset ("Lieux fédérés"), by slug."""
        with self.store.read() as txn:
            return sorted(
                f.instance
                for f in self.records.find(txn, "asset", asset_id.to_bytes(4, "big"))
                if f.status == S.ACCEPTED
            )

    def of_asset(self, asset_id: int) -> list[Federation]:
        """Every invitation of an asset, in any state, by instance."""
        with self.store.read() as txn:
            return list(self.records.find(txn, "asset", asset_id.to_bytes(4, "big")))

    def pending_for(self, instance: str) -> list[tuple[Federation, Asset]]:
        """The invitations waiting for ``instance``'s answer ("Invitations d'actifs")."""
        with self.store.read() as txn:
            out = []
            for federation in self.records.find(txn, "instance", instance):
                if federation.status == S.PENDING:
                    asset = self.assets.get_in(txn, federation.asset_id)
                    if asset is not None:
                        out.append((federation, asset))
            return out

    def get(self, asset_id: int, instance: str) -> Federation | None:
        """The invitation of ``instance`` to ``asset_id``, or None."""
        with self.store.read() as txn:
            return self.records.get(txn, _key(asset_id, instance))

    # -- the steps -----------------------------------------------------------------------

    def invite(self, asset_id: int, instance: str, *, by_instance: str, author: str) -> Invitation:
        """The issuer ``by_instance`` invites ``instance`` to accept the asset.

        Returns the pending federation and the e-mails of the invited instance's admins.
        """

        def op(tx: Tx) -> Invitation:
            asset = self.assets.require_in(tx.txn, asset_id)
            if asset.id == PRIMARY_ASSET_ID:
                raise FederationError(
                    asset.id, instance, "every instance accepts the primary asset"
                )
            if asset.issuer != by_instance:
                raise NotIssuer(asset.id, by_instance)
            if asset.archived:
                raise AssetArchived(asset.id)
            if instance == asset.issuer:
                raise FederationError(asset.id, instance, "the issuer always accepts its assets")
            if self.instances.records.get(tx.txn, instance) is None:
                raise UnknownInstance(instance)
            current = self.records.get(tx.txn, _key(asset.id, instance))
            if current is not None and current.status in (S.PENDING, S.ACCEPTED):
                raise FederationError(asset.id, instance, f"the invitation is {current.status}")
            federation = Federation(
                asset_id=asset.id,
                instance=instance,
                status=S.PENDING,
                invited_by=author,
                invited_at=self.clock(),
            )
            self.records.put(tx, federation)
            return Invitation(
                federation=federation, asset=asset, notify=self._admin_emails(tx, instance)
            )

        return self.store.write(op)

    def accept(self, asset_id: int, instance: str, *, author: str) -> Federation:
        """The invited instance accepts: from now on it accepts the asset in sales."""
        return self._answer(asset_id, instance, author, S.ACCEPTED)

    def decline(self, asset_id: int, instance: str, *, author: str) -> Federation:
        """The invited instance declines the invitation."""
        return self._answer(asset_id, instance, author, S.DECLINED)

    def revoke(self, asset_id: int, instance: str, *, by_instance: str, author: str) -> Federation:
        """The issuer withdraws a pending or accepted invitation; balances stay."""

        def op(tx: Tx) -> Federation:
            asset = self.assets.require_in(tx.txn, asset_id)
            if asset.issuer != by_instance:
                raise NotIssuer(asset.id, by_instance)
            current = self._current(tx.txn, asset.id, instance, (S.PENDING, S.ACCEPTED))
            return self._end(tx, current, S.REVOKED, author)

        return self.store.write(op)

    def leave(self, asset_id: int, instance: str, *, author: str) -> Federation:
        """The instance stops accepting the asset it had accepted; balances stay."""

        def op(tx: Tx) -> Federation:
            current = self._current(tx.txn, asset_id, instance, (S.ACCEPTED,))
            return self._end(tx, current, S.LEFT, author)

        return self.store.write(op)

    # -- helpers -------------------------------------------------------------------------

    def _answer(
        self, asset_id: int, instance: str, author: str, status: FederationStatus
    ) -> Federation:
        def op(tx: Tx) -> Federation:
            current = self._current(tx.txn, asset_id, instance, (S.PENDING,))
            if status == S.ACCEPTED and self.assets.require_in(tx.txn, asset_id).archived:
                raise AssetArchived(asset_id)
            answered = msgspec.structs.replace(
                current, status=status, answered_by=author, answered_at=self.clock()
            )
            return self.records.put(tx, answered)

        return self.store.write(op)

    def _current(
        self,
        txn: lmdb.Transaction,
        asset_id: int,
        instance: str,
        allowed: tuple[FederationStatus, ...],
    ) -> Federation:
        current = self.records.get(txn, _key(asset_id, instance))
        if current is None:
            raise FederationError(asset_id, instance, "there is no invitation")
        if current.status not in allowed:
            raise FederationError(asset_id, instance, f"the invitation is {current.status}")
        return current

    def _end(
        self, tx: Tx, current: Federation, status: FederationStatus, author: str
    ) -> Federation:
        ended = msgspec.structs.replace(
            current, status=status, ended_by=author, ended_at=self.clock()
        )
        return self.records.put(tx, ended)

    def _admin_emails(self, tx: Tx, instance: str) -> list[str]:
        emails = []
        for grant in self.people.grants.find(tx.txn, "instance", instance):
            if grant.role == Role.ADMIN:
                user = self.people.users.get(tx.txn, grant.user_id)
                if user is not None:
                    emails.append(user.email)
        return sorted(emails)
