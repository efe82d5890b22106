"""The register's card terminals in the JSON API, under ``/api/laboutik/lecteurs``.

Same rules and roles as the pages: an admin binds a terminal to a point of sale, a cashier
sends an order to it (or stops waiting) and reads what its last tap did. Register errors are
problem details with ``code`` and ``field`` (the router's handler, :mod:`.api`).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from core import Instance, Network
from core.i18n import N_
from core.terminals import TapOutcome, Terminal

from ..errors import NotFound
from ..terminal_model import TerminalLink
from .common import lb

__all__ = ["TERMINAL_API_ROUTES", "AskBody", "BindBody", "TerminalView"]

ADMIN = {"role": "admin"}
CASHIER = {"role": "cashier"}


class TerminalView(msgspec.Struct, kw_only=True):
    """A terminal in cash register mode: its point of sale, what waits on it, its last tap."""

    terminal_id: str
    name: str
    #: the point of sale it serves ("" when none)
    pos_id: str
    #: the order waiting for a card on it ("" when nothing waits)
    order_id: str
    #: the next card pays what it holds when it does not hold enough
    partial: bool
    #: grows at every change
    version: int
    last_tap: str
    last_outcome: TapOutcome | None
    last_order_id: str

    @classmethod
    def of(cls, terminal: Terminal, link: TerminalLink) -> TerminalView:
        """The view of a terminal and the register's record of it."""
        return cls(
            terminal_id=terminal.id, name=terminal.name, pos_id=link.pos_id,
            order_id=link.order_id, partial=link.partial, version=link.version,
            last_tap=link.last_tap, last_outcome=link.last_outcome,
            last_order_id=link.last_order_id,
        )  # fmt: skip


class BindBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The point of sale a terminal serves ("": none)."""

    pos_id: str = ""


class AskBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The order the next card tapped on the terminal pays (``partial``: what it holds)."""

    order_id: str
    partial: bool = False


def _view(network: Network, instance: Instance, terminal_id: str) -> TerminalView:
    service = lb(network).terminals
    terminal = next((t for t in service.terminals(instance.slug) if t.id == terminal_id), None)
    if terminal is None:
        raise NotFound("terminal_id", N_("No such terminal on this collective."))
    return TerminalView.of(terminal, service.link(instance.slug, terminal.id))


@get("/lecteurs", opt=CASHIER, sync_to_thread=False, summary="Card terminals of the register")
def terminals(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> list[TerminalView]:
    """The terminals in cash register mode, with their point of sale and last tap."""
    service = lb(network).terminals
    return [
        TerminalView.of(t, service.link(instance.slug, t.id))
        for t in service.terminals(instance.slug)
    ]


@get("/lecteurs/{terminal_id:str}", opt=CASHIER, sync_to_thread=False,
     summary="A card terminal of the register")  # fmt: skip
def terminal(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    terminal_id: FromPath[str],
) -> TerminalView:
    """What waits on the terminal and what its last tap did."""
    return _view(network, instance, terminal_id)


@put("/lecteurs/{terminal_id:str}", opt=ADMIN, sync_to_thread=False,
     summary="Choose the point of sale a terminal serves")  # fmt: skip
def bind(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    terminal_id: FromPath[str],
    data: JSONBody[BindBody],
) -> TerminalView:
    """Bind the terminal to a point of sale of the instance (``""``: to none)."""
    lb(network).terminals.bind(instance.slug, terminal_id, data.pos_id, author=actor.label)
    return _view(network, instance, terminal_id)


@post("/lecteurs/{terminal_id:str}/commande", opt=CASHIER, sync_to_thread=False,
      summary="Send an order to a terminal: the next card pays it", status_code=201)  # fmt: skip
def ask(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    terminal_id: FromPath[str],
    data: JSONBody[AskBody],
) -> TerminalView:
    """The next card tapped on the terminal pays what is left on the order."""
    lb(network).terminals.ask(
        instance.slug, terminal_id, data.order_id, author=actor.label, partial=data.partial
    )
    return _view(network, instance, terminal_id)


@delete("/lecteurs/{terminal_id:str}/commande", opt=CASHIER, sync_to_thread=False,
        summary="Stop waiting for a card on a terminal", status_code=200)  # fmt: skip
def cancel(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    terminal_id: FromPath[str],
) -> TerminalView:
    """Nothing waits on the terminal any more (nothing waited: nothing changes)."""
    _view(network, instance, terminal_id)
    lb(network).terminals.cancel(instance.slug, terminal_id, author=actor.label)
    return _view(network, instance, terminal_id)


TERMINAL_API_ROUTES = [terminals, terminal, bind, ask, cancel]
