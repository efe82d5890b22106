"""My account ("Mon compte"): a shell whose sections come from the enabled plugins.

The sections are collected with the hook ``register_account_sections`` through the instance's
hooks (the core's own "Mes paramètres" and, for staff, "Panneau d'administration" come from
:mod:`hosts.web.core_sections`, registered like any plugin). The settings section edits the
name and the language.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromQuery
from litestar.response import Redirect

from core.accounts import ROLE_LABELS, AccountError, User
from core.i18n import LANGUAGES, N_, language
from core.i18n import gettext as _
from core.instances import Instance
from core.network import Network
from hosts.web.auth import requires_login, user_of
from hosts.web.instances import network_of, site_of
from hosts.web.pages import page

__all__ = ["ACCOUNT_ROUTES", "Section", "account_sections"]


class Section(msgspec.Struct, frozen=True):
    """One entry of a menu contributed by a hook."""

    key: str
    label: str
    href: str
    order: int = 100
    role: str = "member"


def account_sections(network: Network, instance: Instance | None, user: User) -> list[Section]:
    """The sections of "Mon compte" on ``instance`` (the home: the core's only)."""
    found: dict[str, Section] = {}

    def register(key: str, label: str, href: str, order: int = 100) -> None:
        found[str(key)] = Section(key=str(key), label=str(label), href=str(href), order=order)

    hooks = network.hooks_for(instance)
    hooks.register_account_sections(instance=instance, user=user, register=register)
    return sorted(found.values(), key=lambda s: (s.order, s.label))


def _user(request: Request[Any, Any, Any]) -> User:
    user = user_of(request)
    if user is None:  # requires_login guards these routes; never rely on it silently
        raise NotAuthorizedException()
    return user


@get("/mon-compte", name="account", guards=[requires_login], include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def account(
    request: Request[Any, Any, Any], bienvenue: FromQuery[str | None] = None
) -> Response[Any]:
    """The account page: who I am here, and the sections."""
    network = network_of(request)
    site = site_of(request)
    user = _user(request)
    role = network.accounts.role_of(site.instance.slug, user.id) if site.instance else None
    return page(
        request,
        "account.html",
        sections=account_sections(network, site.instance, user),
        role_label=_(ROLE_LABELS[role]) if role is not None else "",
    )


@get("/mon-compte/parametres", name="settings", guards=[requires_login],
     include_in_schema=False, sync_to_thread=False)  # fmt: skip
def settings_form(
    request: Request[Any, Any, Any], ok: FromQuery[str | None] = None
) -> Response[Any]:
    """The settings form: name and language."""
    user = _user(request)
    return page(
        request, "account_settings.html", values={"name": user.name, "language": user.language},
        errors={}, saved=ok == "1", languages=LANGUAGES,
    )  # fmt: skip


@post("/mon-compte/parametres", guards=[requires_login], include_in_schema=False)
async def settings_save(request: Request[Any, Any, Any]) -> Response[Any]:
    """Save the settings; errors are shown next to their field, with what was typed."""
    user = _user(request)
    form = await request.form()
    values = {"name": str(form.get("name", "")), "language": str(form.get("language", ""))}
    try:
        network_of(request).accounts.update_user(
            user.id, name=values["name"], language=values["language"]
        )
    except AccountError as exc:
        errors = {exc.field: _(_SETTINGS_ERRORS.get(exc.field, "Check this field."))}
        return page(
            request, "account_settings.html", status_code=400, values=values, errors=errors,
            saved=False, languages=LANGUAGES,
        )  # fmt: skip
    with language(values["language"]):
        return Redirect("/mon-compte/parametres?ok=1")


_SETTINGS_ERRORS = {
    "name": N_("200 characters at most."),
    "language": N_("Choose a language from the list."),
}

ACCOUNT_ROUTES = [account, settings_form, settings_save]
