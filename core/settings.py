"""Settings of one network deployment: where the data lives and how it is served.

Settings come from, in increasing priority: defaults, a ``settings.toml`` in the data
directory, ``TIRELIRE_*`` environment variables, then explicit keyword arguments (the CLI's
options). Every field is validated by msgspec; a bad value names the field.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import msgspec

from core.mail import MailSettings

__all__ = ["Settings", "SettingsError", "load_settings"]


class SettingsError(ValueError):
    """A setting has a wrong value; the message names it."""


class Settings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The settings of a network deployment."""

    data_dir: str = "data"
    #: Instances are served at ``<slug>.<base domain>``; the bare domain is the network's home.
    base_domains: list[str] = msgspec.field(default_factory=lambda: ["localhost"])
    #: Name of the network, shown on its home page.
    network_name: str = "Réseau tirelire"
    #: Demo mode: login links printed in the console, local payment provider allowed.
    demo: bool = False
    #: Default language of pages (``fr`` or ``en``).
    language: str = "fr"
    #: Online payments: ``local`` (the demo's own page, refused outside demo) or ``stripe``.
    payment_provider: str = "local"
    #: Stripe's secret API key (``sk_live_...`` / ``sk_test_...``) and webhook signing secret.
    stripe_api_key: str = ""
    stripe_webhook_secret: str = ""
    #: Another address for Stripe's API (tests point it at a server on 127.0.0.1).
    stripe_api_base: str = ""
    #: The local provider's signing secret; empty: generated once and kept in the store.
    local_webhook_secret: str = ""
    #: E-mail addresses of the network's treasurers: they read every instance's reports and
    #: query the whole mirror (see docs/analytics.md).
    network_treasurers: list[str] = msgspec.field(default_factory=list)
    #: Seconds between two background syncs of the analytics mirror (0: no background sync).
    analytics_sync_seconds: float = 1.0
    #: A SQL console query is stopped after this many seconds.
    analytics_query_seconds: float = 10.0
    #: Limits of one online refill of the primary asset, in cents (1 € to 500 € by default).
    refill_min: int = 100
    refill_max: int = 50_000
    #: Where e-mail goes: the ``[mail]`` table of settings.toml (see core/mail.py).
    mail: MailSettings = msgspec.field(default_factory=MailSettings)

    @property
    def data_path(self) -> Path:
        """The data directory as a Path."""
        return Path(self.data_dir)

    @property
    def store_path(self) -> Path:
        """Where the LMDB environment lives inside the data directory."""
        return self.data_path / "store"


_ENV_FIELDS = {
    "TIRELIRE_DATA": "data_dir",
    "TIRELIRE_BASE_DOMAINS": "base_domains",
    "TIRELIRE_NETWORK_NAME": "network_name",
    "TIRELIRE_DEMO": "demo",
    "TIRELIRE_LANGUAGE": "language",
    "TIRELIRE_PAYMENT_PROVIDER": "payment_provider",
    "TIRELIRE_STRIPE_API_KEY": "stripe_api_key",
    "TIRELIRE_STRIPE_WEBHOOK_SECRET": "stripe_webhook_secret",
    "TIRELIRE_NETWORK_TREASURERS": "network_treasurers",
    "TIRELIRE_ANALYTICS_SYNC_SECONDS": "analytics_sync_seconds",
    "TIRELIRE_ANALYTICS_QUERY_SECONDS": "analytics_query_seconds",
}
_FLOAT_FIELDS = {"analytics_sync_seconds", "analytics_query_seconds"}


_MAIL_ENV_FIELDS = {
    "TIRELIRE_MAIL_BACKEND": "backend",
    "TIRELIRE_MAIL_FROM": "sender",
    "TIRELIRE_SMTP_HOST": "smtp_host",
    "TIRELIRE_SMTP_PORT": "smtp_port",
    "TIRELIRE_SMTP_SECURITY": "smtp_security",
    "TIRELIRE_SMTP_USERNAME": "smtp_username",
    "TIRELIRE_SMTP_PASSWORD": "smtp_password",
}


def load_settings(data_dir: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
    """Build the settings from defaults, ``settings.toml``, the environment and ``overrides``."""
    values: dict[str, Any] = {}
    env_data = os.environ.get("TIRELIRE_DATA")
    directory = Path(data_dir if data_dir is not None else env_data or "data")
    toml_file = directory / "settings.toml"
    if toml_file.is_file():
        try:
            values.update(tomllib.loads(toml_file.read_text("utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{toml_file}: {exc}") from exc
    for env_name, field in _ENV_FIELDS.items():
        raw = os.environ.get(env_name)
        if raw is None:
            continue
        if field in {"base_domains", "network_treasurers"}:
            values[field] = [d.strip() for d in raw.split(",") if d.strip()]
        elif field in _FLOAT_FIELDS:
            try:
                values[field] = float(raw)
            except ValueError:
                raise SettingsError(f"invalid setting: {env_name} must be a number") from None
        elif field == "demo":
            values[field] = raw.lower() in {"1", "true", "yes", "on"}
        else:
            values[field] = raw
    for env_name, field in _MAIL_ENV_FIELDS.items():
        raw = os.environ.get(env_name)
        if raw is not None:
            mail = values.setdefault("mail", {})
            mail[field] = int(raw) if field == "smtp_port" and raw.isdigit() else raw
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["data_dir"] = str(directory)
    try:
        settings = msgspec.convert(values, Settings)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"invalid setting: {exc}") from exc
    if not settings.base_domains:
        raise SettingsError("invalid setting: base_domains must name at least one domain")
    if settings.language not in {"fr", "en"}:
        raise SettingsError("invalid setting: language must be 'fr' or 'en'")
    if settings.payment_provider not in {"local", "stripe"}:
        raise SettingsError("invalid setting: payment_provider must be 'local' or 'stripe'")
    if settings.analytics_sync_seconds < 0 or settings.analytics_query_seconds <= 0:
        raise SettingsError(
            "invalid setting: analytics_sync_seconds must be >= 0, analytics_query_seconds > 0"
        )
    settings.network_treasurers = [e.strip().lower() for e in settings.network_treasurers]
    if not 0 < settings.refill_min <= settings.refill_max:
        raise SettingsError("invalid setting: need 0 < refill_min <= refill_max (cents)")
    if settings.mail.backend not in {"outbox", "smtp"}:
        raise SettingsError("invalid setting: mail.backend must be 'outbox' or 'smtp'")
    if settings.mail.smtp_security not in {"none", "starttls", "tls"}:
        raise SettingsError("invalid setting: mail.smtp_security must be none, starttls or tls")
    return settings
