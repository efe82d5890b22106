"""The plugin manager: discovery, validation and per-instance subsets of hooks.

- One project name, ``tirelire``, for the markers, the manager and the entry-point group
  ``tirelire.plugins``. The built-in plugins are found through that group, exactly like
  third-party ones.
- The hook specifications are added before any plugin is registered, so an implementation
  with a wrong name or wrong arguments fails at registration with a :class:`PluginError`
  naming the plugin and the hook. :meth:`PluginManager.check` runs ``check_pending()``.
- ``TIRELIRE_PLUGINS=a,b`` loads only the named plugins; ``TIRELIRE_TRACE_HOOKS=1`` prints
  every hook call.
- :meth:`PluginManager.for_instance` returns hook callers made with
  ``pluggy.PluginManager.subset_hook_caller``: a plugin the instance did not enable is never
  called for it.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec
import pluggy

from core import hookspecs

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROJECT",
    "InstanceHooks",
    "PluginError",
    "PluginInfo",
    "PluginManager",
    "hookimpl",
]

PROJECT = "tirelire"
ENTRY_POINT_GROUP = "tirelire.plugins"
hookimpl = pluggy.HookimplMarker(PROJECT)


class PluginError(Exception):
    """A plugin could not be loaded or does not match the hook specifications."""


class PluginInfo(msgspec.Struct, frozen=True):
    """What ``tirelire plugins`` and ``/-/plugins.json`` show for one installed plugin."""

    name: str
    version: str
    hooks: list[str]
    module: str


class PluginManager:
    """Tirelire's pluggy manager with entry-point discovery and per-instance hook subsets."""

    def __init__(self, *, load_entry_points: bool = True, only: Iterable[str] | None = None):
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._versions: dict[str, str] = {}
        self._subsets: dict[tuple[str, frozenset[str]], Any] = {}
        self.always_enabled: set[str] = set()
        if only is None:
            raw = os.environ.get("TIRELIRE_PLUGINS")
            only = [n.strip() for n in raw.split(",") if n.strip()] if raw is not None else None
        self.only = None if only is None else set(only)
        if os.environ.get("TIRELIRE_TRACE_HOOKS"):
            self.pm.trace.root.setwriter(sys.stderr.write)
            self.pm.enable_tracing()
        if load_entry_points:
            self.load_entry_points()

    # -- registration ----------------------------------------------------------------------

    def load_entry_points(self) -> list[str]:
        """Register every plugin of the ``tirelire.plugins`` group (or only the allowed ones)."""
        loaded = []
        found = set()
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            found.add(ep.name)
            if self.only is not None and ep.name not in self.only:
                continue
            if self.pm.has_plugin(ep.name):
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(f"plugin {ep.name!r} failed to import: {exc}") from exc
            version = ep.dist.version if ep.dist is not None else "unknown"
            self.register(plugin, ep.name, version=version)
            loaded.append(ep.name)
        if self.only is not None:
            unknown = sorted(self.only - found - set(self.names()))
            if unknown:
                raise PluginError(
                    "TIRELIRE_PLUGINS names plugins that are not installed: " + ", ".join(unknown)
                )
        return loaded

    def register(self, plugin: Any, name: str, *, version: str | None = None) -> None:
        """Register ``plugin`` under ``name``; a wrong implementation raises PluginError."""
        try:
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            lines = str(exc).strip().splitlines()
            found = re.search(r"for hook '([^']+)'", lines[0]) if lines else None
            hook_name = found.group(1) if found else "?"
            detail = lines[-1] if lines else ""
            raise PluginError(
                f"plugin {name!r} has a wrong implementation of hook {hook_name!r}: {detail}"
            ) from exc
        except ValueError as exc:
            raise PluginError(f"plugin {name!r}: {exc}") from exc
        self._versions[name] = version or _module_version(plugin)
        self._subsets.clear()

    def unregister(self, name: str) -> None:
        """Remove the plugin registered under ``name``."""
        self.pm.unregister(name=name)
        self._versions.pop(name, None)
        self._subsets.clear()

    def check(self) -> None:
        """Fail when a plugin implements a hook that has no specification (start-up check)."""
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            plugin = getattr(exc, "plugin", None)
            name = self.pm.get_name(plugin) if plugin is not None else "?"
            raise PluginError(f"plugin {name!r}: {str(exc).strip()}") from exc

    # -- listing ---------------------------------------------------------------------------

    def names(self) -> list[str]:
        """Names of the registered plugins, sorted."""
        return sorted(name for name, _ in self.pm.list_name_plugin() if name is not None)

    def installed(self) -> list[PluginInfo]:
        """Each registered plugin with its version and the hooks it implements."""
        infos = []
        for name in self.names():
            plugin = self.pm.get_plugin(name)
            callers = self.pm.get_hookcallers(plugin) or []
            infos.append(
                PluginInfo(
                    name=name,
                    version=self._versions.get(name, "unknown"),
                    hooks=sorted(c.name for c in callers),
                    module=getattr(plugin, "__name__", type(plugin).__name__),
                )
            )
        return infos

    @property
    def hook(self) -> Any:
        """All registered plugins' hooks: for process-wide calls (routes, commands)."""
        return self.pm.hook

    # -- per-instance subsets --------------------------------------------------------------

    def for_instance(self, enabled: Iterable[str]) -> InstanceHooks:
        """Hooks that call only the plugins in ``enabled`` (plus the always-enabled ones)."""
        return InstanceHooks(self, frozenset(enabled) | frozenset(self.always_enabled))

    def for_plugin(self, name: str) -> InstanceHooks:
        """Hooks that call only the plugin ``name``."""
        return InstanceHooks(self, frozenset([name]))

    def each_plugin(self, hook_name: str) -> Iterator[tuple[str, Any]]:
        """(plugin name, hook caller restricted to it) for each plugin implementing a hook."""
        caller = getattr(self.pm.hook, hook_name)
        for impl in caller.get_hookimpls():
            yield impl.plugin_name, getattr(self.for_plugin(impl.plugin_name), hook_name)

    def _subset(self, hook_name: str, keep: frozenset[str]) -> Any:
        key = (hook_name, keep)
        caller = self._subsets.get(key)
        if caller is None:
            remove = [p for n, p in self.pm.list_name_plugin() if n not in keep]
            caller = self.pm.subset_hook_caller(hook_name, remove_plugins=remove)
            self._subsets[key] = caller
        return caller


class InstanceHooks:
    """``hooks.<name>(**kwargs)`` calls only the plugins kept for one instance."""

    __slots__ = ("_keep", "_manager")

    def __init__(self, manager: PluginManager, keep: frozenset[str]) -> None:
        self._manager = manager
        self._keep = keep

    @property
    def enabled(self) -> frozenset[str]:
        """The plugin names these hooks may call."""
        return self._keep

    def __getattr__(self, hook_name: str) -> Any:
        if not hasattr(self._manager.pm.hook, hook_name):
            raise AttributeError(f"no hook named {hook_name!r}")
        return self._manager._subset(hook_name, self._keep)


def _module_version(plugin: Any) -> str:
    module = getattr(plugin, "__name__", None) or type(plugin).__module__
    top = module.split(".")[0]
    try:
        return importlib.metadata.version(top)
    except importlib.metadata.PackageNotFoundError:
        return str(getattr(plugin, "__version__", "unknown"))
