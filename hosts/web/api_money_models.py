"""The bodies and answers of the money API (``/api/...``), as msgspec Structs.

Request bodies derive from :class:`Body`: keyword-only, unknown fields refused, so a typo in
a field name is a 400 naming the field rather than a silently ignored value. Money is an
``int`` in the asset's smallest unit, always greater than zero; ids chosen by the caller
(``operation_id``) make every money action idempotent. Answers reuse the core's Structs where
they are already what a client needs (:class:`core.wallets.Asset`,
:class:`core.wallets.Federation`, :class:`core.wallets.RejectedRow`).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from core.wallets import Asset, Card, Federation, Operation, RejectedRow

__all__ = [
    "ArchiveBody",
    "AssetCreate",
    "AssetDetail",
    "AssetEdit",
    "AssetList",
    "BalanceLine",
    "Body",
    "CardOut",
    "CardsImport",
    "CardsImportReport",
    "CorrectionIn",
    "GrantIn",
    "InvitationOut",
    "InviteBody",
    "LegOut",
    "MyCardLink",
    "MyCardLost",
    "OperationOut",
    "PaymentOrderIn",
    "PaymentOrderOut",
    "PendingInvitation",
    "SaleIn",
    "SaleOut",
    "StaffCardIn",
    "WalletSpec",
    "card_out",
    "operation_out",
]

OperationId = Annotated[str, Meta(min_length=1, max_length=200, examples=["terminal-7-000123"])]
Amount = Annotated[int, Meta(gt=0, le=(1 << 63) - 1, description="in the asset's smallest unit")]
AssetId = Annotated[int, Meta(gt=0, lt=1 << 32)]
Text = Annotated[str, Meta(max_length=500)]
Short = Annotated[str, Meta(max_length=200)]


class Body(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of every request body: keyword-only, unknown fields refused."""


# -- assets, federation, payment order ----------------------------------------------------


class AssetList(msgspec.Struct, kw_only=True):
    """``GET /api/assets``: what this instance issued, and everything it accepts."""

    issued: list[Asset]
    accepted: list[Asset]


class AssetCreate(Body):
    """``POST /api/assets``: a local asset issued by this instance."""

    code: Annotated[str, Meta(min_length=3, max_length=3, examples=["CLA"])]
    name: Annotated[str, Meta(min_length=1, max_length=100)]
    category: Literal["fiat", "gift", "time", "loyalty", "badge"]
    decimals: Annotated[int, Meta(ge=0, le=4)] = 2
    transferable: bool = False


class AssetEdit(Body):
    """``PATCH /api/assets/{id}``: the fields to change (absent: unchanged)."""

    name: str | None = None
    code: str | None = None
    transferable: bool | None = None


class ArchiveBody(Body):
    """``POST /api/assets/{id}/archive``: archive (true) or put back in use (false)."""

    archived: bool = True


class AssetDetail(msgspec.Struct, kw_only=True):
    """One asset; for its issuer, every invitation and what the issuer owes."""

    asset: Asset
    issuer: bool
    federations: list[Federation] = msgspec.field(default_factory=list)
    #: what the issuer owes (only shown to the issuer)
    outstanding: int | None = None


class InviteBody(Body):
    """``POST /api/assets/{id}/invitations``: the instance invited to accept the asset."""

    instance: Annotated[str, Meta(min_length=1, max_length=100)]


class InvitationOut(msgspec.Struct, kw_only=True):
    """The recorded invitation, and how many of the invited instance's admins were e-mailed."""

    federation: Federation
    mailed: int
    mail_failed: bool = False


class PendingInvitation(msgspec.Struct, kw_only=True):
    """An invitation waiting for this instance's answer."""

    federation: Federation
    asset: Asset


class PaymentOrderIn(Body):
    """``PUT /api/payment-order``: asset ids first used in a sale; [] for the default order."""

    asset_ids: list[AssetId]


class PaymentOrderOut(msgspec.Struct, kw_only=True):
    """The order chosen (``asset_ids``) and the effective order of the assets accepted."""

    asset_ids: list[int]
    effective: list[Asset]


# -- cards ---------------------------------------------------------------------------------


class CardOut(msgspec.Struct, kw_only=True):
    """A card as staff and its holder see it: never its owner, never a balance.

    ``qr_id`` (the code of its page, which lets whoever holds it link the card) is given only
    to the card's holder and to the admins of the instance that imported it (who print it).
    """

    id: str
    uid: str
    number: str
    qr_id: str = ""
    state: Literal["anonymous", "claimed", "lost"]
    staff_for: list[str] = msgspec.field(default_factory=list)
    replaced_by: str = ""
    imported_by: str = ""


