"""Rendering pages: the Jinja2 environment (with gettext) and the context every page gets.

Templates call ``_("English text")`` (or ``{% trans %}``); the text is translated into the
request's language (see :mod:`core.i18n`; French by default). :func:`page` builds a
``Template`` response with what the base layout needs: the network, the site (instance or
home), the logged-in user and their role here, and the language switcher.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template

from core.i18n import LANGUAGES, current_language, gettext, ngettext
from hosts.web.instances import Site, network_of, site_of
from hosts.web.wallet_format import jinja_globals

__all__ = ["TEMPLATES", "jinja_engine", "page"]

TEMPLATES = Path(__file__).parent / "templates"


def _gettext(message: str, **values: Any) -> str:
    return gettext(message, **values)


def _ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    return ngettext(singular, plural, n, **values)


def jinja_engine(extra_dirs: list[Path] | None = None) -> JinjaTemplateEngine:
    """The template engine: our templates (plugins' folders after), autoescape, gettext."""
    loader = jinja2.FileSystemLoader([TEMPLATES, *(extra_dirs or [])])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(LANGUAGES=LANGUAGES, current_language=current_language)
    env.globals.update(jinja_globals())  # money, amount_text, when... (docs/wallet.md)
    return JinjaTemplateEngine.from_environment(env)


def page(
    request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any
) -> Template:
    """A page response with the layout's context (network, site, user, role)."""
    network = network_of(request)
    try:
        site: Site | None = site_of(request)
    except Exception:  # an unknown host still gets a page (the 404 one)
        site = None
    user = request.scope.get("state", {}).get("user")
    role = None
    if user is not None and site is not None and site.instance is not None:
        role = network.accounts.role_of(site.instance.slug, user.id)
    base = {
        "network": network,
        "site": site,
        "instance": site.instance if site is not None else None,
        "user": user,
        "role": role,
        "lang": current_language(),
    }
    base.update(context)
    return Template(template_name=template, context=base, status_code=status_code)
