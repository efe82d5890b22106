"""Real servers on 127.0.0.1 for the payment tests; the ``stripe`` library is never patched.

- ``localstripe`` (session): localstripe (PyPI) in a subprocess, through
  ``localstripe_server.py``: payment intents, refunds and signed webhooks, as Stripe's API
  answers them over HTTP;
- ``webhook_receiver``: a tiny HTTP server that records what is POSTed to it (localstripe
  delivers its signed webhooks there);
- ``fake_checkout``: Stripe's ``/v1/checkout/sessions`` endpoints, which localstripe lacks,
  served at the HTTP level (form-encoded POST create, GET retrieve, JSON shaped like Stripe's,
  Stripe's idempotency-key replay and error bodies) and recording every request;
- ``store``: a real LMDB store in ``tmp_path``.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from payments_support import (
    API_KEY,
    FakeCheckoutSessions,
    WebhookReceiver,
    serve_fake_checkout,
)

from core.store import Store

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "localstripe_server.py"
START_TIMEOUT = 20.0


# -- localstripe ---------------------------------------------------------------------------


def _read_port(proc: subprocess.Popen[bytes], out: Path, err: Path) -> int:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        first = out.read_text().split("\n", 1)
        if len(first) == 2 and first[0].strip().isdigit():
            return int(first[0])
        if proc.poll() is not None:
            pytest.fail(f"localstripe exited with {proc.returncode}:\n{err.read_text()[-3000:]}")
        time.sleep(0.05)
    pytest.fail(f"localstripe gave no port within {START_TIMEOUT} s:\n{err.read_text()[-3000:]}")


def _wait_until_answers(base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    request = urllib.request.Request(
        f"{base}/v1/customers?limit=1", headers={"Authorization": f"Bearer {API_KEY}"}
    )
    while True:
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """localstripe's base URL (``http://127.0.0.1:<port>``), running for the whole session."""
    logs = tmp_path_factory.mktemp("localstripe")
    out, err = logs / "stdout", logs / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, str(LAUNCHER)], stdout=stdout, stderr=stderr, cwd=logs
        )
    try:
        base = f"http://127.0.0.1:{_read_port(proc, out, err)}"
        _wait_until_answers(base)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# -- a webhook receiver and Stripe's Checkout Sessions, on 127.0.0.1 ---------------------


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A webhook receiver on 127.0.0.1, stopped afterwards."""
    receiver = WebhookReceiver()
    try:
        yield receiver
    finally:
        receiver.served.stop()


@pytest.fixture
def fake_checkout() -> Iterator[FakeCheckoutSessions]:
    """Stripe's ``/v1/checkout/sessions`` on 127.0.0.1 (localstripe has no Checkout)."""
    fake, served = serve_fake_checkout()
    try:
        yield fake
    finally:
        served.stop()


# -- the store -------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real LMDB store in ``tmp_path``, closed afterwards."""
    opened = Store.open(tmp_path / "store")
    try:
        yield opened
    finally:
        opened.close()
