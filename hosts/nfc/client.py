"""The terminal's HTTP client: pairing, then requests signed with the terminal's key.

- One keep-alive connection (``http.client``, no extra dependency), reopened after any error.
- Names under ``.localhost`` are sent to the loopback address, as browsers do (RFC 6761):
  ``http://le-bisik.localhost:8000`` works with no DNS set-up, the ``Host`` header still
  naming the instance.
- The server's clock: every answer of the terminal API carries ``server_time``; the client
  keeps the difference with its own clock and signs with the server's time, so a terminal
  whose clock drifted is not refused as "stale" (the window is still enforced by the server).
- Errors: no answer at all (refused connection, timeout, reset) raises
  :class:`ServerUnreachable`, which callers retry; an answer, even an error, is returned as
  ``(status, body)`` (problem details for refusals).
"""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.terminals.signing import sign_request
from hosts.nfc.errors import HostError, ServerUnreachable

__all__ = ["Answer", "TerminalClient", "normalize_server"]

Answer = tuple[int, dict[str, Any]]


def normalize_server(url: str) -> str:
    """``scheme://host[:port]`` of a server address; HostError if it is not one."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise HostError(f"--server {url!r} is not an address like http://le-bisik.localhost:8000")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise HostError(f"--server {url!r}: give only the instance's address, without a path")
    try:
        port = parts.port
    except ValueError as exc:
        raise HostError(f"--server {url!r}: the port is not a number") from exc
    netloc = parts.hostname.lower() + (f":{port}" if port else "")
    return f"{parts.scheme}://{netloc}"


class TerminalClient:
    """Talks to one server as one terminal."""

    def __init__(
        self, server: str, *, timeout: float = 5.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.server = normalize_server(server)
        parts = urlsplit(self.server)
        self.https = parts.scheme == "https"
        self.hostname = parts.hostname or ""
        self.port = parts.port or (443 if self.https else 80)
        self.host_header = parts.netloc
        loopback = self.hostname == "localhost" or self.hostname.endswith(".localhost")
        self.connect_to = "127.0.0.1" if loopback and not self.https else self.hostname
        self.timeout = timeout
        self.clock = clock
        #: server clock minus ours, learned from ``server_time``
        self.offset = 0.0
        self._conn: http.client.HTTPConnection | None = None

    def now(self) -> float:
        """The server's time, as well as this terminal knows it."""
        return self.clock() + self.offset

    def learn_time(self, server_time: object) -> None:
        """Remember how far the server's clock is from ours."""
        if isinstance(server_time, int | float) and server_time > 0:
            self.offset = float(server_time) - self.clock()

    # -- requests --------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.https:
                self._conn = http.client.HTTPSConnection(
                    self.connect_to, self.port, timeout=self.timeout
                )
            else:
                self._conn = http.client.HTTPConnection(
                    self.connect_to, self.port, timeout=self.timeout
                )
        return self._conn

    def close(self) -> None:
        """Close the connection (a later request opens a new one)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> Answer:
        """POST ``body`` (JSON) to ``path``; ServerUnreachable when no answer came."""
        sent = {
            "Host": self.host_header,
            "Content-Type": "application/json",
            "Accept": "application/json",
            **(headers or {}),
        }
        try:
            conn = self._connection()
            conn.request("POST", path, body=body, headers=sent)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise ServerUnreachable(_why(exc)) from exc
        if response.will_close:
            self.close()
        try:
            decoded = msgspec.json.decode(raw) if raw else {}
        except msgspec.DecodeError:
            decoded = {"detail": raw[:200].decode("utf-8", "replace")}
        answer = decoded if isinstance(decoded, dict) else {"value": decoded}
        self.learn_time(answer.get("server_time"))
        return response.status, answer

    def pair(self, code: str, public_key: str) -> Answer:
        """Send the pairing code and the public key (the only unsigned request)."""
        body = msgspec.json.encode({"code": code, "public_key": public_key})
        return self.post("/api/terminals/pair", body)

    def signed(
        self, path: str, payload: dict[str, Any], *, key: Ed25519PrivateKey, terminal_id: str
    ) -> Answer:
        """POST ``payload`` signed by the terminal (fresh timestamp and nonce each time)."""
        body = msgspec.json.encode(payload)
        headers = sign_request(
            key, terminal_id=terminal_id, method="POST", host=self.host_header, target=path,
            body=body, now=self.now(),
        )  # fmt: skip
        return self.post(path, body, headers)


def _why(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host name"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__
