"""Plugins' tables and views in the mirror: the ``register_analytics_views`` hook's collector.

The hook is called **once per mirror, for every installed plugin** (not per instance): the
mirror is one database for the whole network, built by one writer. Isolation between
instances does not come from which plugins were called but from the rows: a plugin table
names the column holding the instance of each row (``instance_column``), and an instance's
SQL console receives only its rows (a table without that column stays network-only); a
plugin view is re-created in the console over the instance's own rows. An instance's console
and reports list only the views of the plugins that instance enabled.

``register(name, *, sql=None, columns=None, rows=None, instance_column="instance")``:

- a **view**: ``sql`` is a ``SELECT`` over the mirror's tables and views;
- a **table**: ``columns`` is a list of ``(name, DuckDB type)`` and ``rows(store)`` returns
  the rows (tuples in the columns' order) read from the store; refreshed whole with the
  other record tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.analytics.schema import TABLES, VIEWS
from core.plugins import PluginError, PluginManager

__all__ = ["AnalyticsView", "collect_views"]

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
TYPE_RE = re.compile(r"^[A-Za-z0-9_ (),\[\]]{1,64}$")
RESERVED = frozenset(TABLES) | frozenset(VIEWS)


@dataclass(frozen=True)
class AnalyticsView:
    """A plugin's contribution to the mirror: a view (``sql``) or a table (``rows``)."""

    name: str
    plugin: str
    sql: str = ""
    columns: tuple[tuple[str, str], ...] = ()
    rows: Callable[[Any], Iterable[Sequence[Any]]] | None = field(default=None, compare=False)
    instance_column: str = "instance"

    @property
    def is_table(self) -> bool:
        """True for a table filled by ``rows``; False for a view."""
        return self.rows is not None


def _check(view: AnalyticsView) -> None:
    where = f"plugin {view.plugin!r}, analytics view {view.name!r}"
    if not NAME_RE.match(view.name) or view.name in RESERVED:
        raise PluginError(f"{where}: a name of lowercase letters, digits and _, not a core table")
    if bool(view.sql) == view.is_table:
        raise PluginError(f"{where}: give either sql= (a view) or columns= and rows= (a table)")
    if view.is_table:
        if not view.columns or not callable(view.rows):
            raise PluginError(f"{where}: a table needs columns and a rows(store) function")
        for column, kind in view.columns:
            if not NAME_RE.match(column) or not TYPE_RE.match(kind):
                raise PluginError(f"{where}: bad column {column!r} {kind!r}")
        names = [c for c, _ in view.columns]
        if view.instance_column and view.instance_column not in names:
            raise PluginError(f"{where}: no column {view.instance_column!r} (instance_column)")


def collect_views(plugins: PluginManager) -> list[AnalyticsView]:
    """Every plugin's tables and views, checked, in plugin order; a name used twice fails."""
    found: dict[str, AnalyticsView] = {}
    for plugin, hook in plugins.each_plugin("register_analytics_views"):

        def register(
            name: str,
            *,
            sql: str | None = None,
            columns: Iterable[tuple[str, str]] | None = None,
            rows: Callable[[Any], Iterable[Sequence[Any]]] | None = None,
            instance_column: str = "instance",
            plugin: str = plugin,
        ) -> None:
            view = AnalyticsView(
                name=str(name),
                plugin=plugin,
                sql=(sql or "").strip().rstrip(";"),
                columns=tuple((str(c), str(t)) for c, t in (columns or ())),
                rows=rows,
                instance_column=instance_column or "",
            )
            _check(view)
            if view.name in found:
                raise PluginError(f"plugin {plugin!r}: analytics view {view.name!r} is taken")
            found[view.name] = view

        try:
            hook(register=register)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(
                f"plugin {plugin!r} failed in hook 'register_analytics_views': {exc}"
            ) from exc
    return list(found.values())
