"""Admin panel, "Actifs": the instance's assets and those it accepts; create, edit, archive.

- ``GET /admin/actifs``: the assets this instance issued (with what it owes as issuer) and
  every asset it accepts (the primary asset, its own, the federated ones).
- ``GET|POST /admin/actifs/nouveau``: create a local asset (category, name, 3-letter code,
  decimals, person-to-person transfers); refused fields are shown next to themselves with
  what was typed.
- ``GET /admin/actifs/{id}``: one asset. For its issuer: the edit form, the federated places
  (every invitation and its state), what the issuer owes, "Partager cet actif" (see
  :mod:`hosts.web.routes_federation`), archive or restore. For an instance that accepted it:
  the issuer and a "leave" button. Another instance's asset it does not accept: 404.
- ``POST /admin/actifs/{id}``: edit (issuer only); ``POST /admin/actifs/{id}/archiver``.

Admins only (the guard, and ``opt["role"]`` for the authorization walk); the services check
the money rules (only the issuer edits, archives or shares).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.i18n import N_
from core.i18n import gettext as _
from core.network import Network
from core.wallets import Asset, AssetCategory, MoneyError
from hosts.web.instances import network_of
from hosts.web.money_forms import form_errors, form_status
from hosts.web.money_web import (
    ADMIN_ONLY,
    ADMIN_OPT,
    LOCAL_CATEGORIES,
    STATUS_LABELS,
    money_page,
    request_instance,
)

__all__ = ["ASSET_ROUTES", "asset_page", "visible_asset"]

_NOTICES = {
    "created": N_("The asset was created."),
    "saved": N_("Saved."),
    "archived": N_("The asset is archived: no new money can be issued or spent in it."),
    "restored": N_("The asset is in use again."),
    "shared": N_("The invitation was sent to the collective's administrators."),
    "shared-nomail": N_(
        "The invitation is recorded, but the e-mail could not be sent: tell the collective "
        "to look at its asset invitations."
    ),
    "revoked": N_(
        "The invitation is revoked: balances stay, new sales in this asset there are refused."
    ),
    "left": N_(
        "This collective no longer accepts the asset: balances stay, new sales are refused."
    ),
}


def _notice(ok: str | None) -> str:
    template = _NOTICES.get(ok or "")
    return _(template) if template else ""


def visible_asset(network: Network, slug: str, asset_id: int) -> Asset:
    """The asset if ``slug`` issued or accepts it (else 404: another's asset is not shown)."""
    asset = network.money.assets.get(asset_id)
    if asset is None:
        raise NotFoundException()
    if asset.issuer != slug and not network.money.federations.accepts(slug, asset.id):
        federation = network.money.federations.get(asset.id, slug)
        if federation is None:
            raise NotFoundException()
    return asset


@get(
    "/admin/actifs", guards=ADMIN_ONLY, opt=ADMIN_OPT, include_in_schema=False, sync_to_thread=False
)
def assets_list(request: Request[Any, Any, Any], ok: FromQuery[str | None] = None) -> Template:
    """The instance's own assets and the assets it accepts."""
    instance = request_instance(request)
    money = network_of(request).money
    issued = money.assets.issued_by(instance.slug)
    owed = {a.id: money.outstanding(a.id) for a in issued}
    accepted = [
        a for a in money.federations.accepted_assets(instance.slug) if a.issuer != instance.slug
    ]
    return money_page(
        request,
        "admin_assets.html",
        issued=issued,
        owed=owed,
        accepted=accepted,
        notice=_notice(ok),
    )


def _new_page(
    request: Request[Any, Any, Any], values: dict[str, str], errors: dict[str, str], status: int
) -> Template:
    return money_page(
        request,
        "admin_asset_new.html",
        status_code=status,
        values=values,
        errors=errors,
        categories=LOCAL_CATEGORIES,
    )


@get(
    "/admin/actifs/nouveau",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
    sync_to_thread=False,
)
def asset_new_form(request: Request[Any, Any, Any]) -> Template:
    """The creation form."""
    values = {"category": "fiat", "name": "", "code": "", "decimals": "2", "transferable": ""}
    return _new_page(request, values, {}, 200)


@post("/admin/actifs/nouveau", guards=ADMIN_ONLY, opt=ADMIN_OPT, include_in_schema=False)
async def asset_create(request: Request[Any, Any, Any]) -> Response[Any]:
    """Create a local asset issued by this instance."""
    instance = request_instance(request)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("category", "name", "code", "decimals")}
    values["transferable"] = "1" if form.get("transferable") else ""
    decimals = values["decimals"].strip()
    if not decimals.isdigit():
        return _new_page(request, values, {"decimals": _("Choose from 0 to 4 decimals.")}, 400)
    if values["category"] not in {c.value for c in LOCAL_CATEGORIES}:
        return _new_page(request, values, {"category": _("Choose a category from the list.")}, 400)
    try:
        asset = network_of(request).money.assets.create(
            issuer=instance.slug,
            code=values["code"],
            name=values["name"],
            category=AssetCategory(values["category"]),
            decimals=int(decimals),
            transferable=bool(values["transferable"]),
        )
    except MoneyError as exc:
        return _new_page(request, values, form_errors(exc), form_status(exc))
    return Redirect(f"/admin/actifs/{asset.id}?ok=created")


