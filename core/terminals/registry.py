"""Terminals of an instance: pairing codes, pairing, renaming, modes, revocation, signatures.

- An admin makes a **pairing code** (:meth:`Terminals.new_pairing_code`): 12 characters of
  Crockford's base32 (60 random bits), shown once as ``XXXX-XXXX-XXXX``, valid 10 minutes,
  single use, stored only as its SHA-256 digest. Making one also deletes the instance's codes
  expired for more than a day. Typing is forgiving: case, dashes and spaces
  do not matter, ``O`` reads as ``0`` and ``I``/``L`` as ``1``.
- The terminal makes its Ed25519 key pair, then **pairs** (:meth:`Terminals.pair`) with the
  code and its public key: in one write the code is spent and the terminal created, so a code
  pairs exactly one terminal, even when two try at once. Wrong codes are counted per
  network address (:data:`PAIR_FAILURES`, in windows of :data:`PAIR_WINDOW` seconds); past
  that, the address is refused (``too_many``) until its window ends, even with a right code.
- Every later request is **signed** (:mod:`core.terminals.signing`): :meth:`Terminals.verify`
  checks the headers, the time window, the terminal (known, of this instance, not revoked)
  and the signature, without writing; the nonce is recorded by the write that acts on the
  request (:meth:`Terminals.touch_in` or the tap's write), so a replay is refused.
- Admins **rename**, change the **mode** (one of the modes offered on the instance) and
  **revoke** (for ever) a terminal.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable

import lmdb
import msgspec

from core.instances import Instance, Instances
from core.ratelimit import FixedWindows, RateLimited
from core.records import Collection, Index
from core.store import Store, Tx
from core.terminals.errors import PairingError, SignatureError, TerminalError
from core.terminals.model import PairingCode, Terminal, TerminalMode
from core.terminals.replay import ReplayCache
from core.terminals.signing import (
    SignedRequest,
    check_time,
    load_public_key,
    parse_headers,
    verify_signature,
)
from core.tokens import Clock, digest, system_clock

__all__ = ["CODE_SECONDS", "PAIR_FAILURES", "PAIR_WINDOW", "Terminals", "normalize_code"]

CODE_SECONDS = 10 * 60
#: how long a code's record is kept after it expired (the admin page lists only live ones)
CODE_KEPT = 24 * 3600
#: Wrong pairing codes an address may try per window (60-bit codes make guessing hopeless
#: anyway; the limit keeps a scanner from filling logs and the store's writer)
PAIR_FAILURES = 10
PAIR_WINDOW = 15 * 60
NAME_MAX = 80
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
_CODE_LENGTH = 12
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})

ModesOf = Callable[[Instance], list[TerminalMode]]


def normalize_code(code: object) -> str:
    """The code as stored (digested): upper case, no separators, look-alikes mapped."""
    text = code if isinstance(code, str) else ""
    return re.sub(r"[\s-]", "", text).upper().translate(_TYPO)


def _display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def check_name(name: object) -> str:
    """A terminal's name: 1 to 80 characters once trimmed; else TerminalError on ``name``."""
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned:
        raise TerminalError("name", "give the terminal a name")
    if len(cleaned) > NAME_MAX:
        raise TerminalError("name", f"{NAME_MAX} characters at most")
    return cleaned


