"""Money errors as people and programs read them: a translated message and an HTTP status.

Every :class:`core.wallets.MoneyError` carries a stable ``code``. :func:`money_message` (from
:mod:`core.wallets.messages`, where plugins find it too) turns it into a sentence in the
reader's language (forms show it next to the field, or at the top);
:func:`money_status` picks the HTTP status; the exception handler :func:`money_error_handler`
answers the JSON API with RFC 9457 problem details (``code``, ``field`` and ``shortfall``
where they apply) and people with the error page. Handlers that show a form catch the error
themselves and render the form again with :func:`money_message`, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from core.i18n import gettext as _
from core.wallets import InsufficientFunds, InvalidInput, MoneyError
from core.wallets.messages import money_message
from hosts.web.errors import problem, wants_json
from hosts.web.pages import page

__all__ = ["money_error_handler", "money_message", "money_problem", "money_status"]

_STATUS = {
    "invalid_input": 422,
    "unknown_asset": 404,
    "unknown_instance": 404,
    "unknown_card": 404,
    "unknown_payment_request": 404,
    "not_issuer": 403,
}


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
