"""Errors: friendly pages for people, RFC 9457 problem details for programs.

A request wants JSON when its path starts with ``/api/`` or when it does not accept HTML;
everyone else gets a page in their language that says what happened and where to go next.
A 401 on a page sends the person to the login page (and back afterwards). Unexpected errors
are logged with their traceback and shown as a plain "something went wrong" page: no
internals leak to the visitor.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from core.i18n import N_
from core.i18n import gettext as _
from core.login_links import RateLimited
from hosts.web.instances import UnknownSite
from hosts.web.pages import page

__all__ = ["EXCEPTION_HANDLERS", "problem", "wants_json"]

log = logging.getLogger("tirelire.web")

_TITLES = {
    400: N_("Bad request"),
    401: N_("Login required"),
    403: N_("Access denied"),
    404: N_("Page not found"),
    405: N_("Method not allowed"),
    413: N_("Too large"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
}


def wants_json(request: Request[Any, Any, Any]) -> bool:
    """True for the JSON API and for clients that do not accept HTML."""
    if request.url.path.startswith("/api/"):
        return True
    return "text/html" not in request.headers.get("accept", "text/html")


def problem(status: int, detail: str = "", **extra: Any) -> Response[Any]:
    """An RFC 9457 problem details response."""
    body = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(body, status_code=status, media_type="application/problem+json")


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    detail = exc.detail if exc.detail and exc.detail != _TITLES.get(status) else ""
    if wants_json(request):
        extra = {"errors": exc.extra} if isinstance(exc.extra, list | dict) and exc.extra else {}
        return problem(status, str(detail), **extra)
    if isinstance(exc, NotAuthorizedException) and request.method in {"GET", "HEAD"}:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/connexion?suite={quote(target, safe='')}")
    home = exc.home_url if isinstance(exc, UnknownSite) else "/"
    return page(
        request,
        "error.html",
        status_code=status,
        status=status,
        title=_(_TITLES.get(status, "Error")),
        detail=str(detail) if status in {400, 404, 405, 413} else "",
        home=home,
    )


def _rate_limited(request: Request[Any, Any, Any], exc: RateLimited) -> Response[Any]:
    minutes = max(1, (exc.retry_after + 59) // 60)
    detail = _("Too many links were asked. Try again in %(minutes)d minutes.", minutes=minutes)
    headers = {"retry-after": str(exc.retry_after)}
    if wants_json(request):
        response = problem(429, detail)
        response.headers.update(headers)
        return response
    response = page(
        request, "error.html", status_code=429, status=429, title=_("Too many requests"),
        detail=detail, home="/",
    )  # fmt: skip
    response.headers.update(headers)
    return response


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    if wants_json(request):
        return problem(HTTP_500_INTERNAL_SERVER_ERROR)
    return page(
        request, "error.html", status_code=500, status=500,
        title=_("Something went wrong"), detail="", home="/",
    )  # fmt: skip


EXCEPTION_HANDLERS: dict[Any, Any] = {
    HTTPException: _http_error,
    RateLimited: _rate_limited,
    Exception: _internal,
}
