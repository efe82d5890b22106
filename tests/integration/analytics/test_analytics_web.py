"""Analytics through the web host: pages with SVG charts, downloads, the console with CSRF,
the JSON API with API keys, the network treasurers, and the background sync."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pyarrow.parquet as pq
import pytest

from core.accounts import Role
from core.analytics.reports import REPORTS
from core.wallets import WalletRef
from tests.integration.analytics.support import fill
from tests.smtp_server import SmtpServer
from tests.web_support import Visitor, link_in, open_network


@pytest.fixture
def world(tmp_path) -> Iterator:
    with SmtpServer() as smtp:
        network = open_network(tmp_path / "data", smtp.port, network_treasurers=["net@r.fr"],
                               analytics_sync_seconds=0.2)  # fmt: skip
        fill(network)
        for email, slug in (("t@bisik.fr", "bisik"), ("t@claf.fr", "claf")):

            def grant(tx, email=email, slug=slug):
                user = network.accounts.ensure_user(tx, email)
                network.accounts.grant(tx, slug, user.id, Role.TREASURER)

            network.store.write(grant)
        network.store.write(lambda tx: network.accounts.ensure_user(tx, "net@r.fr"))
        visitors: list[Visitor] = []

        def login(email: str, host: str) -> Visitor:
            v = Visitor(network, host)
            visitors.append(v)
            v.get("/connexion")
            v.post("/connexion", {"email": email})
            v.open_link(link_in(smtp.messages[-1]))
            return v

        try:
            yield network, login
        finally:
            for v in visitors:
                v.close()
            network.close()


def test_a_treasurer_reads_every_report_with_its_chart(world) -> None:
    _network, login = world
    claf = login("t@claf.fr", "claf.localhost")
    panel = claf.get("/admin")
    assert "/admin/analytique" in panel.text
    index = claf.get("/admin/analytique")
    assert index.status_code == 200
    for name in REPORTS:
        assert f"/admin/analytique/rapports/{name}" in index.text
        page = claf.get(f"/admin/analytique/rapports/{name}")
        assert page.status_code == 200, name
    per_place = claf.get("/admin/analytique/rapports/per-place")
    assert "<svg" in per_place.text and "goulues" in per_place.text
    assert "28,00" in per_place.text  # 2,800 cents, in French
    assert "style=" not in per_place.text.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_downloads_are_csv_and_parquet(world) -> None:
    _network, login = world
    claf = login("t@claf.fr", "claf.localhost")
    csv = claf.get("/admin/analytique/rapports/per-place/csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("place,name,code,decimals,balance")
    assert "goulues,Goulues,CLA,2,2800,2000" in csv.text
    parquet = claf.get("/admin/analytique/rapports/sales/parquet?period=day")
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.column_names == ["period", "code", "decimals", "total", "payments"]
    assert claf.get("/admin/analytique/rapports/sales/xml").status_code == 404
    assert claf.get("/admin/analytique/rapports/nope").status_code == 404


def test_the_console_page_runs_one_select_and_keeps_the_query(world) -> None:
    _network, login = world
    bisik = login("t@bisik.fr", "bisik.localhost")
    assert bisik.get("/admin/analytique/sql").status_code == 200
    ok = bisik.post("/admin/analytique/sql", {"query": "SELECT DISTINCT place FROM transfers"})
    assert ok.status_code == 200 and "<td>bisik</td>" in ok.text and "ressourcerie" not in ok.text
    refused = bisik.post("/admin/analytique/sql", {"query": "DROP TABLE transfers"})
    assert refused.status_code == 400
    assert "seules les requêtes SELECT sont permises, pas DROP" in refused.text
    assert "DROP TABLE transfers</textarea>" in refused.text
    no_csrf = bisik.post("/admin/analytique/sql", {"query": "SELECT 1"}, csrf=False)
    assert no_csrf.status_code == 403


def test_the_api_answers_keys_of_the_instance_only(world) -> None:
    network, _login = world
    _record, secret = network.api_keys.create("bisik", Role.TREASURER, "tableur")
    bearer = {"authorization": f"Bearer {secret}"}
    bisik = Visitor(network, "bisik.localhost")
    other = Visitor(network, "ressourcerie.localhost")
    try:
        sales = bisik.client.get("/api/analytics/reports/sales?period=day", headers=bearer)
        assert sales.status_code == 200
        body = sales.json()
        assert body["scope"] == "bisik" and body["columns"][1] == "code"
        assert [r[1:] for r in body["rows"]] == [["FED", 2, 1400, 2]]
        rows = bisik.client.post("/api/analytics/sql", headers=bearer,
                                 json={"query": "SELECT count(*) AS n FROM transfers"})  # fmt: skip
        assert rows.status_code == 200 and rows.json()["rows"] == [[4]]
        refused = bisik.client.post("/api/analytics/sql", headers=bearer,
                                    json={"query": "COPY transfers TO '/tmp/x.csv'"})  # fmt: skip
        assert refused.status_code == 400
        assert refused.json()["code"] == "refused" and refused.json()["rule"] == "not_select"
        assert other.client.get("/api/analytics/reports/sales", headers=bearer).status_code == 403
        network_api = bisik.client.get("/api/analytics/network/reports/sales", headers=bearer)
        assert network_api.status_code == 403
        schema = bisik.client.get("/schema/openapi.json").json()
        assert "/api/analytics/sql" in schema["paths"]
    finally:
        bisik.close()
        other.close()


def test_network_treasurers_see_every_instance(world) -> None:
    _network, login = world
    net = login("net@r.fr", "bisik.localhost")
    assert "/admin/reseau/analytique" in net.get("/mon-compte").text
    page = net.get("/admin/reseau/analytique/rapports/per-place?asset=1")
    assert page.status_code == 200 and "ressourcerie" in page.text and "bisik" in page.text
    assert net.get("/admin/reseau/analytique/sql").status_code == 200
    everything = net.post("/admin/reseau/analytique/sql",
                          {"query": "SELECT count(DISTINCT place) FROM transfers"})  # fmt: skip
    assert "<td>4</td>" in everything.text  # "", bisik, ressourcerie, goulues
    treasurer = login("t@bisik.fr", "bisik.localhost")
    assert treasurer.get("/admin/reseau/analytique", follow=False).status_code == 403
    assert "/admin/reseau/analytique" not in treasurer.get("/mon-compte").text


def test_the_background_task_keeps_the_mirror_within_a_second(world) -> None:
    network, login = world
    visitor = login("t@bisik.fr", "bisik.localhost")
    task = visitor.app.state.analytics_task
    from hosts.web.analytics.access import analytics_state

    mirror = analytics_state(visitor.app).mirror
    deadline = time.monotonic() + 10
    while mirror.last_seq() < network.ledger.head().seq and time.monotonic() < deadline:
        time.sleep(0.05)
    card = network.money.cards.add(uid="04A1B2EE", number="0777")
    network.money.refill(operation_id="live", wallet=WalletRef.card(card.id), asset_id=1,
                         amount=123, instance="bisik")  # fmt: skip
    committed = time.monotonic()
    while mirror.last_seq() < network.ledger.head().seq:
        assert time.monotonic() - committed < 5, "the mirror did not follow"
        time.sleep(0.02)
    assert task.leadership.held or any(
        getattr(v.app.state, "analytics_task", None) for v in [visitor])  # fmt: skip
