"""The terminal's local state file: where it is, and its errors in the host's words.

Where: ``--state PATH``, else ``$TIRELIRE_NFC_STATE``, else
``$XDG_STATE_HOME/tirelire/terminal.json`` (``~/.local/state/tirelire/terminal.json`` when
``XDG_STATE_HOME`` is not set). The format (:class:`core.terminals.state.TerminalState`: JSON,
written atomically, mode 0600 in a directory of mode 0700) is the core's, shared with whoever
pairs a terminal on its behalf (the demo's simulated terminal).

Pairing makes a new key pair and writes it *before* sending the public key, so a crash
between the two leaves a key, never a terminal registered with a key that was lost.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from core.terminals.state import TerminalState, read_state, write_state
from hosts.nfc.errors import HostError

__all__ = ["TerminalState", "default_state_path", "load_state", "save_state"]


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
        return read_state(path)
    except OSError as exc:
        raise HostError(f"cannot read the state file {path}: {exc.strerror or exc}") from exc
    except msgspec.DecodeError as exc:
        raise HostError(f"the state file {path} is damaged ({exc}); pair again") from exc


def save_state(path: Path, state: TerminalState) -> None:
    """Write ``state`` to ``path`` atomically, for its owner only."""
    try:
        write_state(path, state)
    except OSError as exc:
        raise HostError(f"cannot write the state file {path}: {exc.strerror or exc}") from exc
