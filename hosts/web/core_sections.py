"""The core's own account and admin sections, contributed through the public hooks.

The web host registers this module with the plugin manager under the name ``tirelire-web``
and marks it always enabled: the core's sections arrive through exactly the hooks a plugin
uses, and a plugin's sections sit beside them in the same lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.accounts import Role
from core.i18n import gettext as _
from core.plugins import hookimpl

__all__ = ["NAME", "register_account_sections", "register_admin_sections"]

NAME = "tirelire-web"


@hookimpl
def register_account_sections(instance: Any, user: Any, register: Callable[..., None]) -> None:
    """My wallet, my card and my settings, for everyone; the admin panel is linked from the
    account page itself."""
    register("wallet", _("My wallet"), "/mon-compte/tirelire", order=10)
    register("card", _("My card"), "/mon-compte/carte", order=40)
    register("settings", _("My settings"), "/mon-compte/parametres", order=90)


@hookimpl
def register_admin_sections(instance: Any, register: Callable[..., None]) -> None:
    """General information, users and roles, the cash desk, money (assets, invitations, payment
    order, cards, grants, corrections), payment QR code, terminals, plugins, external tools."""
    register("general", _("General information"), "/admin/general", role=Role.ADMIN, order=10)
    register("users", _("Users and roles"), "/admin/utilisateurs", role=Role.ADMIN, order=20)
    register("cash-desk", _("Cash desk"), "/caisse/terminaux", role=Role.CASHIER, order=30)
    register("assets", _("Assets"), "/admin/actifs", role=Role.ADMIN, order=40)
    register("invitations", _("Asset invitations"), "/admin/invitations", role=Role.ADMIN, order=41)
    register("order", _("Payment order"), "/admin/ordre-de-paiement", role=Role.ADMIN, order=42)
    register("cards", _("Cards"), "/admin/cartes", role=Role.ADMIN, order=45)
    register("grant", _("Grant"), "/admin/attribution", role=Role.TREASURER, order=50)
    register("correction", _("Correction"), "/admin/correction", role=Role.TREASURER, order=51)
    register("payment-qr", _("Payment QR code"), "/caisse/qr", role=Role.CASHIER, order=55)
    register("terminals", _("Terminals"), "/admin/terminaux", role=Role.ADMIN, order=70)
    register("plugins", _("Plugins"), "/admin/plugins", role=Role.ADMIN, order=80)
    register("tools", _("External tools"), "/admin/outils", role=Role.ADMIN, order=90)
