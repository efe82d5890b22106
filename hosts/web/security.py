"""Security of every response: headers, CSRF on forms, the secret key that signs tokens.

- Headers on every response: a Content-Security-Policy without inline scripts or styles
  (``default-src 'self'``; images may also be ``data:`` URLs for QR codes), ``frame-ancestors
  'none'`` (and ``X-Frame-Options: DENY`` for old browsers), ``X-Content-Type-Options:
  nosniff``, ``Referrer-Policy: same-origin`` (so an e-mailed link's secret never leaves in a
  Referer), and ``Cache-Control: no-store`` on pages that depend on who asks.
- CSRF: Litestar's double-submit middleware on every unsafe method; forms carry the token in
  the ``_csrf_token`` field (``{{ csrf_input | safe }}``). The JSON API (``/api/``) is
  excluded: it authenticates with API keys in a header, which a browser never adds by itself;
  payment webhooks (``/-/webhooks/``) are verified by their signature instead.
- The secret key lives in ``<data>/secret.key`` (created once, mode 0600) so every server
  worker signs CSRF tokens the same way.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.types import Message, Scope

__all__ = ["CSP", "csrf_config", "secret_key", "security_headers"]

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


_RAW_HEADERS = [
    (name.encode("latin-1"), value.encode("latin-1")) for name, value in _HEADERS.items()
]


async def security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: add the security headers to every HTTP response.

    It runs on every response, so it works on the raw header list (bytes pairs) rather than
    through a headers object: a header the handler already set is kept as it is.
    """
    if message["type"] != "http.response.start":
        return
    raw = message.get("headers")
    if not isinstance(raw, list):
        raw = list(raw or [])
        message["headers"] = raw
    present = {name.lower() for name, _value in raw}
    for name, value in _RAW_HEADERS:
        if name not in present:
            raw.append((name, value))
    if b"cache-control" not in present and not scope.get("path", "").startswith("/-/static/"):
        raw.append((b"cache-control", b"no-store"))


def secret_key(data_dir: Path) -> str:
    """The deployment's secret key, created on first use in ``<data>/secret.key``."""
    path = data_dir / "secret.key"
    try:
        return path.read_text("ascii").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return path.read_text("ascii").strip()
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key


def csrf_config(key: str, **overrides: Any) -> CSRFConfig:
    """CSRF protection for every form; the JSON API and signed webhooks are excluded."""
    return CSRFConfig(
        secret=key,
        cookie_name="tirelire_csrf",
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=["^/api/", "^/-/webhooks/"],
        **overrides,
    )
