"""End-to-end fixtures: a real server process, a real SMTP server, a real browser.

- ``smtp``: aiosmtpd on 127.0.0.1, keeping every e-mail it receives;
- ``server``: ``tirelire serve`` (granian) in a subprocess on a free port, its data directory
  in ``tmp_path`` and its mail going to ``smtp``; stopped at the end (``serving(data, log)``
  does the same for a data directory a test prepared);
- ``page``: a Playwright page in Debian's Chromium (``/usr/bin/chromium``; the test is skipped
  where it is missing, and fails in CI where ``.ci/run`` installs it);
- ``shot(page, name)``: a screenshot into ``tests/e2e/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import require_program
from tests.smtp_server import SmtpServer, free_port

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def write_settings(data: Path, smtp_port: int) -> None:
    """The test network's settings: its name, and mail sent to the loopback SMTP server."""
    (data / "settings.toml").write_text(
        'network_name = "Réseau de test"\n'
        f'[mail]\nbackend = "smtp"\nsmtp_port = {smtp_port}\n'
        'sender = "tirelire <noreply@test.org>"\n',
        encoding="utf-8",
    )


@contextmanager
def serving(data: Path, log_path: Path) -> Iterator[int]:
    """``tirelire serve`` on ``data`` in a subprocess on a free port (its port), then stopped."""
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "hosts", "serve", "--port", str(port), "--data", str(data)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/-/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log_path.read_text())
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def server(tmp_path: Path, smtp: SmtpServer) -> Iterator[str]:
    """The address of a freshly started ``tirelire serve``."""
    data = tmp_path / "data"
    data.mkdir()
    write_settings(data, smtp.port)
    with serving(data, tmp_path / "server.log") as port:
        yield f"http://localhost:{port}"


@pytest.fixture
def page() -> Iterator:
    """A page of a headless Chromium driven by Playwright."""
    chromium = require_program("chromium", "/usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="fr-FR", viewport={"width": 1100, "height": 900})
            yield context.new_page()
        finally:
            browser.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest):
    """``shot(page, name)``: save a full-page screenshot as a test artifact."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def take(page, name: str) -> Path:
        path = folder / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def wait_for_mail(smtp: SmtpServer, count: int, timeout: float = 10.0):
    """The ``count``-th e-mail the SMTP server received (waits for it)."""
    deadline = time.monotonic() + timeout
    while len(smtp.messages) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} e-mails, got {len(smtp.messages)}")
        time.sleep(0.05)
    return smtp.messages[count - 1]
