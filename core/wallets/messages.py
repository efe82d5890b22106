"""Money errors in words people read: one translated sentence per error ``code``.

Every :class:`core.wallets.MoneyError` has a stable ``code``. :func:`money_message` turns an
error into a sentence in the current language (see :mod:`core.i18n`), so any page that shows
a form (the web host's, a plugin's) can put it next to the field without knowing each error
class. Amounts are written by :func:`core.wallets.amounts.format_amount` in the reader's
language, with integer arithmetic only.
"""

from __future__ import annotations

from core.i18n import N_, current_language
from core.i18n import gettext as _
from core.wallets.amounts import format_amount
from core.wallets.errors import InsufficientFunds, InvalidInput, MoneyError

__all__ = ["FIELD_LABELS", "MONEY_MESSAGES", "money_message"]

#: The message id of each error code (English; translated in core/locale).
MONEY_MESSAGES = {
    "invalid_input": N_("Invalid value for %(field)s: %(reason)s"),
    "unknown_asset": N_("This asset does not exist."),
    "unknown_instance": N_("This collective does not exist in the network."),
    "duplicate_asset_code": N_("Another asset of the network already uses this code."),
    "primary_asset_exists": N_("The network already has its primary asset."),
    "asset_archived": N_("This asset is archived: it can no longer be issued nor spent."),
    "not_issuer": N_("Only the collective that issues this asset can do this."),
    "asset_not_accepted": N_("This collective does not accept this asset."),
    "action_not_allowed": N_("This action is not allowed for this asset."),
    "insufficient_funds": N_("Insufficient balance: %(shortfall)s missing."),
    "operation_conflict": N_("This operation was already done with other details."),
    "federation_error": N_("This invitation cannot change in its current state."),
    "unknown_card": N_("This card is unknown."),
    "card_already_claimed": N_("This card already belongs to someone else."),
    "card_lost": N_("This card was declared lost."),
    "card_holds_money": N_("This card holds money: scan its QR code to link it."),
    "unknown_payment_request": N_("This payment request does not exist."),
    "payment_request_expired": N_("This payment request has expired: ask for a new one."),
    "payment_request_closed": N_("This payment request was cancelled or already paid."),
}


#: How a field is named to people in an "invalid value" sentence (others keep their name).
FIELD_LABELS = {
    "amount": N_("amount"),
    "name": N_("name"),
    "code": N_("code"),
    "decimals": N_("decimals"),
    "category": N_("category"),
    "uid": N_("card UID"),
    "number": N_("card number"),
    "reason": N_("reason"),
    "note": N_("note"),
    "bank_reference": N_("bank reference"),
    "bank_date": N_("bank transfer date"),
    "wallet": N_("wallet"),
    "payer": N_("payer"),
    "payee": N_("payee"),
    "debit": N_("debited wallet"),
    "credit": N_("credited wallet"),
    "asset_id": N_("asset"),
    "asset_ids": N_("assets"),
    "email": N_("e-mail"),
    "user_email": N_("e-mail"),
    "target": N_("card"),
    "replacement": N_("replacement card"),
    "replacement_id": N_("replacement card"),
    "label": N_("label"),
}


def money_message(exc: MoneyError, *, decimals: int = 2, unit: str = "") -> str:
    """The error in the current language; ``decimals`` (and ``unit``, an asset code) format a
    shortfall."""
    template = MONEY_MESSAGES.get(exc.code)
    if template is None:
        return str(exc)
    if isinstance(exc, InvalidInput):
        label = FIELD_LABELS.get(exc.field)
        field = _(label) if label is not None else exc.field
        return _(template, field=field, reason=_(exc.message, **exc.params))
    if isinstance(exc, InsufficientFunds):
        amount = format_amount(exc.shortfall, decimals, lang=current_language())
        return _(template, shortfall=amount + (f" {unit}" if unit else ""))
    return _(template)
