"""Admin panel: users and roles, and external tools (API keys).

- Users: invite by e-mail with a role (the person gets an e-mail with a login link for this
  instance), change a role, remove someone. The last admin cannot be removed or demoted, so an
  instance never locks itself out.
- External tools: create an API key with a role (its secret is shown once, on the page that
  follows the creation, and never again: only its digest is stored), revoke a key.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.accounts import ROLE_LABELS, AccountError, Role
from core.apikeys import ApiKeyError
from core.i18n import gettext as _
from core.store import Tx
from hosts.web.auth import requires_role, user_of
from hosts.web.instances import network_of, site_of
from hosts.web.mails import invitation_mail, send
from hosts.web.pages import page
from hosts.web.routes_admin import ADMIN, current_instance
from hosts.web.routes_auth import LOGIN

__all__ = ["PEOPLE_ROUTES"]

ADMIN_ONLY = [requires_role(Role.ADMIN)]


def _roles() -> list[tuple[str, str]]:
    return [(r.value, _(label)) for r, label in ROLE_LABELS.items()]


def _users_page(
    request: Request[Any, Any, Any], *, error: str = "", email: str = "", status: int = 200,
    notice: str = "",
) -> Response[Any]:  # fmt: skip
    instance = current_instance(request)
    members = network_of(request).accounts.members_of(instance.slug)
    return page(
        request, "admin_users.html", status_code=status, members=members, roles=_roles(),
        role_labels={r.value: _(label) for r, label in ROLE_LABELS.items()},
        error=error, email=email, notice=notice,
    )  # fmt: skip


@get("/admin/utilisateurs", guards=ADMIN_ONLY, opt=ADMIN, include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def users(request: Request[Any, Any, Any], ok: FromQuery[str | None] = None) -> Response[Any]:
    """Who holds a role here."""
    notice = _("The invitation was sent.") if ok == "invite" else ""
    return _users_page(request, notice=notice)


@post("/admin/utilisateurs/inviter", guards=ADMIN_ONLY, opt=ADMIN, include_in_schema=False)
async def invite(request: Request[Any, Any, Any]) -> Response[Any]:
    """Give a role to an e-mail address and send it a login link for this instance."""
    instance = current_instance(request)
    network = network_of(request)
    form = await request.form()
    email, role_name = str(form.get("email", "")).strip(), str(form.get("role", ""))
    if role_name not in {r.value for r in Role}:
        return _users_page(request, error=_("Choose a role."), email=email, status=400)
    role = Role(role_name)

    def op(tx: Tx) -> Any:
        user = network.accounts.ensure_user(tx, email)
        network.accounts.grant(tx, instance.slug, user.id, role)
        return user

    try:
        user = network.store.write(op)
    except AccountError:
        return _users_page(
            request, error=_("Enter a valid e-mail address."), email=email, status=400
        )
    secret = network.login_links.issue(user.email, purpose=LOGIN, data={"suite": "/mon-compte"})
    url = f"{site_of(request).url_for(instance.slug)}/connexion/lien/{secret}"
    send(network, invitation_mail(user.email, instance.name, role.value, url, user.language))
    return Redirect("/admin/utilisateurs?ok=invite")


def _change(request: Request[Any, Any, Any], user_id: str, role: Role | None) -> Response[Any]:
    """Set (or remove, when ``role`` is None) a user's role, keeping at least one admin."""
    instance = current_instance(request)
    network = network_of(request)

    def op(tx: Tx) -> None:
        grants = list(network.accounts.grants.find(tx.txn, "instance", instance.slug))
        current = next((g for g in grants if g.user_id == user_id), None)
        if current is None:
            raise NotFoundException()
        admins = [g for g in grants if g.role is Role.ADMIN]
        if current.role is Role.ADMIN and role is not Role.ADMIN and len(admins) == 1:
            raise AccountError("role", "the last admin")
        if role is None:
            network.accounts.revoke(tx, instance.slug, user_id)
        else:
            network.accounts.grant(tx, instance.slug, user_id, role)

    try:
        network.store.write(op)
    except AccountError:
        return _users_page(
            request,
            error=_("An instance keeps at least one admin: name another admin first."),
            status=400,
        )
    return Redirect("/admin/utilisateurs")


@post("/admin/utilisateurs/{user_id:str}/role", guards=ADMIN_ONLY, opt=ADMIN,
      include_in_schema=False)  # fmt: skip
async def change_role(request: Request[Any, Any, Any], user_id: FromPath[str]) -> Response[Any]:
    """Change someone's role."""
    form = await request.form()
    role_name = str(form.get("role", ""))
    if role_name not in {r.value for r in Role}:
        return _users_page(request, error=_("Choose a role."), status=400)
    return _change(request, user_id, Role(role_name))


@post("/admin/utilisateurs/{user_id:str}/retirer", guards=ADMIN_ONLY, opt=ADMIN,
      include_in_schema=False, sync_to_thread=False)  # fmt: skip
def remove(request: Request[Any, Any, Any], user_id: FromPath[str]) -> Response[Any]:
    """Remove someone's role in this instance (their account stays)."""
    return _change(request, user_id, None)


def _tools_page(
    request: Request[Any, Any, Any], *, created: Any = None, secret: str = "",
    error: str = "", label: str = "", status: int = 200,
) -> Response[Any]:  # fmt: skip
    instance = current_instance(request)
    keys = network_of(request).api_keys.of_instance(instance.slug)
    return page(
        request, "admin_tools.html", status_code=status, keys=keys, roles=_roles(),
        role_labels={r.value: _(label) for r, label in ROLE_LABELS.items()},
        created=created, secret=secret, error=error, label=label,
    )  # fmt: skip


@get("/admin/outils", guards=ADMIN_ONLY, opt=ADMIN, include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def tools(request: Request[Any, Any, Any]) -> Response[Any]:
    """The instance's API keys."""
    return _tools_page(request)


@post("/admin/outils/cles", guards=ADMIN_ONLY, opt=ADMIN, include_in_schema=False)
async def create_key(request: Request[Any, Any, Any]) -> Response[Any]:
    """Create a key and show its secret, once."""
    instance = current_instance(request)
    form = await request.form()
    label, role_name = str(form.get("label", "")), str(form.get("role", ""))
    if role_name not in {r.value for r in Role}:
        return _tools_page(request, error=_("Choose a role."), label=label, status=400)
    user = user_of(request)
    try:
        record, secret = network_of(request).api_keys.create(
            instance.slug, Role(role_name), label, by=user.id if user else ""
        )
    except ApiKeyError:
        error = _("Give the key a name of 100 characters at most.")
        return _tools_page(request, error=error, label=label, status=400)
    return _tools_page(request, created=record, secret=secret)


@post("/admin/outils/cles/{key_id:str}/revoquer", guards=ADMIN_ONLY, opt=ADMIN,
      include_in_schema=False, sync_to_thread=False)  # fmt: skip
def revoke_key(request: Request[Any, Any, Any], key_id: FromPath[str]) -> Response[Any]:
    """Revoke a key of this instance."""
    instance = current_instance(request)
    try:
        network_of(request).api_keys.revoke(instance.slug, key_id)
    except ApiKeyError as exc:
        raise NotFoundException() from exc
    return Redirect("/admin/outils")


PEOPLE_ROUTES = [users, invite, change_role, remove, tools, create_key, revoke_key]