class Terminals:
    """The terminals and pairing codes of a network, on one store."""

    def __init__(
        self, store: Store, instances: Instances, modes_of: ModesOf, *, clock: Clock = system_clock
    ) -> None:
        self.store = store
        self.instances = instances
        self.modes_of = modes_of
        self.clock = clock
        self.records: Collection[Terminal] = Collection(
            store, "terminals", Terminal, key=lambda t: t.id,
            indexes=(
                Index("instance", lambda t: t.instance),
                Index("public_key", lambda t: t.public_key, unique=True),
            ),
        )  # fmt: skip
        self.codes: Collection[PairingCode] = Collection(
            store, "pairing_codes", PairingCode, key=lambda c: c.key,
            indexes=(Index("instance", lambda c: c.instance),),
        )  # fmt: skip
        self.replay = ReplayCache(store)
        self.pair_failures = FixedWindows(store, "pairing_failures", window_seconds=PAIR_WINDOW)

    # -- reading -------------------------------------------------------------------------

    def get(self, terminal_id: str) -> Terminal | None:
        """The terminal with this id, or None."""
        if not terminal_id:
            return None
        with self.store.read() as txn:
            return self.records.get(txn, terminal_id)

    def of_instance(self, instance: str) -> list[Terminal]:
        """The terminals of an instance (revoked ones included), by name."""
        with self.store.read() as txn:
            found = list(self.records.find(txn, "instance", instance))
        return sorted(found, key=lambda t: (t.revoked, t.name.lower(), t.id))

    def pending_codes(self, instance: str) -> list[PairingCode]:
        """Codes of an instance not used and not expired yet, newest first."""
        now = self.clock()
        with self.store.read() as txn:
            found = [
                c
                for c in self.codes.find(txn, "instance", instance)
                if not c.used_at and c.expires_at > now
            ]
        return sorted(found, key=lambda c: c.created_at, reverse=True)

    def require(self, instance: str, terminal_id: str) -> Terminal:
        """The terminal of ``instance`` with this id; TerminalError on ``terminal`` otherwise."""
        found = self.get(terminal_id)
        if found is None or found.instance != instance:
            raise TerminalError("terminal", "no such terminal in this instance")
        return found

    # -- pairing -------------------------------------------------------------------------

    def new_pairing_code(
        self, instance: Instance, *, name: str, mode: str, by: str = ""
    ) -> tuple[PairingCode, str]:
        """A one-time code for a new terminal of ``instance``; returns the record and the
        code to show (``XXXX-XXXX-XXXX``), which is never stored nor shown again."""
        cleaned = check_name(name)
        self._check_mode(instance, mode)
        code = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
        now = self.clock()
        record = PairingCode(
            key=digest(code), instance=instance.slug, name=cleaned, mode=mode, created_by=by,
            created_at=now, expires_at=now + CODE_SECONDS,
        )  # fmt: skip

        def op(tx: Tx) -> PairingCode:
            stale = [
                c.key
                for c in self.codes.find(tx.txn, "instance", instance.slug)
                if c.expires_at < now - CODE_KEPT
            ]
            for key in stale:  # codes of this instance long expired (or used) go away
                self.codes.delete(tx, key)
            return self.codes.insert(tx, record)

        self.store.write(op)
        return record, _display(code)

    def pair(self, instance: str, code: str, public_key: str, *, address: str = "") -> Terminal:
        """Spend ``code`` (of ``instance``) to register a terminal holding ``public_key``.

        ``address`` (the requester's network address) counts wrong codes: past
        :data:`PAIR_FAILURES` in :data:`PAIR_WINDOW`, PairingError ``too_many`` (its
        ``retry_after`` in seconds) until the window ends.
        """
        try:
            load_public_key(public_key)
        except ValueError as exc:
            raise PairingError("bad_key", "the public key is not an Ed25519 key") from exc
        key = digest(normalize_code(code))
        bucket = f"ip:{address}"

        def op(tx: Tx) -> Terminal | PairingError:
            now = self.clock()
            if address:
                try:
                    self.pair_failures.check(tx, bucket, PAIR_FAILURES, now, "address")
                except RateLimited as limited:
                    refused = PairingError("too_many", "too many wrong pairing codes")
                    refused.retry_after = limited.retry_after
                    return refused
            try:
                return self._spend(tx, instance, key, public_key, now)
            except PairingError as refused:
                if address and refused.reason in {"unknown", "used", "expired"}:
                    # counted in this write, which commits: the refusal is an answer
                    self.pair_failures.hit(tx, bucket, PAIR_FAILURES, now, "address")
                return refused

        found = self.store.write(op)
        if isinstance(found, PairingError):
            raise found
        return found

    def _spend(self, tx: Tx, instance: str, key: str, public_key: str, now: float) -> Terminal:
        found = self.codes.get(tx.txn, key)
        if found is None or found.instance != instance:
            raise PairingError("unknown", "this pairing code is unknown")
        if found.used_at:
            raise PairingError("used", "this pairing code was already used")
        if found.expires_at <= now:
            raise PairingError("expired", "this pairing code has expired")
        if self.records.get_by(tx.txn, "public_key", public_key) is not None:
            raise PairingError("key_in_use", "this public key already belongs to a terminal")
        terminal = Terminal(
            id="trm_" + uuid.uuid4().hex[:20], instance=instance, name=found.name,
            mode=found.mode, public_key=public_key, created_by=found.created_by,
            paired_at=now,
        )  # fmt: skip
        self.records.insert(tx, terminal)
        self.codes.put(tx, msgspec.structs.replace(found, used_at=now, terminal_id=terminal.id))
        return terminal

    # -- administration ------------------------------------------------------------------

    def rename(self, instance: str, terminal_id: str, name: str) -> Terminal:
        """Give a terminal of ``instance`` another name."""
        cleaned = check_name(name)
        return self._change(
            instance, terminal_id, lambda t: msgspec.structs.replace(t, name=cleaned)
        )

    def set_mode(self, instance: Instance, terminal_id: str, mode: str) -> Terminal:
        """Put a terminal in one of the modes offered on its instance."""
        return self.update(instance, terminal_id, mode=mode)

    def update(
        self, instance: Instance, terminal_id: str, *, name: str | None = None,
        mode: str | None = None,
    ) -> Terminal:  # fmt: skip
        """Change the name and/or the mode, both checked first, in one write."""
        cleaned = None if name is None else check_name(name)
        if mode is not None:
            self._check_mode(instance, mode)

        def change(terminal: Terminal) -> Terminal:
            return msgspec.structs.replace(
                terminal,
                name=terminal.name if cleaned is None else cleaned,
                mode=terminal.mode if mode is None else mode,
            )

        return self._change(instance.slug, terminal_id, change)

    def revoke(self, instance: str, terminal_id: str, *, by: str = "") -> Terminal:
        """Refuse every request of this terminal from now on (revoking twice changes nothing)."""

        def change(terminal: Terminal) -> Terminal:
            if terminal.revoked:
                return terminal
            return msgspec.structs.replace(terminal, revoked_at=self.clock(), revoked_by=by)

        return self._change(instance, terminal_id, change)

    def _change(
        self, instance: str, terminal_id: str, change: Callable[[Terminal], Terminal]
    ) -> Terminal:
        def op(tx: Tx) -> Terminal:
            terminal = self.records.get(tx.txn, terminal_id) if terminal_id else None
            if terminal is None or terminal.instance != instance:
                raise TerminalError("terminal", "no such terminal in this instance")
            if terminal.revoked:
                raise TerminalError("terminal", "this terminal was revoked")
            return self.records.put(tx, change(terminal))

        return self.store.write(op)

    def _check_mode(self, instance: Instance, mode: str) -> None:
        if mode not in {m.key for m in self.modes_of(instance)}:
            raise TerminalError("mode", "this mode is not offered on this instance")

    # -- signed requests -----------------------------------------------------------------

    def verify(
        self,
        headers: dict[str, str],
        *,
        instance: str,
        method: str,
        host: str,
        target: str,
        body: bytes,
    ) -> tuple[Terminal, SignedRequest]:
        """Check a signed request made to ``instance`` (no write); SignatureError if refused.

        The nonce is not recorded here: the write that acts on the request does it
        (:meth:`touch_in`), so a request is accepted once.
        """
        signed = parse_headers(headers)
        now = self.clock()
        check_time(signed.timestamp, now)
        with self.store.read() as txn:
            terminal = self.records.get(txn, signed.terminal_id)
        if terminal is None:
            raise SignatureError("unknown_terminal")
        verify_signature(
            terminal.public_key, signed, method=method, host=host, target=target, body=body
        )
        if terminal.revoked:
            raise SignatureError("revoked")
        if terminal.instance != instance:
            raise SignatureError("wrong_instance")
        return terminal, signed

    def touch_in(
        self, tx: Tx, signed: SignedRequest, *, address: str = "", tap: bool = False
    ) -> Terminal:
        """Inside the write acting on a verified request: record its nonce (SignatureError
        ``replayed`` if seen), refuse a terminal revoked meanwhile, note when it was seen."""
        now = self.clock()
        self.replay.record_in(tx, signed.terminal_id, signed.nonce, signed.timestamp, now)
        terminal = self.records.get(tx.txn, signed.terminal_id)
        if terminal is None:
            raise SignatureError("unknown_terminal")
        if terminal.revoked:
            raise SignatureError("revoked")
        changed = msgspec.structs.replace(
            terminal, last_seen_at=now, last_seen_from=address[:100],
            taps=terminal.taps + (1 if tap else 0),
        )  # fmt: skip
        return self.records.put(tx, changed)

    def hello(self, signed: SignedRequest, *, address: str = "") -> Terminal:
        """A terminal says it is alive (a signed request that only records it was seen)."""
        return self.store.write_grouped(lambda tx: self.touch_in(tx, signed, address=address))

    def terminal_in(self, txn: lmdb.Transaction, terminal_id: str) -> Terminal | None:
        """The terminal with this id, read in ``txn``."""
        return self.records.get(txn, terminal_id)
