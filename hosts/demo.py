"""The demo network: a data directory with sample instances, filled by every plugin.

``tirelire demo`` calls :func:`ensure_demo`: when the directory holds no demo yet, it creates
the core's demo instances and their admins, their money (:mod:`hosts.demo_money`: assets,
federation, cards, a history), then calls the ``populate_demo`` hook of every installed plugin, and
writes ``settings.toml`` (``demo = true``) last, as the mark of a finished demo. A second run
finds that mark and reuses the data as it is. Each later issue adds its part through its
plugin's ``populate_demo``.

A plugin's demo may pair simulated card terminals and leave their state files in
``<data>/terminals/`` (the cash register does); :func:`demo_terminals` points each one at the
address the demo is served on, at every start.
"""

from __future__ import annotations

from pathlib import Path

from core.accounts import Accounts, Role
from core.instances import Instance, InstanceKind
from core.login_links import LoginLinks
from core.network import Network
from core.plugins import PluginError, PluginManager
from core.settings import Settings, load_settings
from core.store import Store, Tx
from hosts.demo_money import populate_money
from hosts.nfc.state import TerminalState, load_state, save_state

__all__ = [
    "DEMO_ADMINS",
    "DEMO_INSTANCES",
    "DEMO_NETWORK_NAME",
    "LINKED_ROLES",
    "DemoError",
    "admin_login_links",
    "demo_terminals",
    "ensure_demo",
]

DEMO_NETWORK_NAME = "Réseau de démonstration"

#: The instances every demo has; plugins add theirs (and their data) in ``populate_demo``.
DEMO_INSTANCES = (
    Instance(
        slug="le-bisik",
        name="Le Bisik",
        kind=InstanceKind.VENUE,
        description="Salle de concerts associative : bar, billetterie et paiement par carte.",
        website="https://example.org/le-bisik",
    ),
    Instance(
        slug="la-ressourcerie",
        name="La Ressourcerie du Coin",
        kind=InstanceKind.ASSOCIATION,
        description="Association de réemploi : adhésions, ateliers et monnaie-temps.",
    ),
)


#: The admin of each demo instance (e-mail addresses of a reserved domain, never delivered).
DEMO_ADMINS = {
    "le-bisik": "admin@le-bisik.example",
    "la-ressourcerie": "admin@la-ressourcerie.example",
}


class DemoError(Exception):
    """The demo cannot be created in this directory; the message says why."""


def _settings_toml() -> str:
    return (
        "# Written by `tirelire demo`: this directory holds a demo network.\n"
        "demo = true\n"
        f'network_name = "{DEMO_NETWORK_NAME}"\n'
    )


def ensure_demo(data_dir: Path, *, plugins: PluginManager | None = None) -> tuple[Settings, bool]:
    """Create the demo in ``data_dir`` unless it is there; return its settings and if created."""
    marker = data_dir / "settings.toml"
    if marker.exists():
        settings = load_settings(data_dir)
        if not settings.demo:
            raise DemoError(f"{data_dir} holds a network that is not a demo (demo = false)")
        return settings, False
    if data_dir.exists() and any(p.name not in {"store"} for p in data_dir.iterdir()):
        raise DemoError(f"{data_dir} is not empty and holds no demo; choose another --data")
    settings = load_settings(data_dir, demo=True, network_name=DEMO_NETWORK_NAME)
    with Network.open(settings, plugins=plugins) as network:
        for instance in DEMO_INSTANCES:
            if network.instances.get(instance.slug) is None:
                network.instances.create(instance)
        for slug, email in DEMO_ADMINS.items():

            def grant(tx: Tx, slug: str = slug, email: str = email) -> None:
                user = network.accounts.ensure_user(tx, email)
                network.accounts.grant(tx, slug, user.id, Role.ADMIN)

            network.store.write(grant)
        populate_money(network, DEMO_ADMINS)
        for name, populate in network.plugins.each_plugin("populate_demo"):
            try:
                populate(network=network, store=network.store, settings=settings)
            except Exception as exc:
                raise PluginError(f"plugin {name!r} failed in hook 'populate_demo': {exc}") from exc
    marker.write_text(_settings_toml(), encoding="utf-8")
    return settings, True


#: The roles whose holders get a login link printed when the demo starts.
LINKED_ROLES = (Role.ADMIN, Role.TREASURER)


def admin_login_links(settings: Settings, base_url_of: dict[str, str]) -> list[tuple[str, str]]:
    """A fresh login link (15 minutes, single use) for each demo admin: (e-mail, link).

    ``base_url_of`` maps an instance slug to its address (``http://le-bisik.localhost:8000``).
    Every admin and treasurer of those instances gets one (the core's admins and those the
    plugins' ``populate_demo`` added), instance by instance, admins first. The demo prints them
    at start-up so a visitor can log in without a mail server.
    """
    store = Store.open(settings.store_path)
    try:
        accounts = Accounts(store)
        links = LoginLinks(store, per_ip=10_000, per_email=1000)
        found = []
        for slug, base_url in base_url_of.items():
            with store.read() as txn:
                staff = []
                for grant in accounts.grants.find(txn, "instance", slug):
                    user = accounts.users.get(txn, grant.user_id)
                    if user is not None and grant.role in LINKED_ROLES:
                        staff.append((LINKED_ROLES.index(grant.role), user.email))
            for _rank, email in sorted(staff):
                secret = links.issue(email, purpose="login", data={"suite": "/mon-compte"})
                found.append((email, f"{base_url}/connexion/lien/{secret}"))
        return found
    finally:
        store.close()


#: where the demo's simulated terminals keep their state files, in its data directory
TERMINALS_DIR = "terminals"


def demo_terminals(data_dir: Path, base_url_of: dict[str, str]) -> list[tuple[Path, TerminalState]]:
    """The simulated terminals of the demo, each state file pointed at its instance's address.

    ``base_url_of`` maps an instance slug to the address the demo serves it on this time
    (``http://le-bisik.localhost:8000``): ``tirelire nfc`` refuses a state file paired with
    another address, so the file follows the demo's ``--port``.
    """
    found = []
    for path in sorted((data_dir / TERMINALS_DIR).glob("*.json")):
        state = load_state(path)
        if state is None or state.instance not in base_url_of:
            continue
        if state.server != base_url_of[state.instance]:
            state.server = base_url_of[state.instance]
            save_state(path, state)
        found.append((path, state))
    return found
