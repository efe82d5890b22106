"""The cashier's side of the charge mode: type an amount, watch the card pay, live.

- ``/caisse``: the instance's terminals, each with the staff page of its mode;
- ``/caisse/terminaux/<id>``: a terminal in charge mode: the amount form (amount, label,
  "repeat"), what is waiting, the last outcome and the last taps. It updates by itself through
  server-sent events (``/caisse/terminaux/<id>/flux``, read by ``/-/static/terminal.js``);
  without JavaScript, a link reloads it;
- ``/api/terminals/<id>/charge``: the same for programs (GET, POST to ask, DELETE to cancel).

Every route carries ``requires_role(Role.CASHIER)`` (admins pass too) with its role in ``opt``.
Amounts are typed in euros (``12,50`` or ``12.50``) and kept in cents.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, ServerSentEvent
from litestar.response.sse import ServerSentEventMessage
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from core.accounts import Role
from core.i18n import gettext as _
from core.instances import Instance
from core.network import Network
from core.terminals import (
    CHARGE_MODE,
    Charge,
    TapOutcome,
    TapRecord,
    TapStatus,
    Terminal,
    TerminalError,
    status_label,
)
from hosts.web.api_writes import api_post
from hosts.web.auth import actor_of, requires_role
from hosts.web.instances import network_of
from hosts.web.live import POLL_SECONDS, STREAM_SECONDS, live_of
from hosts.web.money_web import format_amount
from hosts.web.pages import page
from hosts.web.routes_admin import current_instance
from hosts.web.routes_terminals_admin import seen_text
from hosts.web.terminal_errors import terminal_message

__all__ = ["CHARGE_ROUTES", "ChargeRequest", "ChargeView", "parse_amount"]

CASHIER = [requires_role(Role.CASHIER)]
STAFF = {"role": Role.CASHIER.value}
_AMOUNT_RE = re.compile(r"^(\d{1,7})(?:[.,](\d{1,2}))?$")


def parse_amount(text: str) -> int:
    """Cents from what a person typed (``12``, ``12,5``, ``12.50``, ``12,50 €``); ValueError."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    found = _AMOUNT_RE.match(cleaned)
    if found is None:
        raise ValueError("not an amount")
    return int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0"))


class ChargeRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``POST /api/terminals/{id}/charge``: an amount in cents."""

    amount: int
    label: str = ""
    repeat: bool = False


class ChargeView(msgspec.Struct, frozen=True, kw_only=True):
    """What waits on a terminal in charge mode, and what the last tap did."""

    terminal_id: str
    status: str
    amount: int
    label: str
    repeat: bool
    version: int
    paid_count: int
    last_tap: str
    last_outcome: TapOutcome | None
    updated_at: float

    @classmethod
    def of(cls, charge: Charge) -> ChargeView:
        """The view of a charge record."""
        return cls(
            terminal_id=charge.terminal_id, status=charge.status.value, amount=charge.amount,
            label=charge.label, repeat=charge.repeat, version=charge.version,
            paid_count=charge.paid_count, last_tap=charge.last_tap,
            last_outcome=charge.last_outcome, updated_at=charge.updated_at,
        )  # fmt: skip


# -- what the page shows ---------------------------------------------------------------------


def outcome_text(outcome: TapOutcome) -> str:
    """One sentence saying what a tap did, in the reader's language."""
    status = outcome.status
    if status == TapStatus.PAID:
        legs = " + ".join(
            f"{leg.asset_code} {format_amount(leg.amount, leg.decimals)}" for leg in outcome.legs
        )
        return _("Paid %(amount)s (%(legs)s).", amount=format_amount(outcome.amount), legs=legs)
    if status == TapStatus.SHORTFALL:
        missing = format_amount(outcome.shortfall, outcome.decimals)
        return _("%(missing)s %(code)s missing: nothing was taken.", missing=missing,
                 code=outcome.asset_code)  # fmt: skip
    texts: dict[str, str] = {
        TapStatus.UNKNOWN_CARD: _("This card is not known in the network."),
        TapStatus.CARD_LOST: _("This card was declared lost."),
        TapStatus.IDLE: _("No amount was waiting on this terminal."),
        TapStatus.REFUSED: _("The money rules refused this payment."),
        TapStatus.UNAVAILABLE: _("This terminal's mode is not available here."),
    }
    return texts.get(status, outcome.message)


