"""Shared pieces of the analytics pages: scopes, report rendering, downloads, the console form.

The instance routes (:mod:`hosts.web.analytics.routes`) and the network routes
(:mod:`hosts.web.analytics.network_routes`) differ only by their guard, their path prefix and
the :class:`core.analytics.reports.Scope` they pass here.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from litestar import Request, Response
from litestar.exceptions import NotFoundException

from core.analytics.console import ConsoleError
from core.analytics.reports import PERIODS, REPORTS, SOURCES, ReportError, ReportResult, Scope
from core.i18n import N_
from core.i18n import gettext as _
from hosts.web.analytics.access import analytics_state, is_network_treasurer
from hosts.web.analytics.charts import format_cell, svg_chart
from hosts.web.instances import network_of, site_of
from hosts.web.pages import page

__all__ = [
    "COLUMN_LABELS",
    "console_message",
    "console_page",
    "download",
    "enabled_plugins",
    "index_page",
    "report_page",
    "run",
]

#: What people read for each report column (message ids).
COLUMN_LABELS = {
    "place": N_("Place"), "name": N_("Name"), "code": N_("Asset"), "decimals": N_("Decimals"),
    "balance": N_("Balance"), "remitted": N_("Remitted"),
    "last_remittance": N_("Last remittance"), "bank_date": N_("Bank date"),
    "month": N_("Month"), "amount": N_("Amount"), "bank_reference": N_("Bank reference"),
    "author": N_("By"), "period": N_("Period"), "total": N_("Total"),
    "payments": N_("Payments"), "kind": N_("Kind"), "operations": N_("Operations"),
    "age_days": N_("Days since last movement"), "wallets": N_("Wallets"),
    "active_payers": N_("Active payers"), "anonymous_cards": N_("Anonymous cards"),
    "baskets": N_("Baskets"), "average_basket": N_("Average basket"), "days": N_("Days"),
    "refills": N_("Refills"), "refilled": N_("Refilled"), "unspent": N_("Unspent"),
    "unspent_percent": N_("Unspent (%)"),
}  # fmt: skip
PERIOD_LABELS = {"day": N_("Day"), "week": N_("Week"), "month": N_("Month")}
SOURCE_LABELS = {"refill": N_("Refills"), "grant": N_("Grants")}


def enabled_plugins(request: Request[Any, Any, Any], scope: Scope) -> frozenset[str] | None:
    """The plugins whose views the scope sees (every plugin for the network)."""
    if scope.network:
        return None
    instance = site_of(request).instance
    return frozenset(instance.enabled_plugins) if instance is not None else frozenset()


def run(request: Request[Any, Any, Any], name: str, scope: Scope) -> ReportResult:
    """Run a report for the request (parameters from the query string)."""
    if name not in REPORTS:
        raise NotFoundException()
    raw = {k: request.query_params.get(k) for k in ("period", "asset", "source")}
    state = analytics_state(request.app)
    with state.mirror.reading() as con:
        return _report(con, name, scope, raw)


def _report(con: Any, name: str, scope: Scope, raw: dict[str, Any]) -> ReportResult:
    from core.analytics.reports import run_report

    try:
        return run_report(con, name, scope, raw)
    except ReportError:
        return run_report(con, name, scope, {})  # a bad parameter: the defaults


def _assets(request: Request[Any, Any, Any], scope: Scope) -> list[tuple[int, str]]:
    state = analytics_state(request.app)
    sql = "SELECT asset_id, code || ' · ' || name FROM assets"
    args: list[Any] = []
    if not scope.network:
        sql += (" WHERE issuer = ? OR category = 'primary' OR asset_id IN "
                "(SELECT asset_id FROM accounts WHERE instance = ?)")  # fmt: skip
        args = [scope.slug, scope.slug]
    with state.mirror.reading() as con:
        return [(int(a), str(n)) for a, n in con.execute(sql + " ORDER BY 1", args).fetchall()]


def index_page(request: Request[Any, Any, Any], scope: Scope, prefix: str) -> Response[Any]:
    """The list of reports and the console's link."""
    reports = [(name, _(spec.title), _(spec.description)) for name, spec in REPORTS.items()]
    return page(
        request, "analytics_index.html", reports=reports, prefix=prefix, scope=scope,
        network_treasurer=is_network_treasurer(request),
    )  # fmt: skip


