"""The demo's food fund treasurer (tresorier@claf.example) sees every report with data: rows
in the mirror, and a page with its chart once logged in through the demo's printed link."""

from __future__ import annotations

from pathlib import Path

from core import Network
from core.analytics import Mirror
from core.analytics.reports import REPORTS, Scope, run_report
from hosts.demo import admin_login_links, ensure_demo
from tests.smtp_server import SmtpServer
from tests.web_support import Visitor, open_network

TREASURER = "tresorier@claf.example"


def test_the_demo_funds_reports_have_rows_and_charts(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    settings, created = ensure_demo(data)  # every installed plugin, as `tirelire demo` does
    assert created
    links = dict(admin_login_links(settings, {"claf": "http://claf.localhost"}))
    with SmtpServer() as smtp:
        network: Network = open_network(data, smtp.port)
        visitor = None
        try:
            mirror = Mirror(network)
            mirror.sync(records=True)
            with mirror.reading() as con:
                results = {name: run_report(con, name, Scope("claf")) for name in REPORTS}
            empty = [name for name, result in results.items() if not result.rows]
            assert empty == []
            assert results["survival"].params["source"] == "grant"  # a fund grants, no refill
            kinds = {row[1] for row in results["refills-refunds"].rows}
            assert "grant" in kinds
            sold = {row[1] for row in results["sales"].rows}
            assert sold == {"CLA"}  # its currency, spent at the producers

            visitor = Visitor(network, "claf.localhost")
            visitor.open_link(links[TREASURER])
            for name in REPORTS:
                page = visitor.get(f"/admin/analytique/rapports/{name}")
                assert page.status_code == 200, name
                assert "<svg" in page.text and "<tbody><tr>" in page.text, name
                chart = page.text.split("<svg", 1)[1].split("</svg>", 1)[0]
                mark = "<circle" if REPORTS[name].chart.kind == "line" else "<rect"
                assert mark in chart, name  # a one-period line chart still shows its point
        finally:
            if visitor is not None:
                visitor.close()
            network.close()
