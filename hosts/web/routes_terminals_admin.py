"""Admin panel, "Terminals": pair a card reader, see when each was last seen, rename, change
its mode, revoke it; and the same for programs under ``/api/terminals``.

Every route carries ``requires_role(Role.ADMIN)`` and says so in ``opt`` (the authorization
walk of tests/integration/test_web_authz.py covers them). A pairing code is shown once, on
the page that follows its creation, with the command to type on the terminal; only its digest
is stored.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from litestar import Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect

from core.accounts import Role
from core.i18n import gettext as _
from core.i18n import ngettext
from core.network import Network
from core.terminals import CODE_SECONDS, Terminal, TerminalError
from hosts.web.auth import actor_of, requires_role
from hosts.web.instances import network_of, site_of
from hosts.web.pages import page
from hosts.web.routes_admin import ADMIN, current_instance
from hosts.web.terminal_errors import terminal_message

__all__ = ["TERMINALS_ADMIN_ROUTES", "PairingCodeAnswer", "TerminalView", "seen_text"]

ADMIN_ONLY = [requires_role(Role.ADMIN)]


class TerminalView(msgspec.Struct, frozen=True, kw_only=True):
    """A terminal as the API shows it."""

    id: str
    name: str
    mode: str
    revoked: bool
    public_key: str
    paired_at: float
    last_seen_at: float
    taps: int

    @classmethod
    def of(cls, terminal: Terminal) -> TerminalView:
        """The view of a terminal record."""
        return cls(
            id=terminal.id, name=terminal.name, mode=terminal.mode, revoked=terminal.revoked,
            public_key=terminal.public_key, paired_at=terminal.paired_at,
            last_seen_at=terminal.last_seen_at, taps=terminal.taps,
        )  # fmt: skip


class NewPairingCode(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``POST /api/terminals/pairing-codes``."""

    name: str
    mode: str = "charge"


class PairingCodeAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """A pairing code: shown this once, valid until ``expires_at``."""

    code: str
    name: str
    mode: str
    expires_at: float
    command: str


class TerminalChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``PATCH /api/terminals/{id}``: what to change."""

    name: str | None = None
    mode: str | None = None


def seen_text(when: float, now: float | None = None) -> str:
    """When something was last seen, for people: "never", "just now", "2 minutes ago", or the
    date."""
    if not when:
        return _("never")
    elapsed = max(0, int((now if now is not None else time.time()) - when))
    if elapsed < 5:
        return _("just now")
    if elapsed < 60:
        return ngettext("%(num)d second ago", "%(num)d seconds ago", elapsed)
    if elapsed < 3600:
        return ngettext("%(num)d minute ago", "%(num)d minutes ago", elapsed // 60)
    if elapsed < 86400:
        return ngettext("%(num)d hour ago", "%(num)d hours ago", elapsed // 3600)
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(when))


def _command(request: Request[Any, Any, Any], slug: str, code: str) -> str:
    server = site_of(request).url_for(slug)
    return f"tirelire nfc --device usb --server {server} --pair {code}"


def _page(
    request: Request[Any, Any, Any], *, status: int = 200, errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None, created: dict[str, Any] | None = None,
    row_errors: dict[str, str] | None = None,
) -> Response[Any]:  # fmt: skip
    instance = current_instance(request)
    network = network_of(request)
    modes = network.terminal_modes(instance)
    labels = {m.key: m.label for m in modes}
    now = time.time()
    rows = [
        {
            "terminal": t,
            "mode_label": labels.get(t.mode, t.mode),
            "seen": seen_text(t.last_seen_at, now),
            "error": (row_errors or {}).get(t.id, ""),
        }
        for t in network.terminals.of_instance(instance.slug)
    ]
    codes = [
        {
            "name": c.name,
            "mode": labels.get(c.mode, c.mode),
            "minutes": int(c.expires_at - now) // 60,
        }
        for c in network.terminals.pending_codes(instance.slug)
    ]
    return page(
        request, "admin_terminals.html", status_code=status, rows=rows, modes=modes, codes=codes,
        errors=errors or {}, values=values or {"name": "", "mode": "charge"}, created=created,
        minutes=CODE_SECONDS // 60,
    )  # fmt: skip


def _author(request: Request[Any, Any, Any]) -> str:
    return actor_of(request).label


@get("/admin/terminaux", guards=ADMIN_ONLY, opt=ADMIN, include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def terminals_page(request: Request[Any, Any, Any]) -> Response[Any]:
    """The instance's terminals and pending pairing codes."""
    return _page(request)


@post("/admin/terminaux/appairage", guards=ADMIN_ONLY, opt=ADMIN, include_in_schema=False)
async def make_code(request: Request[Any, Any, Any]) -> Response[Any]:
    """Make a pairing code and show it, once, with the command to type on the terminal."""
    instance = current_instance(request)
    form = await request.form()
    values = {"name": str(form.get("name", "")), "mode": str(form.get("mode", ""))}
    try:
        record, code = network_of(request).terminals.new_pairing_code(
            instance, name=values["name"], mode=values["mode"], by=_author(request)
        )
    except TerminalError as exc:
        return _page(request, status=400, errors={exc.field: terminal_message(exc)}, values=values)
    created = {"code": code, "name": record.name, "command": _command(request, instance.slug, code)}
    return _page(request, created=created)


