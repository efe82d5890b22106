"""Helpers of the payment tests: small HTTP servers in threads, the fake of Stripe's Checkout.

Imported by this folder's tests and conftest (pytest's ``prepend`` import mode puts the
folder on ``sys.path``).
"""

from __future__ import annotations

import json
import queue
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

#: The secret key the tests give the stripe library (localstripe accepts any ``sk_...``).
API_KEY = "sk_test_tirelire"


def post_json(url: str, body: dict[str, Any]) -> int:
    """POST ``body`` as JSON; the HTTP status."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return int(answer.status)


# -- small HTTP servers in threads -----------------------------------------------------------


@dataclass
class Served:
    """A ThreadingHTTPServer on 127.0.0.1 and its base URL."""

    server: ThreadingHTTPServer
    url: str
    thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(handler: type[BaseHTTPRequestHandler]) -> Served:
    """Serve ``handler`` on a free port of 127.0.0.1 in a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    return Served(server, f"http://127.0.0.1:{server.server_address[1]}", thread)


class _QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _json(self, status: int, body: Any) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@dataclass
class Delivery:
    """One webhook as received: the raw body and the headers (lower-case names)."""

    body: bytes
    headers: dict[str, str]


class WebhookReceiver:
    """Records the webhooks POSTed to ``url``; :meth:`wait_for` picks one out."""

    def __init__(self) -> None:
        self.deliveries: queue.Queue[Delivery] = queue.Queue()
        receiver = self

        class Handler(_QuietHandler):
            def do_POST(self) -> None:
                body = self._body()
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.deliveries.put(Delivery(body, headers))
                self._json(200, {"received": True})

        self.served = serve(Handler)
        self.url = self.served.url + "/webhook"

    def wait_for(self, match: Callable[[dict[str, Any]], bool], timeout: float = 10) -> Delivery:
        """The first delivery whose JSON body satisfies ``match``, within ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no matching webhook was delivered in time")
            try:
                delivery = self.deliveries.get(timeout=left)
            except queue.Empty:
                continue
            if match(json.loads(delivery.body)):
                return delivery


@dataclass
class Received:
    """One request the fake received: method, path, headers (lower-case) and form fields."""

    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class FakeCheckoutSessions:
    """The state of the fake: sessions by id, requests in order, an optional forced failure."""

    url: str = ""
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)
    #: ``(status, raw body)`` answered to the next request instead of the normal answer.
    fail_next: tuple[int, bytes] | None = None
    _replies: dict[str, dict[str, Any]] = field(default_factory=dict)

    def create(self, form: dict[str, str]) -> dict[str, Any]:
        """A session as Stripe returns it, from the form-encoded create parameters."""
        session_id = "cs_test_" + secrets.token_hex(12)
        amount = int(form["line_items[0][price_data][unit_amount]"]) * int(
            form.get("line_items[0][quantity]", "1")
        )
        metadata = {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")}
        now = int(time.time())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": form.get("mode"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": amount,
            "amount_total": amount,
            "currency": form.get("line_items[0][price_data][currency]"),
            "client_reference_id": form.get("client_reference_id"),
            "customer_email": form.get("customer_email"),
            "metadata": metadata,
            "payment_intent": None,
            "success_url": form.get("success_url"),
            "cancel_url": form.get("cancel_url"),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "livemode": False,
            "created": now,
            "expires_at": now + 86400,
        }
        self.sessions[session_id] = session
        return session

    def pay(self, session_id: str, payment_intent: str = "pi_test_paid") -> None:
        """What Stripe does when the payer pays: the session completes."""
        self.sessions[session_id].update(
            status="complete", payment_status="paid", payment_intent=payment_intent, url=None
        )


def serve_fake_checkout() -> tuple[FakeCheckoutSessions, Served]:
    """Serve Stripe's Checkout Session endpoints (create, retrieve) on 127.0.0.1."""
    fake = FakeCheckoutSessions()
    prefix = "/v1/checkout/sessions"

    class Handler(_QuietHandler):
        def _record(self, form: dict[str, str]) -> bool:
            headers = {k.lower(): v for k, v in self.headers.items()}
            fake.requests.append(Received(self.command, self.path, headers, form))
            if fake.fail_next is not None:
                status, raw = fake.fail_next
                fake.fail_next = None
                self.send_response(status)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
                return False
            return True

        def do_POST(self) -> None:
            form = dict(parse_qsl(self._body().decode(), keep_blank_values=True))
            if not self._record(form):
                return
            if self.path != prefix:
                self._json(404, _not_found(self.path))
                return
            key = self.headers.get("Idempotency-Key", "")
            if key and key in fake._replies:  # Stripe replays the first answer
                self._json(200, fake._replies[key])
                return
            session = fake.create(form)
            if key:
                fake._replies[key] = session
            self._json(200, session)

        def do_GET(self) -> None:
            if not self._record({}):
                return
            session_id = self.path.split("?", 1)[0].removeprefix(prefix + "/")
            found = fake.sessions.get(session_id)
            if found is None:
                self._json(404, _not_found(session_id))
            else:
                self._json(200, found)

    served = serve(Handler)
    fake.url = served.url
    return fake, served


def _not_found(what: str) -> dict[str, Any]:
    return {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": f"No such checkout.session: '{what}'",
            "param": "session",
        }
    }
