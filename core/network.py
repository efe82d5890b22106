"""The network: one deployment's settings, store, plugin manager and core services together.

Hosts (web, CLI, NFC) open one :class:`Network` per process and pass it around; nothing in the
core keeps global state. ``Network.open`` loads the plugins, checks them (``check_pending``)
and opens the store in the data directory.

Plugins keep their per-network objects (services holding their record collections) with
:meth:`Network.service`, never in module globals: a process may open several networks (tests
do), and each must get its own.
"""

from __future__ import annotations

import importlib.metadata
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from core.accounts import Accounts
from core.apikeys import ApiKeys
from core.i18n import add_translations
from core.instances import Instance, Instances
from core.ledger import Ledger
from core.login_links import LoginLinks
from core.mail import Mailer, make_mailer
from core.plugins import InstanceHooks, PluginError, PluginManager
from core.settings import Settings
from core.signup import Signups
from core.store import Store
from core.terminals import (
    Charges,
    Taps,
    TerminalEvents,
    TerminalMode,
    Terminals,
    charge_mode,
    collect_modes,
)
from core.wallets import Money
from core.wallets.online import OnlineRefills
from core.wallets.refunds import OnlineRefunds
from core.wallets.requests import PaymentRequests

__all__ = ["Network"]

T = TypeVar("T")


def _version() -> str:
    try:
        return importlib.metadata.version("tirelire")
    except importlib.metadata.PackageNotFoundError:
        return "0"


class Network:
    """Everything one process needs to serve a network: settings, store, plugins, services."""

    def __init__(self, settings: Settings, store: Store, plugins: PluginManager) -> None:
        self.settings = settings
        self.store = store
        self.plugins = plugins
        self.instances = Instances(store)
        self.accounts = Accounts(store)
        self.login_links = LoginLinks(store)
        self.api_keys = ApiKeys(store)
        self.signups = Signups(
            self.instances, self.accounts, self.login_links, settings.base_domains
        )
        #: Where e-mail goes; in demo mode the outbox also prints each message's links.
        self.mailer: Mailer = make_mailer(
            settings.mail,
            settings.data_path / "outbox",
            echo=print if settings.demo else None,
        )
        self.ledger = Ledger(store)
        self.money = Money(store, self.ledger, self.instances, self.accounts)
        self._services: dict[str, Any] = {}
        self._services_lock = threading.Lock()
        self._ready = False
        self._ready_lock = threading.RLock()
        #: Payment QR codes: staff's requests and their one payment each.
        self.payment_requests = PaymentRequests(store, self.money)
        #: Refills of the primary asset by online payment, and their refunds.
        self.online_refills = OnlineRefills(
            store, self.money, minimum=settings.refill_min, maximum=settings.refill_max
        )
        self.online_refunds = OnlineRefunds(store, self.money, self.online_refills)
        if not plugins.pm.has_plugin(charge_mode.NAME):
            plugins.register(charge_mode, charge_mode.NAME, version=_version())
        plugins.always_enabled.add(charge_mode.NAME)
        #: live pages subscribe here to hear when a terminal's state changed
        self.terminal_events = TerminalEvents()
        self.terminals = Terminals(store, self.instances, self.terminal_modes)
        self.taps = Taps(self, self.terminals, self.terminal_events)
        self.charges = Charges(self, self.terminals, self.terminal_events)

    @classmethod
    def open(cls, settings: Settings, *, plugins: PluginManager | None = None) -> Network:
        """Open the store of ``settings.data_dir`` and load (then check) the plugins.

        A new network gets its primary asset here (one write, only the first time).
        """
        manager = plugins if plugins is not None else PluginManager()
        manager.check()
        manager.hook.register_translations(register=add_translations)
        store = Store.open(settings.store_path)
        network = cls(settings, store, manager)
        network.money.assets.ensure_primary()
        return network

    def hooks_for(self, instance: Instance | None) -> InstanceHooks:
        """The hooks of ``instance``: only its enabled plugins are called (none for the home)."""
        enabled: list[str] = [] if instance is None else instance.enabled_plugins
        return self.plugins.for_instance(enabled)

    def service(self, name: str, factory: Callable[[Network], T]) -> T:
        """A plugin's per-network object: made once by ``factory(network)``, then the same one.

        ``name`` is the plugin's name (one object per plugin; a plugin needing several keeps
        them in one). Ask for it outside write transactions: a service usually opens its
        record collections when it is made, and opening a database is itself a write.
        """
        with self._services_lock:
            found = self._services.get(name)
            if found is None:
                found = self._services[name] = factory(self)
            return found

    def ready(self) -> None:
        """Let every installed plugin build its per-network services (hook
        ``on_network_ready``), once per network object, outside any write.

        The core calls it before it first runs plugin code inside a write (the first card
        tap); a host may call it at start-up so that the first tap does not pay for it. A
        plugin whose hook raises is reported (PluginError) and asked again next time.
        """
        if self._ready:
            return
        with self._ready_lock:
            if self._ready:
                return
            for name, prepare in self.plugins.each_plugin("on_network_ready"):
                try:
                    prepare(network=self)
                except Exception as exc:
                    raise PluginError(
                        f"plugin {name!r} failed in hook 'on_network_ready': {exc}"
                    ) from exc
            self._ready = True

    def terminal_modes(self, instance: Instance) -> list[TerminalMode]:
        """The terminal modes offered on ``instance`` (its enabled plugins' and the core's)."""
        return collect_modes(self.hooks_for(instance), instance)

    def close(self) -> None:
        """Close the store (after the writer thread finished its queue)."""
        self.store.close()

    def __enter__(self) -> Network:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