def asset_page(
    request: Request[Any, Any, Any],
    asset: Asset,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    share: str = "",
    notice: str = "",
    status: int = 200,
) -> Template:
    """The page of one asset, as its issuer or an accepting instance sees it."""
    instance = request_instance(request)
    network = network_of(request)
    money = network.money
    issuer = asset.issuer == instance.slug
    federations = money.federations.of_asset(asset.id) if issuer else []
    taken = {f.instance for f in federations if f.status in {"pending", "accepted"}}
    candidates = [
        i for i in network.instances.all() if i.slug != instance.slug and i.slug not in taken
    ]
    names = {i.slug: i.name for i in network.instances.all()}
    mine = money.federations.get(asset.id, instance.slug)
    return money_page(
        request,
        "admin_asset.html",
        status_code=status,
        asset=asset,
        issuer=issuer,
        issuer_name=names.get(asset.issuer, asset.issuer),
        federations=federations,
        names=names,
        candidates=candidates,
        status_labels={k.value: _(v) for k, v in STATUS_LABELS.items()},
        outstanding=money.outstanding(asset.id) if issuer else 0,
        mine=mine,
        values=values
        or {
            "name": asset.name,
            "code": asset.code,
            "transferable": "1" if asset.transferable else "",
        },
        errors=errors or {},
        share=share,
        notice=notice,
    )


@get(
    "/admin/actifs/{asset_id:int}",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
    sync_to_thread=False,
)
def asset_detail(
    request: Request[Any, Any, Any], asset_id: FromPath[int], ok: FromQuery[str | None] = None
) -> Template:
    """One asset: details, federation, what the issuer owes."""
    instance = request_instance(request)
    asset = visible_asset(network_of(request), instance.slug, asset_id)
    return asset_page(request, asset, notice=_notice(ok))


@post("/admin/actifs/{asset_id:int}", guards=ADMIN_ONLY, opt=ADMIN_OPT, include_in_schema=False)
async def asset_edit(request: Request[Any, Any, Any], asset_id: FromPath[int]) -> Response[Any]:
    """Change the name, the code or person-to-person transfers (the issuer only)."""
    instance = request_instance(request)
    network = network_of(request)
    asset = visible_asset(network, instance.slug, asset_id)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("name", "code")}
    values["transferable"] = "1" if form.get("transferable") else ""
    try:
        network.money.assets.edit(
            asset.id,
            by_instance=instance.slug,
            name=values["name"],
            code=values["code"],
            transferable=bool(values["transferable"]),
        )
    except MoneyError as exc:
        return asset_page(
            request, asset, values=values, errors=form_errors(exc), status=form_status(exc)
        )
    return Redirect(f"/admin/actifs/{asset.id}?ok=saved")


@post(
    "/admin/actifs/{asset_id:int}/archiver",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
)
async def asset_archive(request: Request[Any, Any, Any], asset_id: FromPath[int]) -> Response[Any]:
    """Archive the asset (``archived=1``) or put it back in use (``archived=0``)."""
    instance = request_instance(request)
    network = network_of(request)
    asset = visible_asset(network, instance.slug, asset_id)
    form = await request.form()
    archived = form.get("archived") == "1"
    try:
        network.money.assets.archive(asset.id, by_instance=instance.slug, archived=archived)
    except MoneyError as exc:
        return asset_page(request, asset, errors=form_errors(exc), status=form_status(exc))
    return Redirect(f"/admin/actifs/{asset.id}?ok={'archived' if archived else 'restored'}")


ASSET_ROUTES = [assets_list, asset_new_form, asset_create, asset_detail, asset_edit, asset_archive]
