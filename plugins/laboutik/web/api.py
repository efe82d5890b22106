"""The register's JSON API, under ``/api/laboutik`` (in the OpenAPI document).

Same rules and same roles as the pages (cashier; closures: cashier or treasurer), for a
person logged in or an API key of the instance (``Authorization: Bearer``). Bodies and answers
are msgspec Structs. A refused action answers RFC 9457 problem details: the register's own
errors with ``code`` and ``field``, money errors (the web host's handler) with ``code`` and,
for a card that does not hold enough, ``shortfall`` and ``available``.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody

from core import Instance, Network
from core.i18n import gettext as _

from ..counter import CounterResult
from ..errors import FormErrors, RegisterError
from ..model import (
    Article,
    Category,
    Method,
    Order,
    Payment,
    PointOfSale,
    Session,
    Table,
)
from ..report_model import Closure
from .api_terminals import TERMINAL_API_ROUTES
from .common import lb, translate

__all__ = ["API_ROUTER"]

CASHIER = {"role": "cashier"}
STAFF = {"role": ["cashier", "treasurer"]}
Quantity = Annotated[int, msgspec.Meta(ge=1, le=999)]
Cents = Annotated[int, msgspec.Meta(ge=0, lt=10**9)]
Positive = Annotated[int, msgspec.Meta(gt=0, lt=10**9)]


class CatalogView(msgspec.Struct, kw_only=True):
    """What a register shows: points of sale, categories, articles, tables (not archived)."""

    points_of_sale: list[PointOfSale]
    categories: list[Category]
    articles: list[Article]
    tables: list[Table]


class OpenBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Open a point of sale: the cash float, and the staff card that opens it (optional)."""

    opening_float: Cents = 0
    primary_card_uid: str | None = None


