"""Which instance a request is for: resolved from its Host header.

An instance is served at ``<slug>.<base domain>`` (``le-bisik.localhost:8000``); the bare base
domain, or an IP address (``127.0.0.1:8000``), is the network's home. The port is ignored for
matching and kept for building links. When several base domains are configured, the longest one
that ends the host wins (``a.b.example.org`` with ``example.org`` and ``b.example.org`` is the
instance ``a`` of ``b.example.org``).

Resolution is lazy and cached on the request: :func:`site_of` reads the instance record (one
short read transaction) the first time a handler, a guard or a dependency asks for it, so the
instance's enabled plugins are always the current ones, and endpoints that do not care about the
instance (``/-/health``, static files) answer whatever the Host.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException

from core.instances import Instance
from core.network import Network

__all__ = [
    "HostMatch",
    "Site",
    "UnknownSite",
    "match_host",
    "network_of",
    "provide_instance",
    "provide_network",
    "provide_site",
    "site_of",
]

_STATE_KEY = "tirelire_site"


class UnknownSite(NotFoundException):
    """The Host names no instance of this network (a 404 with a friendly page)."""

    def __init__(self, host: str, reason: str, home_url: str | None = None) -> None:
        super().__init__(detail=reason)
        self.host = host
        self.reason = reason
        #: The network's home at the same base domain and port, when the base domain is known.
        self.home_url = home_url


@dataclass(frozen=True, slots=True)
class HostMatch:
    """What a Host header says: the instance slug (None for the home), base domain and port."""

    slug: str | None
    base_domain: str
    port: int | None
    host: str


@dataclass(frozen=True, slots=True)
class Site:
    """The request's place in the network: an instance, or the home when ``instance`` is None."""

    instance: Instance | None
    base_domain: str
    port: int | None
    scheme: str

    @property
    def is_home(self) -> bool:
        """True on the network's home (the bare base domain or an IP address)."""
        return self.instance is None

    def url_for(self, slug: str | None) -> str:
        """The address of an instance (or of the home when ``slug`` is None), same port."""
        host = self.base_domain if slug is None else f"{slug}.{self.base_domain}"
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.scheme}://{host}{port}"


def split_host(raw: str) -> tuple[str, int | None]:
    """Split ``host[:port]`` (IPv6 in brackets) into a lowercase host and an optional port."""
    raw = raw.strip().lower()
    port: int | None = None
    if raw.startswith("["):
        end = raw.find("]")
        host, rest = (raw[1:end], raw[end + 1 :]) if end != -1 else (raw[1:], "")
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
        return host, port
    if raw.count(":") == 1:
        host, _, port_text = raw.partition(":")
        if port_text.isdigit():
            port = int(port_text)
        raw = host
    return raw.rstrip("."), port


def _is_ip(host: str) -> bool:
    if not (host[:1].isdigit() or ":" in host):  # a name: no exception raised and caught
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def match_host(raw: str, base_domains: list[str]) -> HostMatch:
    """Match a Host header against the base domains; raise UnknownSite when none fits.

    Every request asks: the answers for the last hosts seen are kept (a failure never is).
    """
    return _match_host(raw, tuple(base_domains))


@functools.lru_cache(maxsize=256)
def _match_host(raw: str, base_domains: tuple[str, ...]) -> HostMatch:
    host, port = split_host(raw)
    default = base_domains[0]
    if not host or _is_ip(host):
        return HostMatch(None, default, port, host)
    for base in sorted(base_domains, key=len, reverse=True):
        base = base.lower().rstrip(".")
        if host == base:
            return HostMatch(None, base, port, host)
        if host.endswith("." + base):
            slug = host[: -len(base) - 1]
            if "." in slug:
                raise UnknownSite(host, f"{host} : un seul niveau de sous-domaine est servi")
            return HostMatch(slug, base, port, host)
    raise UnknownSite(host, f"{host} n'est pas un domaine de ce réseau ({', '.join(base_domains)})")


def network_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Network:
    """The :class:`core.network.Network` this application serves."""
    return connection.app.state.network  # type: ignore[no-any-return]


def site_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Site:
    """The request's :class:`Site`, resolved once per request; UnknownSite (404) if none."""
    cached = connection.scope.get("state", {}).get(_STATE_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    network = network_of(connection)
    match = match_host(connection.headers.get("host", ""), network.settings.base_domains)
    instance = None
    if match.slug is not None:
        instance = network.instances.get(match.slug)
    site = Site(instance, match.base_domain, match.port, connection.url.scheme)
    if match.slug is not None and instance is None:
        raise UnknownSite(
            match.host, f"aucun collectif « {match.slug} » dans ce réseau", site.url_for(None)
        )
    state = connection.scope.setdefault("state", {})
    state[_STATE_KEY] = site
    state["instance"] = instance  # also ``request.state.instance`` for handlers
    return site


def provide_network(request: ASGIConnection[Any, Any, Any, Any]) -> Network:
    """Dependency ``network``: the served network."""
    return network_of(request)


def provide_site(request: ASGIConnection[Any, Any, Any, Any]) -> Site:
    """Dependency ``site``: the request's site (instance or home)."""
    return site_of(request)


def provide_instance(request: ASGIConnection[Any, Any, Any, Any]) -> Instance:
    """Dependency ``instance``: the request's instance; 404 on the network's home."""
    instance = site_of(request).instance
    if instance is None:
        raise NotFoundException(detail="cette page appartient à un collectif, pas au réseau")
    return instance
