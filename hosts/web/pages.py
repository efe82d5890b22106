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
from litestar.connection import ASGIConnection
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template

from core.i18n import LANGUAGES, current_language, gettext, ngettext
from hosts.web.instances import Site, network_of, site_of
from hosts.web.wallet_format import jinja_globals

__all__ = ["TEMPLATES", "jinja_engine", "layout_context", "page"]

TEMPLATES = Path(__file__).parent / "templates"


def _gettext(message: str, **values: Any) -> str:
    return gettext(message, **values)


def _ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    return ngettext(singular, plural, n, **values)


class _LayoutTemplate:
    """A template whose context gets the layout's variables when the handler did not give them.

    Plugins cannot import the web host, so they return Litestar's plain ``Template``; this
    wrapper fills in what ``base.html`` needs from the request Litestar puts in the context.
    """

    __slots__ = ("template",)

    def __init__(self, template: jinja2.Template) -> None:
        self.template = template

    def render(self, *args: Any, **context: Any) -> str:
        """Render with :func:`layout_context` under the handler's own context."""
        request = context.get("request")
        if request is not None and "network" not in context:
            context = {**layout_context(request), **context}
        return self.template.render(*args, **context)


class _Engine(JinjaTemplateEngine):
    """Litestar's Jinja2 engine, handing out templates that know the layout."""

    def get_template(self, template_name: str) -> Any:
        """The named template, wrapped by :class:`_LayoutTemplate`."""
        return _LayoutTemplate(super().get_template(template_name))


def jinja_engine(plugin_dirs: dict[str, Path] | None = None) -> JinjaTemplateEngine:
    """The template engine: our templates, then each plugin's under its name; gettext on.

    ``plugin_dirs`` maps a plugin's name to its template folder: ``<folder>/page.html`` is
    the template ``<name>/page.html`` (the prefix keeps plugins from shadowing each other or
    the host's templates).
    """
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(TEMPLATES)]
    if plugin_dirs:
        loaders.append(
            jinja2.PrefixLoader(
                {name: jinja2.FileSystemLoader(folder) for name, folder in plugin_dirs.items()}
            )
        )
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(LANGUAGES=LANGUAGES, current_language=current_language)
    env.globals.update(jinja_globals())  # money, amount_text, when... (docs/wallet.md)
    return _Engine.from_environment(env)


def layout_context(request: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    """What ``base.html`` needs: the network, the site (instance or home), user and role."""
    network = network_of(request)
    try:
        site: Site | None = site_of(request)
    except Exception:  # an unknown host still gets a page (the 404 one)
        site = None
    user = request.scope.get("state", {}).get("user")
    role = None
    if user is not None and site is not None and site.instance is not None:
        role = network.accounts.role_of(site.instance.slug, user.id)
    return {
        "network": network,
        "site": site,
        "instance": site.instance if site is not None else None,
        "user": user,
        "role": role,
        "lang": current_language(),
    }


def page(
    request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any
) -> Template:
    """A page response with the layout's context (network, site, user, role)."""
    base = layout_context(request)
    base.update(context)
    return Template(template_name=template, context=base, status_code=status_code)
