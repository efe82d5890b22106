"""The example plugin, installed through an entry point, is enabled per instance.

Instance A (Le Bisik) enabled it, instance B (La Ressourcerie) did not: the plugin's route
answers on A and 404 on B and on the network's home, A's home page shows its link and B's does
not, its per-instance hooks are never called for B, and disabling it on A takes effect at the
next request, without rebuilding the application.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from core import Instance, InstanceKind, Network, PluginManager, load_settings
from hosts.cli import build_cli
from hosts.web import create_app

A = "le-bisik.localhost:8000"
B = "la-ressourcerie.localhost:8000"


@pytest.fixture
def net(tmp_path: Path, example_plugin: PluginManager) -> Iterator[Network]:
    """A network whose plugin manager found the example plugin; A enabled it, B did not."""
    network = Network.open(load_settings(tmp_path / "data"), plugins=example_plugin)
    network.instances.create(Instance(slug="le-bisik", name="Le Bisik", kind=InstanceKind.VENUE))
    network.instances.create(Instance(slug="la-ressourcerie", name="La Ressourcerie"))
    network.instances.set_plugin("le-bisik", "example", True)
    try:
        yield network
    finally:
        network.close()


def calls() -> list[tuple[str, str | None]]:
    """What the example plugin recorded (the module loaded from its entry point)."""
    return sys.modules["example_plugin.record"].CALLS  # type: ignore[no-any-return]


def test_it_is_discovered_through_its_entry_point(net: Network) -> None:
    info = {i.name: i for i in net.plugins.installed()}["example"]
    assert info.version == "0.1.0"
    assert info.module == "example_plugin"
    assert info.hooks == [
        "register_commands",
        "register_instance_links",
        "register_routes",
        "register_templates",
        "register_translations",
    ]
    assert sys.modules["example_plugin"].__file__.startswith(
        str(Path(net.settings.data_dir).parent)
    )


def test_route_answers_only_where_enabled(net: Network, fetch: Any) -> None:
    with TestClient(create_app(net)) as client:
        on_a = fetch(client, A, "/example/hello")
        assert on_a.status_code == 200
        assert on_a.json() == {
            "instance": "le-bisik",
            "message": "Bonjour de la part de Le Bisik !",
        }
        assert fetch(client, B, "/example/hello").status_code == 404
        assert fetch(client, "localhost:8000", "/example/hello").status_code == 404
        assert fetch(client, "127.0.0.1:8000", "/example/hello").status_code == 404
        friendly = fetch(client, B, "/example/hello", accept="text/html")
        assert friendly.status_code == 404
        assert "Page introuvable" in friendly.text


def test_links_and_hooks_only_for_the_enabling_instance(net: Network, fetch: Any) -> None:
    with TestClient(create_app(net)) as client:
        home_a = fetch(client, A, "/")
        home_b = fetch(client, B, "/")
        fetch(client, A, "/example/hello")
        fetch(client, B, "/example/hello")
    assert 'href="/example/hello"' in home_a.text
    assert "Dire bonjour" in home_a.text
    assert "/example/hello" not in home_b.text
    per_instance = [(name, slug) for name, slug in calls() if slug is not None]
    assert ("register_instance_links", "le-bisik") in per_instance
    assert ("hello", "le-bisik") in per_instance
    assert {slug for _, slug in per_instance} == {"le-bisik"}


def test_disabling_takes_effect_at_once(net: Network, fetch: Any) -> None:
    with TestClient(create_app(net)) as client:
        assert fetch(client, A, "/example/hello").status_code == 200
        net.instances.set_plugin("le-bisik", "example", False)
        assert fetch(client, A, "/example/hello").status_code == 404
        assert "/example/hello" not in fetch(client, A, "/").text
        net.instances.set_plugin("la-ressourcerie", "example", True)
        assert fetch(client, B, "/example/hello").json()["instance"] == "la-ressourcerie"


def test_its_page_uses_its_templates_and_catalog_inside_the_layout(
    net: Network, fetch: Any
) -> None:
    with TestClient(create_app(net)) as client:
        french = fetch(client, A, "/example/bienvenue", accept="text/html")
        english = fetch(client, A, "/example/bienvenue", accept="text/html", cookie="lang=en")
        assert fetch(client, B, "/example/bienvenue", accept="text/html").status_code == 404
    assert french.status_code == 200
    assert "<h1>Une page du plugin d'exemple</h1>" in french.text
    assert "Servie pour Le Bisik." in french.text
    assert 'class="brand" href="/">Le Bisik</a>' in french.text  # the host's layout
    assert "<h1>A page of the example plugin</h1>" in english.text


def test_its_route_is_in_the_openapi_schema(net: Network, fetch: Any) -> None:
    with TestClient(create_app(net)) as client:
        schema = fetch(client, "localhost", "/schema/openapi.json").json()
    assert "/example/hello" in schema["paths"]


def test_its_command_joins_the_tirelire_command(net: Network) -> None:
    group = build_cli(net.plugins)
    result = CliRunner().invoke(group, ["example-hello", "--name", "Bisik"], obj={})
    assert result.exit_code == 0, result.output
    assert result.output == "Bonjour, Bisik !\n"
    assert ("example-hello", None) in calls()
