"""The web host: a Litestar application assembled from the core's routes and the plugins'.

``create_app(settings)`` builds it; ``app_factory`` is the entry point of the ASGI servers
(``tirelire serve``). See docs/web.md.
"""

from hosts.web.app import app_factory, create_app, plugin_guard
from hosts.web.instances import Site, UnknownSite, match_host, site_of

__all__ = [
    "Site",
    "UnknownSite",
    "app_factory",
    "create_app",
    "match_host",
    "plugin_guard",
    "site_of",
]
