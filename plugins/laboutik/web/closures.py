"""Closures (role cashier or treasurer): the open period, closing it, the reports, their CSV.

The page shows the open period's report so far (a "ticket X": nothing is recorded) and the
button that closes it; a closure's report is stored with it and reads the same for ever.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core import Instance, Network

from ..errors import RegisterError
from ..report import report_csv
from .common import errors_of, lb, render, see_other, status_of

__all__ = ["CLOSURE_ROUTES"]

STAFF = {"role": ["cashier", "treasurer"]}


def _closures_page(
    network: Network, instance: Instance, errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    closures = lb(network).closures
    period = closures.period(instance.slug)
    return render(
        "closures.html", status=status, period=period, preview=closures.preview(instance.slug),
        closures=closures.closed(instance.slug), errors=errors or {},
        timezone=period.config.timezone if period else "Europe/Paris",
        assets={a.id: a for a in network.money.assets.all()},
    )  # fmt: skip


@get("/caisse/clotures", opt=STAFF, include_in_schema=False, sync_to_thread=False)
def closures_page(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> Template:
    """The open period, its report so far, and the closures made."""
    return _closures_page(network, instance)


@post("/caisse/clotures", opt=STAFF, include_in_schema=False, sync_to_thread=False)
def close(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    early: FromQuery[bool] = False,
) -> Template | Redirect:
    """Close the open period (``?early=true``: now, before the closure hour)."""
    try:
        closure = lb(network).closures.close(instance.slug, author=actor.label, early=early)
    except RegisterError as exc:
        return _closures_page(network, instance, errors_of(exc), status_of(exc))
    return see_other(f"/caisse/clotures/{closure.number}")


@get("/caisse/clotures/{number:str}", opt=STAFF, include_in_schema=False, sync_to_thread=False)
def closure_page(
    network: NamedDependency[Network], instance: NamedDependency[Instance], number: FromPath[str]
) -> Template:
    """A closure's report, as it was frozen."""
    closure = lb(network).closures.get(instance.slug, _number(number))
    return render(
        "closure.html", closure=closure, report=closure.report,
        who=_who(network, closure.closed_by), timezone=closure.report.timezone,
        assets={a.id: a for a in network.money.assets.all()},
    )  # fmt: skip


@get("/caisse/clotures/{number:str}/csv", opt=STAFF, include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def closure_csv(
    network: NamedDependency[Network], instance: NamedDependency[Instance], number: FromPath[str]
) -> Response[str]:
    """A closure's report as CSV (one row per figure, amounts in cents and written out)."""
    closure = lb(network).closures.get(instance.slug, _number(number))
    name = f"ticket-z-{instance.slug}-{closure.number:05d}-{closure.business_date}.csv"
    return Response(
        report_csv(closure.report),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _who(network: Network, label: str) -> str:
    """Who closed: a person's e-mail address (``user:<id>``), else the label itself."""
    kind, _sep, ident = label.partition(":")
    if kind == "user" and ident:
        with network.store.read() as txn:
            user = network.accounts.users.get(txn, ident)
        if user is not None:
            return str(user.email)
    return label


def _number(text: str) -> int:
    """A closure number from the address (404 when it is not one)."""
    if not text.isdigit() or len(text) > 9:
        raise NotFoundException()
    return int(text)


CLOSURE_ROUTES = [closures_page, close, closure_page, closure_csv]
