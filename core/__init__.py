"""tirelire's core: the store, the ledger, the plugin manager and the services plugins use.

The public surface is ``__all__``. A plugin writes ``from core import hookimpl``. The core
never imports ``plugins``, ``hosts`` or a web framework (a test checks it).
"""

from core.instances import Instance, InstanceError, InstanceKind, Instances
from core.network import Network
from core.plugins import PluginError, PluginManager, hookimpl
from core.records import Collection, Index, UniqueViolation
from core.settings import Settings, SettingsError, load_settings
from core.store import Store, Tx

__all__ = [
    "Collection",
    "Index",
    "Instance",
    "InstanceError",
    "InstanceKind",
    "Instances",
    "Network",
    "PluginError",
    "PluginManager",
    "Settings",
    "SettingsError",
    "Store",
    "Tx",
    "UniqueViolation",
    "hookimpl",
    "load_settings",
]
