"""The floor (role cashier): tables (left to pay, left to serve), the kitchen screen, and the
stylesheet of the articles' colours.

The kitchen screen lists what is left to prepare, oldest first, each line with a "ready"
button (a form: no JavaScript needed). ``/laboutik/static/kitchen.js``, when the browser runs
it, refreshes the list every few seconds from ``/caisse/cuisine?fragment=1``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core import Instance, Network

from ..model import LineState, OrderStatus
from .common import Form, lb, render, see_other

__all__ = ["FLOOR_ROUTES"]

CASHIER = {"role": "cashier"}
_BACK = {"cuisine": "/caisse/cuisine", "tables": "/caisse/tables"}


def _names(network: Network, instance: Instance) -> dict[str, Any]:
    catalog = lb(network).catalog
    return {
        "tables": {t.id: t.name for t in catalog.tables(instance.slug, archived=True)}
        | {t.id: t.name for t in catalog.tables(instance.slug)},
        "points": {p.id: p.name for p in catalog.points(instance.slug)},
    }


@get("/caisse/tables", opt=CASHIER, include_in_schema=False, sync_to_thread=False)
def floor(network: NamedDependency[Network], instance: NamedDependency[Instance]) -> Template:
    """Orders still to pay or to serve, by table (the counter's last)."""
    orders = lb(network).orders.active(instance.slug)
    to_pay = [o for o in orders if o.status == OrderStatus.OPEN and o.remaining > 0]
    to_serve = [o for o in orders if o.to_serve]
    return render("floor.html", to_pay=to_pay, to_serve=to_serve, **_names(network, instance))


@get("/caisse/cuisine", opt=CASHIER, include_in_schema=False, sync_to_thread=False)
def kitchen(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    fragment: FromQuery[str] = "",
) -> Template:
    """What the kitchen has to prepare, and what is ready to be served."""
    orders = [
        o
        for o in lb(network).orders.active(instance.slug)
        if any(line.kitchen and line.state != LineState.SERVED for line in o.lines)
    ]
    name = "_kitchen.html" if fragment == "1" else "kitchen.html"
    return render(name, orders=orders, **_names(network, instance))


@post("/caisse/commandes/{order_id:str}/lignes/{line_id:str}", opt=CASHIER,
      include_in_schema=False)  # fmt: skip
async def line_state(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    order_id: FromPath[str],
    line_id: FromPath[str],
) -> Redirect:
    """Move a line forward (ready, served); back to the kitchen or the tables."""
    form = await Form.of(request)
    state = form.text("state")
    if state not in {s.value for s in LineState}:
        state = LineState.SERVED.value
    if not line_id.isdigit():
        raise NotFoundException()
    lb(network).orders.set_state(instance.slug, order_id, int(line_id), LineState(state))
    return see_other(_BACK.get(form.text("back"), "/caisse/tables"))


@get("/caisse/couleurs.css", opt=CASHIER, include_in_schema=False, sync_to_thread=False)
def colours(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> Response[str]:
    """The colours of the categories and articles (classes ``lb-c-<id>``, ``lb-a-<id>``)."""
    catalog = lb(network).catalog
    rules = []
    for kind, records in (("c", catalog.categories(instance.slug)),
                          ("a", catalog.articles(instance.slug))):  # fmt: skip
        for record in records:
            if record.colour:
                ink = _ink(record.colour)
                rules.append(f".lb-{kind}-{record.id}{{background:{record.colour};color:{ink}}}")
    return Response("\n".join(rules) + "\n", media_type="text/css")


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` (integer luminance)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#000" if (299 * r + 587 * g + 114 * b) // 1000 >= 150 else "#fff"


FLOOR_ROUTES = [floor, kitchen, line_state, colours]
