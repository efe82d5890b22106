"""The treasurers' reports: named SQL over the mirror, for one instance or the whole network.

Each report is a :class:`ReportSpec`: a title (an English message id), its parameters, a
function building the SQL for a :class:`Scope`, and how to chart it. :func:`run_report`
returns a :class:`ReportResult` (columns, rows, chart) that the web host renders as a table
and an SVG chart and offers as CSV and Parquet. Amounts are integers in the asset's smallest
unit; rows that carry amounts carry the asset's ``code`` and ``decimals`` too.

Scope rules (docs/analytics.md): an instance sees the money that moved at its place, in its
own wallets, and in the assets it issues (an issuer sees every place holding its asset: the
"Ventilation par lieu"). The network scope sees everything.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from core.i18n import N_

__all__ = [
    "PERIODS",
    "REPORTS",
    "SOURCES",
    "SURVIVAL_DAYS",
    "Chart",
    "ReportError",
    "ReportResult",
    "ReportSpec",
    "Scope",
    "run_report",
]

PERIODS = ("day", "week", "month")
SOURCES = ("refill", "grant")
SURVIVAL_DAYS = (0, 7, 14, 30, 60, 90, 180, 365)
POSTED = "(t.flags & 10) = 0"  # neither a pending reservation nor a void


class ReportError(ValueError):
    """A report parameter is wrong; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Scope:
    """Whose rows a report reads: one instance (``slug``) or the whole network (None)."""

    slug: str | None = None

    @property
    def network(self) -> bool:
        """True for the network's scope."""
        return self.slug is None


@dataclass(frozen=True)
class Chart:
    """How to draw a report: ``kind`` bar or line, ``x`` and ``y`` columns, one series per
    distinct value of ``series`` (optional)."""

    kind: str
    x: str
    y: str
    series: str = ""


@dataclass
class ReportResult:
    """A report's answer: column names, rows, chart, the parameters used."""

    name: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    chart: Chart
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportSpec:
    """A report: its title, parameters and SQL builder."""

    name: str
    title: str
    description: str
    params: tuple[str, ...]
    sql: Callable[[Scope, dict[str, Any]], tuple[str, list[Any]]]
    chart: Chart


def _issued(scope: Scope) -> tuple[str, list[Any]]:
    """SQL for the asset ids issued by the scope's instance."""
    return "SELECT asset_id FROM assets WHERE issuer = ?", [scope.slug]


def _visible(scope: Scope, alias: str = "t") -> tuple[str, list[Any]]:
    """A condition on transfers ``alias``: what the scope may see (``TRUE`` for the network)."""
    if scope.network:
        return "TRUE", []
    slug = scope.slug
    return (
        f"({alias}.place = ? OR {alias}.asset_id IN (SELECT asset_id FROM assets WHERE "
        f"issuer = ?) OR {alias}.debit_account IN (SELECT account_no FROM accounts WHERE "
        f"instance = ?) OR {alias}.credit_account IN (SELECT account_no FROM accounts WHERE "
        "instance = ?))",
        [slug, slug, slug, slug],
    )


def _per_place(scope: Scope, p: dict[str, Any]) -> tuple[str, list[Any]]:
    asset = p["asset"]
    own = "" if scope.network else " AND (a.instance = ? OR ? IN (SELECT issuer FROM assets "
    own += "" if scope.network else "WHERE asset_id = ?))"
    args: list[Any] = [asset] + ([] if scope.network else [scope.slug, scope.slug, asset])
    sql = f"""
    WITH places AS (
        SELECT a.account_no, a.instance FROM accounts a
        WHERE a.kind = 'instance' AND a.asset_id = ?{own}),
    c AS (SELECT t.credit_account AS no, sum(t.amount) AS s FROM transfers t
          WHERE t.asset_id = ? AND {POSTED}
            AND t.credit_account IN (SELECT account_no FROM places) GROUP BY 1),
    d AS (SELECT t.debit_account AS no, sum(t.amount) AS s FROM transfers t
          WHERE t.asset_id = ? AND {POSTED}
            AND t.debit_account IN (SELECT account_no FROM places) GROUP BY 1),
    r AS (SELECT instance, sum(amount) AS remitted, max(bank_date) AS last_remittance
          FROM remittances WHERE asset_id = ? GROUP BY 1)
    SELECT p.instance AS place, coalesce(i.name, p.instance) AS name, s.code,
           s.decimals, (coalesce(c.s, 0) - coalesce(d.s, 0))::HUGEINT AS balance,
           coalesce(r.remitted, 0)::HUGEINT AS remitted, r.last_remittance
    FROM places p LEFT JOIN c ON c.no = p.account_no LEFT JOIN d ON d.no = p.account_no
    LEFT JOIN instances i ON i.slug = p.instance LEFT JOIN r ON r.instance = p.instance
    JOIN assets s ON s.asset_id = ?
    ORDER BY balance DESC, place"""
    return sql, [*args, asset, asset, asset, asset]


