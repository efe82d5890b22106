"""Every hook tirelire calls, typed and documented: the contract between the core and plugins.

Families (one job per hook):

- ``register_*(register, ...)``: contribute something. The hook receives a ``register``
  callback; the core controls collection, order, de-duplication and validation.
- ``on_*(...)``: react to something that has happened (after its commit).
- a few ``firstresult`` questions.

Hooks are always called with keyword arguments; a spec may gain arguments later, an
implementation may take fewer. Hooks that concern one instance are called through
:meth:`core.plugins.PluginManager.for_instance`, so a plugin the instance has not enabled is
never called for it. docs/plugins.md documents each hook; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pluggy

__all__ = ["hookspec"]

hookspec = pluggy.HookspecMarker("tirelire")


@hookspec
def register_routes(register: Callable[[Any], None]) -> None:
    """Contribute web routes: call ``register(handler)`` for each one.

    ``handler`` is anything the web host can mount: a route handler, a controller or a router
    (Litestar objects; the core itself never imports the web framework). Called once when the
    web application is built. The web host mounts each plugin's routes behind a guard that
    answers 404 on every instance that has not enabled the plugin.
    """


@hookspec
def register_commands(register: Callable[[Any], None]) -> None:
    """Contribute sub-commands to the ``tirelire`` command: call ``register(command)``.

    ``command`` is a ``click.Command`` or ``click.Group``; its name becomes
    ``tirelire <name>``. Called once when the command line is built.
    """


@hookspec
def register_instance_links(instance: Any, register: Callable[[str, str], None]) -> None:
    """Contribute links shown on an instance's home page: call ``register(label, href)``.

    Called through the instance's hooks each time its home page is rendered, so only plugins
    the instance enabled contribute (the seed's welcome page shows "Agenda" and "Adhésions"
    this way). ``instance`` is the :class:`core.instances.Instance` being shown.
    """


@hookspec
def populate_demo(network: Any, store: Any, settings: Any) -> None:
    """Add this plugin's part of the demo network to a freshly created demo data directory.

    Called once by ``tirelire demo`` when it creates the demo data, after the core has created
    the demo instances and their money. ``network`` is the open :class:`core.network.Network`
    (its services: instances, accounts, money...), ``store`` its :class:`core.store.Store`,
    ``settings`` the :class:`core.settings.Settings`. Write through the services so every rule
    holds.
    """


@hookspec
def register_account_sections(instance: Any, user: Any, register: Callable[..., None]) -> None:
    """Contribute sections to "Mon compte": call ``register(key, label, href, order=100)``.

    Called through the instance's hooks each time a logged-in person opens their account page
    on that instance (``instance`` is the :class:`core.instances.Instance`, ``user`` the
    :class:`core.accounts.User`). ``key`` identifies the section (a later registration with
    the same key replaces an earlier one), ``label`` is shown in the reader's language (call
    gettext yourself), ``href`` is a path on the instance's domain, ``order`` sorts sections.
    """


@hookspec
def register_admin_sections(instance: Any, register: Callable[..., None]) -> None:
    """Contribute sections to an instance's admin panel.

    Call ``register(key, label, href, role="admin", order=100)``. Called through the
    instance's hooks when its admin panel is shown; the panel lists only the sections whose
    ``role`` the reader holds (an admin sees all). The section's own routes must still check
    the role themselves: the panel's list is a convenience, not the protection.
    """


@hookspec
def register_templates(register: Callable[[Path], None]) -> None:
    """Contribute a folder of Jinja2 templates: call ``register(directory)`` once.

    Called once per plugin when the web application is built. The folder's templates are
    served under the plugin's name: ``<directory>/beneficiaries.html`` is the template
    ``<plugin name>/beneficiaries.html``. They may extend the host's ``base.html`` and use its
    macros; the layout's context (network, site, instance, user, role) is filled in for them.
    """


@hookspec
def register_translations(register: Callable[[Path], None]) -> None:
    """Contribute message catalogs: call ``register(directory)`` with a locale folder.

    ``directory`` holds ``<lang>/LC_MESSAGES/*.po`` files (as ``core/locale`` does); their
    translations join the core's for ``core.i18n.gettext`` and templates. Called once when a
    network is opened.
    """


@hookspec
def register_terminal_modes(instance: Any, register: Callable[..., None]) -> None:
    """Offer modes for the card terminals of an instance.

    Call ``register(key, label, href="", order=100)`` once per mode. ``key`` (1 to 40 of
    ``a-z 0-9 _ -``) is stored on each terminal put in that mode; ``label`` is shown in the
    reader's language (call gettext yourself); ``href`` is the staff page of a terminal in
    this mode, ``{terminal}`` standing for the terminal's id. Called through the instance's
    hooks whenever its modes are listed (admin pages) and at each tap (a terminal whose mode
    is no longer offered answers ``unavailable``). The core offers ``charge`` itself.
    """


@hookspec(firstresult=True)
def plugin_setup_path(network: Any, instance: Any) -> str | None:
    """Where an admin finishes setting this plugin up on ``instance``; None when nothing is left.

    A question asked of one plugin at a time (the host calls only the plugin concerned): right
    after an admin enabled it on ``instance`` (the admin is sent to the answer), and each time
    the plugins page is shown (an enabled plugin whose answer is a path gets a "finish setting
    up" link). ``network`` is the open :class:`core.network.Network`, ``instance`` the
    :class:`core.instances.Instance` with the plugin enabled. The answer is a path on the
    instance's domain (``/claf/mise-en-place``), served by the plugin's own routes; the plugin's
    pages must cope with an unfinished set-up anyway (the admin may leave the page).
    """


@hookspec
def register_analytics_views(register: Callable[..., None]) -> None:
    """Contribute tables and views to the analytics mirror (DuckDB).

    Call ``register(name, *, sql=None, columns=None, rows=None, instance_column="instance")``:
    with ``sql`` (a ``SELECT`` over the mirror's tables) for a view, or with ``columns`` (a
    list of ``(name, DuckDB type)``) and ``rows`` (``rows(store)`` returning tuples) for a
    table refreshed with the mirror's records. ``instance_column`` names the column holding
    each row's instance: an instance's SQL console only ever receives its own rows (a table
    without it is seen by network treasurers only). Called once per mirror for every
    installed plugin (the mirror is one database for the network), not per instance.
    """


@hookspec(firstresult=True)
def on_card_tap(tx: Any, tap: Any, network: Any) -> Any:
    """Act on a card tapped on a terminal whose mode is yours; answer a ``TapOutcome``.

    Called through the instance's hooks inside the tap's write (``tx``, a
    :class:`core.store.Tx`), in a nested transaction: write your records and the money with
    the ``*_in(tx, ...)`` services so they commit with the tap's idempotency record, or not at
    all. Return None when ``tap.terminal.mode`` is not one of your modes (the first non-None
    answer wins). ``tap`` is a :class:`core.terminals.CardTap` (``tap_id``, ``operation_id``
    to use as the money operation id, ``uid``, ``card`` or None, ``terminal``, ``instance``,
    ``at``); ``network`` the :class:`core.network.Network`. A money error you let through
    (``InsufficientFunds``...) undoes your writes and becomes the outcome. Like every write
    function, this may run more than once: touch the store only through ``tx`` and put other
    side effects in ``tx.on_commit``.
    """


@hookspec
def on_network_ready(network: Any) -> None:
    """Build your per-network services now, outside any write: the network is about to use them.

    Called once per :class:`core.network.Network` object, for every installed plugin (not per
    instance), by :meth:`core.network.Network.ready`: the core calls it before it first runs
    plugin code inside a write (before the first card tap is handled: ``on_card_tap`` runs
    inside the tap's write, where opening a record collection, itself a write, would wait for
    ever on the writer's lock); a host may call it at start-up. Open your collections here
    (``laboutik_of(network)``, ``network.service(name, factory)``); do not write records.
    """
