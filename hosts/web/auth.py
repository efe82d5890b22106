"""Who is asking: the session cookie or an API key, and the guards that check roles.

- :class:`PeopleMiddleware` reads the session cookie once per request, puts the
  :class:`core.accounts.User` (or None) in ``scope["state"]["user"]`` and sets the request's
  language (the user's setting, else the ``lang`` cookie, else French).
- :func:`actor_of` answers "who acts, with which role, on this instance": a logged-in person
  with their role there, or an API key (``Authorization: Bearer tl_...``) acting with its role
  on its own instance only.
- :func:`requires_role` makes a guard: no one logged in → 401 (people are sent to the login
  page), the wrong role or the wrong instance → 403, the network's home → 404. Every admin,
  treasurer or cashier route carries one, and its role in ``opt["role"]`` so a test can walk
  every such route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from core.accounts import Role, User, role_allows
from core.apikeys import ApiKey
from core.i18n import LANGUAGES, language
from hosts.web.instances import network_of, site_of

__all__ = [
    "LANG_COOKIE",
    "SESSION_COOKIE",
    "Actor",
    "PeopleMiddleware",
    "actor_of",
    "provide_actor",
    "provide_user",
    "requires_login",
    "requires_role",
    "user_of",
]

SESSION_COOKIE = "tirelire_session"
LANG_COOKIE = "lang"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts on the request's instance: a person or an API key, and the role it holds."""

    user: User | None
    api_key: ApiKey | None
    role: Role | None

    @property
    def label(self) -> str:
        """A name for logs and records (``user:<id>`` or ``key:<id>``)."""
        if self.user is not None:
            return f"user:{self.user.id}"
        if self.api_key is not None:
            return f"key:{self.api_key.id}"
        return "anonymous"


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


class PeopleMiddleware:
    """Resolve the session's user and the request's language before any handler runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        network = scope["app"].state.network
        user = network.accounts.session_user(_cookie(scope, SESSION_COOKIE))
        state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["user"] = user
        chosen = user.language if user is not None else _cookie(scope, LANG_COOKIE)
        lang = chosen if chosen in LANGUAGES else network.settings.language
        with language(lang):
            await self.app(scope, receive, send)


def user_of(connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    """The logged-in user of the request, or None."""
    return connection.scope.get("state", {}).get("user")  # type: ignore[no-any-return]


def provide_user(request: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    """Dependency ``user``: the person logged in (a :class:`core.accounts.User`), or None."""
    return user_of(request)


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """Who acts on the request's instance (nobody: an Actor with no user, key or role)."""
    network = network_of(connection)
    instance = site_of(connection).instance
    secret = _bearer(connection)
    if secret is not None:
        key = network.api_keys.authenticate(secret)
        if key is None:
            raise NotAuthorizedException(detail="unknown or revoked API key")
        if instance is None or key.instance != instance.slug:
            raise PermissionDeniedException(detail="this API key belongs to another instance")
        return Actor(user=None, api_key=key, role=key.role)
    user = user_of(connection)
    if user is None or instance is None:
        return Actor(user=user, api_key=None, role=None)
    return Actor(user=user, api_key=None, role=network.accounts.role_of(instance.slug, user.id))


def requires_login(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a logged-in person (anyone else: 401, sent to the login page)."""
    if user_of(connection) is None:
        raise NotAuthorizedException()


def requires_role(role: Role, *more: Role) -> Any:
    """A guard letting through only holders of ``role`` (or of one of ``more``, or admins) on
    the request's instance."""
    roles = (role, *more)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if site_of(connection).instance is None:
            raise NotFoundException()
        actor = actor_of(connection)
        if actor.user is None and actor.api_key is None:
            raise NotAuthorizedException()
        if not any(role_allows(actor.role, needed) for needed in roles):
            raise PermissionDeniedException()

    names = "_or_".join(r.value for r in roles)
    guard.__name__ = f"requires_{names}"
    guard.__doc__ = f"Only holders of the role(s) {names!r} (or admins) of this instance."
    return guard


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    """The dependency ``actor``: who acts on the request's instance (see :func:`actor_of`)."""
    return actor_of(request)