def _remittances(scope: Scope, p: dict[str, Any]) -> tuple[str, list[Any]]:
    where, args = ("TRUE", []) if scope.network else (
        "(r.instance = ? OR r.asset_id IN (SELECT asset_id FROM assets WHERE issuer = ?))",
        [scope.slug, scope.slug])  # fmt: skip
    sql = f"""
    SELECT r.bank_date, strftime(r.bank_date, '%Y-%m') AS month, r.instance AS place,
           s.code, s.decimals, r.amount::HUGEINT AS amount, r.bank_reference, r.author
    FROM remittances r JOIN assets s ON s.asset_id = r.asset_id
    WHERE {where} ORDER BY r.bank_date DESC, r.key"""
    return sql, args


def _spent(scope: Scope, alias: str = "t") -> tuple[str, list[Any]]:
    """A condition on sales ``alias``: made at the scope's place, or paid in an asset it
    issues (a food fund follows its currency to the producers). ``TRUE`` for the network."""
    if scope.network:
        return "TRUE", []
    return (
        f"({alias}.place = ? OR {alias}.asset_id IN (SELECT asset_id FROM assets "
        "WHERE issuer = ?))",
        [scope.slug, scope.slug],
    )


def _sales(scope: Scope, p: dict[str, Any]) -> tuple[str, list[Any]]:
    where, args = _spent(scope)
    sql = f"""
    WITH s AS (SELECT date_trunc('{p["period"]}', t.ts) AS period, t.asset_id,
                      sum(t.amount) AS total, count(*) AS payments
               FROM transfers t WHERE t.code = 3 AND {POSTED} AND {where} GROUP BY ALL)
    SELECT s.period::DATE AS period, a.code, a.decimals, s.total::HUGEINT AS total, s.payments
    FROM s JOIN assets a USING (asset_id) ORDER BY period, code"""
    return sql, args


def _refills_refunds(scope: Scope, p: dict[str, Any]) -> tuple[str, list[Any]]:
    where, args = _visible(scope)
    sql = f"""
    WITH m AS (SELECT date_trunc('{p["period"]}', t.ts) AS period, t.asset_id, t.code,
                      sum(t.amount) AS total, count(*) AS operations
               FROM transfers t WHERE t.code IN (1, 2, 5) AND {POSTED} AND {where}
               GROUP BY ALL)
    SELECT m.period::DATE AS period,
           CASE m.code WHEN 1 THEN 'refill' WHEN 2 THEN 'grant' ELSE 'refund' END AS kind,
           a.code, a.decimals, m.total::HUGEINT AS total, m.operations
    FROM m JOIN assets a USING (asset_id) ORDER BY period, kind, code"""
    return sql, args


_HOLDERS = "kind IN ('user', 'card')"


def _holder_filter(scope: Scope) -> tuple[str, list[Any]]:
    if scope.network:
        return _HOLDERS, []
    return f"{_HOLDERS} AND asset_id IN (SELECT asset_id FROM assets WHERE issuer = ?)", [
        scope.slug
    ]


