"""What the wallet's routes share: who is asking, the payment provider, form errors.

- :func:`person` is the logged-in user of a route guarded by ``requires_login``;
- :func:`provider_for` gives the network's payment provider (built once per process and
  address, see :mod:`core.payments.factory`), or raises :class:`PaymentsUnavailable` (503, a
  page that says online payment is not set up) when the settings refuse it: a network that is
  not a demo and has not configured Stripe serves every other page;
- :func:`base_url` is the address of the request's site (links in QR codes, return URLs);
- :func:`json_only` is the guard of the API's writes made with a session cookie: the body must
  be ``application/json``, which a page of another site cannot send without the browser
  asking first (CORS), so the cookie alone can never move money.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from core.accounts import User
from core.i18n import gettext as _
from core.network import Network
from core.payments import PaymentProvider, make_provider
from core.settings import SettingsError
from core.wallets import Asset, InsufficientFunds, InvalidInput, MoneyError
from hosts.web.auth import user_of
from hosts.web.instances import network_of, site_of
from hosts.web.money_errors import money_message

__all__ = [
    "PaymentsUnavailable",
    "base_url",
    "error_text",
    "form_error",
    "json_only",
    "person",
    "primary_asset",
    "provider_for",
]


class PaymentsUnavailable(HTTPException):
    """Online payment is not configured on this network (503, with the reason)."""

    status_code = 503


def person(request: ASGIConnection[Any, Any, Any, Any]) -> User:
    """The logged-in user (routes using it are guarded by ``requires_login``)."""
    user = user_of(request)
    if user is None:
        raise NotAuthorizedException()
    return user


def base_url(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The address of the request's site: ``http://le-bisik.localhost:8000``."""
    site = site_of(request)
    return site.url_for(site.instance.slug if site.instance is not None else None)


def provider_for(request: ASGIConnection[Any, Any, Any, Any]) -> PaymentProvider:
    """The payment provider, built once per process and site address."""
    network = network_of(request)
    cache: dict[str, PaymentProvider] = request.app.state.setdefault("payment_providers", {})
    url = base_url(request)
    provider = cache.get(url)
    if provider is None:
        try:
            provider = make_provider(network.settings, network.store, url)
        except SettingsError as exc:
            raise PaymentsUnavailable(
                detail=_("Online payment is not set up on this network (%(reason)s).", reason=exc)
            ) from exc
        cache[url] = provider
    return provider


def primary_asset(request: ASGIConnection[Any, Any, Any, Any]) -> Asset:
    """The network's primary asset (created when the network was opened)."""
    asset = network_of(request).money.assets.primary()
    if asset is None:  # pragma: no cover - Network.open creates it
        raise HTTPException(status_code=503, detail="the network has no primary asset")
    return asset


def error_text(network: Network, exc: MoneyError) -> str:
    """A money error for a reader; a shortfall in its asset's unit (``2,00 FED``)."""
    if isinstance(exc, InsufficientFunds):
        asset = network.money.assets.get(exc.asset)
        if asset is not None:
            return money_message(exc, decimals=asset.decimals, unit=asset.code)
    return money_message(exc)


def form_error(network: Network, exc: MoneyError) -> tuple[str, str]:
    """(field, message) for a form: an InvalidInput goes next to its field, else on top."""
    field = exc.field if isinstance(exc, InvalidInput) else ""
    return field, error_text(network, exc)


def json_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a write with a session cookie must send JSON (see the module)."""
    if connection.headers.get("authorization", "").lower().startswith("bearer "):
        return
    content_type = connection.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise HTTPException(status_code=415, detail="send the body as application/json")
