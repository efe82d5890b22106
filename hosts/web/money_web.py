"""What the money pages and the money API share: amounts as people type them, guards, authors.

- :func:`parse_amount` reads what a person types (``12``, ``12.5``, ``12,50``) into an integer
  in the asset's smallest unit, never through a float; :func:`format_amount` writes it back.
- :func:`requires_any_role` is a role guard like :func:`hosts.web.auth.requires_role` that
  lets several roles through (admins always) and keeps the :class:`~hosts.web.auth.Actor` on
  the request, so a handler does not authenticate an API key twice. ``STAFF``, ``TREASURY``
  and ``ADMIN_ONLY`` are the guards of the money routes; each route also names its role in
  ``opt`` (``tests/integration/test_web_authz.py`` walks them).
- :func:`json_body_guard`: the API is excluded from the CSRF middleware (API keys travel in a
  header a browser never adds by itself). A write authenticated by a session cookie must
  therefore send ``Content-Type: application/json``, which a cross-site HTML form cannot
  send without a CORS preflight that this server never grants.
- :func:`money_page` renders a page with ``money(amount, decimals)`` available in templates.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    ClientException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Template

from core.accounts import Role
from core.i18n import N_, current_language
from core.i18n import gettext as _
from core.instances import Instance
from core.wallets import Asset, AssetCategory, FederationStatus
from core.wallets.amounts import format_amount as _format_amount
from core.wallets.amounts import parse_amount as _parse_amount
from hosts.web.auth import Actor, actor_of, user_of
from hosts.web.instances import site_of
from hosts.web.pages import page

__all__ = [
    "ADMIN_API",
    "ADMIN_ONLY",
    "ADMIN_OPT",
    "CATEGORY_LABELS",
    "LOCAL_CATEGORIES",
    "STAFF",
    "STAFF_OPT",
    "STATUS_LABELS",
    "TREASURY",
    "TREASURY_OPT",
    "asset_label",
    "author_of",
    "cached_actor",
    "format_amount",
    "json_body_guard",
    "login_guard",
    "money_page",
    "parse_amount",
    "request_instance",
    "requires_any_role",
]

#: What people read for each asset category (message ids).
CATEGORY_LABELS = {
    AssetCategory.PRIMARY: N_("Federated euro (the network's primary asset)"),
    AssetCategory.FIAT: N_("Local currency (1 unit = 1 euro)"),
    AssetCategory.GIFT: N_("Gift currency"),
    AssetCategory.TIME: N_("Time currency (1 unit = 1 hour)"),
    AssetCategory.LOYALTY: N_("Loyalty points"),
    AssetCategory.BADGE: N_("Badge (membership or presence, not money)"),
}
#: The categories an instance may create (the primary asset comes with the network).
LOCAL_CATEGORIES = [c for c in AssetCategory if c != AssetCategory.PRIMARY]
#: What people read for each state of an invitation to share an asset.
STATUS_LABELS = {
    FederationStatus.PENDING: N_("Invitation sent, waiting for an answer"),
    FederationStatus.ACCEPTED: N_("Accepted"),
    FederationStatus.DECLINED: N_("Declined"),
    FederationStatus.REVOKED: N_("Revoked by the issuer"),
    FederationStatus.LEFT: N_("Left"),
}

_ACTOR_KEY = "tirelire_actor"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def format_amount(amount: int, decimals: int = 2) -> str:
    """``1250`` with 2 decimals → ``12,50`` in French, ``12.50`` in English."""
    return _format_amount(amount, decimals, lang=current_language())


def parse_amount(text: object, decimals: int, field: str = "amount") -> int:
    """The amount typed by a person, in the smallest unit; InvalidInput naming ``field``.

    The rules are the core's (:func:`core.wallets.amounts.parse_amount`): spaces between
    thousands, ``.`` or ``,`` before at most ``decimals`` digits, greater than zero.
    """
    return _parse_amount(text, decimals, field=field)


def asset_label(asset: Asset) -> str:
    """``CLA · CLAF-outils``."""
    return f"{asset.code} · {asset.name}"


def cached_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """:func:`hosts.web.auth.actor_of`, computed once per request."""
    state = connection.scope.setdefault("state", {})  # type: ignore[typeddict-item]
    actor = state.get(_ACTOR_KEY)
    if actor is None:
        actor = actor_of(connection)
        state[_ACTOR_KEY] = actor
    return actor  # type: ignore[no-any-return]


def _check_json_body(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    if connection.scope.get("method") not in _UNSAFE:
        return
    if connection.headers.get("authorization"):
        return
    kind = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise ClientException(
            status_code=415, detail="send the body as JSON (Content-Type: application/json)"
        )


def requires_any_role(*roles: Role, json_body: bool = False) -> Any:
    """A guard letting through admins and holders of any of ``roles`` on this instance.

    The network's home: 404; nobody: 401 (people are sent to the login page); another role,
    or an API key of another instance: 403. With ``json_body``, the JSON API's rule of
    :func:`json_body_guard` too, in the same guard.

    The guard is a coroutine function: Litestar runs a plain function guard in its thread
    pool (a thread hop and a copy of the handler on every request); this one only does short
    LMDB reads, which never wait, so it runs on the event loop.
    """
    allowed = {Role.ADMIN, *roles}

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if site_of(connection).instance is None:
            raise NotFoundException()
        actor = cached_actor(connection)
        if actor.user is None and actor.api_key is None:
            raise NotAuthorizedException()
        if actor.role not in allowed:
            raise PermissionDeniedException()
        if json_body:
            _check_json_body(connection)

    guard.__name__ = "requires_" + "_or_".join(sorted(r.value for r in allowed))
    guard.__doc__ = f"Only {', '.join(sorted(r.value for r in allowed))} of this instance."
    return guard


async def json_body_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """A write authenticated by a session cookie must carry a JSON body (see the module)."""
    _check_json_body(connection)


async def login_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """:func:`hosts.web.auth.requires_login` as a coroutine function (no thread hop)."""
    if user_of(connection) is None:
        raise NotAuthorizedException()


#: cashiers, treasurers and admins: the sale and the reads a counter needs
STAFF = [requires_any_role(Role.CASHIER, Role.TREASURER)]
STAFF_API = [requires_any_role(Role.CASHIER, Role.TREASURER, json_body=True)]
STAFF_OPT = {"role": Role.CASHIER.value}
#: treasurers and admins: grants and corrections
TREASURY = [requires_any_role(Role.TREASURER)]
TREASURY_API = [requires_any_role(Role.TREASURER, json_body=True)]
TREASURY_OPT = {"role": Role.TREASURER.value}
#: admins only: assets, federation, payment order, cards
ADMIN_ONLY = [requires_any_role()]
ADMIN_API = [requires_any_role(json_body=True)]
ADMIN_OPT = {"role": Role.ADMIN.value}
#: a logged-in person (their own cards), JSON bodies only
PERSON_API = [login_guard, json_body_guard]


def request_instance(request: ASGIConnection[Any, Any, Any, Any]) -> Instance:
    """The request's instance (the guards have already refused the network's home)."""
    instance = site_of(request).instance
    if instance is None:
        raise NotFoundException()
    return instance


def author_of(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    """Who acts, as money records keep it: the person's e-mail, or ``key:<id>``."""
    actor = cached_actor(request)
    if actor.user is not None:
        return actor.user.email
    return actor.label


def money_page(
    request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any
) -> Template:
    """A page whose template may call ``money(amount, decimals)`` and ``asset_label``."""
    return page(
        request,
        template,
        status_code=status_code,
        money=format_amount,
        asset_label=asset_label,
        category_label=_category_label,
        **context,
    )


def _category_label(category: str) -> str:
    return _(CATEGORY_LABELS.get(AssetCategory(category), category))
