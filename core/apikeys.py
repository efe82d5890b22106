"""API keys for external tools: shown once at creation, stored hashed, revocable.

A key acts with one role on one instance. Its secret reads ``tl_<id>_<random>``: the id part
lets an admin recognise a key in a list and lets the server find it; the whole secret's
SHA-256 digest is what is stored and compared (by digest lookup, never byte by byte).
"""

from __future__ import annotations

import secrets
from typing import cast

import msgspec

from core.accounts import Role
from core.records import Collection, Index
from core.store import Store, Tx
from core.tokens import Clock, digest, system_clock

__all__ = ["ApiKey", "ApiKeyError", "ApiKeys"]

PREFIX = "tl_"


class ApiKeyError(ValueError):
    """A rule about API keys was broken; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ApiKey(msgspec.Struct, kw_only=True):
    """An external tool's key: its role on one instance; the secret itself is not kept."""

    id: str
    instance: str
    role: Role
    label: str
    secret_digest: str
    created_at: float
    created_by: str = ""
    revoked_at: float = 0.0

    @property
    def active(self) -> bool:
        """False once revoked."""
        return not self.revoked_at


class ApiKeys:
    """Create, list, authenticate and revoke API keys."""

    def __init__(self, store: Store, *, clock: Clock = system_clock) -> None:
        self.store = store
        self.clock = clock
        self.keys: Collection[ApiKey] = Collection(
            store, "api_keys", ApiKey, key=lambda k: k.id,
            indexes=(
                Index("instance", lambda k: k.instance),
                Index("digest", lambda k: k.secret_digest, unique=True),
            ),
            cached=True,  # every API request authenticates: see core.generations
        )  # fmt: skip

    def create(self, instance: str, role: Role, label: str, *, by: str = "") -> tuple[ApiKey, str]:
        """A new key; returns the record and the secret, which is never shown again."""
        label = label.strip()
        if not label:
            raise ApiKeyError("label", "give the key a name, to recognise it later")
        if len(label) > 100:
            raise ApiKeyError("label", "100 characters at most")
        key_id = secrets.token_hex(6)
        secret = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        record = ApiKey(
            id=key_id,
            instance=instance,
            role=Role(role),
            label=label,
            secret_digest=digest(secret),
            created_at=self.clock(),
            created_by=by,
        )
        self.store.write(lambda tx: self.keys.insert(tx, record))
        return record, secret

    def authenticate(self, secret: str | None) -> ApiKey | None:
        """The active key whose secret this is, or None."""
        if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
            return None
        key = self.keys.cached_by("digest", digest(secret))
        return key if key is not None and key.active else None

    def of_instance(self, instance: str) -> list[ApiKey]:
        """The keys of an instance, newest first (revoked ones included, marked)."""
        with self.store.read() as txn:
            keys = list(self.keys.find(txn, "instance", instance))
        return sorted(keys, key=lambda k: k.created_at, reverse=True)

    def revoke(self, instance: str, key_id: str) -> ApiKey:
        """Revoke a key of ``instance``; a key of another instance is not found."""

        def op(tx: Tx) -> ApiKey:
            key = self.keys.get(tx.txn, key_id)
            if key is None or key.instance != instance:
                raise ApiKeyError("key", "no such key in this instance")
            if key.revoked_at:
                return key
            return cast(
                ApiKey, self.keys.put(tx, msgspec.structs.replace(key, revoked_at=self.clock()))
            )

        return self.store.write(op)
