"""People: users (one account for the whole network), their roles per instance, sessions.

- A user is identified by e-mail (stored lower-case) and never has a password: they log in by
  e-mailed link (:mod:`core.login_links`).
- A role is granted per instance: admin, treasurer, cashier or member. An admin may do what
  every other role may do; the others only their own job (and what members may do).
- A session is a random secret in an HttpOnly cookie; only its digest is stored, with an
  expiry. Logging out deletes it; :meth:`Accounts.close_all_sessions` ends every session of a
  user.
"""

from __future__ import annotations

import re
import uuid
from enum import StrEnum

import msgspec

from core.i18n import N_
from core.records import Collection, Index
from core.store import Store, Tx
from core.tokens import Clock, digest, new_secret, system_clock

__all__ = [
    "ROLE_LABELS",
    "AccountError",
    "Accounts",
    "Grant",
    "Role",
    "Session",
    "User",
    "normalize_email",
    "role_allows",
]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SESSION_SECONDS = 30 * 24 * 3600


class Role(StrEnum):
    """What a person may do in one instance."""

    ADMIN = "admin"
    TREASURER = "treasurer"
    CASHIER = "cashier"
    MEMBER = "member"


#: What people read for each role (message ids, translated by the web layer).
ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.TREASURER: N_("Treasurer"),
    Role.CASHIER: N_("Cashier"),
    Role.MEMBER: N_("Member"),
}


def role_allows(role: Role | None, needed: Role) -> bool:
    """True when someone holding ``role`` may act where ``needed`` is required."""
    if role is None:
        return False
    return role == needed or role == Role.ADMIN or needed == Role.MEMBER


class AccountError(ValueError):
    """A rule about accounts was broken; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class User(msgspec.Struct, kw_only=True):
    """A person of the network. One account works on every instance."""

    id: str
    email: str
    name: str = ""
    language: str = "fr"
    created_at: float = 0.0


class Grant(msgspec.Struct, kw_only=True):
    """A role held by a user in an instance."""

    instance: str
    user_id: str
    role: Role
    granted_at: float = 0.0


class Session(msgspec.Struct, kw_only=True):
    """A logged-in browser: stored under the digest of its cookie's secret."""

    key: str
    user_id: str
    created_at: float
    expires_at: float


def normalize_email(email: str) -> str:
    """The e-mail as stored (trimmed, lower-case); raises AccountError if it is not one."""
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not EMAIL_RE.match(cleaned):
        raise AccountError("email", "this is not a valid e-mail address")
    return cleaned


class Accounts:
    """Users, roles and sessions in a store."""

    def __init__(self, store: Store, *, clock: Clock = system_clock) -> None:
        self.store = store
        self.clock = clock
        self.users: Collection[User] = Collection(
            store, "users", User, key=lambda u: u.id,
            indexes=(Index("email", lambda u: u.email, unique=True),),
        )  # fmt: skip
        self.grants: Collection[Grant] = Collection(
            store, "grants", Grant, key=lambda g: f"{g.instance}\x00{g.user_id}",
            indexes=(Index("user", lambda g: g.user_id), Index("instance", lambda g: g.instance)),
        )  # fmt: skip
        self.sessions: Collection[Session] = Collection(
            store, "sessions", Session, key=lambda s: s.key,
            indexes=(Index("user", lambda s: s.user_id),),
        )  # fmt: skip

    # -- users -----------------------------------------------------------------------------

    def user(self, user_id: str) -> User | None:
        """The user with this id, or None."""
        with self.store.read() as txn:
            return self.users.get(txn, user_id)

    def user_by_email(self, email: str) -> User | None:
        """The user with this e-mail, or None (also for something that is not an e-mail)."""
        try:
            cleaned = normalize_email(email)
        except AccountError:
            return None
        with self.store.read() as txn:
            return self.users.get_by(txn, "email", cleaned)

    def ensure_user(self, tx: Tx, email: str, *, language: str = "fr") -> User:
        """Inside a write: the user with this e-mail, created if new."""
        cleaned = normalize_email(email)
        found = self.users.get_by(tx.txn, "email", cleaned)
        if found is not None:
            return found
        user = User(id=uuid.uuid4().hex, email=cleaned, language=language, created_at=self.clock())
        return self.users.put(tx, user)

    def update_user(self, user_id: str, *, name: str, language: str) -> User:
        """Change a user's settings (name, language)."""
        if language not in {"fr", "en"}:
            raise AccountError("language", "choose fr or en")
        if len(name) > 200:
            raise AccountError("name", "200 characters at most")

        def op(tx: Tx) -> User:
            user = self.users.get(tx.txn, user_id)
            if user is None:
                raise AccountError("user", "no such user")
            changed = msgspec.structs.replace(user, name=name.strip(), language=language)
            return self.users.put(tx, changed)

        return self.store.write(op)

    # -- roles -----------------------------------------------------------------------------

    def role_of(self, instance: str, user_id: str) -> Role | None:
        """The role ``user_id`` holds in ``instance``, or None."""
        with self.store.read() as txn:
            grant = self.grants.get(txn, f"{instance}\x00{user_id}")
        return None if grant is None else grant.role

    def grant(self, tx: Tx, instance: str, user_id: str, role: Role) -> Grant:
        """Inside a write: give ``user_id`` the ``role`` in ``instance`` (replacing another)."""
        return self.grants.put(
            tx, Grant(instance=instance, user_id=user_id, role=role, granted_at=self.clock())
        )

    def revoke(self, tx: Tx, instance: str, user_id: str) -> bool:
        """Inside a write: remove the user's role in the instance; False if there was none."""
        return self.grants.delete(tx, f"{instance}\x00{user_id}")

    def members_of(self, instance: str) -> list[tuple[User, Grant]]:
        """Everyone holding a role in ``instance``, with their grant, by e-mail."""
        with self.store.read() as txn:
            rows = []
            for grant in self.grants.find(txn, "instance", instance):
                user = self.users.get(txn, grant.user_id)
                if user is not None:
                    rows.append((user, grant))
        return sorted(rows, key=lambda row: row[0].email)

    def grants_of(self, user_id: str) -> list[Grant]:
        """Every role the user holds, across instances."""
        with self.store.read() as txn:
            return list(self.grants.find(txn, "user", user_id))

    # -- sessions --------------------------------------------------------------------------

    def open_session(self, tx: Tx, user_id: str) -> str:
        """Inside a write: start a session for ``user_id``; returns the cookie's secret."""
        secret = new_secret()
        now = self.clock()
        session = Session(
            key=digest(secret), user_id=user_id, created_at=now, expires_at=now + SESSION_SECONDS
        )
        self.sessions.put(tx, session)
        return secret

    def session_user(self, secret: str | None) -> User | None:
        """The user of a live session cookie, or None (unknown, expired or ended)."""
        if not secret or len(secret) > 200:
            return None
        with self.store.read() as txn:
            session = self.sessions.get(txn, digest(secret))
            if session is None or session.expires_at <= self.clock():
                return None
            return self.users.get(txn, session.user_id)

    def close_session(self, secret: str | None) -> bool:
        """End the session of this cookie (logout); False if there was none."""
        if not secret or len(secret) > 200:
            return False
        return self.store.write(lambda tx: self.sessions.delete(tx, digest(secret)))

    def close_all_sessions(self, user_id: str) -> int:
        """End every session of a user; returns how many were ended."""

        def op(tx: Tx) -> int:
            keys = [s.key for s in self.sessions.find(tx.txn, "user", user_id)]
            for key in keys:
                self.sessions.delete(tx, key)
            return len(keys)

        return self.store.write(op)
