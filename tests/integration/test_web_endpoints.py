"""The core's endpoints (health, plugins, OpenAPI, static) and the guard on plugin routes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import get
from litestar.testing import TestClient

from core import Instance, Network, PluginError, PluginManager, hookimpl, load_settings
from hosts.web import create_app


@get("/guarded/ping", sync_to_thread=False)
def ping() -> dict[str, str]:
    """A route of the throwaway plugin below."""
    return {"pong": "ok"}


class Throwaway:
    """A plugin registered as an object, the cheapest way to test a hook."""

    def __init__(self) -> None:
        self.links_for: list[str] = []

    @hookimpl
    def register_routes(self, register: Callable[[Any], None]) -> None:
        register(ping)

    @hookimpl
    def register_instance_links(
        self, instance: Instance, register: Callable[[str, str], None]
    ) -> None:
        self.links_for.append(instance.slug)
        register("Ping", "/guarded/ping")


@pytest.fixture
def plugin() -> Throwaway:
    """The throwaway plugin object."""
    return Throwaway()


@pytest.fixture
def network(tmp_path: Path, plugin: Throwaway) -> Iterator[Network]:
    """A network with only the throwaway plugin; ``on`` enabled it, ``off`` did not."""
    manager = PluginManager(load_entry_points=False)
    manager.register(plugin, "throwaway", version="1.2.3")
    with Network.open(load_settings(tmp_path / "data"), plugins=manager) as net:
        net.instances.create(Instance(slug="on", name="Allumé", enabled_plugins=["throwaway"]))
        net.instances.create(Instance(slug="off", name="Éteint"))
        yield net


@pytest.fixture
def client(network: Network) -> Iterator[TestClient]:
    """A test client on that network."""
    with TestClient(create_app(network)) as test_client:
        yield test_client


def test_health(client: TestClient, fetch: Any) -> None:
    body = fetch(client, "localhost:8000", "/-/health").json()
    assert body == {"status": "ok", "network": "Réseau tirelire", "instances": 2, "plugins": 4}


def test_plugins_json(client: TestClient, fetch: Any) -> None:
    body = fetch(client, "localhost", "/-/plugins.json").json()
    assert body == [
        {
            "name": "throwaway",
            "version": "1.2.3",
            "hooks": ["register_instance_links", "register_routes"],
            "module": "Throwaway",
        },
        {
            "name": "tirelire-analytics",
            "version": "0.1.0",
            "hooks": ["register_account_sections", "register_admin_sections"],
            "module": "AnalyticsSections",
        },
        {
            "name": "tirelire-charge",
            "version": "0.1.0",
            "hooks": ["on_card_tap", "register_terminal_modes"],
            "module": "core.terminals.charge_mode",
        },
        {
            "name": "tirelire-web",
            "version": "0.1.0",
            "hooks": ["register_account_sections", "register_admin_sections"],
            "module": "hosts.web.core_sections",
        },
    ]


def test_plugins_page(client: TestClient, fetch: Any) -> None:
    page = fetch(client, "localhost", "/-/plugins")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<td>throwaway</td>" in page.text
    assert "<td>1.2.3</td>" in page.text
    assert "<code>register_routes</code>" in page.text


def test_openapi_json_at_its_documented_url(client: TestClient, fetch: Any) -> None:
    response = fetch(client, "localhost", "/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/-/health", "/-/plugins.json", "/guarded/ping"} <= set(schema["paths"])


def test_schema_index_needs_no_javascript(client: TestClient, fetch: Any) -> None:
    page = fetch(client, "localhost", "/schema")
    assert page.status_code == 200
    assert 'href="/schema/openapi.json"' in page.text
    assert "<script" not in page.text
    assert "/-/health" in page.text


def test_static_stylesheet(client: TestClient, fetch: Any) -> None:
    css = fetch(client, "le-bisik.localhost", "/-/static/tirelire.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


def test_pages_load_nothing_from_elsewhere(client: TestClient, fetch: Any) -> None:
    for host, path in [("localhost", "/"), ("on.localhost", "/"), ("localhost", "/-/plugins")]:
        text = fetch(client, host, path).text
        assert "<script" not in text
        assert 'src="http' not in text
        assert 'rel="stylesheet" href="/-/static/tirelire.css"' in text


def test_plugin_route_guard(
    client: TestClient, network: Network, plugin: Throwaway, fetch: Any
) -> None:
    assert fetch(client, "on.localhost", "/guarded/ping").json() == {"pong": "ok"}
    assert fetch(client, "off.localhost", "/guarded/ping").status_code == 404
    assert fetch(client, "localhost", "/guarded/ping").status_code == 404
    assert fetch(client, "nobody.localhost", "/guarded/ping").status_code == 404
    assert "Ping" in fetch(client, "on.localhost", "/").text
    assert "Ping" not in fetch(client, "off.localhost", "/").text
    assert plugin.links_for == ["on"]
    network.instances.set_plugin("off", "throwaway", True)
    assert fetch(client, "off.localhost", "/guarded/ping").status_code == 200


def test_app_built_from_settings_opens_and_closes_its_store(tmp_path: Path, fetch: Any) -> None:
    settings = load_settings(tmp_path / "data")
    app = create_app(settings, plugins=PluginManager(load_entry_points=False))
    with TestClient(app) as client:
        assert fetch(client, "localhost", "/-/health").json()["instances"] == 0
        network = app.state.network
    assert network.store._closed  # the lifespan closed what it opened
    with Network.open(settings, plugins=PluginManager(load_entry_points=False)) as again:
        assert again.instances.all() == []


class BadTemplates:
    """A plugin registering a file where its template folder should be."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @hookimpl
    def register_templates(self, register: Callable[[Path], None]) -> None:
        register(self.path)


def test_a_template_folder_that_is_not_a_folder_names_the_plugin(tmp_path: Path) -> None:
    manager = PluginManager(load_entry_points=False)
    not_a_folder = tmp_path / "templates.txt"
    not_a_folder.write_text("x")
    manager.register(BadTemplates(not_a_folder), "bad-templates")
    with pytest.raises(PluginError, match="plugin 'bad-templates' registered templates from"):
        create_app(load_settings(tmp_path / "data"), plugins=manager)


def test_the_servers_entry_point_freezes_what_lives_as_long_as_the_process(tmp_path, monkeypatch):
    """``app_factory`` (granian, uvicorn) moves the objects alive at startup out of the
    garbage collector's sight; an application built by ``create_app`` (tests) does not."""
    import gc

    from hosts.web.app import app_factory, freeze_startup_objects

    monkeypatch.setenv("TIRELIRE_DATA", str(tmp_path / "data"))
    gc.unfreeze()
    try:
        plain = create_app(load_settings(tmp_path / "data"))
        assert freeze_startup_objects not in plain.on_startup
        app = app_factory()
        assert freeze_startup_objects in app.on_startup
        with TestClient(app=app, base_url="http://localhost") as client:
            assert gc.get_freeze_count() > 1000
            assert client.get("/-/health").status_code == 200
    finally:
        gc.unfreeze()
