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

from core.network import Network
from core.plugins import PluginError, PluginManager
from core.settings import Settings, load_settings
from core.wallets import MoneyError
from hosts.web import core_sections
from hosts.web.auth import PeopleMiddleware
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
from hosts.web.routes_auth import AUTH_ROUTES
from hosts.web.routes_charge import CHARGE_ROUTES
from hosts.web.routes_core import CORE_ROUTES
from hosts.web.routes_signup import SIGNUP_ROUTES
from hosts.web.routes_terminal_api import TERMINAL_API_ROUTES
from hosts.web.routes_terminals_admin import TERMINALS_ADMIN_ROUTES
from hosts.web.schema_page import openapi_config
from hosts.web.security import csrf_config, secret_key, security_headers
from hosts.web.terminal_errors import TERMINAL_EXCEPTION_HANDLERS

__all__ = ["app_factory", "create_app", "plugin_guard", "plugin_routers"]

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


def plugin_routers(plugins: PluginManager) -> dict[str, Router]:
    """One guarded router per plugin, holding what its ``register_routes`` registered."""
    routers: dict[str, Router] = {}
    for name, register_routes in plugins.each_plugin("register_routes"):
        handlers: list[Any] = []
        try:
            register_routes(register=handlers.append)
        except Exception as exc:
            raise PluginError(f"plugin {name!r} failed in hook 'register_routes': {exc}") from exc
        if handlers:
            routers[name] = Router(
                path="/", route_handlers=handlers, guards=[plugin_guard(name)], tags=[name]
            )
    return routers


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
    routers = plugin_routers(manager)
    app = Litestar(
        route_handlers=[
            *CORE_ROUTES,
            *AUTH_ROUTES,
            *SIGNUP_ROUTES,
            *ACCOUNT_ROUTES,
            *ADMIN_ROUTES,
            *PEOPLE_ROUTES,
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
        },
        exception_handlers={
            **EXCEPTION_HANDLERS,
            MoneyError: money_error_handler,
            **TERMINAL_EXCEPTION_HANDLERS,
        },
        template_config=TemplateConfig(instance=jinja_engine()),
        openapi_config=openapi_config(settings.network_name, _version()),
        lifespan=[] if network is not None else [_lifespan(settings, manager)],
        on_startup=[start_live],
        on_shutdown=[stop_live],
        state=State(
            {"network": network, "plugin_routes": _routes_by_plugin(routers), "live": Live()}
        ),
        debug=debug,
    )
    return app


def _routes_by_plugin(routers: dict[str, Router]) -> dict[str, list[str]]:
    return {name: sorted({r.path for r in router.routes}) for name, router in routers.items()}


def _version() -> str:
    try:
        return importlib.metadata.version("tirelire")
    except importlib.metadata.PackageNotFoundError:
        return "0"


def app_factory() -> Litestar:
    """The ASGI servers' entry point (``factory=True``): settings from the environment."""
    return create_app(load_settings())
