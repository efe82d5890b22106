"""The one error of the terminal host: what went wrong, in one line a person can act on."""

from __future__ import annotations

__all__ = ["HostError", "ServerUnreachable"]


class HostError(Exception):
    """The terminal cannot go on (bad device, bad server address, pairing refused...)."""


class ServerUnreachable(HostError):
    """No answer from the server (refused connection, timeout, broken connection): retry."""
