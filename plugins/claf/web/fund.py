"""The fund's own pages: set-up, the fund's summary, monthly allocations, where to pay.

- ``/claf/mise-en-place`` (admin): the set-up the admin is sent to after enabling the plugin
  on a food fund (hook ``plugin_setup_path``): the asset's name and code, "CLAF-outils" and
  ``CLA`` proposed. Submitting creates the asset and the fund record in one write; a second
  submission changes nothing.
- ``/claf`` (treasurer): the fund's summary and its pages.
- ``/claf/allocations`` (admin): the month's allocation button and its report.
- ``/claf/lieux`` (everyone): the producers where the fund's asset is accepted.
"""

from __future__ import annotations

import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from core import Instance, Network
from core.accounts import User
from core.i18n import gettext as _
from core.wallets import MoneyError, WalletRef

from ..amounts import month_of
from ..errors import ClafError, NotReady
from ..service import DEFAULT_ASSET_CODE, DEFAULT_ASSET_NAME, claf_of
from .common import ADMIN, TREASURER, author_of, error_text, money_text, not_ready, render

__all__ = ["FUND_ROUTES"]


@get("/claf/mise-en-place", opt=ADMIN, sync_to_thread=False, include_in_schema=False)
def setup_form(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> Response[Any]:
    """The set-up form (or, once set up, where the fund's pages are)."""
    claf = claf_of(network)
    try:
        claf.require_fund(instance.slug)
    except NotReady as exc:
        if exc.reason != "not_set_up":
            return not_ready(exc)
        values = {"name": DEFAULT_ASSET_NAME, "code": DEFAULT_ASSET_CODE}
        return render("setup.html", values=values, errors={})
    return Redirect("/claf")


@post("/claf/mise-en-place", opt=ADMIN, include_in_schema=False)
async def setup_save(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    user: NamedDependency[User | None],
) -> Response[Any]:
    """Create the fund's asset with the name and code typed (errors next to their field)."""
    form = await request.form()
    values = {"name": str(form.get("name", "")), "code": str(form.get("code", ""))}
    try:
        claf_of(network).setup(
            instance.slug, name=values["name"], code=values["code"], author=author_of(user)
        )
    except NotReady as exc:
        return not_ready(exc)
    except MoneyError as exc:
        field, message = money_text(exc)
        return render("setup.html", status=400, values=values, errors={field or "code": message})
    return Redirect("/claf?ok=setup")


@get("/claf", opt=TREASURER, sync_to_thread=False, include_in_schema=False)
def dashboard(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    ok: FromQuery[str | None] = None,
) -> Template:
    """The fund's summary: its asset, what it owes and to whom, its beneficiaries."""
    claf = claf_of(network)
    try:
        fund, asset = claf.require_fund(instance.slug)
    except NotReady as exc:
        return not_ready(exc)
    money = network.money
    places = claf.places(instance.slug)
    held_by_places = sum(p.balance for p in places)
    own = money.balance(WalletRef.instance(instance.slug), asset.id)
    outstanding = money.outstanding(asset.id)
    beneficiaries = claf.beneficiaries.of_fund(instance.slug)
    active = [b for b in beneficiaries if b.active]
    remitted = sum(r.amount for r in money.remittances(asset_id=asset.id))
    return render(
        "dashboard.html",
        fund=fund,
        asset=asset,
        outstanding=outstanding,
        held_by_places=held_by_places,
        held_by_people=outstanding - held_by_places - own,
        remitted=remitted,
        places=places,
        active=len(active),
        stopped=len(beneficiaries) - len(active),
        monthly=sum(b.monthly_allocation for b in active),
        set_up=ok == "setup",
    )


@get("/claf/allocations", opt=ADMIN, sync_to_thread=False, include_in_schema=False)
def allocations_form(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> Template:
    """The month's allocation button."""
    try:
        _fund, asset = claf_of(network).require_fund(instance.slug)
    except NotReady as exc:
        return not_ready(exc)
    return render(
        "allocations.html", asset=asset, month=month_of(datetime.date.today()), report=None,
        error="",
    )  # fmt: skip


@post("/claf/allocations", opt=ADMIN, include_in_schema=False)
async def allocations_run(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    user: NamedDependency[User | None],
) -> Template:
    """Grant the chosen month's allocations and show what was granted and skipped."""
    form = await request.form()
    month = str(form.get("month", ""))
    claf = claf_of(network)
    try:
        _fund, asset = claf.require_fund(instance.slug)
    except NotReady as exc:
        return not_ready(exc)
    try:
        report = claf.allocate(instance.slug, month, author=author_of(user))
    except ClafError as exc:
        return render(
            "allocations.html", status=400, asset=asset, month=month, report=None,
            error=error_text(exc),
        )  # fmt: skip
    return render("allocations.html", asset=asset, month=report.month, report=report, error="")


@get("/claf/lieux", sync_to_thread=False, include_in_schema=False)
def where_to_pay(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    site: NamedDependency[Any],
) -> Template:
    """Public: the producers that accept the fund's asset, with their addresses."""
    claf = claf_of(network)
    try:
        _fund, asset = claf.require_fund(instance.slug)
    except NotReady as exc:
        return not_ready(exc)
    producers = []
    for slug in network.money.federations.federated_instances(asset.id):
        place = network.instances.get(slug)
        if place is not None:
            producers.append((place, site.url_for(slug)))
    producers.sort(key=lambda row: row[0].name.lower())
    return render(
        "where_to_pay.html",
        asset=asset,
        producers=producers,
        intro=_(
            "Beneficiaries of the fund pay with %(asset)s at these producers.", asset=asset.name
        ),
    )


FUND_ROUTES = [setup_form, setup_save, dashboard, allocations_form, allocations_run, where_to_pay]
