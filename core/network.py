"""The network: one deployment's settings, store, plugin manager and core services together.

Hosts (web, CLI, NFC) open one :class:`Network` per process and pass it around; nothing in the
core keeps global state. ``Network.open`` loads the plugins, checks them (``check_pending``)
and opens the store in the data directory.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

from core.accounts import Accounts
from core.apikeys import ApiKeys
from core.instances import Instance, Instances
from core.ledger import Ledger
from core.login_links import LoginLinks
from core.mail import Mailer, make_mailer
from core.plugins import InstanceHooks, PluginManager
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

__all__ = ["Network"]


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
        store = Store.open(settings.store_path)
        network = cls(settings, store, manager)
        network.money.assets.ensure_primary()
        return network

    def hooks_for(self, instance: Instance | None) -> InstanceHooks:
        """The hooks of ``instance``: only its enabled plugins are called (none for the home)."""
        enabled: list[str] = [] if instance is None else instance.enabled_plugins
        return self.plugins.for_instance(enabled)

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