def _tap_row(record: TapRecord, now: float) -> dict[str, str]:
    outcome = record.outcome
    return {
        "when": seen_text(record.created_at, now),
        "card": outcome.card_number or record.uid,
        "status": status_label(outcome.status),
        "css": outcome.status,
        "text": outcome_text(outcome),
    }


def charge_context(network: Network, instance: Instance, terminal: Terminal) -> dict[str, Any]:
    """What the status part of the charge page shows (also sent by the live stream)."""
    charge = network.charges.get(instance.slug, terminal.id)
    now = time.time()
    recent = network.taps.recent(terminal.id, limit=5)
    last = charge.last_outcome
    return {
        "charge": charge,
        "amount": format_amount(charge.amount),
        "last": None if last is None else {
            "status": status_label(last.status), "css": last.status, "text": outcome_text(last),
            "card": last.card_number,
        },
        "recent": [_tap_row(r, now) for r in recent],
        "key": (charge.version, terminal.taps, len(recent)),
    }  # fmt: skip


def _charge_terminal(request: Request[Any, Any, Any], terminal_id: str) -> Terminal:
    """A terminal of this instance in charge mode (404 otherwise)."""
    terminal = network_of(request).terminals.require(current_instance(request).slug, terminal_id)
    if terminal.mode != CHARGE_MODE or terminal.revoked:
        raise TerminalError("terminal", "not a terminal in charge mode")
    return terminal


def _charge_page(
    request: Request[Any, Any, Any], terminal: Terminal, *, status: int = 200,
    values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
) -> Response[Any]:  # fmt: skip
    instance = current_instance(request)
    context = charge_context(network_of(request), instance, terminal)
    return page(
        request, "charge.html", status_code=status, terminal=terminal,
        values=values or {"amount": "", "label": "", "repeat": ""}, errors=errors or {},
        **context,
    )  # fmt: skip


# -- pages -----------------------------------------------------------------------------------


@get("/caisse/terminaux", guards=CASHIER, opt=STAFF, include_in_schema=False, sync_to_thread=False)
def terminals_index(request: Request[Any, Any, Any]) -> Response[Any]:
    """The instance's active terminals with the staff page of their mode."""
    instance = current_instance(request)
    network = network_of(request)
    modes = {m.key: m for m in network.terminal_modes(instance)}
    now = time.time()
    rows = []
    for terminal in network.terminals.of_instance(instance.slug):
        if terminal.revoked:
            continue
        mode = modes.get(terminal.mode)
        rows.append(
            {
                "terminal": terminal,
                "mode": mode.label if mode else terminal.mode,
                "href": mode.href_for(terminal.id) if mode else "",
                "seen": seen_text(terminal.last_seen_at, now),
            }
        )
    return page(request, "charge_index.html", rows=rows)


@get("/caisse/terminaux/{terminal_id:str}", guards=CASHIER, opt=STAFF, include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def charge_page(request: Request[Any, Any, Any], terminal_id: FromPath[str]) -> Response[Any]:
    """Type an amount; see the card pay."""
    return _charge_page(request, _charge_terminal(request, terminal_id))


@post("/caisse/terminaux/{terminal_id:str}/montant", guards=CASHIER, opt=STAFF,
      include_in_schema=False)  # fmt: skip
async def ask(request: Request[Any, Any, Any], terminal_id: FromPath[str]) -> Response[Any]:
    """Wait for a card to pay the typed amount; errors stay next to their field."""
    terminal = _charge_terminal(request, terminal_id)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("amount", "label", "repeat")}
    try:
        amount = parse_amount(values["amount"])
    except ValueError:
        errors = {"amount": _("Enter an amount in euros, like 12,50.")}
        return _charge_page(request, terminal, status=400, values=values, errors=errors)
    try:
        network_of(request).charges.ask(
            current_instance(request).slug, terminal.id, amount=amount, label=values["label"],
            repeat=values["repeat"] == "1", by=actor_of(request).label,
        )  # fmt: skip
    except TerminalError as exc:
        if exc.field == "terminal":
            raise
        errors = {exc.field: terminal_message(exc)}
        return _charge_page(request, terminal, status=400, values=values, errors=errors)
    return Redirect(f"/caisse/terminaux/{terminal.id}")


