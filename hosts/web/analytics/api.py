"""The analytics JSON API: reports and the SQL console, with the pages' authorization.

``GET /api/analytics/reports/{report}`` and ``POST /api/analytics/sql`` answer for the
request's instance (a treasurer or admin session, or an API key of that instance with one of
those roles); ``/api/analytics/network/...`` for the network treasurers (sessions only). A
refused or stopped query is a 400 problem with ``code`` (``refused``, ``timeout``,
``error``), ``rule`` and a one-line ``detail``.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, JSONBody

from core.analytics.console import ConsoleError
from core.analytics.reports import REPORTS, Scope
from hosts.web.analytics.access import analytics_state
from hosts.web.analytics.pages import enabled_plugins, run
from hosts.web.analytics.routes import _N, _T, NETWORK, TREASURER, _scope
from hosts.web.errors import problem

__all__ = ["ANALYTICS_API", "ReportAnswer", "SqlAnswer", "SqlQuery"]


class ReportAnswer(msgspec.Struct, frozen=True):
    """A report: its columns and rows (amounts in the smallest unit) and the parameters."""

    report: str
    scope: str
    columns: list[str]
    rows: list[list[Any]]
    params: dict[str, Any]


class SqlQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One SELECT to run over the scope's rows."""

    query: str


class SqlAnswer(msgspec.Struct, frozen=True):
    """The rows of a query (at most 10,000; ``truncated`` when there were more)."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    seconds: float


def _plain(value: Any) -> Any:
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def _report(request: Request[Any, Any, Any], report: str, scope: Scope) -> ReportAnswer:
    result = run(request, report, scope)
    return ReportAnswer(
        report=report,
        scope=scope.slug or "network",
        columns=result.columns,
        rows=[[_plain(v) for v in row] for row in result.rows],
        params=result.params,
    )


async def _sql(request: Request[Any, Any, Any], body: SqlQuery, scope: Scope) -> Response[Any]:
    console = analytics_state(request.app).console
    plugins = enabled_plugins(request, scope)
    try:
        result = await anyio.to_thread.run_sync(
            lambda: console.run(scope, body.query, plugins=plugins)
        )
    except ConsoleError as exc:
        return problem(400, exc.reason, code=exc.kind, rule=exc.code)
    return Response(
        SqlAnswer(
            columns=result.columns,
            rows=[[_plain(v) for v in row] for row in result.rows],
            truncated=result.truncated,
            seconds=round(result.seconds, 3),
        )
    )


@get("/api/analytics/reports/{report:str}", guards=_T, opt=TREASURER, sync_to_thread=True,
     summary="A report of the instance", tags=["analytics"])  # fmt: skip
def api_report(request: Request[Any, Any, Any], report: FromPath[str]) -> ReportAnswer:
    """Run a report (``period``, ``asset``, ``source`` in the query string)."""
    return _report(request, report, _scope(request))


@post("/api/analytics/sql", guards=_T, opt=TREASURER, status_code=200,
      summary="One SELECT over the instance's rows", tags=["analytics"])  # fmt: skip
async def api_sql(request: Request[Any, Any, Any], data: JSONBody[SqlQuery]) -> Response[Any]:
    """Run a query in the instance's sandbox; 400 with a reason when refused or stopped."""
    return await _sql(request, data, _scope(request))


@get("/api/analytics/network/reports/{report:str}", guards=_N, opt=NETWORK,
     sync_to_thread=True, summary="A report of the whole network", tags=["analytics"])  # fmt: skip
def api_network_report(request: Request[Any, Any, Any], report: FromPath[str]) -> ReportAnswer:
    """Run a report over every instance (network treasurers)."""
    return _report(request, report, Scope(None))


@post("/api/analytics/network/sql", guards=_N, opt=NETWORK, status_code=200,
      summary="One SELECT over the whole network", tags=["analytics"])  # fmt: skip
async def api_network_sql(
    request: Request[Any, Any, Any], data: JSONBody[SqlQuery]
) -> Response[Any]:
    """Run a query over every row (network treasurers)."""
    return await _sql(request, data, Scope(None))


ANALYTICS_API = [api_report, api_sql, api_network_report, api_network_sql]
assert set(REPORTS)  # the reports exist before the routes are built
