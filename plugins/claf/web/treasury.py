"""The treasurer's pages: "Ventilation par lieu", "Valider le retour en banque", remittances.

- ``/claf/ventilation`` (treasurer): each place that accepted the fund's asset (or still holds
  some) with its balance, and for each balance a form: bank reference and date of the bank
  transfer. The amount is the whole balance shown, carried by the form with a random token;
  :meth:`plugins.claf.service.Claf.remit` re-checks the balance and records the remittance in
  one write, under an operation id made from the token, so a double click or a replayed
  request records it once.
- ``/claf/remises`` (treasurer): every remittance ("Voir toutes les remises en banques
  précédentes"), optionally of one place; ``/claf/remises.csv`` the same as CSV.
- ``/api/claf/ventilation`` and ``/api/claf/remises``: the same as JSON (API keys work).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from core import Instance, Network
from core.accounts import User
from core.i18n import gettext as _
from core.wallets import Asset, MoneyError, Remittance

from ..amounts import display
from ..errors import BalanceChanged, ClafError, NotReady
from ..exports import remittances_csv
from ..model import Place
from ..service import claf_of, new_token
from .common import TREASURER, author_of, csv_response, error_text, money_text, not_ready, render

__all__ = ["TREASURY_ROUTES", "AssetInfo", "PlacesAnswer", "RemittancesAnswer"]

SLUG_RE = re.compile(r"^[a-z0-9-]{1,63}$")


class AssetInfo(msgspec.Struct, frozen=True):
    """The fund's asset, as the API shows it."""

    id: int
    code: str
    name: str
    decimals: int


class PlacesAnswer(msgspec.Struct, frozen=True):
    """``GET /api/claf/ventilation``: each place's balance (``asset`` null: no fund here)."""

    fund: str
    asset: AssetInfo | None
    places: list[Place]


class RemittancesAnswer(msgspec.Struct, frozen=True):
    """``GET /api/claf/remises``: every remittance of the fund's asset, newest first."""

    fund: str
    asset: AssetInfo | None
    remittances: list[Remittance]


def _info(asset: Asset) -> AssetInfo:
    return AssetInfo(id=asset.id, code=asset.code, name=asset.name, decimals=asset.decimals)


def _places_page(
    network: Network, instance: Instance, *, status: int = 200, failed: str = "",
    values: dict[str, str] | None = None, errors: dict[str, str] | None = None, notice: str = "",
) -> Template:  # fmt: skip
    """The breakdown; the row of ``failed`` shows ``values`` and ``errors`` next to fields."""
    claf = claf_of(network)
    try:
        _fund, asset = claf.require_fund(instance.slug)
    except NotReady as exc:
        return not_ready(exc)
    today = datetime.date.today().isoformat()
    rows = []
    for place in claf.places(instance.slug):
        own = place.slug == failed
        row_values = dict(values or {}) if own else {}
        if not row_values.get("token"):
            row_values["token"] = new_token()
        row_values.setdefault("bank_date", today)
        rows.append((place, row_values, (errors or {}) if own else {}))
    return render(
        "places.html", status=status, asset=asset, rows=rows, notice=notice, today=today,
        total=sum(place.balance for place, _v, _e in rows),
    )  # fmt: skip


@get("/claf/ventilation", opt=TREASURER, sync_to_thread=False, include_in_schema=False)
def places(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    ok: FromQuery[str | None] = None,
) -> Template:
    """ "Ventilation par lieu": place, total, "Valider le retour en banque"."""
    notice = ""
    if ok:
        place = network.instances.get(ok)
        if place is not None:
            notice = _("The bank remittance to %(name)s was recorded.", name=place.name)
    return _places_page(network, instance, notice=notice)


