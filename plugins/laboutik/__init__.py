"""LaBoutik, the venue's cash register: points of sale, articles, orders, cashless payment,
refills, refunds, tables and kitchen, and the daily closure report ("ticket Z").

The plugin's face is this module's hook implementations; its rules are in the service
(:mod:`.service`, one object per network: ``laboutik_of(network)``), its pages and JSON API in
:mod:`.web`. Card terminals in its ``cash_register`` mode open a point of sale with a staff
card and pay the order waiting there (:mod:`.terminals`). See docs/laboutik.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core import hookimpl

__all__ = [
    "on_card_tap",
    "on_network_ready",
    "populate_demo",
    "register_admin_sections",
    "register_commands",
    "register_routes",
    "register_templates",
    "register_terminal_modes",
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
def populate_demo(network: Any, settings: Any) -> None:
    """Le Bisik's bar: a point of sale, articles, sales, a closed day, a simulated terminal."""
    from .demo import populate

    populate(network, settings)


@hookimpl
def register_terminal_modes(instance: Any, register: Callable[..., None]) -> None:
    """The ``cash_register`` mode: a staff card opens the point of sale, a customer's pays."""
    from core.i18n import gettext as _

    from .terminal_model import CASH_REGISTER_MODE

    register(CASH_REGISTER_MODE, _("Cash register"), href="/caisse/lecteurs/{terminal}", order=20)


@hookimpl
def on_card_tap(tx: Any, tap: Any, network: Any) -> Any:
    """A tap on a terminal in ``cash_register`` mode (other modes are not ours)."""
    from .service import laboutik_of
    from .terminal_model import CASH_REGISTER_MODE

    if tap.terminal.mode != CASH_REGISTER_MODE:
        return None
    return laboutik_of(network).terminals.tap_in(tx, tap)


@hookimpl
def on_network_ready(network: Any) -> None:
    """Open the register's collections before a tap's write needs them."""
    from .service import laboutik_of

    laboutik_of(network)
