"""The analytics pages of an instance (treasurers and admins) and of the network.

Instance: ``/admin/analytique`` (the reports), ``/admin/analytique/rapports/{report}`` (a
report; ``.../csv`` and ``.../parquet`` download it), ``/admin/analytique/sql`` (the console:
GET shows the form, POST runs the query, CSRF-checked). The network: the same under
``/admin/reseau/analytique``, for the network treasurers only. Every route carries its guard
and its role in ``opt`` (tests/integration/test_web_authz.py walks them).
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.params import FromPath

from core.accounts import Role
from core.analytics.reports import Scope
from hosts.web.analytics.access import NETWORK_ROLE, requires_network_treasurer
from hosts.web.analytics.pages import console_page, download, index_page, report_page
from hosts.web.auth import requires_role
from hosts.web.instances import site_of

__all__ = ["ANALYTICS_PAGES", "INSTANCE_PREFIX", "NETWORK_PREFIX"]

INSTANCE_PREFIX = "/admin/analytique"
NETWORK_PREFIX = "/admin/reseau/analytique"
TREASURER = {"role": Role.TREASURER.value}
NETWORK = {"role": NETWORK_ROLE}
_T = [requires_role(Role.TREASURER)]
_N = [requires_network_treasurer]
_PAGE = {"include_in_schema": False, "sync_to_thread": True}


def _scope(request: Request[Any, Any, Any]) -> Scope:
    instance = site_of(request).instance
    return Scope(instance.slug if instance is not None else "")


async def _query(request: Request[Any, Any, Any]) -> str:
    form = await request.form()
    return str(form.get("query", ""))


@get(INSTANCE_PREFIX, guards=_T, opt=TREASURER, **_PAGE)
def instance_index(request: Request[Any, Any, Any]) -> Response[Any]:
    """The instance's reports."""
    return index_page(request, _scope(request), INSTANCE_PREFIX)


@get(INSTANCE_PREFIX + "/rapports/{report:str}", guards=_T, opt=TREASURER, **_PAGE)
def instance_report(request: Request[Any, Any, Any], report: FromPath[str]) -> Response[Any]:
    """One report of the instance."""
    return report_page(request, report, _scope(request), INSTANCE_PREFIX)


@get(INSTANCE_PREFIX + "/rapports/{report:str}/{fmt:str}", guards=_T, opt=TREASURER, **_PAGE)
def instance_download(
    request: Request[Any, Any, Any], report: FromPath[str], fmt: FromPath[str]
) -> Response[Any]:
    """One report of the instance as CSV or Parquet."""
    return download(request, report, _scope(request), fmt)


@get(INSTANCE_PREFIX + "/sql", guards=_T, opt=TREASURER, include_in_schema=False)
async def instance_console(request: Request[Any, Any, Any]) -> Response[Any]:
    """The console's form."""
    scope = _scope(request)
    return await anyio.to_thread.run_sync(lambda: console_page(request, scope, INSTANCE_PREFIX))


@post(INSTANCE_PREFIX + "/sql", guards=_T, opt=TREASURER, include_in_schema=False)
async def instance_console_run(request: Request[Any, Any, Any]) -> Response[Any]:
    """Run the typed query over the instance's rows only."""
    query = await _query(request)
    scope = _scope(request)
    return await anyio.to_thread.run_sync(
        lambda: console_page(request, scope, INSTANCE_PREFIX, query, run_it=True)
    )


@get(NETWORK_PREFIX, guards=_N, opt=NETWORK, **_PAGE)
def network_index(request: Request[Any, Any, Any]) -> Response[Any]:
    """The network's reports (every instance)."""
    return index_page(request, Scope(None), NETWORK_PREFIX)


@get(NETWORK_PREFIX + "/rapports/{report:str}", guards=_N, opt=NETWORK, **_PAGE)
def network_report(request: Request[Any, Any, Any], report: FromPath[str]) -> Response[Any]:
    """One report over the whole network."""
    return report_page(request, report, Scope(None), NETWORK_PREFIX)


@get(NETWORK_PREFIX + "/rapports/{report:str}/{fmt:str}", guards=_N, opt=NETWORK, **_PAGE)
def network_download(
    request: Request[Any, Any, Any], report: FromPath[str], fmt: FromPath[str]
) -> Response[Any]:
    """One network report as CSV or Parquet."""
    return download(request, report, Scope(None), fmt)


@get(NETWORK_PREFIX + "/sql", guards=_N, opt=NETWORK, include_in_schema=False)
async def network_console(request: Request[Any, Any, Any]) -> Response[Any]:
    """The network console's form."""
    return await anyio.to_thread.run_sync(
        lambda: console_page(request, Scope(None), NETWORK_PREFIX)
    )


@post(NETWORK_PREFIX + "/sql", guards=_N, opt=NETWORK, include_in_schema=False)
async def network_console_run(request: Request[Any, Any, Any]) -> Response[Any]:
    """Run the typed query over every row of the network."""
    query = await _query(request)
    return await anyio.to_thread.run_sync(
        lambda: console_page(request, Scope(None), NETWORK_PREFIX, query, run_it=True)
    )


ANALYTICS_PAGES = [
    instance_index, instance_report, instance_download, instance_console, instance_console_run,
    network_index, network_report, network_download, network_console, network_console_run,
]  # fmt: skip
