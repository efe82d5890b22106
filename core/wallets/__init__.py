"""Wallets and money: assets, federation, the money actions, cards, on top of the ledger.

See docs/money.md. The service object is :class:`Money` (``network.money``); everything a
plugin or a host needs is re-exported here.
"""

from core.wallets.accounts_map import AccountsMap, account_id_for
from core.wallets.assets import PRIMARY_ASSET_ID, Assets
from core.wallets.card_import import ImportReport, RejectedRow
from core.wallets.cards import Cards, normalize_uid
from core.wallets.errors import (
    ActionNotAllowed,
    AssetArchived,
    AssetNotAccepted,
    CardAlreadyClaimed,
    CardHoldsMoney,
    CardLost,
    DuplicateAssetCode,
    FederationError,
    InsufficientFunds,
    InvalidInput,
    LedgerRefused,
    MoneyError,
    NotIssuer,
    OperationConflict,
    PrimaryAssetExists,
    UnknownAsset,
    UnknownCard,
    UnknownInstance,
)
from core.wallets.federation import Federations
from core.wallets.model import (
    AccountKind,
    ActionKind,
    Asset,
    AssetCategory,
    Balance,
    Card,
    Federation,
    FederationStatus,
    Invitation,
    Leg,
    Operation,
    OwnerKind,
    PaymentOrder,
    Remittance,
    WalletAccount,
    WalletRef,
)
from core.wallets.priority import PaymentOrders, default_rank, sale_order
from core.wallets.service import HistoryEntry, InvariantReport, Money

__all__ = [
    "PRIMARY_ASSET_ID",
    "AccountKind",
    "AccountsMap",
    "ActionKind",
    "ActionNotAllowed",
    "Asset",
    "AssetArchived",
    "AssetCategory",
    "AssetNotAccepted",
    "Assets",
    "Balance",
    "Card",
    "CardAlreadyClaimed",
    "CardHoldsMoney",
    "CardLost",
    "Cards",
    "DuplicateAssetCode",
    "Federation",
    "FederationError",
    "FederationStatus",
    "Federations",
    "HistoryEntry",
    "ImportReport",
    "InsufficientFunds",
    "InvalidInput",
    "InvariantReport",
    "Invitation",
    "LedgerRefused",
    "Leg",
    "Money",
    "MoneyError",
    "NotIssuer",
    "Operation",
    "OperationConflict",
    "OwnerKind",
    "PaymentOrder",
    "PaymentOrders",
    "PrimaryAssetExists",
    "RejectedRow",
    "Remittance",
    "UnknownAsset",
    "UnknownCard",
    "UnknownInstance",
    "WalletAccount",
    "WalletRef",
    "account_id_for",
    "default_rank",
    "normalize_uid",
    "sale_order",
]
