"""The admin panel of an instance: its sections, general information, plugins.

Every route here carries a role guard (:func:`hosts.web.auth.requires_role`) and says its role
in ``opt["role"]``; ``tests/integration/test_web_authz.py`` walks them all as an admin of
another instance. Sections come from the hook ``register_admin_sections``; the panel lists only
those the reader's role allows.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.accounts import Role, role_allows
from core.i18n import N_
from core.i18n import gettext as _
from core.instances import LOGO_MAX_BYTES, Instance, InstanceError
from core.network import Network
from core.plugins import PluginError
from hosts.web.auth import actor_of, requires_role
from hosts.web.instances import network_of, site_of
from hosts.web.pages import page
from hosts.web.routes_account import Section

__all__ = ["ADMIN_ROUTES", "admin_sections", "current_instance", "setup_path"]

ADMIN = {"role": Role.ADMIN.value}
STAFF = {"role": Role.CASHIER.value}


def current_instance(request: Request[Any, Any, Any]) -> Instance:
    """The request's instance (role guards have already refused the network's home)."""
    instance = site_of(request).instance
    if instance is None:
        raise NotFoundException()
    return instance


def admin_sections(network: Network, instance: Instance, role: Role | None) -> list[Section]:
    """The panel's sections that ``role`` may open, in order."""
    found: dict[str, Section] = {}

    def register(key: str, label: str, href: str, role: str = "admin", order: int = 100) -> None:
        found[str(key)] = Section(
            key=str(key), label=str(label), href=str(href), order=order, role=Role(role).value
        )

    network.hooks_for(instance).register_admin_sections(instance=instance, register=register)
    allowed = [s for s in found.values() if role_allows(role, Role(s.role))]
    return sorted(allowed, key=lambda s: (s.order, s.label))


def _staff_guard(connection: Any, handler: Any) -> None:
    """Admins, treasurers and cashiers: the people who have a panel."""
    try:
        requires_role(Role.TREASURER)(connection, handler)
    except Exception:
        requires_role(Role.CASHIER)(connection, handler)


@get("/admin", guards=[_staff_guard], opt=STAFF, include_in_schema=False, sync_to_thread=False)
def panel(request: Request[Any, Any, Any]) -> Response[Any]:
    """The panel: the sections this person may open."""
    instance = current_instance(request)
    role = actor_of(request).role
    sections = admin_sections(network_of(request), instance, role)
    return page(request, "admin_panel.html", sections=sections)


@get("/admin/general", guards=[requires_role(Role.ADMIN)], opt=ADMIN, include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def general_form(
    request: Request[Any, Any, Any], ok: FromQuery[str | None] = None
) -> Response[Any]:
    """General information: welcome text, description, website, logo."""
    instance = current_instance(request)
    values = {
        "welcome_text": instance.welcome_text,
        "description": instance.description,
        "website": instance.website,
    }
    return _general_page(request, values, {}, saved=ok == "1")


def _general_page(
    request: Request[Any, Any, Any],
    values: dict[str, str],
    errors: dict[str, str],
    *,
    saved: bool = False,
    status: int = 200,
) -> Response[Any]:
    instance = current_instance(request)
    has_logo = network_of(request).instances.logo(instance.slug) is not None
    return page(
        request, "admin_general.html", status_code=status, values=values, errors=errors,
        saved=saved, has_logo=has_logo, logo_kib=LOGO_MAX_BYTES // 1024,
    )  # fmt: skip


_GENERAL_ERRORS = {
    "description": N_("500 characters at most."),
    "website": N_("Enter an address starting with http:// or https://."),
    "welcome_text": N_("5000 characters at most."),
    "logo": N_("A PNG, JPEG, GIF or WebP image of %(kib)d KiB at most is expected."),
}


@post("/admin/general", guards=[requires_role(Role.ADMIN)], opt=ADMIN, include_in_schema=False,
      request_max_body_size=LOGO_MAX_BYTES + 64 * 1024)  # fmt: skip
async def general_save(request: Request[Any, Any, Any]) -> Response[Any]:
    """Save the general information; a refused logo changes nothing at all."""
    instance = current_instance(request)
    network = network_of(request)
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("welcome_text", "description", "website")}
    upload = form.get("logo")
    logo = await upload.read() if isinstance(upload, UploadFile) else b""
    try:
        if logo:
            network.instances.check_logo(logo)
        network.instances.update_details(instance.slug, **values)
        if logo:
            network.instances.set_logo(instance.slug, logo)
    except InstanceError as exc:
        message = _(_GENERAL_ERRORS.get(exc.field, "Check this field."), kib=LOGO_MAX_BYTES // 1024)
        return _general_page(request, values, {exc.field: message}, status=400)
    return Redirect("/admin/general?ok=1")


@get("/-/logo", include_in_schema=False, sync_to_thread=False)
def logo(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The instance's logo (public)."""
    instance = current_instance(request)
    stored = network_of(request).instances.logo(instance.slug)
    if stored is None:
        raise NotFoundException()
    return Response(
        stored.data,
        media_type=stored.content_type,
        headers={"cache-control": "public, max-age=300", "content-disposition": "inline"},
    )


@get("/admin/plugins", guards=[requires_role(Role.ADMIN)], opt=ADMIN, include_in_schema=False,
     sync_to_thread=False)  # fmt: skip
def plugins_form(request: Request[Any, Any, Any]) -> Response[Any]:
    """Each installed plugin, enabled or not for this instance."""
    instance = current_instance(request)
    network = network_of(request)
    always = network.plugins.always_enabled
    rows = []
    for info in network.plugins.installed():
        if info.name in always:
            continue
        enabled = info.name in instance.enabled_plugins
        setup = setup_path(network, instance, info.name) if enabled else None
        rows.append((info, enabled, setup))
    return page(request, "admin_plugins.html", rows=rows)


def setup_path(network: Network, instance: Instance, plugin: str) -> str | None:
    """What the plugin answers to ``plugin_setup_path`` for this instance (None: nothing left).

    Only that plugin is asked. An answer that is not a path on this site (``/...``) is a
    plugin's bug and stops with a PluginError naming it (never an open redirect).
    """
    hooks = network.plugins.for_plugin(plugin)
    answer = hooks.plugin_setup_path(network=network, instance=instance)
    if answer is None:
        return None
    if not isinstance(answer, str) or not answer.startswith("/") or answer.startswith("//"):
        raise PluginError(f"plugin {plugin!r} answered plugin_setup_path with {answer!r}")
    return answer


@post("/admin/plugins/{name:str}", guards=[requires_role(Role.ADMIN)], opt=ADMIN,
      include_in_schema=False)  # fmt: skip
async def plugin_toggle(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[Any]:
    """Enable or disable one plugin for this instance: effective at the next request.

    Once enabled, a plugin that needs setting up (hook ``plugin_setup_path``) gets the admin
    sent to its set-up page.
    """
    instance = current_instance(request)
    network = network_of(request)
    if name not in network.plugins.names() or name in network.plugins.always_enabled:
        raise NotFoundException()
    form = await request.form()
    enabled = form.get("enabled") == "1"
    updated = network.instances.set_plugin(instance.slug, name, enabled)
    if enabled:
        path = setup_path(network, updated, name)
        if path is not None:
            return Redirect(path)
    return Redirect("/admin/plugins")


ADMIN_ROUTES = [panel, general_form, general_save, logo, plugins_form, plugin_toggle]
