"""The errors of the money services: one class per broken rule, carrying what the caller needs.

Every class derives from :class:`MoneyError` (a ``ValueError``) and has a stable ``code`` (a
short snake_case name the web layer maps to a translated message and an HTTP status) and an
English message. Rules are never written as ``assert``: they hold under ``python -O`` too.
:class:`LedgerRefused` is different: the ledger answered something the services never expect
(a bug, not a user's mistake), so it is a ``RuntimeError``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ActionNotAllowed",
    "AssetArchived",
    "AssetNotAccepted",
    "CardAlreadyClaimed",
    "CardHoldsMoney",
    "CardLost",
    "DuplicateAssetCode",
    "FederationError",
    "InsufficientFunds",
    "InvalidInput",
    "LedgerRefused",
    "MoneyError",
    "NotIssuer",
    "OperationConflict",
    "PrimaryAssetExists",
    "UnknownAsset",
    "UnknownCard",
    "UnknownInstance",
]


class MoneyError(ValueError):
    """A money rule was broken; ``code`` names the rule, the message explains it in English."""

    code = "money_error"


class InvalidInput(MoneyError):
    """A parameter is malformed (amount, code, name, reason...); ``field`` names it.

    ``message`` is an English message id (marked with ``N_`` where it is raised), with
    ``%(name)s`` placeholders filled from ``params``: pages translate it
    (:func:`core.wallets.messages.money_message`), ``str()`` gives the English sentence.
    """

    code = "invalid_input"

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(f"{field}: {message % params if params else message}")
        self.field = field
        self.message = message
        self.params = params


class UnknownAsset(MoneyError):
    """No asset has this id or code."""

    code = "unknown_asset"

    def __init__(self, asset: int | str) -> None:
        super().__init__(f"no asset {asset!r}")
        self.asset = asset


class UnknownInstance(MoneyError):
    """No instance has this slug."""

    code = "unknown_instance"

    def __init__(self, instance: str) -> None:
        super().__init__(f"no instance {instance!r}")
        self.instance = instance


class DuplicateAssetCode(MoneyError):
    """Another asset of the network already uses this 3-letter code."""

    code = "duplicate_asset_code"

    def __init__(self, asset_code: str) -> None:
        super().__init__(f"the code {asset_code!r} is already used by another asset")
        self.asset_code = asset_code


class PrimaryAssetExists(MoneyError):
    """The network already has its primary asset (there is exactly one)."""

    code = "primary_asset_exists"

    def __init__(self, asset_code: str) -> None:
        super().__init__(f"the network already has its primary asset ({asset_code})")
        self.asset_code = asset_code


class AssetArchived(MoneyError):
    """The asset is archived: no new money may be issued or spent in it."""

    code = "asset_archived"

    def __init__(self, asset: int) -> None:
        super().__init__(f"asset {asset} is archived")
        self.asset = asset


class NotIssuer(MoneyError):
    """Only the asset's issuer may do this (edit, archive, share, revoke)."""

    code = "not_issuer"

    def __init__(self, asset: int, instance: str) -> None:
        super().__init__(f"instance {instance!r} is not the issuer of asset {asset}")
        self.asset = asset
        self.instance = instance


class AssetNotAccepted(MoneyError):
    """The instance does not accept this asset (not primary, not its own, not federated)."""

    code = "asset_not_accepted"

    def __init__(self, instance: str, asset: int) -> None:
        super().__init__(f"instance {instance!r} does not accept asset {asset}")
        self.instance = instance
        self.asset = asset


class ActionNotAllowed(MoneyError):
    """The action is not allowed for this asset or wallet (e.g. refunding a gift currency)."""

    code = "action_not_allowed"

    def __init__(self, action: str, message: str, *, asset: int | None = None) -> None:
        super().__init__(f"{action}: {message}")
        self.action = action
        self.asset = asset
        self.message = message


class InsufficientFunds(MoneyError):
    """The payer's balances do not cover the amount; nothing moved.

    ``shortfall`` is exactly what is missing, in the smallest unit of ``asset`` (for a sale
    with several assets: the last asset of the priority order, the one a top-up would use).
    """

    code = "insufficient_funds"

    def __init__(self, *, shortfall: int, asset: int, wallet: str, available: int) -> None:
        super().__init__(
            f"insufficient funds in {wallet}: {shortfall} missing (asset {asset}, "
            f"{available} available)"
        )
        self.shortfall = shortfall
        self.asset = asset
        self.wallet = wallet
        self.available = available


class OperationConflict(MoneyError):
    """This operation id was already used with different parameters: nothing moved."""

    code = "operation_conflict"

    def __init__(self, kind: str, operation_id: str) -> None:
        super().__init__(
            f"operation {operation_id!r} ({kind}) was already done with other parameters"
        )
        self.kind = kind
        self.operation_id = operation_id


class FederationError(MoneyError):
    """A federation step is not possible in the invitation's current state."""

    code = "federation_error"

    def __init__(self, asset: int, instance: str, message: str) -> None:
        super().__init__(f"asset {asset} / instance {instance!r}: {message}")
        self.asset = asset
        self.instance = instance
        self.message = message


class UnknownCard(MoneyError):
    """No card has this id, UID, number or QR id."""

    code = "unknown_card"

    def __init__(self, card: str) -> None:
        super().__init__(f"no card {card!r}")
        self.card = card


class CardAlreadyClaimed(MoneyError):
    """The card belongs to another user: it cannot be claimed."""

    code = "card_already_claimed"

    def __init__(self, card: str) -> None:
        super().__init__(f"card {card!r} already belongs to someone else")
        self.card = card


class CardHoldsMoney(MoneyError):
    """The card holds money: it can only be claimed through its QR code, not its number."""

    code = "card_holds_money"

    def __init__(self, card: str) -> None:
        super().__init__(f"card {card!r} holds money: claim it through its QR code")
        self.card = card


class CardLost(MoneyError):
    """The card was declared lost: it can never pay nor be credited again."""

    code = "card_lost"

    def __init__(self, card: str) -> None:
        super().__init__(f"card {card!r} was declared lost")
        self.card = card


class LedgerRefused(RuntimeError):
    """The ledger refused a transfer for a reason the services never expect (a bug)."""

    code = "ledger_refused"

    def __init__(self, kind: str, operation_id: str, results: list[Any]) -> None:
        names = ", ".join(getattr(r, "name", str(r)) for r in results)
        super().__init__(f"ledger refused {kind} {operation_id!r}: {names}")
        self.results = results
