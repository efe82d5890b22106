"""Admin panel, "Ordre de paiement": the order in which a sale takes the payer's assets.

A sale at this instance covers the price from the payer's balances in this order
(:mod:`core.wallets.priority`): the assets the instance lists first, then every other asset it
accepts in the default order (gift, then local, then the primary asset). The page shows the
effective order with a position for each asset; saving stores the new order, "default order"
forgets it. Only assets with the same number of decimals are combined in one sale.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from core.i18n import gettext as _
from core.network import Network
from core.wallets import Asset, sale_order
from hosts.web.instances import network_of
from hosts.web.money_web import ADMIN_ONLY, ADMIN_OPT, money_page, request_instance

__all__ = ["PRIORITY_ROUTES", "effective_order"]


def effective_order(network: Network, slug: str) -> list[Asset]:
    """The assets a sale at ``slug`` may take, in the order it takes them."""
    money = network.money
    accepted = money.federations.accepted_assets(slug)
    return sale_order(accepted, money.orders.get(slug))


def _page(
    request: Request[Any, Any, Any],
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Template:
    instance = request_instance(request)
    network = network_of(request)
    order = effective_order(network, instance.slug)
    positions = values or {str(a.id): str(n) for n, a in enumerate(order, start=1)}
    return money_page(
        request,
        "admin_priority.html",
        status_code=status,
        order=order,
        values=positions,
        errors=errors or {},
        notice=notice,
        custom=bool(network.money.orders.get(instance.slug)),
    )


@get(
    "/admin/ordre-de-paiement",
    guards=ADMIN_ONLY,
    opt=ADMIN_OPT,
    include_in_schema=False,
    sync_to_thread=False,
)
def priority_form(request: Request[Any, Any, Any], ok: FromQuery[str | None] = None) -> Template:
    """The current order, one position per asset."""
    notice = {"saved": _("Saved."), "default": _("The default order applies again.")}
    return _page(request, notice=notice.get(ok or "", ""))


@post("/admin/ordre-de-paiement", guards=ADMIN_ONLY, opt=ADMIN_OPT, include_in_schema=False)
async def priority_save(request: Request[Any, Any, Any]) -> Response[Any]:
    """Store the order given by the positions (or forget it with ``default=1``)."""
    instance = request_instance(request)
    network = network_of(request)
    form = await request.form()
    if form.get("default") == "1":
        network.money.orders.set(instance.slug, [])
        return Redirect("/admin/ordre-de-paiement?ok=default")
    order = effective_order(network, instance.slug)
    values = {str(a.id): str(form.get(f"pos-{a.id}", "")).strip() for a in order}
    errors = {
        key: _("Enter a position: 1, 2, 3...")
        for key, value in values.items()
        if not value.isdigit() or not 0 < int(value) <= 999
    }
    if errors:
        return _page(request, values=values, errors=errors, status=400)
    ranked = sorted(enumerate(order), key=lambda item: (int(values[str(item[1].id)]), item[0]))
    network.money.orders.set(instance.slug, [asset.id for _index, asset in ranked])
    return Redirect("/admin/ordre-de-paiement?ok=saved")


PRIORITY_ROUTES = [priority_form, priority_save]