def card_out(card: Card, *, with_qr: bool = False) -> CardOut:
    """The API view of a card (its QR code only ``with_qr``)."""
    state: Literal["anonymous", "claimed", "lost"] = (
        "lost" if card.lost else "claimed" if card.owner else "anonymous"
    )
    return CardOut(
        id=card.id,
        uid=card.uid,
        number=card.number,
        qr_id=card.qr_id if with_qr else "",
        state=state,
        staff_for=list(card.primary_for),
        replaced_by=card.replaced_by,
        imported_by=card.imported_by,
    )


class CardsImport(Body):
    """``POST /api/cards/import``: the CSV text (``uid,number[,qr_id]`` per line)."""

    csv: Annotated[str, Meta(min_length=1, max_length=2 * 1024 * 1024)]


class CardsImportReport(msgspec.Struct, kw_only=True):
    """How many cards were imported, and each rejected row with its line and reason."""

    imported: int
    rejected: list[RejectedRow]
    cards: list[CardOut]


class StaffCardIn(Body):
    """``POST /api/cards/staff``: the card to tie to this instance (number or UID)."""

    card_number: Short | None = None
    card_uid: Short | None = None


class MyCardLink(Body):
    """``POST /api/me/cards``: the card to link, by its QR code or its printed number."""

    qr_id: Short | None = None
    number: Short | None = None


class MyCardLost(Body):
    """``POST /api/me/cards/{id}/lost``: the replacement card, if any (QR code or number)."""

    replacement_qr_id: Short | None = None
    replacement_number: Short | None = None


# -- money actions -------------------------------------------------------------------------


class LegOut(msgspec.Struct, kw_only=True):
    """One transfer of an operation: an amount of one asset."""

    asset_id: int
    amount: int


class OperationOut(msgspec.Struct, kw_only=True):
    """A money operation: what moved, once per operation id (``replayed`` on a retry)."""

    key: str
    kind: str
    operation_id: str
    amount: int
    legs: list[LegOut]
    instance: str = ""
    author: str = ""
    reason: str = ""
    created_at: float = 0.0
    replayed: bool = False


def operation_out(operation: Operation) -> OperationOut:
    """The API view of an operation (wallet owners are left out)."""
    return OperationOut(
        key=operation.key,
        kind=operation.kind.label,
        operation_id=operation.operation_id,
        amount=operation.amount,
        legs=[LegOut(asset_id=leg.asset_id, amount=leg.amount) for leg in operation.legs],
        instance=operation.instance,
        author=operation.author,
        reason=operation.reason,
        created_at=operation.created_at,
        replayed=operation.replayed,
    )


class BalanceLine(msgspec.Struct, kw_only=True):
    """One balance of a wallet."""

    asset_id: int
    code: str
    decimals: int
    amount: int


class SaleIn(Body):
    """``POST /api/sales``: a payer pays ``amount`` to this instance.

    Name the payer with exactly one of ``card_uid``, ``card_number``, ``user_email``. Without
    ``asset_id``/``asset_ids`` the instance's payment order applies (several assets may pay).
    """

    operation_id: OperationId
    amount: Amount
    card_uid: Short | None = None
    card_number: Short | None = None
    user_email: Short | None = None
    asset_id: AssetId | None = None
    asset_ids: list[AssetId] | None = None


class SaleOut(msgspec.Struct, kw_only=True):
    """The sale and the payer's balances right after it."""

    operation: OperationOut
    balances: list[BalanceLine]


class GrantIn(Body):
    """``POST /api/grants``: offer an amount of one of this instance's assets.

    Name the beneficiary with exactly one of ``user_email`` (an account is made for a new
    address), ``card_uid``, ``card_number``, ``card_qr_id``.
    """

    operation_id: OperationId
    asset_id: AssetId
    amount: Amount
    user_email: Short | None = None
    card_uid: Short | None = None
    card_number: Short | None = None
    card_qr_id: Short | None = None
    reason: Text = ""


class WalletSpec(Body):
    """A wallet named in a correction: the asset's issuer account, a person, a card, a place."""

    kind: Literal["issuer", "user", "card", "instance"]
    #: the e-mail, the card's number or UID, or the instance's slug (empty for ``issuer``)
    value: Short = ""


class CorrectionIn(Body):
    """``POST /api/corrections``: move an amount of one of this instance's assets."""

    operation_id: OperationId
    asset_id: AssetId
    amount: Amount
    debit: WalletSpec
    credit: WalletSpec
    reason: Annotated[str, Meta(min_length=1, max_length=500)]
