"""Money errors next to the form field they concern, in the reader's language.

The services raise :class:`core.wallets.InvalidInput` naming a field (``code``, ``amount``...)
with an English reason meant for programs. A form shows a sentence written for people, next
to that field; errors about no field in particular (insufficient funds, an invitation in the
wrong state) go at the top of the form (key ``""``). The form is rendered again with what was
typed, so nothing is lost.
"""

from __future__ import annotations

from core.i18n import N_
from core.i18n import gettext as _
from core.wallets import (
    CardAlreadyClaimed,
    CardHoldsMoney,
    CardLost,
    DuplicateAssetCode,
    InvalidInput,
    MoneyError,
    UnknownCard,
)
from hosts.web.money_errors import money_message, money_status

__all__ = ["FIELD_MESSAGES", "form_errors", "form_status"]

#: What people read when a field is refused (message ids; translated when shown).
FIELD_MESSAGES = {
    "name": N_("Use 1 to 100 characters."),
    "code": N_("Use exactly three letters (A to Z)."),
    "decimals": N_("Choose from 0 to 4 decimals."),
    "category": N_("Choose a category from the list."),
    "amount": N_("Enter an amount greater than zero, such as 12.50."),
    "reason": N_("Give a reason (500 characters at most)."),
    "email": N_("Enter a valid e-mail address."),
    "card": N_("Enter the number printed on the card, or its QR code."),
    "wallet": N_("Name who receives it: an e-mail address or a card."),
    "debit": N_("Name the wallet to take from."),
    "credit": N_("Name the wallet to credit."),
    "asset_id": N_("Choose an asset from the list."),
    "asset_ids": N_("Choose each asset once."),
    "instance": N_("Choose a collective of the network."),
    "csv": N_("Choose a CSV file, or paste its lines."),
}


def form_errors(exc: MoneyError, *, fields: dict[str, str] | None = None) -> dict[str, str]:
    """``{field: message}`` for a form; ``fields`` renames service fields to form fields.

    An error of a field the form does not show, or of no field, lands under ``""``.
    """
    rename = fields or {}
    if isinstance(exc, InvalidInput):
        field = rename.get(exc.field, exc.field)
        template = FIELD_MESSAGES.get(field) or FIELD_MESSAGES.get(exc.field)
        return {field: _(template) if template else money_message(exc)}
    if isinstance(exc, DuplicateAssetCode):
        return {"code": money_message(exc)}
    if isinstance(exc, UnknownCard | CardAlreadyClaimed | CardLost | CardHoldsMoney):
        return {rename.get("card", "card"): money_message(exc)}
    return {"": money_message(exc)}


def form_status(exc: MoneyError) -> int:
    """400 for a refused field (the form comes back), else the error's own status (409...)."""
    if isinstance(exc, InvalidInput | DuplicateAssetCode):
        return 400
    return money_status(exc)
