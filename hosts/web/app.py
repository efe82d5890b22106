"""Assemble the Litestar application: core routes, plugin routes behind guards, templates.

:func:`create_app` is the one place where the web host is put together. It takes either
:class:`core.settings.Settings` (the store is then opened at start-up, inside the server's
worker process, and closed at shutdown) or an open :class:`core.network.Network` (tests, which
own and close it). :func:`app_factory` is what the ASGI servers import in each worker: it reads
the data directory from ``TIRELIRE_DATA``, so no LMDB environment ever crosses a fork.

Each plugin's ``register_routes`` is called on its own (``PluginManager.each_plugin``), so the
host knows which plugin registered which handler, and mounts them in a router whose guard
answers 404 when the request's instance has not enabled that plugin, or on the network's home.
The guard reads the instance record on every request: enabling or disabling a plugin takes
effect at the next request, without a restart.
"""

from __future__ import annotations

import gc
import importlib.metadata
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from core.accounts import Role
from core.network import Network
from core.plugins import PluginError, PluginManager
from core.settings import Settings, load_settings
from core.wallets import MoneyError
from hosts.web import core_sections
from hosts.web.analytics import ANALYTICS_ROUTES, AnalyticsSections, analytics_lifespan
from hosts.web.analytics import NAME as ANALYTICS_SECTIONS
from hosts.web.api_assets import ASSET_API_ROUTES
from hosts.web.api_cards import CARD_API_ROUTES
from hosts.web.api_money import MONEY_API_ROUTES
from hosts.web.api_payment_requests import PAYMENT_REQUEST_API_ROUTES
from hosts.web.api_wallet import WALLET_API_ROUTES
from hosts.web.auth import (
    PeopleMiddleware,
    provide_actor,
    provide_user,
    requires_login,
    requires_role,
)
from hosts.web.errors import EXCEPTION_HANDLERS
from hosts.web.instances import (
    network_of,
    provide_instance,
    provide_network,
    provide_site,
    site_of,
)
from hosts.web.live import Live, start_live, stop_live
from hosts.web.money_errors import money_error_handler
from hosts.web.pages import jinja_engine
from hosts.web.routes_account import ACCOUNT_ROUTES
from hosts.web.routes_admin import ADMIN_ROUTES
from hosts.web.routes_admin_people import PEOPLE_ROUTES
from hosts.web.routes_assets import ASSET_ROUTES
from hosts.web.routes_auth import AUTH_ROUTES
from hosts.web.routes_cards import CARD_ROUTES
from hosts.web.routes_cards_admin import CARD_ADMIN_ROUTES
from hosts.web.routes_charge import CHARGE_ROUTES
from hosts.web.routes_checkout import CHECKOUT_ROUTES
from hosts.web.routes_core import CORE_ROUTES
from hosts.web.routes_federation import FEDERATION_ROUTES
from hosts.web.routes_hello import HELLO_ROUTES
from hosts.web.routes_pay import PAY_ROUTES
from hosts.web.routes_payment_requests import PAYMENT_REQUEST_ROUTES
from hosts.web.routes_priority import PRIORITY_ROUTES
from hosts.web.routes_refill import REFILL_ROUTES
from hosts.web.routes_refund import REFUND_ROUTES
from hosts.web.routes_signup import SIGNUP_ROUTES
from hosts.web.routes_terminal_api import TERMINAL_API_ROUTES
from hosts.web.routes_terminals_admin import TERMINALS_ADMIN_ROUTES
from hosts.web.routes_treasury import TREASURY_ROUTES
from hosts.web.routes_wallet import WALLET_ROUTES
from hosts.web.schema_page import openapi_config
from hosts.web.security import csrf_config, secret_key, security_headers
from hosts.web.terminal_errors import TERMINAL_EXCEPTION_HANDLERS

__all__ = [
    "app_factory",
    "create_app",
    "declared_access",
    "plugin_guard",
    "plugin_routers",
    "plugin_templates",
]

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def plugin_guard(plugin: str) -> Guard:
    """A guard answering 404 unless the request's instance has enabled ``plugin``."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        site = site_of(connection)
        if plugin not in network_of(connection).hooks_for(site.instance).enabled:
            raise NotFoundException()

    guard.__name__ = f"requires_plugin_{plugin}"
    guard.__doc__ = f"404 unless the instance enabled the plugin {plugin!r}."
    return guard


def declared_access(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Guard of plugin routes: enforce what a handler declares in its ``opt``.

    Plugins never import the web host, so they cannot attach its guards; they declare instead:
    ``opt={"role": "cashier"}`` (a :class:`core.accounts.Role` value: that role, or admin, on
    the request's instance, else 401/403, and 404 on the network's home; a list such as
    ``["cashier", "treasurer"]`` admits the holders of any of them), or
    ``opt={"login": True}`` (someone logged in). The host checks the declaration before the
    handler runs, exactly as its own ``requires_role`` and ``requires_login`` guards do.
    """
    role = handler.opt.get("role")
    if role is not None:
        roles = [Role(role)] if isinstance(role, str) else [Role(r) for r in role]
        requires_role(*roles)(connection, handler)
    elif handler.opt.get("login"):
        requires_login(connection, handler)


def plugin_routers(plugins: PluginManager) -> dict[str, Router]:
    """One guarded router per plugin, holding what its ``register_routes`` registered.

    Its guards: the plugin must be enabled on the request's instance (else 404), then the
    access the handler declares in ``opt`` (:func:`declared_access`).
    """
    routers: dict[str, Router] = {}
    for name, register_routes in plugins.each_plugin("register_routes"):
        handlers: list[Any] = []
        try:
            register_routes(register=handlers.append)
        except Exception as exc:
            raise PluginError(f"plugin {name!r} failed in hook 'register_routes': {exc}") from exc
        if handlers:
            routers[name] = Router(
                path="/",
                route_handlers=handlers,
                guards=[plugin_guard(name), declared_access],
                tags=[name],
            )
    return routers


