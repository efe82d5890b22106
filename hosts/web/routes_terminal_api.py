"""The API a card terminal speaks: pairing (with a one-time code), then signed requests only.

- ``POST /api/terminals/pair``: ``{code, public_key}`` → the new terminal. The code (made by
  an admin of this instance, valid 10 minutes, single use) is the only credential; the key
  pair was made on the terminal.
- ``POST /api/terminals/hello``: signed; the terminal's identity and mode (the host calls it
  at start-up; it also says the terminal is alive).
- ``POST /api/terminals/tap``: signed; ``{tap_id, uid}`` → what the tap did. A retry with the
  same ``tap_id`` gets the first answer back and never acts twice.

Signed requests carry the ``X-Tirelire-*`` headers of :mod:`core.terminals.signing`; the
signature covers the method, the host, the path, the time, the nonce and the body's digest.
Refusals are problem details with ``code`` and ``reason`` (see
:mod:`hosts.web.terminal_errors`). These routes have no role: the terminal's signature (or
the pairing code) is the authorization, and the terminal must belong to the request's
instance.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import msgspec
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from core.instances import Instance
from core.network import Network
from core.terminals import TapRequest, TapResult, Terminal
from core.terminals.signing import SignedRequest

__all__ = ["BODY_MAX", "TERMINAL_API_ROUTES", "HelloAnswer", "PairAnswer", "PairRequest"]

#: a terminal's bodies are tiny; larger ones are refused (413) before being read further
BODY_MAX = 16 * 1024


class PairRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``POST /api/terminals/pair``."""

    #: the code shown in the admin panel (``XXXX-XXXX-XXXX``; case and dashes do not matter)
    code: str
    #: the terminal's Ed25519 public key: 32 bytes, base64url
    public_key: str


class PairAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """Who the terminal is now, and the server's clock (to sign with the right time)."""

    terminal_id: str
    name: str
    instance: str
    instance_name: str
    mode: str
    server_time: float


class HelloAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """The terminal as the server knows it."""

    terminal_id: str
    name: str
    instance: str
    instance_name: str
    mode: str
    mode_label: str
    server_time: float


def _target(request: Request[Any, Any, Any]) -> str:
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    query = request.scope.get("query_string") or b""
    path = raw.decode("latin-1")
    return f"{path}?{query.decode('latin-1')}" if query else path


async def verified(
    request: Request[Any, Any, Any], network: Network, instance: Instance
) -> tuple[Terminal, SignedRequest]:
    """The terminal that signed this request (SignatureError when refused)."""
    body = await request.body()
    return network.terminals.verify(
        dict(request.headers),
        instance=instance.slug,
        method=request.method,
        host=request.headers.get("host", ""),
        target=_target(request),
        body=body,
    )


def _address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client is not None else ""


@post("/api/terminals/pair", tags=["terminals"], summary="Pair a terminal with a one-time code",
      status_code=201, request_max_body_size=BODY_MAX)  # fmt: skip
async def pair(
    request: Request[Any, Any, Any],
    data: JSONBody[PairRequest],
    instance: NamedDependency[Instance],
    network: NamedDependency[Network],
) -> PairAnswer:
    """Spend a pairing code of this instance to register the terminal's public key (wrong
    codes are counted per address: 429 past ten in fifteen minutes)."""
    address = _address(request)
    terminal = await anyio.to_thread.run_sync(
        lambda: network.terminals.pair(instance.slug, data.code, data.public_key, address=address)
    )
    return PairAnswer(
        terminal_id=terminal.id, name=terminal.name, instance=instance.slug,
        instance_name=instance.name, mode=terminal.mode, server_time=network.terminals.clock(),
    )  # fmt: skip


@post("/api/terminals/hello", tags=["terminals"], summary="A terminal says it is alive (signed)",
      status_code=200, request_max_body_size=BODY_MAX)  # fmt: skip
async def hello(
    request: Request[Any, Any, Any],
    instance: NamedDependency[Instance],
    network: NamedDependency[Network],
) -> HelloAnswer:
    """The signed terminal's name and mode; it is marked as seen."""
    _terminal, signed = await verified(request, network, instance)
    address = _address(request)
    terminal = await anyio.to_thread.run_sync(
        lambda: network.terminals.hello(signed, address=address)
    )
    labels = {m.key: m.label for m in network.terminal_modes(instance)}
    return HelloAnswer(
        terminal_id=terminal.id, name=terminal.name, instance=instance.slug,
        instance_name=instance.name, mode=terminal.mode,
        mode_label=labels.get(terminal.mode, terminal.mode),
        server_time=network.terminals.clock(),
    )  # fmt: skip


@post("/api/terminals/tap", tags=["terminals"], summary="A card was tapped (signed, idempotent)",
      status_code=200, request_max_body_size=BODY_MAX)  # fmt: skip
async def tap(
    request: Request[Any, Any, Any],
    data: JSONBody[TapRequest],
    instance: NamedDependency[Instance],
    network: NamedDependency[Network],
) -> TapResult:
    """Hand the tap to the terminal's mode; the same ``tap_id`` again returns the first answer."""
    _terminal, signed = await verified(request, network, instance)
    address = _address(request)
    return await anyio.to_thread.run_sync(
        lambda: network.taps.handle(signed, data, address=address)
    )


TERMINAL_API_ROUTES = [pair, hello, tap]
