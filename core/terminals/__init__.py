"""Card terminals: pairing, signed requests, taps handed to the terminal's mode, charge mode.

See docs/nfc.md. The services are ``network.terminals`` (:class:`Terminals`: pairing codes,
pairing, admin changes, signature checks), ``network.taps`` (:class:`Taps`: one idempotent
write per tap, handed to the hook ``on_card_tap``) and ``network.charges``
(:class:`Charges`: the built-in charge mode). :mod:`core.terminals.state` is the terminal's
own state file (its key pair), shared with the terminal host. Nothing here imports a web
framework.
"""

from core.terminals.charge import CHARGE_MAX, CHARGE_MODE, Charges
from core.terminals.errors import PairingError, SignatureError, TapConflict, TerminalError
from core.terminals.events import TerminalEvents
from core.terminals.model import (
    CardTap,
    Charge,
    ChargeStatus,
    PaidLeg,
    PairingCode,
    TapOutcome,
    TapRecord,
    TapStatus,
    Terminal,
    TerminalMode,
)
from core.terminals.modes import (
    collect_modes,
    format_amount,
    refusal_outcome,
    sale_outcome,
    status_label,
)
from core.terminals.registry import CODE_SECONDS, Terminals, normalize_code
from core.terminals.signing import WINDOW, sign_request
from core.terminals.state import TerminalState, read_state, write_state
from core.terminals.taps import TapRequest, TapResult, Taps

__all__ = [
    "CHARGE_MAX",
    "CHARGE_MODE",
    "CODE_SECONDS",
    "WINDOW",
    "CardTap",
    "Charge",
    "ChargeStatus",
    "Charges",
    "PaidLeg",
    "PairingCode",
    "PairingError",
    "SignatureError",
    "TapConflict",
    "TapOutcome",
    "TapRecord",
    "TapRequest",
    "TapResult",
    "TapStatus",
    "Taps",
    "Terminal",
    "TerminalError",
    "TerminalEvents",
    "TerminalMode",
    "TerminalState",
    "Terminals",
    "collect_modes",
    "format_amount",
    "normalize_code",
    "read_state",
    "refusal_outcome",
    "sale_outcome",
    "sign_request",
    "status_label",
    "write_state",
]
