"""Creating an instance (seed 000): the form, its e-mail, the welcome page.

1. ``GET/POST /creer`` on the network's home: the form. Errors are shown next to their field
   and every value typed is given back. A blank slug is proposed from the name.
2. The e-mail's link points at the new instance's own address,
   ``<slug>.<domain>/bienvenue/<secret>``: a page with a button (opening a link changes
   nothing). The button creates the instance, its admin and the session in one write, sends the
   second e-mail (the admin account is ready, with a login link), and opens the welcome page
   ("Bienvenue dans votre nouvel espace").

The instance does not exist before the click, so these two routes read the slug from the Host
header themselves instead of asking for the request's instance.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.i18n import N_, current_language
from core.i18n import gettext as _
from core.instances import InstanceError, InstanceKind
from core.login_links import LinkError
from core.signup import PURPOSE, SignupError, SignupForm, propose_slug
from core.store import Tx
from hosts.web.instances import match_host, network_of, site_of
from hosts.web.mails import admin_ready_mail, send, signup_mail
from hosts.web.pages import page
from hosts.web.routes_auth import LOGIN, _link_problem, client_ip, session_cookie

__all__ = ["SIGNUP_ROUTES"]

KIND_LABELS = {
    InstanceKind.VENUE: N_("Venue"),
    InstanceKind.ASSOCIATION: N_("Association"),
    InstanceKind.FESTIVAL: N_("Festival"),
    InstanceKind.PRODUCER: N_("Producer"),
    InstanceKind.ARTIST: N_("Artist"),
    InstanceKind.FOOD_FUND: N_("Food fund"),
}


def _home_only(request: Request[Any, Any, Any]) -> None:
    if site_of(request).instance is not None:
        raise NotFoundException()


def _form_page(
    request: Request[Any, Any, Any], form: SignupForm, errors: dict[str, str], status: int = 200
) -> Response[Any]:
    network = network_of(request)
    site = site_of(request)
    return page(
        request,
        "signup.html",
        status_code=status,
        form=form,
        errors={field: _(message) for field, message in errors.items()},
        domains=network.settings.base_domains,
        kinds=[(k.value, _(label)) for k, label in KIND_LABELS.items()],
        port=f":{site.port}" if site.port else "",
    )


@get("/creer", name="signup", include_in_schema=False, sync_to_thread=False)
def signup_form(request: Request[Any, Any, Any]) -> Response[Any]:
    """The creation form."""
    _home_only(request)
    domains = network_of(request).settings.base_domains
    return _form_page(request, SignupForm(domain=domains[0]), {})


@post("/creer", include_in_schema=False)
async def signup_send(request: Request[Any, Any, Any]) -> Response[Any]:
    """Validate; on errors show them by field with what was typed; else e-mail the link."""
    _home_only(request)
    raw = await request.form()
    form = SignupForm(
        email=str(raw.get("email", "")),
        email_confirm=str(raw.get("email_confirm", "")),
        name=str(raw.get("name", "")),
        website=str(raw.get("website", "")),
        description=str(raw.get("description", "")),
        kind=str(raw.get("kind", "")),
        wants_cash_register=bool(raw.get("wants_cash_register")),
        accepts_terms=bool(raw.get("accepts_terms")),
        domain=str(raw.get("domain", "")),
        slug=str(raw.get("slug", "")),
    )
    network = network_of(request)
    try:
        clean, secret = network.signups.request(form, ip=client_ip(request))
    except SignupError as exc:
        if not form.slug.strip() and form.name.strip():
            form = SignupForm(**{**_as_dict(form), "slug": propose_slug(form.name)})
        return _form_page(request, form, exc.errors, status=400)
    site = site_of(request)
    port = f":{site.port}" if site.port else ""
    address = f"{site.scheme}://{clean.slug}.{clean.domain}{port}"
    url = f"{address}/bienvenue/{secret}"
    send(network, signup_mail(clean.email, url, clean.name, address, current_language()))
    return page(request, "signup_sent.html", form=clean, address=address)


def _as_dict(form: SignupForm) -> dict[str, Any]:
    return {f: getattr(form, f) for f in form.__struct_fields__}


def _pending(request: Request[Any, Any, Any], secret: str) -> tuple[Any, str]:
    """The creation link of this host's slug, and what is wrong with it ('' if nothing)."""
    network = network_of(request)
    match = match_host(request.headers.get("host", ""), network.settings.base_domains)
    link = network.login_links.peek(secret)
    problem = _link_problem(link, PURPOSE, network.login_links.clock())
    if not problem and (match.slug is None or link.data.get("slug") != match.slug):
        problem = _("This link is not valid. Ask for a new one.")
    return link, problem


@get("/bienvenue/{secret:str}", include_in_schema=False, sync_to_thread=False)
def signup_confirm_page(request: Request[Any, Any, Any], secret: FromPath[str]) -> Response[Any]:
    """The confirmation page: the collective's name and a button."""
    link, problem = _pending(request, secret)
    data = link.data if link is not None and not problem else {}
    return page(request, "signup_confirm.html", problem=problem, data=data)


@post("/bienvenue/{secret:str}", include_in_schema=False, sync_to_thread=False)
def signup_confirm(request: Request[Any, Any, Any], secret: FromPath[str]) -> Response[Any]:
    """Create the instance, its admin and the session in one write; send the second e-mail."""
    network = network_of(request)
    _link, problem = _pending(request, secret)
    if problem:
        return page(request, "signup_confirm.html", status_code=400, problem=problem, data={})

    def op(tx: Tx) -> tuple[Any, Any, str]:
        instance, user = network.signups.confirm(tx, secret)
        return instance, user, network.accounts.open_session(tx, user.id)

    try:
        instance, user, session = network.store.write(op)
    except (LinkError, InstanceError) as exc:
        problem = (
            _("This address was taken in the meantime. Fill the form again.")
            if isinstance(exc, InstanceError)
            else _("This link is not valid. Ask for a new one.")
        )
        return page(request, "signup_confirm.html", status_code=400, problem=problem, data={})
    site = site_of(request)
    address = site.url_for(instance.slug)
    login_secret = network.login_links.issue(
        user.email, purpose=LOGIN, data={"suite": "/mon-compte"}
    )
    mail = admin_ready_mail(
        user.email,
        instance.name,
        address,
        f"{address}/connexion/lien/{login_secret}",
        current_language(),
    )
    send(network, mail)
    return Redirect("/?bienvenue=1", cookies=[session_cookie(request, session)])


SIGNUP_ROUTES = [signup_form, signup_send, signup_confirm_page, signup_confirm]
