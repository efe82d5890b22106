"""Card terminals at the register: binding them (admin), sending an order to one (cashier),
and the register page's live stream.

| path | what | role |
|---|---|---|
| ``/admin/caisse/lecteurs`` | terminals in cash register mode, each one's point of sale | admin |
| ``/caisse/lecteurs/{terminal}`` | a terminal's staff page (its mode's ``href``) | cashier |
| ``/caisse/{pos}/commandes/{order}/lecteur`` | "Pay by card on terminal X" (POST) | cashier |
| ``/caisse/{pos}/lecteurs/{terminal}/annuler`` | stop waiting for a card (POST) | cashier |
| ``/caisse/{pos}/flux`` | server-sent events: the register's live part at each change | cashier |

The stream wakes when a terminal of the point of sale changed (a tap, an order sent to it:
the core's ``network.terminal_events``, watched with :meth:`TerminalEvents.watch`) and also
re-reads the register every second (a tap served by another worker process, a cashier at
another screen), sending the live part, rendered on the server, only when it changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import time
from collections.abc import AsyncIterator
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, ServerSentEvent, Template
from litestar.response.sse import ServerSentEventMessage
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from core import Instance, Network
from core.i18n import N_

from ..errors import NotFound, RegisterError
from .common import Form, errors_of, helpers, lb, render, see_other, status_of
from .register import register_context, register_page

__all__ = ["POLL_SECONDS", "STREAM_SECONDS", "TERMINAL_ROUTES"]

ADMIN = {"role": "admin"}
CASHIER = {"role": "cashier"}
#: how often the stream re-reads the register when nothing woke it
POLL_SECONDS = 1.0
#: how long one stream lasts; the browser's EventSource reconnects by itself afterwards
STREAM_SECONDS = 300.0


def _admin_page(
    network: Network, instance: Instance, *, errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, str] | None = None, status: int = 200,
) -> Template:  # fmt: skip
    service = lb(network)
    terminals = service.terminals.terminals(instance.slug)
    links = {t.id: service.terminals.link(instance.slug, t.id) for t in terminals}
    return render(
        "admin_terminals.html", status=status, terminals=terminals, links=links,
        points=service.catalog.points(instance.slug), errors=errors or {}, values=values or {},
    )  # fmt: skip


@get("/admin/caisse/lecteurs", opt=ADMIN, include_in_schema=False, sync_to_thread=False)
def terminals_admin(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> Template:
    """The terminals in cash register mode and the point of sale each one serves."""
    return _admin_page(network, instance)


@post("/admin/caisse/lecteurs/{terminal_id:str}", opt=ADMIN, include_in_schema=False)
async def bind(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    terminal_id: FromPath[str],
) -> Template | Redirect:
    """Choose the point of sale a terminal serves (none: it serves none)."""
    form = await Form.of(request)
    pos_id = form.text("pos_id")
    try:
        lb(network).terminals.bind(instance.slug, terminal_id, pos_id, author=actor.label)
    except RegisterError as exc:
        return _admin_page(
            network, instance, errors={terminal_id: errors_of(exc)},
            values={terminal_id: pos_id}, status=status_of(exc),
        )  # fmt: skip
    return see_other("/admin/caisse/lecteurs")


@get("/caisse/lecteurs/{terminal_id:str}", opt=CASHIER, include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def terminal_page(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    terminal_id: FromPath[str],
) -> Template | Redirect:
    """A terminal's staff page: the register of the point of sale it serves."""
    service = lb(network).terminals
    terminal = next((t for t in service.terminals(instance.slug) if t.id == terminal_id), None)
    if terminal is None:
        raise NotFound("terminal_id", N_("No such terminal on this collective."))
    link = service.link(instance.slug, terminal.id)
    if link.pos_id:
        return see_other(f"/caisse/{link.pos_id}")
    return render("terminal_unbound.html", terminal=terminal)


@post("/caisse/{pos_id:str}/commandes/{order_id:str}/lecteur", opt=CASHIER,
      include_in_schema=False)  # fmt: skip
async def ask(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    pos_id: FromPath[str],
    order_id: FromPath[str],
) -> Template | Redirect:
    """Let the next card tapped on a terminal pay what is left on the order."""
    form = await Form.of(request)
    try:
        lb(network).terminals.ask(
            instance.slug, form.text("terminal_id"), order_id, author=actor.label,
            partial=form.checked("partial"),
        )  # fmt: skip
    except RegisterError as exc:
        errors = errors_of(exc)
        errors = {"terminal_id": next(iter(errors.values()))}
        return register_page(network, instance, pos_id, order_id, errors=errors,
                             values=form.values(), status=status_of(exc))  # fmt: skip
    return see_other(f"/caisse/{pos_id}?commande={order_id}")


@post("/caisse/{pos_id:str}/lecteurs/{terminal_id:str}/annuler", opt=CASHIER,
      include_in_schema=False)  # fmt: skip
async def cancel(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    actor: NamedDependency[Any],
    pos_id: FromPath[str],
    terminal_id: FromPath[str],
) -> Redirect:
    """Stop waiting for a card on a terminal; back to the order on the screen."""
    form = await Form.of(request)
    lb(network).terminals.cancel(instance.slug, terminal_id, author=actor.label)
    order_id = form.text("order_id")
    return see_other(f"/caisse/{pos_id}" + (f"?commande={order_id}" if order_id else ""))


@get("/caisse/{pos_id:str}/flux", opt=CASHIER, include_in_schema=False)
async def stream(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    pos_id: FromPath[str],
    commande: FromQuery[str | None] = None,
    paye: FromQuery[str | None] = None,
    cle: FromQuery[str | None] = None,
) -> ServerSentEvent:
    """Server-sent events: the register's live part each time it changes."""
    service = lb(network)
    paid = service.orders.get(instance.slug, paye) if paye else None

    def context() -> dict[str, Any]:
        return register_context(network, instance, pos_id, commande or None, paid=paid)

    first = context()  # refuses an unknown point of sale or order before streaming
    template = request.app.template_engine.get_template("laboutik/_register_live.html")  # type: ignore[union-attr]
    token = value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")
    csrf_input = f'<input type="hidden" name="_csrf_token" value="{html.escape(token)}" />'
    blank: dict[str, Any] = {"errors": {}, "values": {}, "notice": "", "shortfall": None}

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        watched = {row["terminal"].id for row in first["terminals"]}
        with network.terminal_events.watch(watched) as wake:
            deadline = time.monotonic() + STREAM_SECONDS
            last_key = cle
            last_sent = time.monotonic()
            current = first
            while time.monotonic() < deadline:
                wake.clear()
                ids = {row["terminal"].id for row in current["terminals"]}
                watched |= ids
                watched &= ids
                if current["live_key"] != last_key:
                    last_key = current["live_key"]
                    last_sent = time.monotonic()
                    text = template.render(**helpers(), **current, **blank, csrf_input=csrf_input)
                    yield ServerSentEventMessage(event="register", data=text)
                elif time.monotonic() - last_sent > 15:
                    last_sent = time.monotonic()
                    yield ServerSentEventMessage(comment="still here")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), POLL_SECONDS)
                current = context()

    return ServerSentEvent(events(), retry_duration=2000)


TERMINAL_ROUTES = [terminals_admin, bind, terminal_page, ask, cancel, stream]
