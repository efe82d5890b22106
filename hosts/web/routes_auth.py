"""Logging in by e-mailed link only, logging out, choosing the language.

- ``GET/POST /connexion``: ask for a link. The answer is the same whether the address is
  known or not (an unknown address gets an account when its link is used). Rate-limited per
  address and per IP (429 with the wait).
- ``GET /connexion/lien/{secret}``: a page with a button; opening a link changes nothing, so a
  mail scanner that follows links cannot spend it. ``POST`` spends it and opens the session in
  the same write, then goes back where the person was going (``suite``, a local path only).
- ``POST /deconnexion`` ends the session. ``POST /-/langue`` remembers a language.

Sessions are host-only cookies (HttpOnly, SameSite=Lax, Secure over HTTPS): each instance's
domain has its own, the account behind them is the same everywhere, and no reusable token ever
travels in a URL.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.accounts import SESSION_SECONDS, AccountError
from core.i18n import LANGUAGES, current_language
from core.i18n import gettext as _
from core.login_links import LinkError
from core.store import Tx
from hosts.web.auth import LANG_COOKIE, SESSION_COOKIE, user_of
from hosts.web.instances import network_of, site_of
from hosts.web.mails import login_mail, send
from hosts.web.pages import page

__all__ = ["AUTH_ROUTES", "safe_next", "session_cookie"]

LOGIN = "login"


def safe_next(value: str | None, default: str = "/mon-compte") -> str:
    """A local path to go to after logging in (anything else: ``default``)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def session_cookie(request: Request[Any, Any, Any], secret: str) -> Cookie:
    """The session cookie: host-only, HttpOnly, SameSite=Lax, Secure over HTTPS."""
    return Cookie(
        key=SESSION_COOKIE,
        value=secret,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The client's address (the rate limit's key)."""
    return request.client.host if request.client else ""


def _place(request: Request[Any, Any, Any]) -> str:
    site = site_of(request)
    if site.instance is not None:
        return site.instance.name
    return network_of(request).settings.network_name


@get("/connexion", name="login", include_in_schema=False, sync_to_thread=False)
def login_form(
    request: Request[Any, Any, Any], suite: FromQuery[str | None] = None
) -> Response[Any]:
    """The login form: one field, the e-mail address."""
    return page(request, "login.html", email="", error="", suite=safe_next(suite))


@post("/connexion", include_in_schema=False)
async def login_send(request: Request[Any, Any, Any]) -> Response[Any]:
    """Send a login link; the page says the same for known and unknown addresses."""
    form = await request.form()
    email = str(form.get("email", "")).strip()
    suite = safe_next(str(form.get("suite", "")))
    network = network_of(request)
    site = site_of(request)
    try:
        secret = network.login_links.issue(
            email, purpose=LOGIN, ip=client_ip(request), data={"suite": suite}
        )
    except AccountError:
        error = _("Enter a valid e-mail address.")
        return page(request, "login.html", status_code=400, email=email, error=error, suite=suite)
    url = f"{site.url_for(site.instance.slug if site.instance else None)}/connexion/lien/{secret}"
    known = network.accounts.user_by_email(email)
    lang = known.language if known is not None else current_language()
    send(network, login_mail(email, url, _place(request), lang))
    return page(request, "login_sent.html", email=email)


@get("/connexion/lien/{secret:str}", include_in_schema=False, sync_to_thread=False)
def login_link_page(request: Request[Any, Any, Any], secret: FromPath[str]) -> Response[Any]:
    """The page a login link opens: a button that logs in (nothing happens on GET)."""
    network = network_of(request)
    link = network.login_links.peek(secret)
    problem = _link_problem(link, LOGIN, network.login_links.clock())
    return page(request, "login_link.html", problem=problem, email=link.email if link else "")


def _link_problem(link: Any, purpose: str, now: float) -> str:
    if link is None or link.purpose != purpose:
        return _("This link is not valid. Ask for a new one.")
    if link.used_at:
        return _("This link was already used. Ask for a new one.")
    if link.expires_at <= now:
        return _("This link has expired (they last 15 minutes). Ask for a new one.")
    return ""


@post("/connexion/lien/{secret:str}", include_in_schema=False, sync_to_thread=False)
def login_link_use(request: Request[Any, Any, Any], secret: FromPath[str]) -> Response[Any]:
    """Spend the link and open a session, in one write."""
    network = network_of(request)

    def op(tx: Tx) -> tuple[str, str]:
        link = network.login_links.consume(tx, secret, purpose=LOGIN)
        user = network.accounts.ensure_user(tx, link.email, language=current_language())
        return network.accounts.open_session(tx, user.id), str(link.data.get("suite", ""))

    try:
        session, suite = network.store.write(op)
    except LinkError:
        link = network.login_links.peek(secret)
        problem = _link_problem(link, LOGIN, network.login_links.clock())
        return page(request, "login_link.html", status_code=400, problem=problem, email="")
    return Redirect(safe_next(suite), cookies=[session_cookie(request, session)])


@post("/deconnexion", include_in_schema=False, sync_to_thread=False)
def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    """End the session and forget the cookie."""
    network_of(request).accounts.close_session(request.cookies.get(SESSION_COOKIE))
    gone = Cookie(key=SESSION_COOKIE, value="", max_age=0, httponly=True, samesite="lax")
    return Redirect("/?au-revoir=1", cookies=[gone])


@post("/-/langue", include_in_schema=False)
async def choose_language(request: Request[Any, Any, Any]) -> Response[Any]:
    """Remember the chosen language (cookie, and the account's setting when logged in)."""
    form = await request.form()
    lang = str(form.get("lang", ""))
    back = safe_next(str(form.get("suite", "")), default="/")
    if lang not in LANGUAGES:
        return Redirect(back)
    user = user_of(request)
    if user is not None:
        network_of(request).accounts.update_user(user.id, name=user.name, language=lang)
    cookie = Cookie(key=LANG_COOKIE, value=lang, max_age=365 * 24 * 3600, samesite="lax")
    return Redirect(back, cookies=[cookie])


AUTH_ROUTES = [login_form, login_send, login_link_page, login_link_use, logout, choose_language]
