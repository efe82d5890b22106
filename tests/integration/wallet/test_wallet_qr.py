"""Payment QR codes through the web host: staff ask, the payer pays once, staff see it."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from core.wallets import WalletRef
from hosts.web import create_app
from tests.smtp_server import free_port
from tests.web_support import link_in, text_of


def _ask(staff, amount: str, label: str = "") -> str:
    """Staff create a request; its id."""
    staff.get("/caisse/qr")
    shown = staff.post("/caisse/qr", {"amount": amount, "label": label})
    assert shown.status_code == 200, text_of(shown)
    return shown.url.path.rsplit("/", 1)[1]


def test_staff_page_shows_a_qr_code_with_the_link(shop):
    cora = shop.login("cora@a.fr")
    request_id = _ask(cora, "4,50", "Pâtes")
    page = cora.get(f"/caisse/qr/{request_id}")
    assert page.status_code == 200
    link = f"http://a.localhost/payer/{request_id}"
    assert f'<a href="{link}">{link}</a>' in page.text
    svg = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 (\d+) \1" class="qr">',
                    page.text)  # fmt: skip
    assert svg is not None and " style=" not in page.text.split('class="qr"')[1].split("</svg>")[0]
    assert "En attente du paiement de 4,50 FED" in text_of(page)
    assert '<script src="/-/static/payment-request.js" defer></script>' in page.text
    assert shop.visitor().client.get("/-/static/payment-request.js").status_code == 200
    listing = text_of(cora.get("/caisse/qr"))
    assert "Pâtes" in listing and "en attente de paiement" in listing


def test_amount_error_keeps_what_was_typed(shop):
    cora = shop.login("cora@a.fr")
    cora.get("/caisse/qr")
    refused = cora.post("/caisse/qr", {"amount": "quatre", "label": "Café"})
    assert refused.status_code == 400
    assert "Saisissez un montant comme 4,50." in text_of(refused)
    assert 'value="quatre"' in refused.text and 'value="Café"' in refused.text
    assert shop.network.payment_requests.of_instance("a") == []


def test_payer_logs_in_through_the_link_then_pays_once(shop):
    shop.fund("ada@example.org", 1000)
    cora = shop.login("cora@a.fr")
    request_id = _ask(cora, "4,50")
    path = f"/payer/{request_id}"

    ada = shop.visitor()
    sent_to_login = ada.get(path, follow=False)
    assert sent_to_login.headers["location"] == f"/connexion?suite=%2Fpayer%2F{request_id}"
    ada.get(sent_to_login.headers["location"])
    ada.post("/connexion", {"email": "ada@example.org", "suite": path})
    landed = ada.open_link(link_in(shop.smtp.messages[-1]))
    assert landed.url.path == path
    body = text_of(landed)
    assert "Payer Alpha" in body and "4,50 FED" in body and "10,00 FED" in body

    paid = ada.post(path)
    assert paid.status_code == 200 and paid.url.path == path
    assert "Payé. Merci !" in text_of(paid)
    again = ada.post(path)  # a double click
    assert again.status_code == 200
    assert shop.balance("ada@example.org") == 550
    assert shop.network.money.balance(WalletRef.instance("a"), 1) == 450

    staff_view = text_of(cora.get(f"/caisse/qr/{request_id}"))
    assert "Payé : 4,50 FED par ada@example.org" in staff_view


def test_shortfall_is_exact_and_nothing_moves(shop):
    shop.fund("ada@example.org", 300)
    shop.fund("ada@example.org", 100, shop.alp.id)  # accepted by Alpha, taken first
    cora = shop.login("cora@a.fr")
    request_id = _ask(cora, "5")
    ada = shop.login("ada@example.org")
    before = text_of(ada.get(f"/payer/{request_id}"))
    assert "il manque 1,00 FED" in before
    refused = ada.post(f"/payer/{request_id}")
    assert refused.status_code == 409
    assert "Solde insuffisant : il manque 1,00 FED." in text_of(refused)
    assert shop.balance("ada@example.org") == 300
    assert shop.balance("ada@example.org", shop.alp.id) == 100
    assert shop.network.payment_requests.get(request_id).status == "open"
    shop.fund("ada@example.org", 100)
    ada.get(f"/payer/{request_id}")
    ok = ada.post(f"/payer/{request_id}")
    assert "Payé. Merci !" in text_of(ok)
    assert (shop.balance("ada@example.org"), shop.balance("ada@example.org", shop.alp.id)) == (0, 0)


def test_only_assets_the_instance_accepts(shop):
    """Bêta does not accept ALP: it is listed as not accepted, and choosing it is refused."""
    shop.fund("ada@example.org", 5000, shop.alp.id)
    dan = shop.login("dan@b.fr", "b.localhost")
    request_id = _ask(dan, "2")
    ada = shop.login("ada@example.org", "b.localhost")
    page = text_of(ada.get(f"/payer/{request_id}"))
    assert "Non accepté ici : 50,00 ALP" in page and "il manque 2,00 FED" in page
    forced = ada.post(f"/payer/{request_id}", {"asset": str(shop.alp.id)})
    assert forced.status_code == 409
    assert "Ce collectif n'accepte pas cet actif." in text_of(forced)
    assert shop.balance("ada@example.org", shop.alp.id) == 5000


def test_someone_else_cannot_pay_a_paid_request_and_expiry(shop):
    shop.fund("ada@example.org", 1000)
    shop.fund("bob@example.org", 1000)
    cora = shop.login("cora@a.fr")
    request_id = _ask(cora, "1")
    ada = shop.login("ada@example.org")
    ada.get(f"/payer/{request_id}")
    ada.post(f"/payer/{request_id}")
    bob = shop.login("bob@example.org")
    seen = text_of(bob.get(f"/payer/{request_id}"))
    assert "Cette demande de paiement a déjà été payée." in seen
    refused = bob.post(f"/payer/{request_id}")
    assert refused.status_code == 409
    assert "Cette demande de paiement a été annulée ou déjà payée." in text_of(refused)
    assert shop.balance("bob@example.org") == 1000
    # a request served on another instance's address does not exist there
    elsewhere = shop.login("ada@example.org", "b.localhost")
    assert elsewhere.get(f"/payer/{request_id}").status_code == 404
    old = shop.network.payment_requests.create("a", 100, ttl=1)
    shop.network.payment_requests.clock = lambda: old.expires_at + 1
    assert "a expiré" in text_of(ada.get(f"/payer/{old.id}"))
    late = ada.post(f"/payer/{old.id}")
    assert late.status_code == 409 and "a expiré : demandez-en une nouvelle" in text_of(late)


def test_cancel_and_cross_instance_staff(shop):
    cora = shop.login("cora@a.fr")
    request_id = _ask(cora, "3")
    dan_on_a = shop.login("dan@b.fr", "a.localhost")  # a cashier, but of Bêta
    assert dan_on_a.get(f"/caisse/qr/{request_id}", follow=False).status_code == 403
    dan_on_b = shop.login("dan@b.fr", "b.localhost")
    assert dan_on_b.get(f"/caisse/qr/{request_id}").status_code == 404  # A's request, on B
    assert dan_on_b.client.get(f"/caisse/qr/{request_id}/evenements").status_code == 404
    ada = shop.login("ada@example.org")
    assert ada.get("/caisse/qr", follow=False).status_code == 403  # not staff
    cora.get(f"/caisse/qr/{request_id}")
    cancelled = cora.post(f"/caisse/qr/{request_id}/annuler")
    assert "Annulée." in text_of(cancelled)
    shop.fund("ada@example.org", 1000)
    ada.get(f"/payer/{request_id}")
    refused = ada.post(f"/payer/{request_id}")
    assert refused.status_code == 409 and shop.balance("ada@example.org") == 1000


def _events(client, path: str) -> list[dict]:
    events = []
    with client.stream("GET", path, headers={"accept": "text/event-stream"}) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    return events


def test_events_tell_the_staff_page_the_request_was_paid(shop):
    shop.fund("ada@example.org", 1000)
    cora = shop.login("cora@a.fr")
    request_id = _ask(cora, "2,50")
    ada = shop.login("ada@example.org")
    ada.get(f"/payer/{request_id}")
    ada.post(f"/payer/{request_id}")
    events = _events(cora.client, f"/caisse/qr/{request_id}/evenements")
    assert [e["status"] for e in events] == ["paid"]
    assert events[0]["text"].startswith("Payé : 2,50 FED par ada@example.org")


@pytest.fixture
def served(shop) -> Iterator[str]:
    """The shop's app served by uvicorn on 127.0.0.1 (Litestar's test client buffers streams)."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(shop.network), host="127.0.0.1", port=free_port(),
                       log_level="warning", lifespan="on")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_events_follow_the_request_from_open_to_paid(shop, served):
    """A real server streams ``open`` at once, then ``paid`` when the payer pays."""
    shop.fund("ada@example.org", 1000)
    cora = shop.login("cora@a.fr")
    request_id = _ask(cora, "1,20")
    cookie = cora.client.cookies.get("tirelire_session")
    ada = shop.login("ada@example.org")
    ada.get(f"/payer/{request_id}")
    seen: list[str] = []
    headers = {"host": "a.localhost", "cookie": f"tirelire_session={cookie}"}
    with httpx.stream(
        "GET", f"{served}/caisse/qr/{request_id}/evenements", headers=headers, timeout=10
    ) as stream:
        assert stream.status_code == 200
        for line in stream.iter_lines():
            if line.startswith("data: "):
                seen.append(json.loads(line[6:])["status"])
                if seen == ["open"]:
                    ada.post(f"/payer/{request_id}")  # the payer pays while staff listen
    assert seen == ["open", "paid"]


def test_the_authorization_walk_covers_the_staff_routes(shop):
    """tests/integration/test_web_authz.py walks every role-guarded route: ours are in it."""
    from tests.integration.test_web_authz import guarded_routes

    walked = {(method, path) for method, path, _role in guarded_routes(create_app(shop.network))}
    assert {
        ("GET", "/caisse/qr"), ("POST", "/caisse/qr"), ("GET", "/caisse/qr/x"),
        ("GET", "/caisse/qr/x/evenements"), ("POST", "/caisse/qr/x/annuler"),
        ("GET", "/api/payment-requests"), ("POST", "/api/payment-requests"),
        ("GET", "/api/payment-requests/x"),
    } <= walked  # fmt: skip
