"""The Host header decides the instance: ``<slug>.<base domain>``, the bare domain is the home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from core import Instance, InstanceKind, Network, PluginManager, load_settings
from hosts.web import UnknownSite, create_app, match_host


@pytest.fixture
def client(network: Network) -> Iterator[TestClient]:
    """A test client on a network with one venue, Le Bisik."""
    network.instances.create(
        Instance(
            slug="le-bisik",
            name="Le Bisik",
            kind=InstanceKind.VENUE,
            description="Salle de concerts associative",
        )
    )
    with TestClient(create_app(network)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("host", "slug", "base", "port"),
    [
        ("localhost", None, "localhost", None),
        ("localhost:8000", None, "localhost", 8000),
        ("le-bisik.localhost:8000", "le-bisik", "localhost", 8000),
        ("LE-BISIK.LocalHost.", "le-bisik", "localhost", None),
        ("127.0.0.1:8000", None, "localhost", 8000),
        ("[::1]:8000", None, "localhost", 8000),
        ("claf.reseau.example.org", "claf", "reseau.example.org", None),
        ("reseau.example.org:443", None, "reseau.example.org", 443),
    ],
)
def test_match_host(host: str, slug: str | None, base: str, port: int | None) -> None:
    match = match_host(host, ["localhost", "example.org", "reseau.example.org"])
    assert (match.slug, match.base_domain, match.port) == (slug, base, port)


@pytest.mark.parametrize("host", ["elsewhere.net", "a.b.localhost", "example.org.evil.net"])
def test_match_host_refuses_other_domains(host: str) -> None:
    with pytest.raises(UnknownSite):
        match_host(host, ["localhost", "example.org"])


def test_instance_home_page(client: TestClient, fetch: Any) -> None:
    page = fetch(client, "le-bisik.localhost:8000", "/")
    assert page.status_code == 200
    assert "<h1>Le Bisik</h1>" in page.text
    assert "Salle de concerts associative" in page.text
    assert 'href="http://localhost:8000"' in page.text  # back to the network's home


def test_network_home_lists_instances_with_their_addresses(client: TestClient, fetch: Any) -> None:
    for host, address in [
        ("localhost:8000", "http://le-bisik.localhost:8000"),
        ("127.0.0.1:8000", "http://le-bisik.localhost:8000"),
        ("localhost", "http://le-bisik.localhost"),
    ]:
        page = fetch(client, host, "/")
        assert page.status_code == 200
        assert f'href="{address}"' in page.text
        assert "Le Bisik" in page.text


def test_unknown_slug_is_a_friendly_404(client: TestClient, fetch: Any) -> None:
    page = fetch(client, "inconnu.localhost:8000", "/", accept="text/html")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "aucun collectif « inconnu »" in page.text
    assert 'href="http://localhost:8000"' in page.text
    api = fetch(client, "inconnu.localhost:8000", "/", accept="application/json")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["status"] == 404


def test_foreign_domain_is_a_404(client: TestClient, fetch: Any) -> None:
    assert fetch(client, "example.net", "/").status_code == 404


def test_health_answers_whatever_the_host(client: TestClient, fetch: Any) -> None:
    for host in ["localhost", "le-bisik.localhost:8000", "inconnu.localhost", "10.0.0.1"]:
        health = fetch(client, host, "/-/health")
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        assert health.json()["instances"] == 1


def test_several_base_domains(tmp_path: Path, fetch: Any) -> None:
    settings = load_settings(tmp_path / "data", base_domains=["localhost", "reseau.test"])
    with Network.open(settings, plugins=PluginManager(load_entry_points=False)) as network:
        network.instances.create(Instance(slug="claf", name="La CLAF"))
        with TestClient(create_app(network)) as client:
            assert "La CLAF" in fetch(client, "claf.reseau.test", "/").text
            assert "La CLAF" in fetch(client, "claf.localhost:8000", "/").text
            home = fetch(client, "reseau.test", "/").text
            assert 'href="http://claf.reseau.test"' in home
