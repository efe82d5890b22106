"""Reliability: 64 HTTP clients pay at once from one wallet holding exactly N payments.

A real ``tirelire serve`` (granian, the production server) on 127.0.0.1; for N in 1, 20 and
63, a card funded with exactly N payments through the services; 64 clients released together
by a barrier, each
paying once through ``POST /api/sales`` with its own operation id. Exactly N succeed (201);
every other one gets 409 ``insufficient_funds`` with the exact shortfall (the price: the
balance is a multiple of it); the balance ends at 0; after the server stops, the ledger
verifies and the money invariants hold. Then every client retries: the N successes are
replayed (200, nothing moves) and the refusals are refused again.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from core import Network, load_settings
from core.accounts import Role
from core.instances import Instance
from core.wallets import PRIMARY_ASSET_ID, WalletRef
from hosts.bench_serve import running_server

CLIENTS = 64
PRICE = 150


RUNS = (1, 20, 63)


def _uid(payments: int) -> str:
    return f"04A1B2{payments:02X}"


def _prepare(data: Path) -> tuple[str, dict[int, str]]:
    """The venue, a cashier key, for each N a card holding exactly N payments."""
    with Network.open(load_settings(data)) as network:
        network.instances.create(Instance(slug="bisik", name="Le Bisik"))
        _record, secret = network.api_keys.create("bisik", Role.CASHIER, "caisse 1")
        cards = {}
        for payments in RUNS:
            card = network.money.cards.add(uid=_uid(payments), number=f"{payments:04d}")
            network.money.grant(
                operation_id=f"fund-{payments}", wallet=WalletRef.card(card.id),
                asset_id=PRIMARY_ASSET_ID, amount=payments * PRICE,
            )  # fmt: skip
            cards[payments] = card.id
        return secret, cards


def _pay_all(port: int, secret: str, prefix: str, uid: str) -> list[httpx.Response]:
    """64 threads, released together, each paying once on its own connection."""
    barrier = threading.Barrier(CLIENTS)
    answers: list[httpx.Response | None] = [None] * CLIENTS
    headers = {"authorization": f"Bearer {secret}", "host": "bisik.localhost"}
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30, limits=limits) as http:

        def client(k: int) -> None:
            body = {"operation_id": f"{prefix}-{k}", "amount": PRICE, "card_uid": uid}
            barrier.wait()
            answers[k] = http.post("/api/sales", json=body, headers=headers)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert all(a is not None for a in answers), "a client got no answer"
    return [a for a in answers if a is not None]


def test_64_http_clients_pay_from_a_wallet_holding_exactly_n_payments(tmp_path):
    data = tmp_path / "data"
    secret, cards = _prepare(data)
    with running_server("granian", data) as port:
        for payments in RUNS:
            answers = _pay_all(port, secret, f"terminal-{payments}", _uid(payments))
            paid = [a for a in answers if a.status_code == 201]
            refused = [a for a in answers if a.status_code == 409]
            assert len(paid) == payments, [a.text for a in answers if a.status_code != 201][:3]
            assert len(refused) == CLIENTS - payments
            for answer in refused:
                problem = answer.json()
                assert problem["code"] == "insufficient_funds"
                assert (problem["shortfall"], problem["available"]) == (PRICE, 0)
            assert all(a.json()["operation"]["amount"] == PRICE for a in paid)
            assert all(a.json()["balances"][0]["amount"] >= 0 for a in paid)
            # every terminal retries its request: successes replay, refusals stay refused
            retried = _pay_all(port, secret, f"terminal-{payments}", _uid(payments))
            assert sorted(a.status_code for a in retried) == sorted(
                200 if a.status_code == 201 else 409 for a in answers
            )
    with Network.open(load_settings(data)) as network:
        for card_id in cards.values():
            assert network.money.balance(WalletRef.card(card_id), PRIMARY_ASSET_ID) == 0
        assert network.money.balance(WalletRef.instance("bisik"), PRIMARY_ASSET_ID) == (
            sum(RUNS) * PRICE
        )
        report = network.money.check_invariants()
        assert report.ok and report.ledger_ok, report.problems
