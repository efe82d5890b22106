"""LaBoutik, the venue's cash register: points of sale, articles, orders, cashless payment,
refills, refunds, tables and kitchen, and the daily closure report ("ticket Z").

The plugin's face is this module's hook implementations; its rules are in the service
(:mod:`.service`, one object per network: ``laboutik_of(network)``), its pages and JSON API in
:mod:`.web`. See docs/laboutik.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core import hookimpl

__all__ = [
    "populate_demo",
    "register_admin_sections",
    "register_commands",
    "register_routes",
    "register_templates",
    "register_translations",
]

HERE = Path(__file__).parent


@hookimpl
def register_routes(register: Callable[[Any], None]) -> None:
    """Mount the register's pages, the admin pages and the JSON API."""
    from .web import ROUTES

    for handler in ROUTES:
        register(handler)


@hookimpl
def register_templates(register: Callable[[Path], None]) -> None:
    """Serve ``templates/`` as ``laboutik/...``."""
    register(HERE / "templates")


@hookimpl
def register_translations(register: Callable[[Path], None]) -> None:
    """The plugin's own French catalog."""
    register(HERE / "locale")


@hookimpl
def register_admin_sections(instance: Any, register: Callable[..., None]) -> None:
    """The register's settings (admins), the register itself (cashiers), closures
    (treasurers)."""
    from core.i18n import gettext as _

    register("laboutik", _("Cash register: set-up"), "/admin/caisse", role="admin", order=40)
    register("laboutik-register", _("Cash register"), "/caisse", role="cashier", order=41)
    register("laboutik-closures", _("Closures (ticket Z)"), "/caisse/clotures",
             role="treasurer", order=42)  # fmt: skip


@hookimpl
def register_commands(register: Callable[[Any], None]) -> None:
    """``tirelire laboutik close`` (for a scheduler at the closure hour) and ``bench``."""
    from .cli import laboutik

    register(laboutik)


@hookimpl
def populate_demo(network: Any) -> None:
    """Le Bisik's bar: a point of sale, articles, sales, a closed day."""
    from .demo import populate

    populate(network)
