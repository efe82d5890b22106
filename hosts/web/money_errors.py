"""Money errors as people and programs read them: a translated message and an HTTP status.

Every :class:`core.wallets.MoneyError` carries a stable ``code``. :func:`money_message` turns
it into a sentence in the reader's language (forms show it next to the field, or at the top);
:func:`money_status` picks the HTTP status; the exception handler :func:`money_error_handler`
answers the JSON API with RFC 9457 problem details (``code``, ``field`` and ``shortfall``
where they apply) and people with the error page. Handlers that show a form catch the error
themselves and render the form again with :func:`money_message`, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from core.i18n import N_
from core.i18n import gettext as _
from core.wallets import InsufficientFunds, InvalidInput, MoneyError
from hosts.web.errors import problem, wants_json
from hosts.web.pages import page

__all__ = ["money_error_handler", "money_message", "money_problem", "money_status"]

_MESSAGES = {
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
}

_STATUS = {
    "invalid_input": 422,
    "unknown_asset": 404,
    "unknown_instance": 404,
    "unknown_card": 404,
    "not_issuer": 403,
}


def _amount(cents: int, decimals: int = 2) -> str:
    """``1250`` → ``12.50`` (integer arithmetic only)."""
    if decimals == 0:
        return str(cents)
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 10**decimals)
    return f"{sign}{whole}.{part:0{decimals}d}"


def money_message(exc: MoneyError, *, decimals: int = 2) -> str:
    """The error in the reader's language; ``decimals`` formats a shortfall."""
    template = _MESSAGES.get(exc.code)
    if template is None:
        return str(exc)
    if isinstance(exc, InvalidInput):
        return _(template, field=exc.field, reason=exc.message)
    if isinstance(exc, InsufficientFunds):
        return _(template, shortfall=_amount(exc.shortfall, decimals))
    return _(template)


def money_status(exc: MoneyError) -> int:
    """422 for malformed input, 404 for unknown things, 403 for the issuer rule, else 409."""
    return _STATUS.get(exc.code, 409)


def money_problem(exc: MoneyError, *, decimals: int = 2) -> Response[Any]:
    """Problem details for the API: ``code`` always; ``field``, ``shortfall``... when known."""
    extra: dict[str, Any] = {"code": exc.code}
    if isinstance(exc, InvalidInput):
        extra["field"] = exc.field
    if isinstance(exc, InsufficientFunds):
        extra.update(shortfall=exc.shortfall, asset=exc.asset, available=exc.available)
    return problem(money_status(exc), money_message(exc, decimals=decimals), **extra)


def money_error_handler(request: Request[Any, Any, Any], exc: MoneyError) -> Response[Any]:
    """Exception handler: problem details for the API, the error page for people."""
    if wants_json(request):
        return money_problem(exc)
    status = money_status(exc)
    return page(
        request, "error.html", status_code=status, status=status,
        title=_("This could not be done"), detail=money_message(exc), home="/",
    )  # fmt: skip
