"""What the CLAF pages share: rendering, translated errors, who acts, period parsing.

Pages are the plugin's templates (``templates/`` served as ``claf/...``) extending the host's
layout; :func:`render` adds the amount formatter ``fmt`` to their context. Access is declared in
each handler's ``opt`` (the host enforces it): ``{"role": "admin"}`` or
``{"role": "treasurer"}`` of the request's instance.
"""

from __future__ import annotations

import datetime
from typing import Any

from litestar import Response
from litestar.response import Template

from core.accounts import User
from core.i18n import N_
from core.i18n import gettext as _
from core.wallets import InsufficientFunds, InvalidInput, MoneyError

from ..amounts import display, plain
from ..errors import ClafError, NotReady

__all__ = [
    "ADMIN",
    "TREASURER",
    "author_of",
    "csv_response",
    "error_text",
    "errors_text",
    "money_text",
    "not_ready",
    "period",
    "render",
]

ADMIN = {"role": "admin"}
TREASURER = {"role": "treasurer"}


def render(template: str, *, status: int = 200, **context: Any) -> Template:
    """The plugin's template ``claf/<template>`` inside the host's layout."""
    return Template(
        template_name=f"claf/{template}",
        context={"fmt": display, "plain": plain, **context},
        status_code=status,
    )


def not_ready(exc: NotReady) -> Template:
    """The page saying why the fund's pages cannot work here (not a fund, not set up)."""
    return render("not_ready.html", reason=exc.reason, message=_(exc.message))


def error_text(exc: ClafError) -> str:
    """A ClafError in the reader's language."""
    return _(exc.message, **exc.values)


def errors_text(errors: dict[str, ClafError]) -> dict[str, str]:
    """Each field's error in the reader's language."""
    return {field: error_text(exc) for field, exc in errors.items()}


_MONEY = {
    "duplicate_asset_code": N_("Another asset of the network already uses this code."),
    "asset_archived": N_("The fund's asset is archived: nothing can be issued in it."),
    "unknown_instance": N_("This place does not exist in the network."),
    "operation_conflict": N_("This was already recorded with other details: check the list."),
    "card_lost": N_("This card was declared lost."),
    "card_already_claimed": N_("This card belongs to someone else."),
}
INSUFFICIENT = N_("The balance is not enough: %(shortfall)s missing.")
_FIELDS = {
    "name": N_("Use 1 to 100 characters."),
    "code": N_("Use exactly three letters (A-Z)."),
}


def money_text(exc: MoneyError) -> tuple[str, str]:
    """(field, message in the reader's language) of a money rule refused by the core."""
    if isinstance(exc, InvalidInput):
        return exc.field, _(_FIELDS.get(exc.field, N_("Check this field.")))
    if isinstance(exc, InsufficientFunds):
        return "amount", _(INSUFFICIENT, shortfall=display(exc.shortfall))
    field = "code" if exc.code == "duplicate_asset_code" else ""
    return field, _(_MONEY.get(exc.code, N_("This could not be done.")))


def author_of(user: User | None) -> str:
    """Who acts, as kept on records: the person's e-mail (an API key: ``api-key``)."""
    return user.email if user is not None else "api-key"


def csv_response(text: str, filename: str) -> Response[bytes]:
    """A CSV download."""
    return Response(
        content=text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def period(
    start: str | None, end: str | None, today: datetime.date
) -> tuple[datetime.date, datetime.date, str]:
    """The period asked in ``du``/``au`` (default: this month so far); (start, end, error)."""
    first = today.replace(day=1)
    try:
        low = datetime.date.fromisoformat(start) if start else first
        high = datetime.date.fromisoformat(end) if end else today
    except ValueError:
        return first, today, _("Give the dates as YYYY-MM-DD.")
    if high < low:
        return first, today, _("The end of the period comes before its start.")
    return low, high, ""
