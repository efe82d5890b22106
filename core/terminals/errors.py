"""The errors of terminals: each carries a stable ``code`` (or ``reason``) the web layer maps.

- :class:`TerminalError`: bad input from an admin or a cashier (``field`` names it), or a
  terminal that does not exist in this instance.
- :class:`PairingError`: a pairing code that cannot be used (``reason``: ``unknown``,
  ``used``, ``expired``), a public key that is not one (``bad_key``, ``key_in_use``), or an
  address that tried too many wrong codes (``too_many``, with ``retry_after`` seconds).
- :class:`SignatureError`: a terminal's request refused before anything happens
  (``reason`` below); the HTTP status it deserves is ``status``.
- :class:`TapConflict`: a tap id already used for another card.
"""

from __future__ import annotations

__all__ = ["PairingError", "SignatureError", "TapConflict", "TerminalError"]


class TerminalError(ValueError):
    """A rule about terminals or charges was broken; ``field`` names the offending input."""

    code = "terminal_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class PairingError(ValueError):
    """A pairing cannot be done; ``reason`` says why (never which part of a code was wrong)."""

    code = "pairing_refused"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        #: seconds before trying again (``too_many`` only)
        self.retry_after = 0


#: reason -> (HTTP status, English explanation)
SIGNATURE_REASONS = {
    "missing_headers": (401, "the request is not signed (X-Tirelire-* headers missing)"),
    "bad_headers": (401, "a signature header is malformed"),
    "stale": (401, "the request is older than the allowed window"),
    "future": (401, "the request is dated too far in the future"),
    "unknown_terminal": (401, "no terminal has this id"),
    "bad_signature": (401, "the signature does not match the request"),
    "replayed": (401, "this request was already received"),
    "revoked": (403, "this terminal was revoked"),
    "wrong_instance": (403, "this terminal belongs to another instance"),
}


class SignatureError(PermissionError):
    """A terminal's signed request was refused; ``reason`` is a key of SIGNATURE_REASONS."""

    code = "signature_refused"

    def __init__(self, reason: str, *, server_time: float = 0.0) -> None:
        status, message = SIGNATURE_REASONS[reason]
        super().__init__(message)
        self.reason = reason
        self.status = status
        self.message = message
        #: the server's clock, so a terminal whose clock drifted can correct itself
        self.server_time = server_time


class TapConflict(ValueError):
    """This terminal already used this tap id for another card: nothing happened."""

    code = "tap_conflict"

    def __init__(self, tap_id: str) -> None:
        super().__init__(f"tap {tap_id!r} was already used for another card")
        self.tap_id = tap_id
