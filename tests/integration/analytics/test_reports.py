"""The reports, their scopes, the FIFO survival curve, the Parquet export and plugin views."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from core import Network, PluginError, PluginManager, hookimpl, load_settings
from core.analytics import Mirror
from core.analytics.export import export_parquet
from core.analytics.reports import REPORTS, ReportError, Scope, run_report
from core.analytics.views import collect_views
from core.wallets import WalletRef

DAY = 86_400 * 1_000_000_000


def report(mirror: Mirror, name: str, scope: Scope, **params: object) -> list[dict]:
    with mirror.reading() as con:
        result = run_report(con, name, scope, params)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def test_per_place_is_the_issuers_breakdown(mirror: Mirror) -> None:
    rows = report(mirror, "per-place", Scope("claf"))  # default: the asset claf issues
    assert [(r["place"], r["code"], r["balance"], r["remitted"]) for r in rows] == [
        ("goulues", "CLA", 4 * 1200 - 2000, 2000)
    ]
    own = report(mirror, "per-place", Scope("bisik"), asset=1)
    assert [(r["place"], r["balance"]) for r in own] == [("bisik", 2 * 700)]  # only itself
    network = report(mirror, "per-place", Scope(None), asset=1)
    assert {r["place"]: r["balance"] for r in network} == {"bisik": 1400, "ressourcerie": 1400}


def test_sales_by_period_and_asset(mirror: Mirror) -> None:
    for period in ("day", "week", "month"):
        rows = report(mirror, "sales", Scope("goulues"), period=period)
        assert [(r["code"], r["total"], r["payments"]) for r in rows] == [("CLA", 4800, 4)]
    everything = report(mirror, "sales", Scope(None))
    assert {(r["code"], r["total"]) for r in everything} == {("CLA", 4800), ("FED", 2800)}
    with mirror.reading() as con, pytest.raises(ReportError, match="period"):
        run_report(con, "sales", Scope(None), {"period": "year"})


def test_refills_refunds_remittances_outstanding_cards(mirror: Mirror) -> None:
    rows = report(mirror, "refills-refunds", Scope("ressourcerie"))
    assert {(r["kind"], r["total"], r["operations"]) for r in rows} == {
        ("refill", 6000, 2), ("refund", 500, 1)}  # fmt: skip
    remitted = report(mirror, "remittances", Scope("claf"))
    assert [(r["place"], r["amount"], r["bank_reference"]) for r in remitted] == [
        ("goulues", 2000, "VIR-1")]  # fmt: skip
    assert report(mirror, "remittances", Scope("bisik")) == []
    owed = report(mirror, "outstanding", Scope("claf"))
    assert [(r["age_days"], r["code"], r["wallets"], r["balance"]) for r in owed] == [
        ("0-30", "CLA", 4, 4 * (5000 - 1200))]  # fmt: skip
    cards = report(mirror, "card-activity", Scope("bisik"))
    assert [(r["active_payers"], r["anonymous_cards"], r["baskets"], r["total"],
             r["average_basket"]) for r in cards] == [(2, 2, 2, 1400, 700)]  # fmt: skip


def test_every_report_runs_for_every_scope(mirror: Mirror) -> None:
    for name in REPORTS:
        for scope in (Scope(None), Scope("claf"), Scope("bisik"), Scope("nobody")):
            with mirror.reading() as con:
                run_report(con, name, scope, {})


def test_survival_is_fifo_per_wallet(tmp_path: Path) -> None:
    """Refill 1000 (day 0), spend 300 (day 3) and 500 (day 10), refill 1000 (day 12), spend
    800 (day 20). FIFO: the first refill keeps 700 after 7 days and 200 after 14; the second
    is whole after 0 and 7 days; day 14 of the second is not known yet (the data ends day 20)."""
    net = Network.open(
        load_settings(tmp_path / "d"), plugins=PluginManager(load_entry_points=False)
    )
    try:
        from core.instances import Instance

        net.instances.create(Instance(slug="v", name="V"))
        now = [1_750_000_000 * 1_000_000_000]
        net.ledger._clock = lambda: now[0]  # a simulated clock (the ledger's injectable clock)
        card = net.money.cards.add(uid="04AABBCC", number="1")
        wallet = WalletRef.card(card.id)
        for day, action, amount in ((0, "refill", 1000), (3, "sale", 300), (10, "sale", 500),
                                    (12, "refill", 1000), (20, "sale", 800)):  # fmt: skip
            now[0] = 1_750_000_000 * 1_000_000_000 + day * DAY
            if action == "refill":
                net.money.refill(operation_id=f"r{day}", wallet=wallet, asset_id=1, amount=amount)
            else:
                net.money.sale(operation_id=f"s{day}", payer=wallet, instance="v", amount=amount)
        mirror = Mirror(net)
        mirror.sync(records=True)
        rows = report(mirror, "survival", Scope(None))
        assert [(r["days"], r["refilled"], r["unspent"], r["unspent_percent"]) for r in rows] == [
            (0, 2000, 2000, 100.0), (7, 2000, 1700, 85.0), (14, 1000, 200, 20.0)]  # fmt: skip
    finally:
        net.close()


def test_parquet_export_is_hive_partitioned(mirror: Mirror, network: Network, tmp_path) -> None:
    counts = export_parquet(mirror, tmp_path / "out")
    assert counts["transfers"] == network.ledger.head().seq
    files = sorted(p.relative_to(tmp_path / "out").parts[:3]
                   for p in (tmp_path / "out" / "transfers").rglob("*.parquet"))  # fmt: skip
    assert files and all(f[1].startswith("instance=") and f[2].startswith("month=") for f in files)
    con = duckdb.connect()
    glob = str(tmp_path / "out" / "transfers" / "**" / "*.parquet")
    back = con.execute(
        f"SELECT instance, count(*), sum(amount) FROM read_parquet('{glob}', "
        "hive_partitioning = true) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    with mirror.reading() as m:
        expected = m.execute(
            "SELECT CASE WHEN place = '' THEN '_network' ELSE place END, count(*), sum(amount) "
            "FROM transfers GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert back == expected
    ids = con.execute(f"SELECT id FROM read_parquet('{glob}', hive_partitioning = true)")
    assert {int(i) for (i,) in ids.fetchall()} == {
        c.transfer.id for c in network.ledger.changes(limit=1000)}  # fmt: skip
    assert (tmp_path / "out" / "remittances.parquet").is_file()


class Hourly:
    """A throwaway plugin contributing a view and a table."""

    @hookimpl
    def register_analytics_views(self, register):
        register("sales_by_place", sql="SELECT place, sum(amount) AS total FROM transfers "
                                       "WHERE code = 3 GROUP BY 1")  # fmt: skip
        register("targets", columns=[("instance", "VARCHAR"), ("target", "BIGINT")],
                 rows=lambda store: [("bisik", 100), ("ressourcerie", 200)])  # fmt: skip


def test_plugins_add_views_and_tables_seen_per_instance(network: Network) -> None:
    from core.analytics.console import Console

    network.plugins.register(Hourly(), "hourly")
    try:
        mirror = Mirror(network)
        mirror.sync(records=True)
        with mirror.reading() as con:
            assert con.execute("SELECT * FROM targets ORDER BY 1").fetchall() == [
                ("bisik", 100), ("ressourcerie", 200)]  # fmt: skip
            totals = dict(con.execute("SELECT * FROM sales_by_place").fetchall())
        assert totals == {"goulues": 4800, "bisik": 1400, "ressourcerie": 1400}
        console = Console(mirror)
        enabled = frozenset({"hourly"})
        assert console.run(Scope("bisik"), "SELECT * FROM targets", plugins=enabled).rows == [
            ("bisik", 100)]  # fmt: skip
        assert console.run(Scope("bisik"), "SELECT * FROM sales_by_place",
                           plugins=enabled).rows == [("bisik", 1400)]  # fmt: skip
        with pytest.raises(Exception, match="targets"):  # not enabled there: not in its console
            console.run(Scope("bisik"), "SELECT * FROM targets", plugins=frozenset())
    finally:
        network.plugins.unregister("hourly")


class Broken:
    @hookimpl
    def register_analytics_views(self, register):
        register("transfers", sql="SELECT 1")


def test_a_bad_registration_names_the_plugin() -> None:
    manager = PluginManager(load_entry_points=False)
    manager.register(Broken(), "broken")
    with pytest.raises(PluginError, match="broken"):
        collect_views(manager)
