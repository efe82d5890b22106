"""The built-in ``charge`` mode, offered through the public hooks like any plugin's mode.

:class:`core.network.Network` registers this module with the plugin manager under the name
``tirelire-charge`` and marks it always enabled: every instance can put a terminal in charge
mode (stalls without a point of sale: the CLAF's producers at markets), and the mode reaches
taps through exactly the hooks a plugin uses, beside the plugins' own modes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.i18n import gettext as _
from core.plugins import hookimpl
from core.terminals.charge import CHARGE_MODE
from core.terminals.model import TapOutcome

__all__ = ["NAME", "on_card_tap", "register_terminal_modes"]

NAME = "tirelire-charge"


@hookimpl
def register_terminal_modes(instance: Any, register: Callable[..., None]) -> None:
    """Offer the charge mode, whose staff page is the terminal's charge page."""
    register(CHARGE_MODE, _("Charge an amount"), href="/caisse/terminaux/{terminal}", order=10)


@hookimpl
def on_card_tap(tx: Any, tap: Any, network: Any) -> TapOutcome | None:
    """Pay the amount waiting on a terminal in charge mode; other modes are not ours."""
    if tap.terminal.mode != CHARGE_MODE:
        return None
    outcome: TapOutcome = network.charges.pay_in(tx, tap)
    return outcome