@post("/claf/ventilation/remise", opt=TREASURER, include_in_schema=False)
async def remit(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    user: NamedDependency[User | None],
) -> Response[Any]:
    """Record the bank remittance of one place's whole balance (once per form)."""
    form = await request.form()
    fields = ("producer", "amount", "token", "bank_reference", "bank_date")
    values = {k: str(form.get(k, "")).strip() for k in fields}
    amount = int(values["amount"]) if values["amount"].isdigit() else 0
    try:
        claf_of(network).remit(
            instance.slug,
            producer=values["producer"],
            amount=amount,
            bank_reference=values["bank_reference"],
            bank_date=values["bank_date"],
            author=author_of(user),
            token=values["token"],
        )
    except NotReady as exc:
        return not_ready(exc)
    except BalanceChanged as exc:
        message = _(
            "The balance changed since the page was shown: it is now %(amount)s. Check the "
            "bank transfer, then validate again.",
            amount=display(exc.current),
        )
        values["token"] = ""  # a new form: the old one was never recorded
        return _places_page(network, instance, status=409, failed=values["producer"],
                            values=values, errors={"amount": message})  # fmt: skip
    except ClafError as exc:
        return _places_page(network, instance, status=400, failed=values["producer"],
                            values=values, errors={exc.field: error_text(exc)})  # fmt: skip
    except MoneyError as exc:
        _field, message = money_text(exc)
        return _places_page(network, instance, status=409, failed=values["producer"],
                            values=values, errors={"amount": message})  # fmt: skip
    return Redirect(f"/claf/ventilation?ok={values['producer']}")


def _names(network: Network) -> dict[str, str]:
    return {i.slug: i.name for i in network.instances.all()}


@get("/claf/remises", opt=TREASURER, sync_to_thread=False, include_in_schema=False)
def remittances(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    lieu: FromQuery[str | None] = None,
) -> Template:
    """Every remittance of the fund (of one place with ``?lieu=<slug>``), newest first."""
    claf = claf_of(network)
    try:
        _fund, asset = claf.require_fund(instance.slug)
    except NotReady as exc:
        return not_ready(exc)
    found = claf.remittances(instance.slug, producer=lieu or None)
    return render(
        "remittances.html", asset=asset, remittances=found, names=_names(network),
        place=lieu or "", total=sum(r.amount for r in found),
    )  # fmt: skip


@get("/claf/remises.csv", opt=TREASURER, sync_to_thread=False, include_in_schema=False)
def remittances_export(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    lieu: FromQuery[str | None] = None,
) -> Response[Any]:
    """The remittances as CSV (see :mod:`plugins.claf.exports`)."""
    claf = claf_of(network)
    try:
        _fund, asset = claf.require_fund(instance.slug)
    except NotReady as exc:
        return not_ready(exc)
    found = claf.remittances(instance.slug, producer=lieu or None)
    suffix = f"-{lieu}" if lieu and SLUG_RE.match(lieu) else ""  # never echo raw input
    name = f"remises-{instance.slug}{suffix}.csv"
    return csv_response(remittances_csv([(r, asset) for r in found], _names(network)), name)


@get("/api/claf/ventilation", opt=TREASURER, sync_to_thread=False,
     summary="The fund's breakdown by place")  # fmt: skip
def api_places(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> PlacesAnswer:
    """Each place that accepted the fund's asset or holds some, with its balance in cents."""
    claf = claf_of(network)
    try:
        _fund, asset = claf.require_fund(instance.slug)
    except NotReady:
        return PlacesAnswer(fund=instance.slug, asset=None, places=[])
    return PlacesAnswer(fund=instance.slug, asset=_info(asset), places=claf.places(instance.slug))


@get("/api/claf/remises", opt=TREASURER, sync_to_thread=False,
     summary="The fund's bank remittances")  # fmt: skip
def api_remittances(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> RemittancesAnswer:
    """Every bank remittance of the fund's asset, newest bank date first (amounts in cents)."""
    claf = claf_of(network)
    try:
        _fund, asset = claf.require_fund(instance.slug)
    except NotReady:
        return RemittancesAnswer(fund=instance.slug, asset=None, remittances=[])
    return RemittancesAnswer(
        fund=instance.slug, asset=_info(asset), remittances=claf.remittances(instance.slug)
    )


TREASURY_ROUTES = [
    places, remit, remittances, remittances_export, api_places, api_remittances,
]  # fmt: skip
