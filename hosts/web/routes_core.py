"""The core's own pages and endpoints: home pages, health, the installed plugins.

- ``/``: the network's home (its instances, with links) on the bare base domain; an instance's
  home (name, description, links contributed by its enabled plugins) on ``<slug>.<base>``.
- ``/-/health``: a JSON liveness and store check for load balancers and ``tirelire demo``.
- ``/-/plugins`` (HTML) and ``/-/plugins.json``: installed plugins, versions and hooks.

The ``/-/`` prefix keeps the core's technical endpoints apart from every plugin's paths.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from core.instances import Instance
from core.network import Network
from core.plugins import PluginInfo
from hosts.web.instances import Site
from hosts.web.pages import page

__all__ = ["CORE_ROUTES", "Health", "InstanceLink", "home", "instance_links"]


class Health(msgspec.Struct):
    """What ``/-/health`` answers."""

    status: str
    network: str
    instances: int
    plugins: int


class InstanceLink(msgspec.Struct, frozen=True):
    """A link a plugin contributes to an instance's home page."""

    label: str
    href: str
    plugin: str | None = None


def instance_links(network: Network, instance: Instance) -> list[InstanceLink]:
    """Collect the links of ``instance``'s enabled plugins (``register_instance_links``)."""
    links: list[InstanceLink] = []
    seen: set[tuple[str, str]] = set()

    def register(label: str, href: str) -> None:
        key = (str(label), str(href))
        if key not in seen:
            seen.add(key)
            links.append(InstanceLink(label=key[0], href=key[1]))

    network.hooks_for(instance).register_instance_links(instance=instance, register=register)
    return links


@get("/", include_in_schema=False, sync_to_thread=False, name="home")
def home(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    site: NamedDependency[Site],
    bienvenue: FromQuery[str | None] = None,
    au_revoir: Annotated[str | None, QueryParameter(name="au-revoir")] = None,
) -> Template:
    """The home page: the network's on the bare domain, the instance's on its subdomain."""
    if site.instance is None:
        entries = [(i, site.url_for(i.slug)) for i in network.instances.all()]
        return page(request, "network_home.html", entries=entries, farewell=bool(au_revoir))
    return page(
        request,
        "instance_home.html",
        links=instance_links(network, site.instance),
        home_url=site.url_for(None),
        welcome=bool(bienvenue),
        farewell=bool(au_revoir),
        has_logo=network.instances.logo(site.instance.slug) is not None,
    )


@get("/-/health", sync_to_thread=False, tags=["core"], summary="Liveness and store check")
def health(network: NamedDependency[Network]) -> Health:
    """Answer ``ok`` when the store can be read; counts help an operator at a glance."""
    with network.store.read() as txn:
        count = network.instances.records.count(txn)
    return Health(
        status="ok",
        network=network.settings.network_name,
        instances=count,
        plugins=len(network.plugins.names()),
    )


@get("/-/plugins.json", sync_to_thread=False, tags=["core"], summary="Installed plugins")
def plugins_json(network: NamedDependency[Network]) -> list[PluginInfo]:
    """Each installed plugin: name, version, the hooks it implements, its module."""
    return network.plugins.installed()


@get("/-/plugins", include_in_schema=False, sync_to_thread=False, name="plugins")
def plugins_page(request: Request[Any, Any, Any], network: NamedDependency[Network]) -> Template:
    """The installed plugins as an HTML table (the same data as ``/-/plugins.json``)."""
    return page(request, "plugins.html", plugins=network.plugins.installed())


CORE_ROUTES = [home, health, plugins_json, plugins_page]
