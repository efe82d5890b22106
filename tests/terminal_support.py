"""Helpers for tests of card terminals: a terminal paired through a real code, signing as one.

- :func:`pair_terminal` pairs a terminal with the core's services (a pairing code made by the
  instance, a key pair made "on the terminal"), as the terminal host would;
- :class:`Paired` signs requests with that terminal's key (``signed``, ``parsed``), and
  :meth:`Paired.tap` sends a tap through ``network.taps`` exactly as the web host does after
  checking the signature.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from core import Network
from core.terminals import TapRequest, TapResult, Terminal
from core.terminals.signing import new_private_key, parse_headers, public_key_text, sign_request

__all__ = ["Paired", "pair_terminal"]


@dataclass
class Paired:
    """A terminal and the private key it made."""

    terminal: Terminal
    key: Any
    host: str

    def signed(
        self, body: Any = b"", *, method: str = "POST", target: str = "/api/terminals/tap",
        now: float, nonce: str | None = None, host: str | None = None,
    ) -> tuple[dict[str, str], bytes]:  # fmt: skip
        """Headers and body of a request signed by this terminal at ``now``."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = sign_request(
            self.key, terminal_id=self.terminal.id, method=method, host=host or self.host,
            target=target, body=raw, now=now, nonce=nonce,
        )  # fmt: skip
        return headers, raw

    def parsed(self, body: Any, *, now: float, **kwargs: Any) -> tuple[Any, bytes]:
        """(parsed signature headers, raw body) of a request signed at ``now``."""
        headers, raw = self.signed(body, now=now, **kwargs)
        return parse_headers(headers), raw

    def tap(self, network: Network, uid: str, tap_id: str, *, now: float) -> TapResult:
        """A card read by this terminal, handled by the core (a new signature each time)."""
        signed, _raw = self.parsed(b"{}", now=now)
        return network.taps.handle(signed, TapRequest(tap_id=tap_id, uid=uid))


def pair_terminal(
    network: Network, instance: str, mode: str = "charge", name: str = "Stand"
) -> Paired:
    """Pair a new terminal of ``instance`` in ``mode`` with a real one-time code."""
    record = network.instances.get(instance)
    assert record is not None
    _code_record, code = network.terminals.new_pairing_code(record, name=name, mode=mode)
    key = new_private_key()
    terminal = network.terminals.pair(instance, code, public_key_text(key))
    return Paired(terminal=terminal, key=key, host=f"{instance}.localhost")
