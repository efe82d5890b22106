"""E-mailed links: single use, short-lived, stored only as a digest, rate-limited.

Every link that lets someone in (log in, confirm a new instance, accept an invitation) is a
:class:`LoginLink`: a random secret sent by e-mail, kept as its SHA-256 digest, valid for
15 minutes, consumed once (the consuming write marks it used, so two clicks racing on the same
link let exactly one through). Issuing is limited per e-mail address and per IP address in
fixed windows; the counters live in the store, so every server worker sees the same ones.

A link carries a ``purpose`` (``login``, ``create-instance``...) and optional ``data`` (what
the purpose needs, e.g. the instance creation form); consuming checks the purpose, so a link
made for one thing never does another.
"""

from __future__ import annotations

from typing import Any

import msgspec

from core.accounts import normalize_email
from core.ratelimit import FixedWindows, RateLimited
from core.records import Collection, Index
from core.store import Store, Tx
from core.tokens import Clock, digest, new_secret, system_clock

__all__ = ["LinkError", "LoginLink", "LoginLinks", "RateLimited"]

LINK_SECONDS = 15 * 60
WINDOW_SECONDS = 15 * 60
PER_EMAIL = 5
PER_IP = 20


class LinkError(ValueError):
    """A link cannot be used; ``reason`` is ``unknown``, ``expired``, ``used`` or ``purpose``."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"this link cannot be used: {reason}")
        self.reason = reason


class LoginLink(msgspec.Struct, kw_only=True):
    """A link sent by e-mail, stored under the digest of its secret."""

    key: str
    email: str
    purpose: str
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    created_at: float
    expires_at: float
    used_at: float = 0.0


class LoginLinks:
    """Issue and consume e-mailed links."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock = system_clock,
        per_email: int = PER_EMAIL,
        per_ip: int = PER_IP,
    ) -> None:
        self.store = store
        self.clock = clock
        self.per_email = per_email
        self.per_ip = per_ip
        self.links: Collection[LoginLink] = Collection(
            store, "login_links", LoginLink, key=lambda link: link.key,
            indexes=(Index("email", lambda link: link.email),),
        )  # fmt: skip
        self.windows = FixedWindows(store, "rate_counters", window_seconds=WINDOW_SECONDS)

    def issue(
        self, email: str, *, purpose: str, ip: str = "", data: dict[str, Any] | None = None
    ) -> str:
        """Make a link for ``email``; returns its secret (to put in the e-mailed URL).

        Raises :class:`RateLimited` when the e-mail or the IP asked too often, and
        ``AccountError`` when ``email`` is not an e-mail address. Nothing is stored then.
        """
        cleaned = normalize_email(email)
        secret = new_secret()

        def op(tx: Tx) -> str:
            now = self.clock()
            self.windows.hit(tx, f"email:{cleaned}", self.per_email, now, "e-mail address")
            if ip:
                self.windows.hit(tx, f"ip:{ip}", self.per_ip, now, "network address")
            link = LoginLink(
                key=digest(secret),
                email=cleaned,
                purpose=purpose,
                data=data or {},
                created_at=now,
                expires_at=now + LINK_SECONDS,
            )
            self.links.put(tx, link)
            return secret

        return self.store.write(op)

    def consume(self, tx: Tx, secret: str, *, purpose: str) -> LoginLink:
        """Inside a write: mark the link used and return it, or raise :class:`LinkError`.

        Do the work the link allows in the same write, so the link is spent only if the work
        is done, and done only once.
        """
        if not secret or len(secret) > 200:
            raise LinkError("unknown")
        link = self.links.get(tx.txn, digest(secret))
        if link is None:
            raise LinkError("unknown")
        if link.purpose != purpose:
            raise LinkError("purpose")
        if link.used_at:
            raise LinkError("used")
        now = self.clock()
        if link.expires_at <= now:
            raise LinkError("expired")
        return self.links.put(tx, msgspec.structs.replace(link, used_at=now))

    def peek(self, secret: str) -> LoginLink | None:
        """The link of ``secret`` without consuming it (to show a confirmation page)."""
        if not secret or len(secret) > 200:
            return None
        with self.store.read() as txn:
            return self.links.get(txn, digest(secret))

    def purge(self, *, older_than: float = 24 * 3600) -> int:
        """Delete links and counters whose time is long past; returns how many links went."""
        limit = self.clock() - older_than

        def op(tx: Tx) -> int:
            old = [x.key for x in self.links.scan(tx.txn) if x.expires_at < limit]
            for key in old:
                self.links.delete(tx, key)
            self.windows.purge(tx, limit)
            return len(old)

        return self.store.write(op)
