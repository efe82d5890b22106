"""The real ``tirelire`` command in a subprocess: listings, one-line errors, the demo served."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core import Instance, Network, PluginManager, hookimpl, load_settings
from hosts.demo import DemoError, ensure_demo
from hosts.serving import free_port

ROOT = Path(__file__).resolve().parents[2]


def tirelire(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``tirelire <args>`` (as ``python -m hosts``) and return what it did."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("TIRELIRE_PLUGINS", None)
    return subprocess.run(
        [sys.executable, "-m", "hosts", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """A non-zero exit with exactly one line on stderr, naming what went wrong."""
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tirelire: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_plugins_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIRELIRE_PLUGINS", raising=False)
    result = tirelire("plugins")
    assert result.returncode == 0, result.stderr
    installed = PluginManager().installed()
    if installed:
        assert result.stdout.splitlines()[0].split() == ["NAME", "VERSION", "HOOKS"]
        for info in installed:
            assert info.name in result.stdout
    else:
        assert result.stdout.strip() == "No plugins installed."


def test_plugins_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIRELIRE_PLUGINS", raising=False)
    result = tirelire("plugins", "--json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert [p["name"] for p in listed] == [i.name for i in PluginManager().installed()]
    for plugin in listed:
        assert set(plugin) == {"name", "version", "hooks", "module"}


def test_help_still_works() -> None:
    result = tirelire("serve", "--help")
    assert result.returncode == 0
    assert "--workers" in result.stdout
    assert result.stderr == ""


def test_unknown_option_is_one_line() -> None:
    assert_one_line_error(tirelire("serve", "--bogus"), "--bogus", "tirelire serve --help")


def test_unknown_command_is_one_line() -> None:
    assert_one_line_error(tirelire("frobnicate"), "frobnicate")


def test_bad_value_is_one_line() -> None:
    assert_one_line_error(tirelire("serve", "--port", "huit-mille"), "--port")
    assert_one_line_error(tirelire("serve", "--workers", "0", "--port", "1"), "--workers")


def test_unwritable_data_directory_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory")
    data = blocker / "data"
    assert_one_line_error(tirelire("serve", "--data", str(data)), "data directory", str(data))
    assert_one_line_error(tirelire("demo", "--data", str(data)), "data directory")


def test_bad_settings_file_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text('language = "klingon"\n')
    assert_one_line_error(tirelire("serve", "--data", str(data)), "language")


def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = tirelire("serve", "--port", str(port), "--data", str(tmp_path / "data"))
    assert_one_line_error(result, f"port {port} on 127.0.0.1 is already in use", "--port")


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, int, Path]]:
    """``tirelire demo`` running on a free port; (base url, port, stdout file); stopped after."""
    port = free_port()
    data = tmp_path / "demo"
    out = tmp_path / "demo.out"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with out.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hosts", "demo", "--data", str(data), "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, out.read_text()
            try:
                if httpx.get(f"{base}/-/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the demo did not start:\n" + out.read_text()
            time.sleep(0.2)
        yield base, port, out
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def test_demo_creates_and_serves_the_demo_network(
    demo_server: tuple[str, int, Path],
) -> None:
    base, port, out = demo_server
    health = httpx.get(f"{base}/-/health", timeout=5).json()
    assert health["status"] == "ok"
    assert health["instances"] >= 2
    home = httpx.get(base, headers={"host": f"localhost:{port}"}, timeout=5)
    assert home.status_code == 200
    assert f'href="http://le-bisik.localhost:{port}"' in home.text
    venue = httpx.get(base, headers={"host": f"le-bisik.localhost:{port}"}, timeout=5)
    assert venue.status_code == 200
    assert "<h1>Le Bisik</h1>" in venue.text
    printed = out.read_text()
    assert f"http://127.0.0.1:{port}" in printed
    assert f"http://le-bisik.localhost:{port}" in printed
    # the simulated card terminal of the bar, its state file pointed at this port
    (terminal,) = [line for line in printed.splitlines() if "Caisse du bar (simulée)" in line]
    assert f"--server http://le-bisik.localhost:{port} --state " in terminal
    assert terminal.endswith("le-bisik-bar.json") and "tirelire nfc-card --port 9999" in printed
    # the demo prints a login link for each instance's admin, and it works
    link = next(
        line.split()[-1] for line in printed.splitlines() if "admin@le-bisik.example" in line
    )
    assert link.startswith(f"http://le-bisik.localhost:{port}/connexion/lien/")
    path = link.split(f":{port}", 1)[1]
    opened = httpx.get(f"{base}{path}", headers={"host": f"le-bisik.localhost:{port}"}, timeout=5)
    assert "admin@le-bisik.example" in opened.text


def test_demo_is_created_once_then_reused(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    manager = PluginManager(load_entry_points=False)
    settings, created = ensure_demo(data, plugins=manager)
    assert created and settings.demo
    again, created_again = ensure_demo(data, plugins=manager)
    assert not created_again and again.demo
    with Network.open(load_settings(data), plugins=manager) as network:
        assert [i.slug for i in network.instances.all()] == ["la-ressourcerie", "le-bisik"]
        admin = network.accounts.user_by_email("admin@le-bisik.example")
        assert network.accounts.role_of("le-bisik", admin.id) == "admin"


def test_demo_refuses_a_real_network(tmp_path: Path) -> None:
    data = tmp_path / "real"
    data.mkdir()
    (data / "settings.toml").write_text('network_name = "Vrai réseau"\n')
    with pytest.raises(DemoError, match="not a demo"):
        ensure_demo(data, plugins=PluginManager(load_entry_points=False))


class DemoPart:
    """A throwaway plugin adding its own instance to the demo through the services."""

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def populate_demo(self, network: Network, settings: Any) -> None:
        self.calls += 1
        assert settings.demo
        network.instances.create(Instance(slug="les-goulues", name="Les Goulues"))


def test_plugins_add_their_part_of_the_demo_once(tmp_path: Path) -> None:
    manager = PluginManager(load_entry_points=False)
    part = DemoPart()
    manager.register(part, "demo-part")
    ensure_demo(tmp_path / "demo", plugins=manager)
    ensure_demo(tmp_path / "demo", plugins=manager)
    assert part.calls == 1
    with Network.open(load_settings(tmp_path / "demo"), plugins=manager) as network:
        assert network.instances.get("les-goulues") is not None