class OrderItem(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An article and how many."""

    article_id: str
    quantity: Quantity = 1


class OrderBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A new order at a point of sale (at a table or at the counter)."""

    pos_id: str
    table_id: str = ""
    items: list[OrderItem] = msgspec.field(default_factory=list)


class OrderView(msgspec.Struct, kw_only=True):
    """An order, its totals and its payments."""

    order: Order
    total: int
    remaining: int
    payments: list[Payment]


class PaymentBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A part of an order's payment.

    ``cashless``: ``uid`` of the card, ``amount`` (optional: all that is left), ``partial``
    (take what the card holds when it does not hold enough). ``cash`` and ``card``:
    ``amount`` received (cash beyond what is left is change).
    """

    method: Method
    operation_id: str
    uid: str = ""
    amount: Positive | None = None
    partial: bool = False


class PaymentAnswer(msgspec.Struct, kw_only=True):
    """What a payment did."""

    payment: Payment
    order: OrderView
    replayed: bool


class RefillBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A refill at a counter."""

    pos_id: str
    uid: str
    asset_id: int
    amount: Positive
    method: Method
    operation_id: str


class RefundBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A card refund at a counter (its balance in the collective's currencies, in cash)."""

    pos_id: str
    uid: str
    operation_id: str


class CloseBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Close the open period; ``early``: now, before the closure hour."""

    early: bool = False


class ClosureSummary(msgspec.Struct, kw_only=True):
    """One closure in a list."""

    number: int
    business_date: str
    start: int
    end: int
    early: bool
    sales_total: int


def _view(network: Network, order: Order) -> OrderView:
    payments = lb(network).payments.of_order(order.instance, order.id)
    return OrderView(order=order, total=order.total, remaining=order.remaining, payments=payments)


@get("/catalogue", opt=CASHIER, sync_to_thread=False, summary="The register's catalogue")
def catalogue(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> CatalogView:
    """Points of sale, categories, articles and tables of the instance."""
    catalog = lb(network).catalog
    slug = instance.slug
    return CatalogView(
        points_of_sale=catalog.points(slug), categories=catalog.categories(slug),
        articles=catalog.articles(slug), tables=catalog.tables(slug),
    )  # fmt: skip


@post("/points-de-vente/{pos_id:str}/ouverture", opt=CASHIER, sync_to_thread=False,
      summary="Open a point of sale", status_code=200)  # fmt: skip
def open_point(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    pos_id: FromPath[str],
    data: JSONBody[OpenBody],
) -> Session:
    """Open it (already open: its session); with a staff card of the instance, or not."""
    return lb(network).orders.open_session(
        instance.slug, pos_id, author=actor.label, opening_float=data.opening_float,
        primary_card_uid=data.primary_card_uid,
    )  # fmt: skip


@post("/commandes", opt=CASHIER, sync_to_thread=False, summary="Ring up an order")
def new_order(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    data: JSONBody[OrderBody],
) -> OrderView:
    """A new order with its articles, at an open point of sale."""
    order = lb(network).orders.new_order(
        instance.slug, data.pos_id, author=actor.label, table_id=data.table_id,
        items=[(i.article_id, i.quantity) for i in data.items],
    )  # fmt: skip
    return _view(network, order)


@get("/commandes/{order_id:str}", opt=CASHIER, sync_to_thread=False, summary="An order")
def order(
    network: NamedDependency[Network], instance: NamedDependency[Instance], order_id: FromPath[str]
) -> OrderView:
    """An order with its totals and payments."""
    return _view(network, lb(network).orders.get(instance.slug, order_id))


@post("/commandes/{order_id:str}/paiements", opt=CASHIER, sync_to_thread=False,
      summary="Pay (part of) an order", status_code=200)  # fmt: skip
def pay(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    order_id: FromPath[str],
    data: JSONBody[PaymentBody],
) -> PaymentAnswer:
    """Take a part of the payment; the same ``operation_id`` pays once."""
    payments = lb(network).payments
    if data.method == Method.CASHLESS:
        done = payments.pay_with_card(
            instance.slug, order_id, uid=data.uid, operation_id=data.operation_id,
            author=actor.label, amount=data.amount, partial=data.partial,
        )  # fmt: skip
    else:
        if data.amount is None:
            raise RegisterError("amount", "This field is required.")
        done = payments.pay(
            instance.slug, order_id, method=data.method, received=data.amount,
            operation_id=data.operation_id, author=actor.label,
        )  # fmt: skip
    return PaymentAnswer(
        payment=done.payment, order=_view(network, done.order), replayed=done.replayed
    )


@post("/recharges", opt=CASHIER, sync_to_thread=False, summary="Refill a card at a counter",
      status_code=200)  # fmt: skip
def refill(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    data: JSONBody[RefillBody],
) -> CounterResult:
    """Refill (with the point of sale's bonus); the same ``operation_id`` refills once."""
    return lb(network).counter.refill(
        instance.slug, data.pos_id, uid=data.uid, asset_id=data.asset_id, amount=data.amount,
        method=data.method, operation_id=data.operation_id, author=actor.label,
    )  # fmt: skip


@post("/remboursements", opt=CASHIER, sync_to_thread=False, summary="Refund a card",
      status_code=200)  # fmt: skip
def refund(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    data: JSONBody[RefundBody],
) -> CounterResult:
    """Refund the card's balance in the collective's currencies (paid in cash)."""
    return lb(network).counter.refund(
        instance.slug, data.pos_id, uid=data.uid, operation_id=data.operation_id,
        author=actor.label,
    )  # fmt: skip


@get("/clotures", opt=STAFF, sync_to_thread=False, summary="Closures, newest first")
def closures(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> list[ClosureSummary]:
    """The closures of the instance."""
    return [
        ClosureSummary(
            number=c.number,
            business_date=c.business_date,
            start=c.start,
            end=c.end,
            early=c.early,
            sales_total=c.report.sales_total,
        )
        for c in lb(network).closures.closed(instance.slug)
    ]


@get("/clotures/{number:str}", opt=STAFF, sync_to_thread=False, summary="A closure's report")
def closure(
    network: NamedDependency[Network], instance: NamedDependency[Instance], number: FromPath[str]
) -> Closure:
    """A closure and its frozen report."""
    if not number.isdigit() or len(number) > 9:
        raise NotFoundException()
    return lb(network).closures.get(instance.slug, int(number))


@post("/clotures", opt=STAFF, sync_to_thread=False, summary="Close the open period",
      status_code=201)  # fmt: skip
def close(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    data: JSONBody[CloseBody],
) -> Closure:
    """Close the period whose closure hour has passed (``early``: the open one, now)."""
    return lb(network).closures.close(instance.slug, author=actor.label, early=data.early)


def register_problem(request: Request[Any, Any, Any], exc: RegisterError) -> Response[Any]:
    """A register error as problem details: ``code``, ``field`` (and every field's error)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": "Unprocessable" if exc.status == 422 else "Refused",
        "status": exc.status,
        "detail": _(exc.message, **exc.params),
        "code": exc.code,
        "field": exc.field,
    }
    if isinstance(exc, FormErrors):
        body["errors"] = {f: translate(p) for f, p in exc.errors.items()}
    return Response(body, status_code=exc.status, media_type="application/problem+json")


API_ROUTER = Router(
    path="/api/laboutik",
    route_handlers=[
        catalogue,
        open_point,
        new_order,
        order,
        pay,
        refill,
        refund,
        closures,
        closure,
        close,
        *TERMINAL_API_ROUTES,
    ],
    exception_handlers={RegisterError: register_problem},
    tags=["laboutik"],
)
