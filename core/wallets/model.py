"""The money vocabulary as msgspec Structs: assets, federation, wallets, operations, cards.

Policy of the Structs (msgspec's schema-evolution rules): every stored Struct is keyword-only
and every field added later gets a default, so records written by an older version still
decode. Money is always an ``int`` in the asset's smallest unit.

The ledger's 128-bit ids (accounts, transfers, operation references) are stored as decimal
strings: MessagePack integers stop at 64 bits, and JSON clients (JavaScript) lose precision
beyond 53. The Structs offer them as ``int`` too (``account_id``, ``ref_id``).

Two integer enums are the contract with the ledger:

- :class:`ActionKind` is the ``code`` of every transfer (what moved the money);
- :class:`AccountKind` is the ``code`` of every ledger account (whose account it is).

Both are stored in the ledger: their values never change.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

import msgspec

__all__ = [
    "MONEY_CATEGORIES",
    "REFUNDABLE_CATEGORIES",
    "AccountKind",
    "ActionKind",
    "Asset",
    "AssetCategory",
    "Balance",
    "Card",
    "Federation",
    "FederationStatus",
    "Invitation",
    "Leg",
    "Operation",
    "OwnerKind",
    "PaymentOrder",
    "Remittance",
    "WalletAccount",
    "WalletRef",
]


class AssetCategory(StrEnum):
    """What an asset is (DOMAIN.md's categories)."""

    #: the federated euro: one per network, bought online, accepted everywhere
    PRIMARY = "primary"
    #: local fiat: 1 unit = 1 euro, issued by an instance, refundable at the issuer
    FIAT = "fiat"
    #: offered (bonus, invitations); never refundable
    GIFT = "gift"
    #: 1 unit = 1 hour of volunteering; never refundable
    TIME = "time"
    #: points; never refundable
    LOYALTY = "loyalty"
    #: proof of membership or presence: not money, never spent in a sale
    BADGE = "badge"


#: Categories backed by euros: they may be refilled, refunded and remitted.
REFUNDABLE_CATEGORIES = frozenset({AssetCategory.PRIMARY, AssetCategory.FIAT})
#: Categories that can pay a sale (a badge is not money).
MONEY_CATEGORIES = frozenset(set(AssetCategory) - {AssetCategory.BADGE})


class ActionKind(IntEnum):
    """The money actions of DOMAIN.md; the value is the ledger ``code`` of their transfers."""

    #: issuer -> user or card wallet, after a payment in euros (online or at a counter)
    REFILL = 1
    #: issuer -> beneficiary wallet, offered (allocations, gift and time credits)
    GRANT = 2
    #: payer wallet -> instance wallet, in assets the instance accepts
    SALE = 3
    #: wallet -> wallet, person to person, where the asset allows it
    TRANSFER = 4
    #: wallet -> issuer, the holder gets euros back outside the ledger
    REFUND = 5
    #: instance wallet -> issuer, the issuer paid the instance by bank transfer
    REMITTANCE = 6
    #: card wallet -> user (or replacement card) wallet, every balance at once
    FUSION = 7
    #: any -> any, with a reason and an author; never an edit of the past
    CORRECTION = 8

    @property
    def label(self) -> str:
        """The lower-case name used in operation keys (``sale``, ``refill``...)."""
        return self.name.lower()


class AccountKind(IntEnum):
    """Whose ledger account it is; the value is the ledger ``code`` of the account."""

    #: the asset's issuer: may go negative (what it owes)
    ISSUER = 1
    USER = 2
    INSTANCE = 3
    CARD = 4


class OwnerKind(StrEnum):
    """The kinds of wallet owners; an owner is written ``<kind>:<id>``."""

    USER = "user"
    INSTANCE = "instance"
    CARD = "card"
    #: the issuer side of one asset (``issuer:<asset id>``)
    ISSUER = "issuer"


_ACCOUNT_KIND = {
    OwnerKind.USER: AccountKind.USER,
    OwnerKind.INSTANCE: AccountKind.INSTANCE,
    OwnerKind.CARD: AccountKind.CARD,
    OwnerKind.ISSUER: AccountKind.ISSUER,
}


class WalletRef(msgspec.Struct, frozen=True):
    """Names a wallet: a user's, an instance's, an anonymous card's, or an asset's issuer."""

    kind: OwnerKind
    id: str

    @property
    def owner(self) -> str:
        """The owner string stored in the account map: ``user:<id>``, ``card:<id>``..."""
        return f"{self.kind.value}:{self.id}"

    @property
    def account_kind(self) -> AccountKind:
        """The ledger account code for this owner."""
        return _ACCOUNT_KIND[self.kind]

    @classmethod
    def user(cls, user_id: str) -> WalletRef:
        """A user's wallet."""
        return cls(OwnerKind.USER, user_id)

    @classmethod
    def instance(cls, slug: str) -> WalletRef:
        """An instance's wallet."""
        return cls(OwnerKind.INSTANCE, slug)

    @classmethod
    def card(cls, card_id: str) -> WalletRef:
        """An anonymous card's wallet."""
        return cls(OwnerKind.CARD, card_id)

    @classmethod
    def issuer(cls, asset_id: int) -> WalletRef:
        """The issuer account of an asset (only corrections name it directly)."""
        return cls(OwnerKind.ISSUER, str(asset_id))

    @classmethod
    def parse(cls, owner: str) -> WalletRef:
        """The reference written ``<kind>:<id>`` (ValueError if it is not one)."""
        kind, sep, ident = owner.partition(":")
        if not sep or not ident:
            raise ValueError(f"not a wallet owner: {owner!r}")
        return cls(OwnerKind(kind), ident)

    def __str__(self) -> str:
        return self.owner


class Asset(msgspec.Struct, kw_only=True):
    """A currency or token of the network. ``id`` is its ledger number. Stored."""

    id: int
    #: three upper-case letters, unique in the network (e.g. ``CLA``)
    code: str
    name: str
    category: AssetCategory
    #: how many decimal digits its smallest unit has (2: cents; 0: whole hours or points)
    decimals: int = 2
    #: slug of the issuing instance; "" for the network's primary asset
    issuer: str = ""
    archived: bool = False
    #: person-to-person transfers allowed
    transferable: bool = False
    created_at: float = 0.0
    updated_at: float = 0.0


class FederationStatus(StrEnum):
    """Where an invitation to share an asset stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    LEFT = "left"


class Federation(msgspec.Struct, kw_only=True):
    """One instance's membership of one asset's federation (from invitation on). Stored."""

    asset_id: int
    instance: str
    status: FederationStatus = FederationStatus.PENDING
    invited_by: str = ""
    invited_at: float = 0.0
    answered_by: str = ""
    answered_at: float = 0.0
    #: who revoked (issuer side) or left (instance side), and when
    ended_by: str = ""
    ended_at: float = 0.0


class Invitation(msgspec.Struct, kw_only=True):
    """What :meth:`Federations.invite` returns: the federation and who to notify by e-mail."""

    federation: Federation
    asset: Asset
    #: e-mail addresses of the invited instance's admins (the web layer sends the message)
    notify: list[str] = msgspec.field(default_factory=list)


class WalletAccount(msgspec.Struct, kw_only=True):
    """The map between a ledger account and its (owner, asset). Stored, keyed by the id."""

    #: the ledger account id, as a decimal string
    account: str
    owner: str
    asset_id: int
    kind: AccountKind
    created_at: float = 0.0

    @property
    def account_id(self) -> int:
        """The ledger account id."""
        return int(self.account)


class Balance(msgspec.Struct, kw_only=True, frozen=True):
    """One balance of a wallet (issuers' balances are negative: what they owe)."""

    asset_id: int
    amount: int
    account_id: int = 0


class Leg(msgspec.Struct, kw_only=True):
    """One transfer of an operation: ``amount`` of ``asset_id`` from ``debit`` to ``credit``."""

    #: the ledger transfer id, as a decimal string
    transfer_id: str
    asset_id: int
    debit: str
    credit: str
    amount: int


class Operation(msgspec.Struct, kw_only=True):
    """What one money action did. Stored under ``<kind>:<operation id>``, in the same write.

    A replay of the same operation id returns this record unchanged (``replayed`` is then
    true on the returned copy only).
    """

    key: str
    kind: ActionKind
    operation_id: str
    #: 128-bit reference carried by every transfer of the operation (``user_data_128``), as a
    #: decimal string
    ref: str
    legs: list[Leg] = msgspec.field(default_factory=list)
    #: total moved (the sum of the legs' amounts)
    amount: int = 0
    #: the instance where it happened (sale, remittance; optional elsewhere)
    instance: str = ""
    author: str = ""
    reason: str = ""
    #: bank remittances only: the bank transfer's reference and date (ISO)
    bank_reference: str = ""
    bank_date: str = ""
    #: digest of the request's parameters: a replay with other parameters is a conflict
    fingerprint: str = ""
    created_at: float = 0.0
    replayed: bool = False

    @property
    def ref_id(self) -> int:
        """The operation's reference as an integer (the transfers' ``user_data_128``)."""
        return int(self.ref)


class Remittance(msgspec.Struct, kw_only=True):
    """A bank remittance ("retour en banque"): the issuer paid an instance by bank transfer."""

    key: str
    asset_id: int
    instance: str
    amount: int
    bank_reference: str
    #: the date of the bank transfer (ISO ``YYYY-MM-DD``)
    bank_date: str
    author: str
    created_at: float = 0.0


class PaymentOrder(msgspec.Struct, kw_only=True):
    """An instance's priority order of assets in a sale (asset ids, first used first)."""

    instance: str
    asset_ids: list[int] = msgspec.field(default_factory=list)
    updated_at: float = 0.0


class Card(msgspec.Struct, kw_only=True):
    """An NFC card. It carries no value: its wallet (or, once claimed, its user's) does."""

    id: str
    #: the UID read by readers: upper-case hex, 8, 14, 16 or 20 digits (4, 7, 8 or 10 bytes)
    uid: str
    #: the number printed on the card
    number: str
    #: random id of the card's page (its QR code); opening it never logs anyone in
    qr_id: str
    #: the user who claimed it; "" while anonymous
    owner: str = ""
    #: staff card: the instances where it opens a point of sale
    primary_for: list[str] = msgspec.field(default_factory=list)
    lost_at: float = 0.0
    replaced_by: str = ""
    created_at: float = 0.0
    claimed_at: float = 0.0
    #: slug of the instance whose admin imported it ("" when added otherwise)
    imported_by: str = ""

    @property
    def lost(self) -> bool:
        """True once the card was declared lost."""
        return self.lost_at > 0
