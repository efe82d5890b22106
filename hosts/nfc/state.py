"""The terminal's local state file: its key pair and which server and terminal it is.

Where: ``--state PATH``, else ``$TIRELIRE_NFC_STATE``, else
``$XDG_STATE_HOME/tirelire/terminal.json`` (``~/.local/state/tirelire/terminal.json`` when
``XDG_STATE_HOME`` is not set). The file is JSON, written atomically (a temporary file renamed
over the old one), readable by its owner only (mode 0600, in a directory of mode 0700): it
holds the private key, which never leaves the terminal.

Pairing makes a new key pair and writes it *before* sending the public key, so a crash
between the two leaves a key, never a terminal registered with a key that was lost.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import msgspec

from hosts.nfc.errors import HostError

__all__ = ["TerminalState", "default_state_path", "load_state", "save_state"]


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


def default_state_path() -> Path:
    """``$TIRELIRE_NFC_STATE``, else the XDG state directory's ``tirelire/terminal.json``."""
    explicit = os.environ.get("TIRELIRE_NFC_STATE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "tirelire" / "terminal.json"


def load_state(path: Path) -> TerminalState | None:
    """The state in ``path``, or None when there is none; HostError if it is unreadable."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HostError(f"cannot read the state file {path}: {exc.strerror or exc}") from exc
    try:
        return msgspec.json.decode(raw, type=TerminalState)
    except msgspec.DecodeError as exc:
        raise HostError(f"the state file {path} is damaged ({exc}); pair again") from exc


def save_state(path: Path, state: TerminalState) -> None:
    """Write ``state`` to ``path`` atomically, for its owner only."""
    try:
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
    except OSError as exc:
        raise HostError(f"cannot write the state file {path}: {exc.strerror or exc}") from exc
