"""Secrets handed to people (login links, session cookies, API keys) and how they are kept.

A secret is 32 random bytes, URL-safe. Only its SHA-256 digest is stored: the secrets are
long and random, so a fast hash is enough (no dictionary to guess from), and a stolen copy of
the store gives no usable link, session or key. Lookups go by digest, so comparing a presented
secret never walks a stored value byte by byte.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

__all__ = ["Clock", "digest", "new_secret", "system_clock"]

Clock = Callable[[], float]


def new_secret(prefix: str = "") -> str:
    """A fresh URL-safe secret (about 256 bits), with an optional readable prefix."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The hex SHA-256 digest under which a secret is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def system_clock() -> float:
    """Seconds since the epoch (the default clock; tests inject their own)."""
    return time.time()