def _outstanding(scope: Scope, p: dict[str, Any]) -> tuple[str, list[Any]]:
    holders, args = _holder_filter(scope)
    sql = f"""
    WITH h AS (SELECT account_no, asset_id FROM accounts WHERE {holders}),
    mv AS (SELECT t.credit_account AS no, t.amount::HUGEINT AS amount, t.ts FROM transfers t
           WHERE {POSTED} AND t.credit_account IN (SELECT account_no FROM h)
           UNION ALL
           SELECT t.debit_account, -t.amount::HUGEINT, t.ts FROM transfers t
           WHERE {POSTED} AND t.debit_account IN (SELECT account_no FROM h)),
    b AS (SELECT no, sum(amount) AS balance, max(ts) AS last FROM mv GROUP BY no),
    ref_time AS (SELECT coalesce(max(ts), now()::TIMESTAMP) AS at FROM transfers),
    aged AS (SELECT h.asset_id, b.balance, date_diff('day', b.last, ref_time.at) AS days
             FROM b JOIN h ON h.account_no = b.no, ref_time WHERE b.balance > 0)
    SELECT CASE WHEN days <= 30 THEN '0-30' WHEN days <= 90 THEN '31-90'
                WHEN days <= 180 THEN '91-180' WHEN days <= 365 THEN '181-365'
                ELSE '365+' END AS age_days,
           min(days) AS sort_key, a.code, a.decimals, count(*) AS wallets,
           sum(balance)::HUGEINT AS balance
    FROM aged JOIN assets a USING (asset_id) GROUP BY ALL ORDER BY sort_key, code"""
    return sql, args


def _card_activity(scope: Scope, p: dict[str, Any]) -> tuple[str, list[Any]]:
    where, args = _spent(scope)
    sql = f"""
    WITH s AS (SELECT date_trunc('{p["period"]}', t.ts) AS period, a.owner, a.kind, t.ref,
                      t.amount, t.asset_id
               FROM transfers t JOIN accounts a ON a.account_no = t.debit_account
               WHERE t.code = 3 AND {POSTED} AND a.kind IN ('user', 'card') AND {where}),
    unit AS (SELECT decimals FROM assets WHERE category = 'primary')
    SELECT s.period::DATE AS period, count(DISTINCT s.owner) AS active_payers,
           count(DISTINCT s.owner) FILTER (WHERE s.kind = 'card') AS anonymous_cards,
           count(DISTINCT s.ref) AS baskets, sum(s.amount)::HUGEINT AS total,
           (sum(s.amount) // greatest(count(DISTINCT s.ref), 1))::HUGEINT AS average_basket,
           max(a.decimals) AS decimals
    FROM s JOIN assets a ON a.asset_id = s.asset_id
    WHERE a.decimals = (SELECT coalesce(max(decimals), 2) FROM unit)
    GROUP BY 1 ORDER BY 1"""
    return sql, args


def _survival(scope: Scope, p: dict[str, Any]) -> tuple[str, list[Any]]:
    holders, hargs = _holder_filter(scope) if not scope.network else (_HOLDERS, [])
    if not scope.network:  # refills made at the place, or of the assets it issues
        holders, hargs = _HOLDERS, []
    where, wargs = _visible(scope, "i")
    days = ", ".join(str(d) for d in SURVIVAL_DAYS)
    sql = f"""
    WITH h AS (SELECT account_no FROM accounts WHERE {holders}),
    i AS (SELECT t.* FROM transfers t
          WHERE {POSTED} AND t.credit_account IN (SELECT account_no FROM h)),
    lots AS (SELECT i.credit_account AS no, i.ts, i.code, i.amount, i.place, i.asset_id,
                    i.debit_account, i.credit_account,
                    sum(i.amount) OVER (PARTITION BY i.credit_account ORDER BY i.seq) AS b
             FROM i),
    refills AS (SELECT no, ts, amount, b - amount AS a, b FROM lots i
                WHERE i.code = {1 if p["source"] == "refill" else 2} AND {where}),
    o AS (SELECT t.debit_account AS no, t.ts,
                 sum(t.amount) OVER (PARTITION BY t.debit_account ORDER BY t.seq) AS spent
          FROM transfers t
          WHERE {POSTED} AND t.debit_account IN (SELECT account_no FROM h)),
    ref_time AS (SELECT max(ts) AS at FROM transfers),
    probe AS (SELECT r.no, r.amount, r.a, r.b, d.days, r.ts + to_days(d.days) AS at
              FROM refills r CROSS JOIN (SELECT unnest([{days}]) AS days) d, ref_time
              WHERE r.ts + to_days(d.days) <= ref_time.at),
    spent AS (SELECT p.*, coalesce(o.spent, 0) AS out FROM probe p
              ASOF LEFT JOIN o ON p.no = o.no AND p.at >= o.ts)
    SELECT days, count(*) AS refills, sum(amount)::HUGEINT AS refilled,
           sum(greatest(0, least(amount, b - greatest(a, out))))::HUGEINT AS unspent,
           round(100.0 * sum(greatest(0, least(amount, b - greatest(a, out))))
                 / sum(amount), 1) AS unspent_percent
    FROM spent GROUP BY days ORDER BY days"""
    return sql, [*hargs, *wargs]


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        ReportSpec("per-place", N_("Breakdown by place"),
                   N_("Each place's balance in an asset, and what was remitted to it."),
                   ("asset",), _per_place, Chart("bar", "place", "balance")),
        ReportSpec("remittances", N_("Bank remittances"),
                   N_("Every bank remittance, newest first."),
                   (), _remittances, Chart("bar", "month", "amount", "code")),
        ReportSpec("sales", N_("Sales"),
                   N_("Sales by period and by asset."),
                   ("period",), _sales, Chart("bar", "period", "total", "code")),
        ReportSpec("refills-refunds", N_("Refills, grants and refunds"),
                   N_("Money issued (refills, grants) and taken back (refunds), by period "
                      "and by asset."),
                   ("period",), _refills_refunds, Chart("bar", "period", "total", "kind")),
        ReportSpec("outstanding", N_("Outstanding balances"),
                   N_("What holders still have, by days since their last movement "
                      "(dormant money)."),
                   (), _outstanding, Chart("bar", "age_days", "balance", "code")),
        ReportSpec("card-activity", N_("Card activity"),
                   N_("Active payers, baskets and the average basket by period."),
                   ("period",), _card_activity, Chart("line", "period", "active_payers")),
        ReportSpec("survival", N_("Survival of refilled money"),
                   N_("Share of refilled (or granted) money still unspent N days after it "
                      "arrived (first in, first out per wallet)."),
                   ("source",), _survival, Chart("line", "days", "unspent_percent")),
    )
}  # fmt: skip