def plugin_templates(plugins: PluginManager) -> dict[str, Path]:
    """Each plugin's template folder (hook ``register_templates``), by plugin name."""
    folders: dict[str, Path] = {}
    for name, register_templates in plugins.each_plugin("register_templates"):
        found: list[Path] = []
        register_templates(register=found.append)
        for folder in found:
            if not Path(folder).is_dir():
                raise PluginError(
                    f"plugin {name!r} registered templates from {folder}, which is not a folder"
                )
        if len(found) > 1:
            raise PluginError(f"plugin {name!r} registered {len(found)} template folders, not 1")
        if found:
            folders[name] = Path(found[0])
    return folders


def _lifespan(settings: Settings, plugins: PluginManager) -> Any:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        network = Network.open(settings, plugins=plugins)
        app.state.network = network
        try:
            yield
        finally:
            network.close()

    return lifespan


def create_app(
    source: Settings | Network, *, plugins: PluginManager | None = None, debug: bool = False
) -> Litestar:
    """Build the web application of a network (from its settings or an open Network)."""
    if isinstance(source, Network):
        network: Network | None = source
        settings = source.settings
        manager = source.plugins
    else:
        network = None
        settings = source
        manager = plugins if plugins is not None else PluginManager()
        manager.check()
    if not manager.pm.has_plugin(core_sections.NAME):
        manager.register(core_sections, core_sections.NAME, version=_version())
    manager.always_enabled.add(core_sections.NAME)
    if not manager.pm.has_plugin(ANALYTICS_SECTIONS):
        sections = AnalyticsSections(settings.network_treasurers)
        manager.register(sections, ANALYTICS_SECTIONS, version=_version())
    manager.always_enabled.add(ANALYTICS_SECTIONS)
    routers = plugin_routers(manager)
    app = Litestar(
        route_handlers=[
            *CORE_ROUTES,
            *AUTH_ROUTES,
            *SIGNUP_ROUTES,
            *ACCOUNT_ROUTES,
            *ADMIN_ROUTES,
            *PEOPLE_ROUTES,
            *ANALYTICS_ROUTES,
            *WALLET_ROUTES,
            *REFILL_ROUTES,
            *CHECKOUT_ROUTES,
            *REFUND_ROUTES,
            *PAYMENT_REQUEST_ROUTES,
            *PAY_ROUTES,
            *WALLET_API_ROUTES,
            *PAYMENT_REQUEST_API_ROUTES,
            *ASSET_ROUTES,
            *FEDERATION_ROUTES,
            *PRIORITY_ROUTES,
            *CARD_ROUTES,
            *CARD_ADMIN_ROUTES,
            *TREASURY_ROUTES,
            *ASSET_API_ROUTES,
            *CARD_API_ROUTES,
            *MONEY_API_ROUTES,
            *HELLO_ROUTES,
            *TERMINAL_API_ROUTES,
            *TERMINALS_ADMIN_ROUTES,
            *CHARGE_ROUTES,
            create_static_files_router(path="/-/static", directories=[STATIC]),
            *routers.values(),
        ],
        middleware=[PeopleMiddleware],
        csrf_config=csrf_config(secret_key(settings.data_path)),
        before_send=[security_headers],
        dependencies={
            "network": Provide(provide_network, sync_to_thread=False),
            "site": Provide(provide_site, sync_to_thread=False),
            "instance": Provide(provide_instance, sync_to_thread=False),
            "user": Provide(provide_user, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=False),
        },
        exception_handlers={
            **EXCEPTION_HANDLERS,
            MoneyError: money_error_handler,
            **TERMINAL_EXCEPTION_HANDLERS,
        },
        template_config=TemplateConfig(instance=jinja_engine(plugin_templates(manager))),
        openapi_config=openapi_config(settings.network_name, _version()),
        lifespan=(
            [analytics_lifespan]
            if network is not None
            else [_lifespan(settings, manager), analytics_lifespan]
        ),
        on_startup=[start_live],
        on_shutdown=[stop_live],
        state=State(
            {"network": network, "plugin_routes": _routes_by_plugin(routers), "live": Live()}
        ),
        debug=debug,
    )
    return app


def freeze_startup_objects(_app: Litestar) -> None:
    """Move every object alive once the server started out of the garbage collector's sight.

    The application, its routes, templates and the network's caches live as long as the
    process; without this, each full collection walked them all again: pauses of up to 93 ms
    measured under load, the p99 of every request (docs/performance.md, "Payments over HTTP").
    Only the servers' entry point (:func:`app_factory`) does it: a test process builds many
    applications, and objects frozen are never collected by the cycle collector again.
    """
    gc.collect()
    gc.freeze()


def _routes_by_plugin(routers: dict[str, Router]) -> dict[str, list[str]]:
    return {name: sorted({r.path for r in router.routes}) for name, router in routers.items()}


def _version() -> str:
    try:
        return importlib.metadata.version("tirelire")
    except importlib.metadata.PackageNotFoundError:
        return "0"


def app_factory() -> Litestar:
    """The ASGI servers' entry point (``factory=True``): settings from the environment."""
    app = create_app(load_settings())
    app.on_startup.append(freeze_startup_objects)  # a server process: see the function
    return app
