"""The register (role cashier): open a point of sale, ring up an order, take its payment.

Works without JavaScript: each article is a button of a small form; the current order is in
the address (``?commande=<id>``); every form carries an operation id, so a double click pays
once. A refused payment shows the register again with the error next to its field and what
was typed; when a card does not hold enough, the page offers to take what it holds and leave
the exact shortfall to pay by cash, bank card or another card.

The page's changing part (everything under the links) is ``_register_live.html``; the
register's card terminals, sending an order to one and its live stream are in
:mod:`.terminals`.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast
from urllib.parse import urlencode

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core import Instance, Network
from core.wallets import InsufficientFunds, MoneyError

from ..errors import RegisterError
from ..model import Method, Order, OrderStatus
from .common import Form, errors_of, lb, new_token, render, see_other, status_of
from .terminal_view import terminal_rows

__all__ = ["REGISTER_ROUTES", "register_context", "register_page"]

CASHIER = {"role": "cashier"}
METHODS = {m.value for m in Method}


@get("/caisse", opt=CASHIER, include_in_schema=False, sync_to_thread=False)
def index(network: NamedDependency[Network], instance: NamedDependency[Instance]) -> Template:
    """The points of sale, open or closed, and the other screens of the register."""
    service = lb(network)
    points = service.catalog.points(instance.slug)
    sessions = {p.id: service.orders.session(instance.slug, p.id) for p in points}
    return render("index.html", points=points, sessions=sessions)


def register_context(
    network: Network,
    instance: Instance,
    pos_id: str,
    order_id: str | None = None,
    *,
    paid: Order | None = None,
) -> dict[str, Any]:
    """What the register of a point of sale shows now (its live part is sent again by the
    stream of :mod:`.terminals` when this changes)."""
    service = lb(network)
    point = service.catalog.point(instance.slug, pos_id)
    order = service.orders.get(instance.slug, order_id) if order_id else None
    if order is not None and order.status != OrderStatus.OPEN:
        paid, order = paid or order, None
    open_orders = [
        o
        for o in service.orders.active(instance.slug)
        if o.pos_id == point.id and o.status == OrderStatus.OPEN
    ]
    payments = service.payments.of_order(instance.slug, order.id) if order else []
    last = service.payments.of_order(instance.slug, paid.id)[-1:] if paid else []
    session = service.orders.session(instance.slug, point.id)
    terminals = terminal_rows(service, instance.slug, point, order)
    key = hashlib.sha256(
        msgspec.json.encode([
            session, order, payments, paid, last, [(o.id, o.remaining) for o in open_orders],
            [(r["terminal"].id, r["terminal"].name, r["link"].version) for r in terminals],
            point,
        ])
    ).hexdigest()[:16]  # fmt: skip
    query = urlencode({"commande": order.id if order else "", "paye": paid.id if paid else "",
                       "cle": key})  # fmt: skip
    return {
        "point": point, "session": session, "order": order, "payments": payments, "paid": paid,
        "change": last[0].change if last else 0, "open_orders": open_orders,
        "menu": service.catalog.menu(instance.slug, point.id),
        "tables": {t.id: t for t in service.catalog.tables(instance.slug)},
        "assets": {a.id: a for a in network.money.assets.all()}, "terminals": terminals,
        "live_key": key, "events": f"/caisse/{point.id}/flux?{query}", "token": new_token(),
    }  # fmt: skip


def register_page(
    network: Network,
    instance: Instance,
    pos_id: str,
    order_id: str | None = None,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    notice: str = "",
    shortfall: InsufficientFunds | None = None,
    paid: Order | None = None,
    status: int = 200,
) -> Template:
    """The register of a point of sale, with the current order (if any)."""
    context = register_context(network, instance, pos_id, order_id, paid=paid)
    return render(
        "register.html", status=status, errors=errors or {}, values=values or {},
        notice=notice, shortfall=shortfall, **context,
    )  # fmt: skip


@get("/caisse/{pos_id:str}", opt=CASHIER, include_in_schema=False, sync_to_thread=False)
def register(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    pos_id: FromPath[str],
    commande: FromQuery[str | None] = None,
    paye: FromQuery[str | None] = None,
) -> Template | Redirect:
    """The register page of a point of sale."""
    paid = lb(network).orders.get(instance.slug, paye) if paye else None
    if commande:
        order = lb(network).orders.get(instance.slug, commande)
        if order.pos_id != pos_id:
            return see_other(f"/caisse/{order.pos_id}?commande={order.id}")
    return register_page(network, instance, pos_id, commande, paid=paid)


@post("/caisse/{pos_id:str}/ouvrir", opt=CASHIER, include_in_schema=False)
async def open_point(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    pos_id: FromPath[str],
) -> Template | Redirect:
    """Open the point of sale with the cash float put in the drawer."""
    form = await Form.of(request)
    opening = form.amount("opening_float", allow_zero=True, required=False)
    if form.errors:
        return register_page(network, instance, pos_id, errors=form.errors,
                             values=form.values(), status=422)  # fmt: skip
    try:
        lb(network).orders.open_session(
            instance.slug, pos_id, author=actor.label, opening_float=opening
        )
    except RegisterError as exc:
        return register_page(network, instance, pos_id, errors=errors_of(exc),
                             values=form.values(), status=status_of(exc))  # fmt: skip
    return see_other(f"/caisse/{pos_id}")


@post("/caisse/{pos_id:str}/fermer", opt=CASHIER, include_in_schema=False)
async def close_point(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    pos_id: FromPath[str],
) -> Redirect:
    """Close the point of sale (open orders stay open)."""
    lb(network).orders.close_session(instance.slug, pos_id, author=actor.label)
    return see_other("/caisse")


@post("/caisse/{pos_id:str}/commandes", opt=CASHIER, include_in_schema=False)
async def new_order(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    pos_id: FromPath[str],
) -> Template | Redirect:
    """Start an empty order, at a table or at the counter."""
    form = await Form.of(request)
    try:
        order = lb(network).orders.new_order(
            instance.slug, pos_id, author=actor.label, table_id=form.text("table_id")
        )
    except RegisterError as exc:
        return register_page(network, instance, pos_id, errors=errors_of(exc),
                             status=status_of(exc))  # fmt: skip
    return see_other(f"/caisse/{pos_id}?commande={order.id}")


@post("/caisse/{pos_id:str}/ajouter", opt=CASHIER, include_in_schema=False)
async def add_article(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    pos_id: FromPath[str],
) -> Template | Redirect:
    """Add one article to the current order (a new counter order if there is none)."""
    form = await Form.of(request)
    orders = lb(network).orders
    order_id = form.text("order_id")
    try:
        if order_id:
            order = orders.add_article(instance.slug, order_id, form.text("article_id"))
        else:
            order = orders.new_order(
                instance.slug, pos_id, author=actor.label, items=[(form.text("article_id"), 1)]
            )
    except RegisterError as exc:
        return register_page(network, instance, pos_id, order_id or None,
                             errors=errors_of(exc), status=status_of(exc))  # fmt: skip
    return see_other(f"/caisse/{pos_id}?commande={order.id}")


@post("/caisse/{pos_id:str}/commandes/{order_id:str}/retirer", opt=CASHIER,
      include_in_schema=False)  # fmt: skip
async def remove_line(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    pos_id: FromPath[str],
    order_id: FromPath[str],
) -> Template | Redirect:
    """Take one unit of a line off the order."""
    form = await Form.of(request)
    line = form.text("line_id")
    try:
        lb(network).orders.remove_line(instance.slug, order_id, int(line) if line.isdigit() else 0)
    except RegisterError as exc:
        return register_page(network, instance, pos_id, order_id, errors=errors_of(exc),
                             status=status_of(exc))  # fmt: skip
    return see_other(f"/caisse/{pos_id}?commande={order_id}")


@post("/caisse/{pos_id:str}/commandes/{order_id:str}/annuler", opt=CASHIER,
      include_in_schema=False)  # fmt: skip
async def cancel_order(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    pos_id: FromPath[str],
    order_id: FromPath[str],
) -> Template | Redirect:
    """Cancel an order on which nothing was paid."""
    try:
        lb(network).orders.cancel(instance.slug, order_id)
    except RegisterError as exc:
        return register_page(network, instance, pos_id, order_id, errors=errors_of(exc),
                             status=status_of(exc))  # fmt: skip
    return see_other(f"/caisse/{pos_id}")


@post("/caisse/{pos_id:str}/commandes/{order_id:str}/payer", opt=CASHIER,
      include_in_schema=False)  # fmt: skip
async def pay(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    pos_id: FromPath[str],
    order_id: FromPath[str],
) -> Template | Redirect:
    """Take a part of the payment: cashless card (UID), cash (received) or bank card."""
    form = await Form.of(request)
    method = form.text("method")
    payments = lb(network).payments
    token = form.text("operation_id")
    values = {**form.values(), "method": method}
    amount = form.amount("amount", required=False) if method == Method.CASHLESS else 0
    received = form.amount("received") if method in (Method.CASH, Method.CARD) else 0
    if form.errors:
        return register_page(network, instance, pos_id, order_id, errors=form.errors,
                             values=values, status=422)  # fmt: skip
    try:
        if method == Method.CASHLESS:
            done = payments.pay_with_card(
                instance.slug, order_id, uid=form.text("uid"), operation_id=token,
                author=actor.label, amount=amount or None, partial=form.checked("partial"),
            )  # fmt: skip
        else:
            done = payments.pay(
                instance.slug, order_id, method=_method(method),
                received=received, operation_id=token, author=actor.label,
            )  # fmt: skip
    except (RegisterError, MoneyError) as exc:
        errors = errors_of(exc)
        if isinstance(exc, MoneyError) and method == Method.CASHLESS:
            errors = {"uid": next(iter(errors.values()))}
        shortfall = exc if isinstance(exc, InsufficientFunds) else None
        return register_page(
            network, instance, pos_id, order_id, errors=errors, values=values,
            shortfall=shortfall, status=status_of(exc),
        )  # fmt: skip
    if done.order.status == OrderStatus.PAID:
        return see_other(f"/caisse/{pos_id}?paye={done.order.id}")
    return see_other(f"/caisse/{pos_id}?commande={done.order.id}")


def _method(value: str) -> Method:
    """The method typed in a form; an unknown one is refused by the service."""
    return Method(value) if value in METHODS else cast(Method, value)


REGISTER_ROUTES = [
    index, register, open_point, close_point, new_order, add_article, remove_line,
    cancel_order, pay,
]  # fmt: skip
