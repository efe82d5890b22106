"""A terminal's local state file: its key pair and which server and terminal it is.

The terminal host (``tirelire nfc``, :mod:`hosts.nfc.state`) reads and writes it; whoever
pairs a terminal on its behalf writes it too (the demo pairs a simulated terminal and leaves
its file in the data directory). It lives in the core beside the signing functions both sides
use, so there is one format.

The file is JSON, written atomically (a temporary file renamed over the old one), readable by
its owner only (mode 0600, in a directory of mode 0700): it holds the private key, which never
leaves the terminal.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import msgspec

__all__ = ["TerminalState", "read_state", "write_state"]


class TerminalState(msgspec.Struct, kw_only=True):
    """What a terminal remembers between runs."""

    version: int = 1
    #: the server address it was paired with (``http://le-bisik.localhost:8000``)
    server: str = ""
    #: the Ed25519 key pair, raw 32 bytes each, base64url
    private_key: str = ""
    public_key: str = ""
    #: given by the server at pairing ("" until paired)
    terminal_id: str = ""
    name: str = ""
    instance: str = ""
    paired_at: float = 0.0


def read_state(path: Path) -> TerminalState | None:
    """The state in ``path``, or None when there is none.

    OSError when it cannot be read, ``msgspec.DecodeError`` when it is damaged.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    return msgspec.json.decode(raw, type=TerminalState)


def write_state(path: Path, state: TerminalState) -> None:
    """Write ``state`` to ``path`` atomically, for its owner only; OSError if it cannot."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".terminal-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(msgspec.json.format(msgspec.json.encode(state)) + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
