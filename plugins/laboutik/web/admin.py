"""Admin pages of the register (role admin): the set-up overview, closure settings, tables."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core import Instance, Network

from ..errors import RegisterError
from ..periods import format_minute
from .common import Form, errors_of, lb, render, see_other
from .forms import table_input

__all__ = ["ADMIN_ROUTES"]

ADMIN = {"role": "admin"}


@get("/admin/caisse", opt=ADMIN, include_in_schema=False, sync_to_thread=False)
def overview(network: NamedDependency[Network], instance: NamedDependency[Instance]) -> Template:
    """Everything the register is set up with, and links to change it."""
    service = lb(network)
    catalog = service.catalog
    slug = instance.slug
    config = catalog.config(slug)
    categories = catalog.categories(slug) + catalog.categories(slug, archived=True)
    return render(
        "admin_index.html",
        hour=format_minute(config.closure_minute), timezone=config.timezone,
        points=catalog.points(slug), archived_points=catalog.points(slug, archived=True),
        categories=catalog.categories(slug),
        archived_categories=catalog.categories(slug, archived=True),
        category_names={c.id: c.name for c in categories},
        articles=catalog.articles(slug), archived_articles=catalog.articles(slug, archived=True),
        assets={a.id: a for a in network.money.assets.all()},
    )  # fmt: skip


def _settings_page(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Template:
    return render("admin_settings.html", status=status, values=values, errors=errors)


@get("/admin/caisse/reglages", opt=ADMIN, include_in_schema=False, sync_to_thread=False)
def settings_form(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> Template:
    """The closure hour and time zone."""
    config = lb(network).catalog.config(instance.slug)
    values = {"hour": format_minute(config.closure_minute), "timezone": config.timezone}
    return _settings_page(values, {})


@post("/admin/caisse/reglages", opt=ADMIN, include_in_schema=False)
async def settings_save(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
) -> Template | Redirect:
    """Save the closure hour and time zone."""
    form = await Form.of(request)
    try:
        lb(network).catalog.set_closure(
            instance.slug, hour=form.text("hour"), timezone=form.text("timezone")
        )
    except RegisterError as exc:
        return _settings_page(form.values(), errors_of(exc), 422)
    return see_other("/admin/caisse")


def _tables_page(
    network: Network, instance: Instance, values: dict[str, str], errors: dict[str, str],
    status: int = 200,
) -> Template:  # fmt: skip
    catalog = lb(network).catalog
    return render(
        "admin_tables.html", status=status, values=values, errors=errors,
        tables=catalog.tables(instance.slug), archived=catalog.tables(instance.slug, archived=True),
    )  # fmt: skip


@get("/admin/caisse/tables", opt=ADMIN, include_in_schema=False, sync_to_thread=False)
def tables(network: NamedDependency[Network], instance: NamedDependency[Instance]) -> Template:
    """The venue's tables, and a form to add one."""
    return _tables_page(network, instance, {"name": ""}, {})


@post("/admin/caisse/tables", opt=ADMIN, include_in_schema=False)
async def table_add(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
) -> Template | Redirect:
    """Add a table."""
    form = await Form.of(request)
    try:
        lb(network).catalog.save_table(instance.slug, table_input(form))
    except RegisterError as exc:
        return _tables_page(network, instance, form.values(), errors_of(exc), 422)
    return see_other("/admin/caisse/tables")


@post("/admin/caisse/tables/{table_id:str}/archiver", opt=ADMIN, include_in_schema=False)
async def table_archive(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    table_id: FromPath[str],
) -> Redirect:
    """Archive a table (``archived=0``: bring it back)."""
    form = await Form.of(request)
    lb(network).catalog.archive_table(instance.slug, table_id, form.text("archived") != "0")
    return see_other("/admin/caisse/tables")


ADMIN_ROUTES = [overview, settings_form, settings_save, tables, table_add, table_archive]
