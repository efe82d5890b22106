"""The terminal vocabulary as msgspec Structs: terminals, pairing codes, taps and their outcomes.

Stored Structs are keyword-only and every field added later gets a default (msgspec's
schema-evolution rules), like every record of the store. Money is an ``int`` in the smallest
unit of its asset.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec

from core.instances import Instance
from core.wallets.model import Card

__all__ = [
    "CardTap",
    "Charge",
    "ChargeStatus",
    "PaidLeg",
    "PairingCode",
    "TapOutcome",
    "TapRecord",
    "TapStatus",
    "Terminal",
    "TerminalMode",
]


class Terminal(msgspec.Struct, kw_only=True):
    """A card reader paired with one instance. Stored, keyed by ``id``.

    Its Ed25519 key pair was made on the terminal; only the public key is here. A revoked
    terminal is refused for ever (pairing again makes a new terminal).
    """

    id: str
    instance: str
    name: str
    #: the key of a mode registered through ``register_terminal_modes`` (``charge``...)
    mode: str
    #: the raw 32-byte Ed25519 public key, base64url without padding
    public_key: str
    created_by: str = ""
    paired_at: float = 0.0
    revoked_at: float = 0.0
    revoked_by: str = ""
    #: the last signed request accepted from it, and the address it came from
    last_seen_at: float = 0.0
    last_seen_from: str = ""
    #: how many taps it sent (replays excluded)
    taps: int = 0

    @property
    def revoked(self) -> bool:
        """True once an admin revoked it."""
        return self.revoked_at > 0


class PairingCode(msgspec.Struct, kw_only=True):
    """A one-time code an admin made to pair a terminal. Stored under the code's digest."""

    key: str
    instance: str
    #: what the terminal will be called and the mode it starts in
    name: str
    mode: str
    created_by: str = ""
    created_at: float = 0.0
    expires_at: float = 0.0
    used_at: float = 0.0
    terminal_id: str = ""


class TerminalMode(msgspec.Struct, frozen=True, kw_only=True):
    """A mode a plugin offers terminals (``register_terminal_modes``)."""

    key: str
    label: str
    #: the staff page of a terminal in this mode; ``{terminal}`` stands for its id
    href: str = ""
    order: int = 100

    def href_for(self, terminal_id: str) -> str:
        """The staff page of one terminal ("" when the mode has none)."""
        return self.href.replace("{terminal}", terminal_id)


class TapStatus(StrEnum):
    """What happened to a tap: the ``status`` of a :class:`TapOutcome`.

    Modes of plugins may answer other statuses of their own (``checked_in``...); these are
    the core's.
    """

    #: a sale was committed
    PAID = "paid"
    #: the balances did not cover the price; nothing moved (``shortfall`` says how much)
    SHORTFALL = "shortfall"
    #: no card of the network has this UID
    UNKNOWN_CARD = "unknown_card"
    #: the card was declared lost
    CARD_LOST = "card_lost"
    #: nothing to do: no amount waiting on this terminal
    IDLE = "idle"
    #: a money rule refused it (asset not accepted, archived...); ``data["code"]`` names it
    REFUSED = "refused"
    #: the terminal's mode is not offered here any more (its plugin was disabled)
    UNAVAILABLE = "unavailable"
    #: a mode's action succeeded without a sale (check-in, membership shown...)
    DONE = "done"


class PaidLeg(msgspec.Struct, frozen=True, kw_only=True):
    """One asset of a sale: ``amount`` of ``asset_code`` (in its smallest unit)."""

    asset_id: int
    asset_code: str
    amount: int
    decimals: int = 2


class TapOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What a tap did, as the mode that handled it answers (and the terminal shows)."""

    status: str
    #: one line in English for logs and the terminal's console
    message: str = ""
    #: the price asked (a sale, a shortfall), in the smallest unit
    amount: int = 0
    #: what is missing when ``status`` is ``shortfall``, in ``asset_code``
    shortfall: int = 0
    asset_id: int = 0
    asset_code: str = ""
    decimals: int = 2
    #: the assets a sale took, in the order it took them
    legs: list[PaidLeg] = msgspec.field(default_factory=list)
    #: the money operation's key (``sale:<operation id>``)
    operation: str = ""
    #: the number printed on the card, when the card is known
    card_number: str = ""
    #: details a mode adds for its own pages
    data: dict[str, Any] = msgspec.field(default_factory=dict)


class CardTap(msgspec.Struct, frozen=True, kw_only=True):
    """A card read by a terminal, as ``on_card_tap`` receives it."""

    #: the id the terminal chose; a retry carries the same one
    tap_id: str
    #: ``tap:<terminal id>:<tap id>``: the operation id of any money action the tap makes
    operation_id: str
    #: the UID as the reader read it, normalized (upper-case hex)
    uid: str
    #: the card with this UID, or None when the network does not know it
    card: Card | None
    terminal: Terminal
    instance: Instance
    at: float


class TapRecord(msgspec.Struct, kw_only=True):
    """A tap already answered, stored under ``<terminal id>:<tap id>``: a retry gets it back."""

    key: str
    terminal_id: str
    tap_id: str
    instance: str
    uid: str
    mode: str
    outcome: TapOutcome
    created_at: float = 0.0


class ChargeStatus(StrEnum):
    """Where the amount waiting on a terminal in charge mode stands."""

    #: nothing asked
    IDLE = "idle"
    #: waiting for a card
    PENDING = "pending"
    PAID = "paid"
    CANCELLED = "cancelled"


class Charge(msgspec.Struct, kw_only=True):
    """The amount staff typed on a terminal's page, waiting for a card. Keyed by terminal."""

    terminal_id: str
    instance: str
    status: ChargeStatus = ChargeStatus.IDLE
    #: in the smallest unit of the primary asset's decimals (cents)
    amount: int = 0
    label: str = ""
    #: stays pending after each payment (a stall selling one thing at one price)
    repeat: bool = False
    created_by: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0
    #: grows at every change: live pages compare it
    version: int = 0
    #: how many taps paid it
    paid_count: int = 0
    last_tap: str = ""
    last_outcome: TapOutcome | None = None
