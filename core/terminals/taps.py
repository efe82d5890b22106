"""A card tapped on a terminal: one atomic, idempotent write that hands it to the terminal's mode.

:meth:`Taps.handle` runs in one write through the group-commit writer (one fsync for many
taps):

0. before the write, the plugins are given the chance to build their per-network services
   (:meth:`core.network.Network.ready`, once per network): opening a collection writes, so
   it must not happen inside the tap's write;
1. the request's nonce is recorded (a replay is refused) and the terminal is checked again
   (revoked meanwhile: refused) and marked as seen;
2. a tap already answered under ``<terminal id>:<tap id>`` returns its stored answer
   (``replayed``): a retry after a timeout never acts twice, even when the first attempt
   committed and only the answer was lost; the same tap id with another card is a conflict;
3. the mode must still be offered on the instance; then the hook ``on_card_tap`` is called
   through the instance's hooks (firstresult: the plugin owning the mode answers), inside a
   nested transaction: a money error it lets through (insufficient funds, unknown card...)
   undoes what the plugin wrote and becomes the outcome;
4. the outcome is stored with the tap (and in the terminal's log of recent taps), and the
   terminal's listeners (live pages) are told after the commit.

The tap's operation id is ``tap:<terminal id>:<tap id>``: a mode uses it as the operation id
of its money action, so even the money service refuses to move money twice for one tap.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import msgspec

from core.plugins import PluginError
from core.records import Collection
from core.store import Tx
from core.terminals.errors import SignatureError, TapConflict, TerminalError
from core.terminals.events import TerminalEvents
from core.terminals.model import CardTap, TapOutcome, TapRecord, TapStatus
from core.terminals.modes import collect_modes, refusal_outcome
from core.terminals.registry import Terminals
from core.terminals.signing import SignedRequest
from core.tokens import Clock, system_clock
from core.wallets import InvalidInput, MoneyError, normalize_uid

if TYPE_CHECKING:
    from core.network import Network

__all__ = ["TAP_ID_RE", "TapLogEntry", "TapRequest", "TapResult", "Taps"]

TAP_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_LOG_MAX = (1 << 64) - 1


class TapRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What a terminal sends for a tap (the body of ``POST /api/terminals/tap``)."""

    #: chosen by the terminal (8 to 64 of ``A-Z a-z 0-9 _ -``); a retry sends the same
    tap_id: str
    #: the card's UID as read (hex; separators allowed)
    uid: str
    #: when the card was read, by the terminal's clock (informational)
    read_at: float = 0.0


class TapResult(msgspec.Struct, frozen=True, kw_only=True):
    """What the server answers to a tap."""

    tap_id: str
    terminal: str
    mode: str
    #: true when this answer is the stored one of an earlier attempt with the same tap id
    replayed: bool
    outcome: TapOutcome


class TapLogEntry(msgspec.Struct, kw_only=True):
    """The terminal's log of taps, newest first: ``<terminal id>/<inverted time>/<tap id>``."""

    key: str
    tap_key: str