def report_page(
    request: Request[Any, Any, Any], name: str, scope: Scope, prefix: str
) -> Response[Any]:
    """One report: its parameters, its chart, its table, its downloads."""
    result = run(request, name, scope)
    spec = REPORTS[name]
    shown = [c for c in result.columns if c != "decimals"]
    rows = []
    for row in result.rows:
        values = dict(zip(result.columns, row, strict=True))
        rows.append([format_cell(c, values[c], values) for c in shown])
    query = "&".join(f"{k}={v}" for k, v in result.params.items())
    return page(
        request, "analytics_report.html", name=name, title=_(spec.title),
        description=_(spec.description), chart=svg_chart(result, _(spec.title)),
        headers=[_(COLUMN_LABELS.get(c, c)) for c in shown], rows=rows, params=result.params,
        periods=[(p, _(PERIOD_LABELS[p])) for p in PERIODS],
        sources=[(s, _(SOURCE_LABELS[s])) for s in SOURCES],
        assets=_assets(request, scope) if "asset" in spec.params else [],
        prefix=prefix, query=query, scope=scope,
    )  # fmt: skip


def download(request: Request[Any, Any, Any], name: str, scope: Scope, fmt: str) -> Response[Any]:
    """The report as CSV or Parquet (amounts as integers in the smallest unit)."""
    result = run(request, name, scope)
    filename = f"{name}-{scope.slug or 'network'}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([["" if v is None else v for v in row] for row in result.rows])
        body: bytes = buffer.getvalue().encode("utf-8")
        media = "text/csv; charset=utf-8"
    elif fmt == "parquet":
        table = pa.Table.from_pylist([dict(zip(result.columns, r, strict=True))
                                      for r in result.rows]) if result.rows else pa.table(
            {c: pa.array([], pa.string()) for c in result.columns})  # fmt: skip
        sink = io.BytesIO()
        pq.write_table(table, sink)
        body = sink.getvalue()
        media = "application/vnd.apache.parquet"
    else:
        raise NotFoundException()
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{filename}.{fmt}"'},
    )


def console_page(
    request: Request[Any, Any, Any],
    scope: Scope,
    prefix: str,
    query: str = "",
    *,
    run_it: bool = False,
) -> Response[Any]:
    """The SQL console: the form, and the result or the refusal next to the query."""
    result = None
    error = ""
    status = 200
    if run_it:
        state = analytics_state(request.app)
        try:
            result = state.console.run(scope, query, plugins=enabled_plugins(request, scope))
        except ConsoleError as exc:
            error = console_message(exc)
            status = 400
    tables = ["transfers", "accounts", "operations", "instances", "assets", "federations",
              "cards", "remittances", "action_kinds", "postings", "movements"]  # fmt: skip
    names = enabled_plugins(request, scope)
    tables += [v.name for v in analytics_state(request.app).mirror.views
               if names is None or v.plugin in names]  # fmt: skip
    return page(
        request, "analytics_sql.html", status_code=status, query=query, error=error,
        result=result, prefix=prefix, scope=scope, tables=tables,
        timeout=network_of(request).settings.analytics_query_seconds,
    )  # fmt: skip


CONSOLE_ERRORS = {
    "empty": N_("Query refused: type a SELECT query."),
    "too_long": N_("Query refused: it is too long."),
    "syntax": N_("Query refused: %(detail)s"),
    "several": N_("Query refused: one statement at a time."),
    "not_select": N_("Query refused: only SELECT queries are allowed, not %(detail)s."),
    "timeout": N_("Query stopped after %(detail)s seconds: make it simpler or narrower."),
    "error": N_("Query failed: %(detail)s"),
}


def console_message(exc: ConsoleError) -> str:
    """A refused or failed query, in the reader's language (DuckDB's own words kept)."""
    return _(CONSOLE_ERRORS.get(exc.code, CONSOLE_ERRORS["error"]), detail=exc.detail)
