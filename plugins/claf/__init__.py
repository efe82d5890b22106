"""The CLAF food fund: its asset, beneficiaries, monthly allocations, producers' remittances.

A food fund (an instance of kind ``food_fund``) issues a local fiat asset, "CLAF-outils"
(code ``CLA``), created when the plugin is set up there. Its admins register beneficiaries and
grant their monthly allocations; beneficiaries pay producers that accepted the asset; the
fund's treasurer sees each producer's balance ("Ventilation par lieu") and records the bank
transfers that pay them ("Valider le retour en banque"). On any other instance (a producer) the
plugin shows what the place received in each fund's asset and the remittances it got. See
docs/claf.md.

The plugin's face, hook by hook:

- ``register_routes``, ``register_templates``, ``register_translations``: its pages
  (:mod:`.web`), templates and French catalog;
- ``plugin_setup_path``: a food fund without its asset sends its admin to the set-up page;
- ``register_admin_sections``, ``register_instance_links``: its entries in the admin panel and
  on the fund's home page;
- ``register_commands``: ``tirelire claf allocate`` (:mod:`.cli`);
- ``populate_demo``: the demo's fund, producers, beneficiaries and payments (:mod:`.demo`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core import Instance, InstanceKind, Network, hookimpl
from core.i18n import gettext as _

from .cli import claf_group
from .demo import populate
from .service import claf_of
from .web import ROUTES

HERE = Path(__file__).parent

__all__ = [
    "plugin_setup_path",
    "populate_demo",
    "register_admin_sections",
    "register_commands",
    "register_instance_links",
    "register_routes",
    "register_templates",
    "register_translations",
]


@hookimpl
def register_routes(register: Callable[[Any], None]) -> None:
    """Mount the fund's, the treasurer's and the producer's pages."""
    for handler in ROUTES:
        register(handler)


@hookimpl
def register_templates(register: Callable[[Path], None]) -> None:
    """Serve ``templates/`` as ``claf/...``."""
    register(HERE / "templates")


@hookimpl
def register_translations(register: Callable[[Path], None]) -> None:
    """Add the plugin's French catalog."""
    register(HERE / "locale")


@hookimpl
def plugin_setup_path(network: Network, instance: Instance) -> str | None:
    """A food fund without its asset yet: its admin finishes the set-up there."""
    return claf_of(network).setup_path(instance)


@hookimpl
def register_admin_sections(instance: Instance, register: Callable[..., None]) -> None:
    """The fund's pages on a food fund; the producer's page anywhere else."""
    if instance.kind == InstanceKind.FOOD_FUND:
        register("claf", _("Food fund"), "/claf", role="treasurer", order=40)
        register("claf-beneficiaries", _("Beneficiaries"), "/claf/beneficiaires", order=41)
        register("claf-allocations", _("Monthly allocations"), "/claf/allocations", order=42)
        register("claf-places", _("Breakdown by place"), "/claf/ventilation",
                 role="treasurer", order=43)  # fmt: skip
    else:
        register("claf-producer", _("Food fund payments"), "/claf/producteur",
                 role="treasurer", order=40)  # fmt: skip


@hookimpl
def register_instance_links(instance: Instance, register: Callable[[str, str], None]) -> None:
    """On a food fund's home page: where its beneficiaries can pay."""
    if instance.kind == InstanceKind.FOOD_FUND:
        register(_("Where to pay"), "/claf/lieux")


@hookimpl
def register_commands(register: Callable[[Any], None]) -> None:
    """Add ``tirelire claf allocate``."""
    register(claf_group)


@hookimpl
def populate_demo(network: Network) -> None:
    """The demo's food fund ``claf``, its producers, beneficiaries, payments, remittance."""
    populate(network)
