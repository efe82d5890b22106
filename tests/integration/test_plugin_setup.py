"""A plugin that needs setting up: the admin plugins page sends the admin to its set-up page.

A throwaway plugin answers ``plugin_setup_path`` with its set-up page until its per-network
service (``network.service``) holds a value for the instance, which its set-up route saves with
the author read from the host's ``user`` dependency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import post
from litestar.di import NamedDependency

from core import Instance, Network, PluginError, hookimpl, load_settings
from core.accounts import Role, User
from hosts.web.auth import SESSION_COOKIE
from hosts.web.routes_admin import setup_path
from tests.web_support import Visitor


class Settled:
    """The plugin's per-network service: which instances are set up, and by whom."""

    made = 0

    def __init__(self, network: Network) -> None:
        Settled.made += 1
        self.done: dict[str, str] = {}


@post("/reglages/ok", opt={"role": "admin"}, sync_to_thread=False)
def settle(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    user: NamedDependency[User | None],
) -> dict[str, str]:
    """Finish the set-up (the author comes from the ``user`` dependency)."""
    network.service("settling", Settled).done[instance.slug] = user.email if user else "?"
    return {"ok": instance.slug}


class Settling:
    """The throwaway plugin."""

    answer: Any = "/reglages"

    @hookimpl
    def register_routes(self, register: Callable[[Any], None]) -> None:
        register(settle)

    @hookimpl
    def plugin_setup_path(self, network: Network, instance: Instance) -> str | None:
        if instance.slug in network.service("settling", Settled).done:
            return None
        return self.answer


class Quiet:
    """A plugin with nothing to set up."""

    @hookimpl
    def register_instance_links(self, instance: Any, register: Any) -> None:
        register("Rien", "/rien")


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[tuple[Network, Settling, Visitor]]:
    network = Network.open(load_settings(tmp_path / "data"))
    plugin = Settling()
    network.plugins.register(plugin, "settling")
    network.plugins.register(Quiet(), "quiet")
    network.instances.create(Instance(slug="a", name="A"))

    def op(tx: Any) -> str:
        user = network.accounts.ensure_user(tx, "admin@a.fr")
        network.accounts.grant(tx, "a", user.id, Role.ADMIN)
        return network.accounts.open_session(tx, user.id)

    secret = network.store.write(op)
    visitor = Visitor(network, "a.localhost")
    visitor.client.cookies.set(SESSION_COOKIE, secret)
    try:
        yield network, plugin, visitor
    finally:
        visitor.close()
        network.close()


def test_enabling_sends_the_admin_to_the_set_up_until_it_is_done(admin):
    network, _plugin, visitor = admin
    visitor.get("/admin/plugins")
    enabled = visitor.post("/admin/plugins/settling", {"enabled": "1"}, follow=False)
    assert enabled.headers["location"] == "/reglages"
    listing = visitor.get("/admin/plugins")
    assert 'href="/reglages">Terminer sa mise en place</a>' in listing.text
    quiet = visitor.post("/admin/plugins/quiet", {"enabled": "1"}, follow=False)
    assert quiet.headers["location"] == "/admin/plugins"
    assert visitor.post("/reglages/ok").json() == {"ok": "a"}
    assert network.service("settling", Settled).done == {"a": "admin@a.fr"}
    assert "Terminer sa mise en place" not in visitor.get("/admin/plugins").text
    visitor.post("/admin/plugins/settling", {"enabled": "0"}, follow=False)
    again = visitor.post("/admin/plugins/settling", {"enabled": "1"}, follow=False)
    assert again.headers["location"] == "/admin/plugins"  # set up already


@pytest.mark.parametrize("answer", ["https://evil.example/", "//evil.example/x", "reglages", 3])
def test_an_answer_that_is_not_a_local_path_is_the_plugin_s_bug(admin, answer):
    network, plugin, visitor = admin
    plugin.answer = answer
    visitor.get("/admin/plugins")
    with pytest.raises(PluginError, match="settling"):
        setup_path(network, network.instances.get("a"), "settling")
    response = visitor.post("/admin/plugins/settling", {"enabled": "1"}, follow=False)
    assert response.status_code == 500
    assert "evil" not in response.headers.get("location", "")


def test_a_network_keeps_one_service_per_name(tmp_path: Path) -> None:
    Settled.made = 0
    with Network.open(load_settings(tmp_path / "one")) as one:
        first = one.service("settling", Settled)
        assert one.service("settling", Settled) is first
        with Network.open(load_settings(tmp_path / "two")) as two:
            assert two.service("settling", Settled) is not first
    assert Settled.made == 2