async def _row_change(
    request: Request[Any, Any, Any], terminal_id: str, field: str
) -> Response[Any]:
    instance = current_instance(request)
    network = network_of(request)
    form = await request.form()
    value = str(form.get(field, ""))
    try:
        if field == "name":
            network.terminals.rename(instance.slug, terminal_id, value)
        else:
            network.terminals.set_mode(instance, terminal_id, value)
    except TerminalError as exc:
        if exc.field == "terminal":
            raise
        return _page(request, status=400, row_errors={terminal_id: terminal_message(exc)})
    return Redirect("/admin/terminaux")


@post("/admin/terminaux/{terminal_id:str}/nom", guards=ADMIN_ONLY, opt=ADMIN,
      include_in_schema=False)  # fmt: skip
async def rename(request: Request[Any, Any, Any], terminal_id: FromPath[str]) -> Response[Any]:
    """Rename a terminal."""
    return await _row_change(request, terminal_id, "name")


@post("/admin/terminaux/{terminal_id:str}/mode", guards=ADMIN_ONLY, opt=ADMIN,
      include_in_schema=False)  # fmt: skip
async def change_mode(request: Request[Any, Any, Any], terminal_id: FromPath[str]) -> Response[Any]:
    """Put a terminal in another mode."""
    return await _row_change(request, terminal_id, "mode")


@post("/admin/terminaux/{terminal_id:str}/revoquer", guards=ADMIN_ONLY, opt=ADMIN,
      include_in_schema=False, sync_to_thread=False)  # fmt: skip
def revoke(request: Request[Any, Any, Any], terminal_id: FromPath[str]) -> Response[Any]:
    """Revoke a terminal for ever (its requests are refused from now on)."""
    instance = current_instance(request)
    network_of(request).terminals.revoke(instance.slug, terminal_id, by=_author(request))
    return Redirect("/admin/terminaux")


# -- the same for programs -----------------------------------------------------------------


@get("/api/terminals", guards=ADMIN_ONLY, opt=ADMIN, tags=["terminals"],
     summary="The instance's terminals", sync_to_thread=False)  # fmt: skip
def api_terminals(request: Request[Any, Any, Any]) -> list[TerminalView]:
    """Every terminal of the instance (revoked ones included)."""
    instance = current_instance(request)
    return [TerminalView.of(t) for t in network_of(request).terminals.of_instance(instance.slug)]


@post("/api/terminals/pairing-codes", guards=ADMIN_ONLY, opt=ADMIN, tags=["terminals"],
      summary="Make a one-time pairing code", status_code=201, sync_to_thread=False)  # fmt: skip
def api_make_code(
    request: Request[Any, Any, Any], data: JSONBody[NewPairingCode]
) -> PairingCodeAnswer:
    """A pairing code valid 10 minutes for a new terminal called ``name``, in ``mode``."""
    instance = current_instance(request)
    record, code = network_of(request).terminals.new_pairing_code(
        instance, name=data.name, mode=data.mode, by=_author(request)
    )
    return PairingCodeAnswer(
        code=code, name=record.name, mode=record.mode, expires_at=record.expires_at,
        command=_command(request, instance.slug, code),
    )  # fmt: skip


@patch("/api/terminals/{terminal_id:str}", guards=ADMIN_ONLY, opt=ADMIN, tags=["terminals"],
       summary="Rename a terminal or change its mode", sync_to_thread=False)  # fmt: skip
def api_change(
    request: Request[Any, Any, Any], terminal_id: FromPath[str], data: JSONBody[TerminalChange]
) -> TerminalView:
    """Change the name and/or the mode of a terminal of this instance."""
    instance = current_instance(request)
    terminal = network_of(request).terminals.update(
        instance, terminal_id, name=data.name, mode=data.mode
    )
    return TerminalView.of(terminal)


@post("/api/terminals/{terminal_id:str}/revoke", guards=ADMIN_ONLY, opt=ADMIN,
      tags=["terminals"], summary="Revoke a terminal", status_code=200,
      sync_to_thread=False)  # fmt: skip
def api_revoke(request: Request[Any, Any, Any], terminal_id: FromPath[str]) -> TerminalView:
    """Refuse every request of this terminal from now on."""
    instance = current_instance(request)
    network: Network = network_of(request)
    return TerminalView.of(
        network.terminals.revoke(instance.slug, terminal_id, by=_author(request))
    )


TERMINALS_ADMIN_ROUTES = [
    terminals_page, make_code, rename, change_mode, revoke,
    api_terminals, api_make_code, api_change, api_revoke,
]  # fmt: skip
