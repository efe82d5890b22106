"""Terminal errors as programs and people read them: problem details, or the error page.

- :class:`core.terminals.SignatureError`: 401 (403 for a revoked terminal or one of another
  instance), ``code = "signature_refused"``, ``reason`` (``stale``, ``replayed``...) and
  ``server_time`` (a terminal whose clock drifted corrects itself with it).
- :class:`core.terminals.PairingError`: 400, ``code = "pairing_refused"``, ``reason``
  (``unknown``, ``used``, ``expired``, ``bad_key``, ``key_in_use``); 429 with
  ``Retry-After`` for ``too_many``.
- :class:`core.terminals.TerminalError`: 422 naming the ``field`` (404 when the terminal
  itself is not found in this instance).
- :class:`core.terminals.TapConflict`: 409, ``code = "tap_conflict"``.

Forms catch these themselves to show the message next to the field.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from core.i18n import N_
from core.i18n import gettext as _
from core.terminals import PairingError, SignatureError, TapConflict, TerminalError
from hosts.web.errors import problem, wants_json
from hosts.web.pages import page

__all__ = ["TERMINAL_EXCEPTION_HANDLERS", "pairing_message", "terminal_message"]

_SIGNATURE = {
    "missing_headers": N_("The request is not signed."),
    "bad_headers": N_("A signature header is malformed."),
    "stale": N_("The request is too old: check the terminal's clock."),
    "future": N_("The request is dated in the future: check the terminal's clock."),
    "unknown_terminal": N_("This terminal is unknown: pair it again."),
    "bad_signature": N_("The signature does not match the request."),
    "replayed": N_("This request was already received."),
    "revoked": N_("This terminal was revoked: pair it again."),
    "wrong_instance": N_("This terminal belongs to another collective."),
}

_PAIRING = {
    "unknown": N_("This pairing code is unknown."),
    "used": N_("This pairing code was already used."),
    "expired": N_("This pairing code has expired: make a new one."),
    "bad_key": N_("The terminal's public key is not a valid Ed25519 key."),
    "key_in_use": N_("This key already belongs to another terminal."),
}
_TOO_MANY = N_(
    "Too many wrong pairing codes came from this address. Try again in %(minutes)d minutes."
)

_FIELDS = {
    "amount": N_("Enter an amount greater than zero, at most 10000."),
    "label": N_("80 characters at most."),
    "name": N_("Give the terminal a name of 80 characters at most."),
    "mode": N_("Choose one of the modes offered here."),
    "terminal": N_("This terminal does not exist here, was revoked or is in another mode."),
    "tap_id": N_("A tap id has 8 to 64 letters, digits, '-' or '_'."),
    "uid": N_("This card identifier is not a UID (hexadecimal, 4, 7, 8 or 10 bytes)."),
}


def terminal_message(exc: TerminalError) -> str:
    """A terminal or charge error in the reader's language."""
    return _(_FIELDS.get(exc.field, "Check this field."))


def pairing_message(exc: PairingError) -> str:
    """A pairing refusal in the reader's language."""
    if exc.reason == "too_many":
        return _(_TOO_MANY, minutes=max(1, (exc.retry_after + 59) // 60))
    return _(_PAIRING.get(exc.reason, "This pairing code cannot be used."))


def _answer(
    request: Request[Any, Any, Any], status: int, detail: str, **extra: Any
) -> Response[Any]:
    if wants_json(request):
        return problem(status, detail, **extra)
    return page(
        request, "error.html", status_code=status, status=status,
        title=_("This could not be done"), detail=detail, home="/",
    )  # fmt: skip


def _signature(request: Request[Any, Any, Any], exc: SignatureError) -> Response[Any]:
    detail = _(_SIGNATURE[exc.reason])
    extra: dict[str, Any] = {"code": exc.code, "reason": exc.reason}
    if exc.server_time:
        extra["server_time"] = exc.server_time
    return _answer(request, exc.status, detail, **extra)


def _pairing(request: Request[Any, Any, Any], exc: PairingError) -> Response[Any]:
    if exc.reason != "too_many":
        return _answer(request, 400, pairing_message(exc), code=exc.code, reason=exc.reason)
    response = _answer(request, 429, pairing_message(exc), code=exc.code, reason=exc.reason)
    response.headers["retry-after"] = str(exc.retry_after)
    return response


def _terminal(request: Request[Any, Any, Any], exc: TerminalError) -> Response[Any]:
    status = 404 if exc.field == "terminal" else 422
    return _answer(request, status, terminal_message(exc), code=exc.code, field=exc.field)


def _conflict(request: Request[Any, Any, Any], exc: TapConflict) -> Response[Any]:
    detail = _("This tap id was already used for another card.")
    return _answer(request, 409, detail, code=exc.code)


TERMINAL_EXCEPTION_HANDLERS: dict[Any, Any] = {
    SignatureError: _signature,
    PairingError: _pairing,
    TerminalError: _terminal,
    TapConflict: _conflict,
}
