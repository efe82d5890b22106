"""Terminals through the web host: admin pages, pairing, signed API, charge page and API.

A real network on LMDB, a real SMTP server for the logins, Litestar's test client. Requests of
the terminal are signed with the terminal's own key exactly as ``tirelire nfc`` signs them.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient

from core.accounts import Role
from core.instances import Instance
from core.network import Network
from core.terminals.registry import PAIR_FAILURES
from core.terminals.signing import new_private_key, public_key_text, sign_request
from core.wallets import WalletRef
from hosts.web import create_app
from tests.smtp_server import SmtpServer
from tests.web_support import Visitor, link_in, open_network

CODE_RE = re.compile(r'<code class="secret code">([0-9A-Z-]{14})</code>')


@dataclass
class Device:
    """A terminal's side: its key, its id once paired, and a client on its instance's host."""

    client: TestClient
    host: str
    key: Any
    terminal_id: str = ""

    def pair(self, code: str) -> Any:
        body = {"code": code, "public_key": public_key_text(self.key)}
        return self.client.post("/api/terminals/pair", json=body, headers={"host": self.host})

    def signed(
        self, path: str, body: Any, *, now: float | None = None, host: str | None = None,
        key: Any = None, raw: bytes | None = None,
    ) -> tuple[bytes, dict[str, str]]:  # fmt: skip
        data = json.dumps(body).encode()
        headers = sign_request(
            key or self.key, terminal_id=self.terminal_id, method="POST", host=host or self.host,
            target=path, body=data, now=time.time() if now is None else now,
        )  # fmt: skip
        headers.update({"host": host or self.host, "content-type": "application/json"})
        return (raw if raw is not None else data), headers

    def post(self, path: str, body: Any, **kwargs: Any) -> Any:
        content, headers = self.signed(path, body, **kwargs)
        return self.client.post(path, content=content, headers=headers)


@pytest.fixture
def world(tmp_path) -> Iterator:
    with SmtpServer() as smtp:
        network = open_network(tmp_path / "data", smtp.port)
        for slug, name in (("claf", "CLAF"), ("goulues", "Les Goulues"), ("bisik", "Le Bisik")):
            network.instances.create(Instance(slug=slug, name=name))
        people = {}
        for email, slug, role in (("alice@goulues.fr", "goulues", Role.ADMIN),
                                  ("carl@goulues.fr", "goulues", Role.CASHIER),
                                  ("bob@bisik.fr", "bisik", Role.ADMIN)):  # fmt: skip
            user = network.store.write(lambda tx, e=email: network.accounts.ensure_user(tx, e))
            network.store.write(
                lambda tx, u=user, s=slug, r=role: network.accounts.grant(tx, s, u.id, r)
            )
            people[email] = user
        money = network.money
        cla = money.assets.create(issuer="claf", code="CLA", name="CLAF-outils", category="fiat")
        money.federations.invite(cla.id, "goulues", by_instance="claf", author="admin")
        money.federations.accept(cla.id, "goulues", author="admin")
        card = money.cards.add(uid="0102030405060708", number="0042")
        money.grant(operation_id="allocation-1", wallet=WalletRef.card(card.id),
                    asset_id=cla.id, amount=5000)  # fmt: skip
        visitors: list[Visitor] = []

        def login(email: str, host: str = "goulues.localhost") -> Visitor:
            v = Visitor(network, host)
            visitors.append(v)
            v.get("/connexion")
            v.post("/connexion", {"email": email})
            v.open_link(link_in(smtp.messages[-1]))
            return v

        client = TestClient(create_app(network))
        client.__enter__()
        try:
            yield network, login, client, cla, card
        finally:
            client.__exit__(None, None, None)
            for v in visitors:
                v.close()
            report = network.money.check_invariants()
            network.close()
            assert report.ok, report.problems


def _pair(network: Network, client: TestClient, slug: str = "goulues") -> Device:
    instance = network.instances.get(slug)
    _record, code = network.terminals.new_pairing_code(instance, name="Stand", mode="charge")
    device = Device(client=client, host=f"{slug}.localhost", key=new_private_key())
    answer = device.pair(code)
    assert answer.status_code == 201, answer.text
    device.terminal_id = answer.json()["terminal_id"]
    return device


def test_an_admin_pairs_a_terminal_from_the_panel(world):
    _network, login, client, _cla, _card = world
    alice = login("alice@goulues.fr")
    assert "/admin/terminaux" in alice.get("/admin").text
    empty = alice.post("/admin/terminaux/appairage", {"name": "   ", "mode": "charge"})
    assert empty.status_code == 400
    assert "Donnez au terminal un nom de 80 caractères au plus." in empty.text
    page = alice.post("/admin/terminaux/appairage", {"name": "Marché du samedi", "mode": "charge"})
    assert page.status_code == 200
    code = CODE_RE.search(page.text).group(1)
    assert f"--server http://goulues.localhost --pair {code}" in page.text
    assert "Marché du samedi" in alice.get("/admin/terminaux").text  # pending code listed
    assert code not in alice.get("/admin/terminaux").text  # shown once, never again
    device = Device(client=client, host="goulues.localhost", key=new_private_key())
    on_bisik = Device(client=client, host="bisik.localhost", key=new_private_key())
    refused = on_bisik.pair(code)
    assert refused.status_code == 400 and refused.json()["reason"] == "unknown"
    paired = device.pair(code.lower())
    assert paired.status_code == 201
    assert paired.json()["name"] == "Marché du samedi" and paired.json()["mode"] == "charge"
    again = device.pair(code)
    assert again.status_code == 400 and again.json()["reason"] == "used"
    listing = alice.get("/admin/terminaux").text
    assert "Marché du samedi" in listing and "jamais" in listing  # never seen yet


def test_signed_requests_and_their_refusals(world):
    network, _login, client, _cla, _card = world
    device = _pair(network, client)
    hello = device.post("/api/terminals/hello", {})
    assert hello.status_code == 200, hello.text
    assert hello.json()["mode_label"] == "Encaisser un montant"
    assert network.terminals.get(device.terminal_id).last_seen_at > 0

    unsigned = client.post("/api/terminals/hello", json={}, headers={"host": device.host})
    assert unsigned.status_code == 401
    assert unsigned.headers["content-type"].startswith("application/problem+json")
    assert unsigned.json()["code"] == "signature_refused"
    assert unsigned.json()["reason"] == "missing_headers"

    content, headers = device.signed("/api/terminals/hello", {})
    assert client.post("/api/terminals/hello", content=content, headers=headers).status_code == 200
    replay = client.post("/api/terminals/hello", content=content, headers=headers)
    assert (replay.status_code, replay.json()["reason"]) == (401, "replayed")

    old = device.post("/api/terminals/hello", {}, now=time.time() - 120)
    assert (old.status_code, old.json()["reason"]) == (401, "stale")
    assert abs(old.json()["server_time"] - time.time()) < 5
    wrong_key = device.post("/api/terminals/hello", {}, key=new_private_key())
    assert wrong_key.json()["reason"] == "bad_signature"
    tampered = device.post("/api/terminals/tap", {"tap_id": "t" * 8, "uid": "0102030405060708"},
                           raw=b'{"tap_id": "tttttttt", "uid": "DEADBEEF"}')  # fmt: skip
    assert (tampered.status_code, tampered.json()["reason"]) == (401, "bad_signature")
    huge = device.post("/api/terminals/tap", {"tap_id": "t" * 8, "uid": "0" * 40_000})
    assert huge.status_code == 413
    elsewhere = device.post("/api/terminals/hello", {}, host="bisik.localhost")
    assert (elsewhere.status_code, elsewhere.json()["reason"]) == (403, "wrong_instance")

    network.terminals.revoke("goulues", device.terminal_id)
    revoked = device.post("/api/terminals/hello", {})
    assert (revoked.status_code, revoked.json()["reason"]) == (403, "revoked")


def test_a_tap_pays_the_charge_once_even_when_retried(world):
    network, login, client, cla, card = world
    device = _pair(network, client)
    _key, secret = network.api_keys.create("goulues", Role.CASHIER, "caisse")
    bearer = {"authorization": f"Bearer {secret}", "host": "goulues.localhost"}
    charge_url = f"/api/terminals/{device.terminal_id}/charge"
    bad = client.post(charge_url, json={"amount": 0}, headers=bearer)
    assert bad.status_code == 422 and bad.json()["field"] == "amount"
    asked = client.post(charge_url, json={"amount": 1250, "label": "Pâtes"}, headers=bearer)
    assert asked.status_code == 201 and asked.json()["status"] == "pending"

    tap = {"tap_id": "tap-0000-0001", "uid": "01:02:03:04:05:06:07:08"}
    first = device.post("/api/terminals/tap", tap)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["replayed"] is False and body["outcome"]["status"] == "paid"
    assert body["outcome"]["legs"] == [
        {"asset_id": cla.id, "asset_code": "CLA", "amount": 1250, "decimals": 2}
    ]
    again = device.post("/api/terminals/tap", tap)  # the terminal did not hear the answer
    assert again.json()["replayed"] is True and again.json()["outcome"] == body["outcome"]
    assert network.money.balance(WalletRef.card(card.id), cla.id) == 3750
    conflict = device.post("/api/terminals/tap", {**tap, "uid": "A1B2C3D4"})
    assert conflict.status_code == 409 and conflict.json()["code"] == "tap_conflict"
    bad_uid = device.post("/api/terminals/tap", {"tap_id": "tap-0000-0002", "uid": "zz"})
    assert bad_uid.status_code == 422 and bad_uid.json()["field"] == "uid"
    view = client.get(charge_url, headers=bearer).json()
    assert view["status"] == "paid" and view["last_outcome"]["status"] == "paid"

    carl = login("carl@goulues.fr")
    page = carl.get(f"/caisse/terminaux/{device.terminal_id}")
    assert page.status_code == 200
    assert "Payé 12,50 (CLA 12,50)." in page.text and "0042" in page.text
    assert 'src="/-/static/terminal.js"' in page.text and 'id="refresh"' in page.text


def test_the_charge_page_keeps_what_was_typed_and_refuses_other_instances(world):
    network, login, client, _cla, _card = world
    device = _pair(network, client)
    other = _pair(network, client, "bisik")
    carl = login("carl@goulues.fr")
    assert device.terminal_id in carl.get("/caisse/terminaux").text
    url = f"/caisse/terminaux/{device.terminal_id}"
    carl.get(url)
    wrong = carl.post(f"{url}/montant", {"amount": "douze", "label": "Pâtes"})
    assert wrong.status_code == 400
    assert "Saisissez un montant en euros, comme 12,50." in wrong.text
    assert 'value="douze"' in wrong.text and 'value="Pâtes"' in wrong.text
    ok = carl.post(f"{url}/montant", {"amount": "12,50", "label": "Pâtes", "repeat": "1"})
    assert ok.status_code == 200 and "En attente d'une carte : 12,50 €" in ok.text
    charge = network.charges.get("goulues", device.terminal_id)
    assert (charge.amount, charge.repeat, charge.label) == (1250, True, "Pâtes")
    cancelled = carl.post(f"{url}/annuler")
    assert "Montant annulé." in cancelled.text
    # another instance's terminal, through this instance's address: not found
    assert carl.get(f"/caisse/terminaux/{other.terminal_id}").status_code == 404
    assert (
        carl.post(f"/caisse/terminaux/{other.terminal_id}/montant", {"amount": "1"}).status_code
        == 404
    )
    # a cashier is not an admin
    assert carl.get("/admin/terminaux", follow=False).status_code == 403


def test_admin_renames_changes_mode_and_revokes(world):
    network, login, client, _cla, _card = world
    device = _pair(network, client)
    other = _pair(network, client, "bisik")
    alice = login("alice@goulues.fr")
    alice.get("/admin/terminaux")
    renamed = alice.post(f"/admin/terminaux/{device.terminal_id}/nom", {"name": "Halle"})
    assert renamed.status_code == 200 and "Halle" in renamed.text
    bad = alice.post(f"/admin/terminaux/{device.terminal_id}/mode", {"mode": "nope"})
    assert bad.status_code == 400 and "Choisissez un des modes proposés ici." in bad.text
    assert alice.post(f"/admin/terminaux/{other.terminal_id}/nom", {"name": "x"}).status_code == 404
    assert alice.post(f"/admin/terminaux/{other.terminal_id}/revoquer").status_code == 404
    assert not network.terminals.get(other.terminal_id).revoked
    alice.post(f"/admin/terminaux/{device.terminal_id}/revoquer")
    assert network.terminals.get(device.terminal_id).revoked
    assert "révoqué définitivement" in alice.get("/admin/terminaux").text


def test_the_admin_api_with_a_key(world):
    network, _login, client, _cla, _card = world
    _key, secret = network.api_keys.create("goulues", Role.ADMIN, "outil")
    headers = {"authorization": f"Bearer {secret}", "host": "goulues.localhost"}
    code = client.post("/api/terminals/pairing-codes", json={"name": "Stand 2"}, headers=headers)
    assert code.status_code == 201 and code.json()["mode"] == "charge"
    device = Device(client=client, host="goulues.localhost", key=new_private_key())
    terminal_id = device.pair(code.json()["code"]).json()["terminal_id"]
    listed = client.get("/api/terminals", headers=headers).json()
    assert [t["id"] for t in listed] == [terminal_id]
    changed = client.patch(f"/api/terminals/{terminal_id}", json={"name": "Halle", "mode": "x"},
                           headers=headers)  # fmt: skip
    assert changed.status_code == 422 and changed.json()["field"] == "mode"
    assert network.terminals.get(terminal_id).name == "Stand 2"  # nothing half-done
    renamed = client.patch(f"/api/terminals/{terminal_id}", json={"name": "Halle"}, headers=headers)
    assert renamed.json()["name"] == "Halle"
    revoked = client.post(f"/api/terminals/{terminal_id}/revoke", headers=headers)
    assert revoked.json()["revoked"] is True
    other = {"authorization": f"Bearer {secret}", "host": "bisik.localhost"}
    assert client.get("/api/terminals", headers=other).status_code == 403


def test_wrong_pairing_codes_from_one_address_get_429_with_retry_after(world):
    network, _login, client, _cla, _card = world
    instance = network.instances.get("goulues")
    _record, code = network.terminals.new_pairing_code(instance, name="Stand", mode="charge")
    device = Device(client=client, host="goulues.localhost", key=new_private_key())
    for n in range(PAIR_FAILURES):
        wrong = device.pair(f"AAAA-BBBB-{n:04d}")
        assert wrong.status_code == 400 and wrong.json()["reason"] == "unknown"
    limited = device.pair(code)
    assert limited.status_code == 429, limited.text
    assert limited.json()["reason"] == "too_many"
    assert 0 < int(limited.headers["retry-after"]) <= 15 * 60
    assert "Trop de codes d'appairage erronés" in limited.json()["detail"]
    assert network.terminals.of_instance("goulues") == []  # the right code is still unspent
    assert len(network.terminals.pending_codes("goulues")) == 1


def test_the_terminal_api_is_in_the_openapi_document(world):
    _network, _login, client, _cla, _card = world
    schema = client.get("/schema/openapi.json", headers={"host": "localhost"}).json()
    for path in ("/api/terminals/pair", "/api/terminals/hello", "/api/terminals/tap",
                 "/api/terminals/{terminal_id}/charge", "/api/terminals"):  # fmt: skip
        assert path in schema["paths"], path
    assert "TapRequest" in json.dumps(schema["components"])
