"""The analytics entries of the admin panel and of "Mon compte", through the public hooks.

The web host registers an :class:`AnalyticsSections` object (always enabled, like
:mod:`hosts.web.core_sections`): the admin panel lists "Reports and analytics" for
treasurers and admins; "Mon compte" lists "Network reports" for the network treasurers (the
object knows the setting ``network_treasurers``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.accounts import Role
from core.i18n import gettext as _
from core.plugins import hookimpl

__all__ = ["NAME", "AnalyticsSections"]

NAME = "tirelire-analytics"


class AnalyticsSections:
    """Hook implementations contributing the analytics links."""

    def __init__(self, network_treasurers: list[str]) -> None:
        self.network_treasurers = {e.lower() for e in network_treasurers}

    @hookimpl
    def register_admin_sections(self, instance: Any, register: Callable[..., None]) -> None:
        """Reports and SQL console, for treasurers (and admins)."""
        register("analytics", _("Reports and analytics"), "/admin/analytique",
                 role=Role.TREASURER, order=50)  # fmt: skip

    @hookimpl
    def register_account_sections(
        self, instance: Any, user: Any, register: Callable[..., None]
    ) -> None:
        """The network's reports, for the network treasurers only."""
        if instance is not None and user.email.lower() in self.network_treasurers:
            register("network-analytics", _("Network reports"), "/admin/reseau/analytique",
                     order=60)  # fmt: skip