@post("/caisse/terminaux/{terminal_id:str}/annuler", guards=CASHIER, opt=STAFF,
      include_in_schema=False, sync_to_thread=False)  # fmt: skip
def cancel(request: Request[Any, Any, Any], terminal_id: FromPath[str]) -> Response[Any]:
    """Stop waiting for a card."""
    terminal = _charge_terminal(request, terminal_id)
    network_of(request).charges.cancel(
        current_instance(request).slug, terminal.id, by=actor_of(request).label
    )
    return Redirect(f"/caisse/terminaux/{terminal.id}")


@get("/caisse/terminaux/{terminal_id:str}/flux", guards=CASHIER, opt=STAFF,
     include_in_schema=False)  # fmt: skip
async def stream(request: Request[Any, Any, Any], terminal_id: FromPath[str]) -> ServerSentEvent:
    """Server-sent events: the status part of the page each time it changes."""
    terminal = _charge_terminal(request, terminal_id)
    instance = current_instance(request)
    network = network_of(request)
    live = live_of(request.app)
    template = request.app.template_engine.get_template("_charge_status.html")  # type: ignore[union-attr]
    token = value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")
    csrf_input = f'<input type="hidden" name="_csrf_token" value="{html.escape(token)}" />'

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        with live.watch(terminal.id) as wake:
            deadline = time.monotonic() + STREAM_SECONDS
            last_key: Any = None
            last_sent = time.monotonic()
            while time.monotonic() < deadline:
                wake.clear()
                current = network.terminals.get(terminal.id) or terminal
                context = charge_context(network, instance, current)
                if context["key"] != last_key:
                    last_key = context["key"]
                    last_sent = time.monotonic()
                    html_text = template.render(**context, terminal=current, csrf_input=csrf_input)
                    yield ServerSentEventMessage(event="status", data=html_text)
                elif time.monotonic() - last_sent > 15:
                    last_sent = time.monotonic()
                    yield ServerSentEventMessage(comment="still here")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), POLL_SECONDS)

    return ServerSentEvent(events(), retry_duration=2000)


# -- the same for programs -------------------------------------------------------------------


@get("/api/terminals/{terminal_id:str}/charge", guards=CASHIER, opt=STAFF, tags=["terminals"],
     summary="What waits on a terminal in charge mode", sync_to_thread=False)  # fmt: skip
def api_charge(request: Request[Any, Any, Any], terminal_id: FromPath[str]) -> ChargeView:
    """The amount waiting (if any) and the last outcome."""
    terminal = _charge_terminal(request, terminal_id)
    return ChargeView.of(network_of(request).charges.get(terminal.instance, terminal.id))


@api_post("/api/terminals/{terminal_id:str}/charge", guards=CASHIER, opt=STAFF, tags=["terminals"],
      summary="Ask a card to pay an amount", status_code=201, sync_to_thread=False)  # fmt: skip
def api_ask(
    request: Request[Any, Any, Any], terminal_id: FromPath[str], data: JSONBody[ChargeRequest]
) -> ChargeView:
    """Wait for a card to pay ``amount`` cents (``repeat``: after each payment too)."""
    terminal = _charge_terminal(request, terminal_id)
    charge = network_of(request).charges.ask(
        terminal.instance, terminal.id, amount=data.amount, label=data.label,
        repeat=data.repeat, by=actor_of(request).label,
    )  # fmt: skip
    return ChargeView.of(charge)


@delete("/api/terminals/{terminal_id:str}/charge", guards=CASHIER, opt=STAFF, tags=["terminals"],
        summary="Stop waiting for a card", status_code=200, sync_to_thread=False)  # fmt: skip
def api_cancel(request: Request[Any, Any, Any], terminal_id: FromPath[str]) -> ChargeView:
    """Cancel what waits (nothing changes if nothing waits)."""
    terminal = _charge_terminal(request, terminal_id)
    charge = network_of(request).charges.cancel(
        terminal.instance, terminal.id, by=actor_of(request).label
    )
    return ChargeView.of(charge)


CHARGE_ROUTES = [terminals_index, charge_page, ask, cancel, stream, api_charge, api_ask, api_cancel]