class Taps:
    """Taps of every terminal of a network, and their stored outcomes."""

    def __init__(
        self, network: Network, terminals: Terminals, events: TerminalEvents, *,
        clock: Clock = system_clock,
    ) -> None:  # fmt: skip
        self.network = network
        self.store = network.store
        self.terminals = terminals
        self.events = events
        self.clock = clock
        self.records: Collection[TapRecord] = Collection(
            self.store, "taps", TapRecord, key=lambda r: r.key
        )
        self.log: Collection[TapLogEntry] = Collection(
            self.store, "tap_log", TapLogEntry, key=lambda e: e.key
        )

    def handle(self, signed: SignedRequest, request: TapRequest, *, address: str = "") -> TapResult:
        """Act on a verified tap request (see the module); one grouped, durable write."""
        if not isinstance(request.tap_id, str) or not TAP_ID_RE.match(request.tap_id):
            raise TerminalError("tap_id", "8 to 64 letters, digits, '-' or '_'")
        try:
            uid = normalize_uid(request.uid)
        except InvalidInput as exc:
            raise TerminalError("uid", exc.message) from exc
        self.network.ready()  # plugins open their collections now: never inside the write
        return self.store.write_grouped(
            lambda tx: self._handle_in(tx, signed, request, uid, address)
        )

    def _handle_in(
        self, tx: Tx, signed: SignedRequest, request: TapRequest, uid: str, address: str
    ) -> TapResult:
        terminal = self.terminals.touch_in(tx, signed, address=address)
        key = f"{terminal.id}:{request.tap_id}"
        done = self.records.get(tx.txn, key)
        if done is not None:
            if done.uid != uid:
                raise TapConflict(request.tap_id)
            return TapResult(
                tap_id=request.tap_id, terminal=terminal.id, mode=done.mode, replayed=True,
                outcome=done.outcome,
            )  # fmt: skip
        instance = self.network.instances.records.get(tx.txn, terminal.instance)
        if instance is None:  # an instance is never deleted; a broken store is not a tap
            raise SignatureError("wrong_instance")
        now = self.clock()
        tap = CardTap(
            tap_id=request.tap_id,
            operation_id=f"tap:{terminal.id}:{request.tap_id}",
            uid=uid,
            card=self.network.money.card_records.get_by(tx.txn, "uid", uid),
            terminal=terminal,
            instance=instance,
            at=now,
        )
        outcome = self._dispatch(tx, tap)
        self.records.put(
            tx,
            TapRecord(
                key=key, terminal_id=terminal.id, tap_id=request.tap_id, instance=instance.slug,
                uid=uid, mode=terminal.mode, outcome=outcome, created_at=now,
            ),
        )  # fmt: skip
        inverted = _LOG_MAX - int(now * 1_000_000)
        log_key = f"{terminal.id}/{inverted:016x}/{request.tap_id}"
        self.log.put(tx, TapLogEntry(key=log_key, tap_key=key))
        self.terminals.records.put(tx, msgspec.structs.replace(terminal, taps=terminal.taps + 1))
        self.events.changed_in(tx, instance.slug, terminal.id)
        return TapResult(
            tap_id=request.tap_id, terminal=terminal.id, mode=terminal.mode, replayed=False,
            outcome=outcome,
        )  # fmt: skip

    def _dispatch(self, tx: Tx, tap: CardTap) -> TapOutcome:
        """Ask the plugin owning the terminal's mode; money refusals become outcomes."""
        hooks = self.network.hooks_for(tap.instance)
        mode = tap.terminal.mode
        if mode not in {m.key for m in collect_modes(hooks, tap.instance)}:
            return TapOutcome(
                status=TapStatus.UNAVAILABLE, message=f"mode {mode!r} is not offered here"
            )
        card_number = tap.card.number if tap.card is not None else ""
        try:
            answer = tx.nested(
                lambda child: hooks.on_card_tap(tx=child, tap=tap, network=self.network)
            )
        except MoneyError as exc:
            return refusal_outcome(
                tx.txn, self.network.money.assets.get_in, exc, card_number=card_number
            )
        if answer is None:
            return TapOutcome(
                status=TapStatus.UNAVAILABLE, message=f"no plugin handles the mode {mode!r}"
            )
        if not isinstance(answer, TapOutcome):
            raise PluginError(
                f"hook 'on_card_tap' answered {type(answer).__name__}, not TapOutcome"
            )
        return answer

    # -- reading -------------------------------------------------------------------------

    def get(self, terminal_id: str, tap_id: str) -> TapRecord | None:
        """The stored tap, or None."""
        with self.store.read() as txn:
            return self.records.get(txn, f"{terminal_id}:{tap_id}")

    def recent(self, terminal_id: str, limit: int = 10) -> list[TapRecord]:
        """The last taps of a terminal, newest first."""
        with self.store.read() as txn:
            found = []
            for entry in self.log.scan(txn, prefix=f"{terminal_id}/", limit=limit):
                record = self.records.get(txn, entry.tap_key)
                if record is not None:
                    found.append(record)
        return found
