"""The JSON API of payment requests (payment QR codes): staff create and follow, payers pay.

Staff routes need the cashier role (or admin) on the request's instance, from a session or an
API key of that instance (``Authorization: Bearer tl_...``): a cash register program creates
requests with its key. A request of another instance is a 404. Payer routes need a logged-in
person; their writes send ``application/json``.

| route | who | what |
|---|---|---|
| ``GET /api/payment-requests`` | cashier | the instance's recent requests |
| ``POST /api/payment-requests`` | cashier | create: amount (cents), label, lifetime |
| ``GET /api/payment-requests/{id}`` | cashier | status, payer, legs |
| ``GET /api/pay/{id}`` | payer | price, balances accepted here, plan, shortfall |
| ``POST /api/pay/{id}`` | payer | pay once (insufficient funds: 409 with ``shortfall``) |
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody

from core.accounts import Role
from core.wallets import WalletRef
from core.wallets.requests import PaymentRequest
from hosts.web.api_models import (
    BalanceOut,
    PayerViewOut,
    PayIn,
    PaymentRequestIn,
    PaymentRequestOut,
    PayOut,
    UsableOut,
    asset_out,
    operation_out,
    request_out,
)
from hosts.web.api_writes import api_post
from hosts.web.auth import actor_of, requires_login, requires_role
from hosts.web.instances import network_of, site_of
from hosts.web.payreq_view import pay_url, payer_view
from hosts.web.routes_admin import current_instance
from hosts.web.routes_payment_requests import request_of_instance
from hosts.web.wallet_common import json_only, person

__all__ = ["PAYMENT_REQUEST_API_ROUTES"]

CASHIER = {"role": Role.CASHIER.value}
STAFF = [requires_role(Role.CASHIER)]
STAFF_WRITE = [requires_role(Role.CASHIER), json_only]
TAGS = ["payment requests"]


def _out(
    request: Request[Any, Any, Any], found: PaymentRequest, *, staff: bool
) -> PaymentRequestOut:
    return request_out(network_of(request), found, pay_url(site_of(request), found), staff=staff)


@get("/api/payment-requests", guards=STAFF, opt=CASHIER, tags=TAGS, sync_to_thread=False)
def api_requests(request: Request[Any, Any, Any]) -> list[PaymentRequestOut]:
    """The instance's 20 most recent payment requests, newest first."""
    slug = current_instance(request).slug
    found = network_of(request).payment_requests.of_instance(slug)
    return [_out(request, r, staff=True) for r in found]


@api_post("/api/payment-requests", guards=STAFF_WRITE, opt=CASHIER, tags=TAGS, sync_to_thread=True)
def api_request_create(
    request: Request[Any, Any, Any], data: JSONBody[PaymentRequestIn]
) -> Response[PaymentRequestOut]:
    """Create a payment request; put its ``pay_url`` in a QR code."""
    created = network_of(request).payment_requests.create(
        current_instance(request).slug, data.amount, label=data.label,
        author=actor_of(request).label, ttl=data.ttl_seconds,
    )  # fmt: skip
    return Response(_out(request, created, staff=True), status_code=201)


@get("/api/payment-requests/{request_id:str}", guards=STAFF, opt=CASHIER, tags=TAGS,
     sync_to_thread=False)  # fmt: skip
def api_request_status(
    request: Request[Any, Any, Any], request_id: FromPath[str]
) -> PaymentRequestOut:
    """A payment request of this instance: its status, and once paid who paid and how."""
    return _out(request, request_of_instance(request, request_id), staff=True)


def _here(request: Request[Any, Any, Any], request_id: str) -> PaymentRequest:
    site = site_of(request)
    found = network_of(request).payment_requests.get(request_id)
    if found is None or site.instance is None or found.instance != site.instance.slug:
        raise NotFoundException(detail="no such payment request")
    return found


@get("/api/pay/{request_id:str}", guards=[requires_login], tags=TAGS, sync_to_thread=False)
def api_pay_view(request: Request[Any, Any, Any], request_id: FromPath[str]) -> PayerViewOut:
    """What a payment request asks, and what I hold to pay it here."""
    network = network_of(request)
    found = _here(request, request_id)
    view = payer_view(network, found, person(request).id)
    usable = [UsableOut(asset=asset_out(a), balance=b, take=t) for a, b, t in view.usable]
    elsewhere = [
        BalanceOut(asset=asset_out(a), amount=amount, accepted_everywhere=False, accepted_by=[])
        for a, amount in view.elsewhere
    ]
    return PayerViewOut(
        request=_out(request, found, staff=False), usable=usable, shortfall=view.shortfall,
        not_accepted=elsewhere,
    )  # fmt: skip


@api_post("/api/pay/{request_id:str}", guards=[requires_login, json_only], tags=TAGS,
      sync_to_thread=True)  # fmt: skip
def api_pay(
    request: Request[Any, Any, Any], request_id: FromPath[str], data: JSONBody[PayIn | None] = None
) -> Response[PayOut]:
    """Pay a request, once (a replay answers 200 with ``replayed``; a first payment 201)."""
    user = person(request)
    found = _here(request, request_id)
    chosen = data.asset_id if data is not None else None
    paid = network_of(request).payment_requests.pay(
        found.id, WalletRef.user(user.id), asset_ids=[chosen] if chosen else None,
        author=f"user:{user.id}", grouped=True,
    )  # fmt: skip
    body = PayOut(
        request=_out(request, paid.request, staff=False), operation=operation_out(paid.operation)
    )
    return Response(body, status_code=200 if paid.operation.replayed else 201)


PAYMENT_REQUEST_API_ROUTES = [
    api_requests, api_request_create, api_request_status, api_pay_view, api_pay,
]  # fmt: skip
