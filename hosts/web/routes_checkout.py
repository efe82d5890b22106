"""The provider's side of a payment: the signed webhook, and the demo's own payment page.

- ``POST /-/webhooks/payments``: where Stripe (or the local provider, below) sends its events.
  No CSRF token: the ``Stripe-Signature`` header is verified by the provider's
  ``parse_webhook`` (``stripe.Webhook.construct_event``) on the raw body; a bad or missing
  signature, or a stale one, is a 400 problem and nothing is credited. A paid checkout credits
  its refill once (:meth:`core.wallets.online.OnlineRefills.process_webhook`): a replayed or
  duplicated event is answered 200 from the first result.
- ``GET /-/local-pay/{id}`` and ``POST /-/local-pay/{id}``: the local provider's payment page
  (demo only: 404 unless the settings say ``demo`` and ``payment_provider = "local"``). "Pay"
  marks the checkout paid, gets the signed ``checkout.session.completed`` event from the
  provider and hands it to the very handler the webhook route uses, then goes to the
  checkout's success URL. "Cancel" is a plain link to its cancel URL.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.payments import LocalProvider, UnknownCheckout, WebhookError
from core.payments.local_provider import LocalCheckout
from hosts.web.errors import problem
from hosts.web.instances import network_of
from hosts.web.pages import page
from hosts.web.wallet_common import PaymentsUnavailable, primary_asset, provider_for

__all__ = ["CHECKOUT_ROUTES", "WEBHOOK_PATH"]

WEBHOOK_PATH = "/-/webhooks/payments"


@post(WEBHOOK_PATH, include_in_schema=False)
async def payment_webhook(request: Request[Any, Any, Any]) -> Response[Any]:
    """Verify the event's signature, credit what it confirms (once), answer the sender."""
    body = await request.body()
    header = request.headers.get("stripe-signature", "")
    try:
        provider = provider_for(request)
    except PaymentsUnavailable as exc:
        return problem(503, str(exc.detail))
    refills = network_of(request).online_refills
    try:
        outcome = await sync_to_thread(refills.process_webhook, provider, body, header)
    except WebhookError as exc:
        return problem(400, str(exc), code="bad_webhook")
    return Response(
        {"received": True, "event": outcome.event.id, "result": outcome.result,
         "replay": not outcome.fresh and outcome.result != "ignored"},
        media_type="application/json", status_code=200,
    )  # fmt: skip


def _local(request: Request[Any, Any, Any]) -> LocalProvider:
    """The local provider, or 404 (not a demo, or Stripe is configured)."""
    try:
        provider = provider_for(request)
    except PaymentsUnavailable as exc:
        raise NotFoundException() from exc
    if not isinstance(provider, LocalProvider):
        raise NotFoundException()
    return provider


def _checkout(provider: LocalProvider, checkout_id: str) -> LocalCheckout:
    try:
        return provider.record(checkout_id)
    except UnknownCheckout as exc:
        raise NotFoundException() from exc


@get("/-/local-pay/{checkout_id:str}", include_in_schema=False, sync_to_thread=False)
def local_pay_page(request: Request[Any, Any, Any], checkout_id: FromPath[str]) -> Response[Any]:
    """The demo's payment page: the amount, "pay" and "cancel"."""
    checkout = _checkout(_local(request), checkout_id)
    return page(request, "local_pay.html", checkout=checkout, asset=primary_asset(request))


@post("/-/local-pay/{checkout_id:str}", include_in_schema=False)
async def local_pay(request: Request[Any, Any, Any], checkout_id: FromPath[str]) -> Response[Any]:
    """Pay: the signed event goes through the webhook's own handler, then to the success URL."""
    provider = _local(request)
    checkout = _checkout(provider, checkout_id)
    payload, header = await sync_to_thread(provider.confirm, checkout.id)
    refills = network_of(request).online_refills
    await sync_to_thread(refills.process_webhook, provider, payload, header)
    return Redirect(checkout.success_url, status_code=303)


CHECKOUT_ROUTES = [payment_webhook, local_pay_page, local_pay]
