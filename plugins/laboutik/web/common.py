"""What the register's pages share: the service, page rendering, forms, errors in words.

A plugin never imports the web host: pages are Litestar ``Template`` responses of the
plugin's own templates (``laboutik/...``), the host fills in the layout's context; money
errors are put in words by :func:`core.wallets.messages.money_message`, the register's own
by :func:`translate`.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from core import Network
from core.i18n import current_language
from core.i18n import gettext as _
from core.wallets import InsufficientFunds, MoneyError
from core.wallets.messages import money_message

from ..amounts import AmountError, format_money, format_rate, parse_amount
from ..errors import FormErrors, NotFound, Problem, RegisterError
from ..periods import UTC, local_datetime, zone
from ..service import Laboutik, laboutik_of

__all__ = [
    "Form",
    "errors_of",
    "helpers",
    "lb",
    "new_token",
    "render",
    "see_other",
    "translate",
]


def lb(network: Network) -> Laboutik:
    """The register service of the request's network."""
    return laboutik_of(network)


def new_token() -> str:
    """An operation id for a form: submitting the same form twice does the thing once."""
    return secrets.token_hex(12)


def money(amount: int | None) -> str:
    """An amount in cents, written in the reader's language (``12,50``)."""
    return format_money(amount or 0, current_language())


def rate(points: int) -> str:
    """A rate in basis points, written in the reader's language (``5,5 %``)."""
    return format_rate(points, current_language())


def moment(at: int, timezone: str = "Europe/Paris") -> str:
    """A moment (ns) as local ``YYYY-MM-DD HH:MM``."""
    tz = zone(timezone) or UTC
    return local_datetime(at, tz).strftime("%Y-%m-%d %H:%M")


def helpers() -> dict[str, Any]:
    """The register's template helpers: amounts, rates and moments in the reader's language."""
    return {"money": money, "rate": rate, "moment": moment}


def render(name: str, *, status: int = 200, **context: Any) -> Template:
    """The plugin's template ``name`` with the register's helpers in its context."""
    return Template(
        template_name=f"laboutik/{name}", context={**helpers(), **context}, status_code=status
    )


def see_other(path: str) -> Redirect:
    """After a form: go to ``path`` (303, so a reload never posts again)."""
    return Redirect(path, status_code=303)


def translate(problem: Problem) -> str:
    """A problem in the reader's language."""
    return _(problem.message, **problem.params)


def errors_of(exc: Exception) -> dict[str, str]:
    """The errors of a refused action, by field, in the reader's language."""
    if isinstance(exc, FormErrors):
        return {field: translate(problem) for field, problem in exc.errors.items()}
    if isinstance(exc, RegisterError):
        return {exc.field: _(exc.message, **exc.params)}
    if isinstance(exc, InsufficientFunds):  # the core's sentence, the amount as on the page
        return {"money": _("Insufficient balance: %(shortfall)s missing.",
                           shortfall=money(exc.shortfall))}  # fmt: skip
    if isinstance(exc, MoneyError):
        return {str(getattr(exc, "field", "") or "money"): money_message(exc)}
    raise exc


def status_of(exc: Exception) -> int:
    """The HTTP status of a refused action (422 bad input, 404 unknown, 409 otherwise)."""
    if isinstance(exc, RegisterError):
        return exc.status
    code = getattr(exc, "code", "")
    return {"invalid_input": 422, "unknown_card": 404, "unknown_asset": 404}.get(code, 409)


def not_found(exc: NotFound) -> NotFoundException:
    """The host's 404 (its friendly page) for a record of another instance or none."""
    return NotFoundException(detail=str(exc))


class Form:
    """A submitted form: text values by name, what failed to parse, by field."""

    def __init__(self, data: FormMultiDict) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    @classmethod
    async def of(cls, request: Request[Any, Any, Any]) -> Form:
        """Read the request's form."""
        return cls(await request.form())

    def text(self, name: str) -> str:
        """The value of a field (trimmed; "" when absent)."""
        value = self.data.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    def all(self, name: str) -> list[str]:
        """Every value of a multi-valued field (checkboxes)."""
        return [v for v in self.data.getall(name, []) if isinstance(v, str)]

    def checked(self, name: str) -> bool:
        """True when a checkbox was ticked."""
        return self.text(name) in {"1", "on", "true", "yes"}

    def amount(self, name: str, *, allow_zero: bool = False, required: bool = True) -> int:
        """A typed amount in cents (0 when blank and not required); errors are noted."""
        value = self.text(name)
        if not value and not required:
            return 0
        try:
            return parse_amount(value, allow_zero=allow_zero)
        except AmountError as exc:
            self.errors[name] = translate(exc.problem)
            return 0

    def values(self) -> dict[str, str]:
        """Every single value, to fill the form again."""
        return {k: v for k, v in self.data.items() if isinstance(v, str) and k != "_csrf_token"}
