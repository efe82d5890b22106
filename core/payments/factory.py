"""Choosing the payment provider from the settings, and refusing unsafe choices loudly.

- ``payment_provider = "stripe"``: needs ``stripe_api_key`` and ``stripe_webhook_secret``
  (``TIRELIRE_STRIPE_API_KEY``, ``TIRELIRE_STRIPE_WEBHOOK_SECRET``); ``stripe_api_base`` only
  for tests.
- ``payment_provider = "local"`` (the default): the demo's embedded page, only when
  ``demo = true``. A network that is not a demo and has not configured Stripe fails at start-up
  with a one-line reason, instead of taking fake payments.
"""

from __future__ import annotations

from core.payments.local_provider import LocalProvider
from core.payments.provider import PaymentProvider
from core.payments.stripe_provider import StripeProvider
from core.settings import Settings, SettingsError
from core.store import Store

__all__ = ["make_provider"]


def make_provider(settings: Settings, store: Store, base_url: str) -> PaymentProvider:
    """The provider the settings ask for; :class:`SettingsError` with the reason otherwise.

    ``base_url`` is the web host's public address (``https://example.org``): the local
    provider's payment pages live under it.
    """
    if settings.payment_provider == "stripe":
        missing = [
            name
            for name, value in (
                ("stripe_api_key (TIRELIRE_STRIPE_API_KEY)", settings.stripe_api_key),
                (
                    "stripe_webhook_secret (TIRELIRE_STRIPE_WEBHOOK_SECRET)",
                    settings.stripe_webhook_secret,
                ),
            )
            if not value
        ]
        if missing:
            raise SettingsError(f"payment_provider = 'stripe' needs {' and '.join(missing)}")
        return StripeProvider(
            settings.stripe_api_key,
            settings.stripe_webhook_secret,
            api_base=settings.stripe_api_base or None,
        )
    if settings.payment_provider == "local":
        return LocalProvider(
            settings.local_webhook_secret, base_url, demo=settings.demo, store=store
        )
    raise SettingsError(
        f"payment_provider must be 'local' or 'stripe', not {settings.payment_provider!r}"
    )
