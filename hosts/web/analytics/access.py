"""Who may read analytics, and the per-application analytics objects (mirror, console).

- An instance's reports and console: its treasurers and admins (``requires_role``), and API
  keys of that instance with one of those roles.
- The network's reports and console: the **network treasurers**, people whose e-mail is in
  the setting ``network_treasurers`` (settings.toml or ``TIRELIRE_NETWORK_TREASURERS``). The
  pages answer on any instance's domain (the network's home has no panel); API keys, which
  belong to one instance, are refused there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from core.analytics import Mirror
from core.analytics.console import Console
from hosts.web.auth import user_of
from hosts.web.instances import network_of, site_of

__all__ = [
    "NETWORK_ROLE",
    "AnalyticsState",
    "analytics_state",
    "is_network_treasurer",
    "requires_network_treasurer",
]

#: The ``opt["role"]`` of the network's analytics routes.
NETWORK_ROLE = "network-treasurer"


@dataclass
class AnalyticsState:
    """The mirror and the console of one application (one per worker process)."""

    mirror: Mirror
    console: Console


def analytics_state(app: Any) -> AnalyticsState:
    """The application's analytics objects, made on first use."""
    state = getattr(app.state, "analytics", None)
    if state is None:
        network = app.state.network
        mirror = Mirror(network)
        console = Console(mirror, timeout=network.settings.analytics_query_seconds)
        state = AnalyticsState(mirror, console)
        app.state.analytics = state
    return state  # type: ignore[no-any-return]


def is_network_treasurer(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """True when the logged-in person is one of the network's treasurers."""
    user = user_of(connection)
    settings = network_of(connection).settings
    return user is not None and user.email.lower() in settings.network_treasurers


def requires_network_treasurer(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard: 404 on the network's home, 401 for nobody, 403 for keys and everyone else."""
    if site_of(connection).instance is None:
        raise NotFoundException()
    if connection.headers.get("authorization"):
        raise PermissionDeniedException(detail="network reports are for people, not API keys")
    if user_of(connection) is None:
        raise NotAuthorizedException()
    if not is_network_treasurer(connection):
        raise PermissionDeniedException()
