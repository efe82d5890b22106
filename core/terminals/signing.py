"""How a terminal signs its requests and how the server checks them (Ed25519).

A terminal makes its key pair itself and gives only the public key at pairing. Afterwards
every request carries four headers:

====================== ==========================================================
``X-Tirelire-Terminal``  the terminal's id (given at pairing)
``X-Tirelire-Timestamp`` seconds since the epoch, an integer, when it was signed
``X-Tirelire-Nonce``     16 to 64 characters ``[A-Za-z0-9_-]``, new for each request
``X-Tirelire-Signature`` Ed25519 signature of the canonical string, base64url
====================== ==========================================================

The canonical string is these eight lines joined by ``\\n`` (no final newline), UTF-8::

    tirelire-terminal-v1
    <METHOD, upper case>
    <Host header, lower case>
    <path, and ?query when there is one, exactly as sent>
    <timestamp>
    <nonce>
    <terminal id>
    <SHA-256 of the body, lower-case hex (of the empty string for no body)>

So the signature covers the method, the instance (the host), the path, the time, the body
and the terminal. The server refuses a request whose timestamp is more than
:data:`WINDOW` seconds old or ahead of its clock, and a nonce it has already seen from that
terminal (:mod:`core.terminals.replay` keeps them until they are too old to matter). Keys and
signatures travel as base64url without padding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from core.terminals.errors import SignatureError

__all__ = [
    "HEADER_NONCE",
    "HEADER_SIGNATURE",
    "HEADER_TERMINAL",
    "HEADER_TIMESTAMP",
    "SCHEME",
    "WINDOW",
    "SignedRequest",
    "b64decode",
    "b64encode",
    "canonical_string",
    "check_time",
    "load_public_key",
    "new_private_key",
    "parse_headers",
    "private_key_from_text",
    "private_key_text",
    "public_key_text",
    "sign_request",
    "verify_signature",
]

SCHEME = "tirelire-terminal-v1"
#: seconds a signed request stays valid, either side of the server's clock
WINDOW = 60
HEADER_TERMINAL = "X-Tirelire-Terminal"
HEADER_TIMESTAMP = "X-Tirelire-Timestamp"
HEADER_NONCE = "X-Tirelire-Nonce"
HEADER_SIGNATURE = "X-Tirelire-Signature"

_NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def b64encode(raw: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    """The bytes of a base64url text (padding optional); ValueError if it is not one."""
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


# -- keys ------------------------------------------------------------------------------------


def new_private_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 private key (made on the terminal, never sent)."""
    return Ed25519PrivateKey.generate()


def private_key_text(key: Ed25519PrivateKey) -> str:
    """The raw 32-byte private key as base64url (for the terminal's state file)."""
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return b64encode(raw)


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    """The private key written by :func:`private_key_text`; ValueError if it is not one."""
    raw = b64decode(text)
    if len(raw) != 32:
        raise ValueError("an Ed25519 private key has 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key as base64url: what pairing sends."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def load_public_key(text: str) -> Ed25519PublicKey:
    """The public key of :func:`public_key_text`; ValueError if it is not a valid one."""
    raw = b64decode(text)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


# -- the canonical string --------------------------------------------------------------------


def canonical_string(
    *,
    method: str,
    host: str,
    target: str,
    timestamp: int,
    nonce: str,
    terminal_id: str,
    body: bytes,
) -> bytes:
    """The bytes a terminal signs (see the module's documentation)."""
    lines = (
        SCHEME,
        method.upper(),
        host.lower(),
        target,
        str(timestamp),
        nonce,
        terminal_id,
        hashlib.sha256(body).hexdigest(),
    )
    return "\n".join(lines).encode("utf-8")


def sign_request(
    key: Ed25519PrivateKey,
    *,
    terminal_id: str,
    method: str,
    host: str,
    target: str,
    body: bytes,
    now: float,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four headers of a signed request (a fresh nonce unless one is given)."""
    timestamp = int(now)
    nonce = nonce or secrets.token_urlsafe(16)
    message = canonical_string(
        method=method, host=host, target=target, timestamp=timestamp, nonce=nonce,
        terminal_id=terminal_id, body=body,
    )  # fmt: skip
    return {
        HEADER_TERMINAL: terminal_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: b64encode(key.sign(message)),
    }


# -- checking --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """The signature headers of a request, parsed."""

    terminal_id: str
    timestamp: int
    nonce: str
    signature: bytes


def parse_headers(headers: Mapping[str, str]) -> SignedRequest:
    """The four headers parsed (names in any case); SignatureError when missing or malformed."""
    lowered = {k.lower(): v for k, v in headers.items()}
    names = (HEADER_TERMINAL, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)
    values = [lowered.get(name.lower(), "").strip() for name in names]
    if not all(values):
        raise SignatureError("missing_headers")
    terminal_id, timestamp, nonce, signature = values
    if not _ID_RE.match(terminal_id) or not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("bad_headers")
    if not _NONCE_RE.match(nonce):
        raise SignatureError("bad_headers")
    try:
        raw_signature = b64decode(signature)
    except ValueError as exc:
        raise SignatureError("bad_headers") from exc
    if len(raw_signature) != 64:
        raise SignatureError("bad_headers")
    return SignedRequest(terminal_id, int(timestamp), nonce, raw_signature)


def check_time(timestamp: int, now: float) -> None:
    """SignatureError (``stale`` or ``future``) unless ``timestamp`` is within the window."""
    if timestamp < now - WINDOW:
        raise SignatureError("stale", server_time=now)
    if timestamp > now + WINDOW:
        raise SignatureError("future", server_time=now)


def verify_signature(
    public_key: str, signed: SignedRequest, *, method: str, host: str, target: str, body: bytes
) -> None:
    """SignatureError (``bad_signature``) unless ``signed`` was made by ``public_key``."""
    message = canonical_string(
        method=method, host=host, target=target, timestamp=signed.timestamp,
        nonce=signed.nonce, terminal_id=signed.terminal_id, body=body,
    )  # fmt: skip
    try:
        load_public_key(public_key).verify(signed.signature, message)
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError("bad_signature") from exc
