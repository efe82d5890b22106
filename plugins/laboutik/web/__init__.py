"""The register's web side: pages for people (HTML, no JavaScript needed) and a JSON API.

| module | what | role |
|---|---|---|
| :mod:`.admin`, :mod:`.admin_catalog` | set-up: points of sale, articles, tables... | admin |
| :mod:`.register` | the register: open a point of sale, ring up, pay | cashier |
| :mod:`.counter` | refill, refund, lost card | cashier |
| :mod:`.floor` | tables, kitchen screen, colours | cashier |
| :mod:`.closures` | closures (ticket Z), HTML and CSV | cashier or treasurer |
| :mod:`.terminals` | card terminals: binding, "pay on terminal X", live page | admin, cashier |
| :mod:`.api` | the JSON API under ``/api/laboutik`` | as the pages |

Every route declares its role in ``opt``; the web host enforces it (and answers 404 on
instances that did not enable the plugin). :data:`ROUTES` is what ``register_routes`` mounts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, Router
from litestar.response import Template
from litestar.static_files import create_static_files_router

from core.i18n import gettext as _

from ..errors import RegisterError
from .admin import ADMIN_ROUTES
from .admin_catalog import CATALOG_ROUTES
from .api import API_ROUTER
from .closures import CLOSURE_ROUTES
from .counter import COUNTER_ROUTES
from .floor import FLOOR_ROUTES
from .register import REGISTER_ROUTES
from .terminals import TERMINAL_ROUTES

__all__ = ["ROUTES"]

STATIC = Path(__file__).resolve().parent.parent / "static"


def _page_error(request: Request[Any, Any, Any], exc: RegisterError) -> Response[Any]:
    """A register error no form caught (a record of another instance...): an error page."""
    return Template(
        template_name="laboutik/error.html",
        context={"status": exc.status, "detail": _(exc.message, **exc.params)},
        status_code=exc.status,
    )


PAGES = Router(
    path="/",
    route_handlers=[
        *ADMIN_ROUTES,
        *CATALOG_ROUTES,
        *REGISTER_ROUTES,
        *COUNTER_ROUTES,
        *FLOOR_ROUTES,
        *CLOSURE_ROUTES,
        *TERMINAL_ROUTES,
    ],
    exception_handlers={RegisterError: _page_error},
    include_in_schema=False,
)

ROUTES: list[Any] = [
    PAGES,
    API_ROUTER,
    create_static_files_router(
        path="/laboutik/static", directories=[STATIC], include_in_schema=False
    ),
]