def _params(con: duckdb.DuckDBPyConnection, spec: ReportSpec, scope: Scope,
            raw: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    params: dict[str, Any] = {}
    if "period" in spec.params:
        period = str(raw.get("period") or "month")
        if period not in PERIODS:
            raise ReportError("period", f"choose {', '.join(PERIODS)}")
        params["period"] = period
    if "source" in spec.params:
        source = str(raw.get("source") or "refill")
        if source not in SOURCES:
            raise ReportError("source", f"choose {', '.join(SOURCES)}")
        params["source"] = source
    if "asset" in spec.params:
        value = raw.get("asset")
        if value in (None, ""):
            issued = None
            if not scope.network:
                sql = "SELECT min(asset_id) FROM assets WHERE issuer = ?"
                issued = con.execute(sql, [scope.slug]).fetchone()
            value = issued[0] if issued and issued[0] is not None else 1
        try:
            asset = int(value)
        except (TypeError, ValueError):
            raise ReportError("asset", "an asset id (a whole number)") from None
        if not con.execute("SELECT 1 FROM assets WHERE asset_id = ?", [asset]).fetchone():
            raise ReportError("asset", "no such asset")
        params["asset"] = asset
    return params


def run_report(
    con: duckdb.DuckDBPyConnection, name: str, scope: Scope, raw: dict[str, Any] | None = None
) -> ReportResult:
    """Run the report ``name`` for ``scope`` with parameters ``raw`` (checked here).

    The survival report without a ``source`` follows refills, or grants when the scope has
    no refill (a food fund's money arrives as allocations); ``params`` says which.
    """
    spec = REPORTS.get(name)
    if spec is None:
        raise ReportError("report", f"no report named {name!r}")
    raw = dict(raw or {})
    params = _params(con, spec, scope, raw)
    result = _run(con, spec, scope, params)
    if not result.rows and "source" in spec.params and not raw.get("source"):
        result = _run(con, spec, scope, {**params, "source": "grant"})
    return result


def _run(
    con: duckdb.DuckDBPyConnection, spec: ReportSpec, scope: Scope, params: dict[str, Any]
) -> ReportResult:
    sql, args = spec.sql(scope, params)
    cursor = con.execute(sql, args)
    columns = [d[0] for d in cursor.description]
    rows = [tuple(_plain(v) for v in row) for row in cursor.fetchall()]
    if "sort_key" in columns:
        k = columns.index("sort_key")
        columns.pop(k)
        rows = [row[:k] + row[k + 1 :] for row in rows]
    return ReportResult(spec.name, columns, rows, spec.chart, params)


def _plain(value: Any) -> Any:
    """DuckDB values as plain Python (dates as ISO strings, decimals left as they are)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
