"""Admin pages of the catalogue (role admin): points of sale, categories, articles.

Each form shows again, with everything typed and each error next to its field, when the
service refuses it (status 422); a saved form goes back to the register's set-up page.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core import Instance, Network

from ..amounts import format_money, format_rate
from ..errors import Problem, RegisterError
from ..model import Article, Category, PointOfSale
from .common import Form, errors_of, lb, render, see_other, translate
from .forms import article_input, category_input, point_input

__all__ = ["CATALOG_ROUTES"]

ADMIN = {"role": "admin"}
BACK = "/admin/caisse"


def _words(problems: dict[str, Problem]) -> dict[str, str]:
    return {field: translate(problem) for field, problem in problems.items()}


def _page(**options: Any) -> dict[str, Any]:
    return {"opt": ADMIN, "include_in_schema": False, **options}


# -- points of sale --------------------------------------------------------------------------


def _point_values(point: PointOfSale | None) -> dict[str, Any]:
    if point is None:
        return {"name": "", "methods": ["cashless", "cash", "card"], "refill_assets": [],
                "bonus_asset": "", "bonus_threshold": "", "bonus_rate": ""}  # fmt: skip
    values: dict[str, Any] = {
        "name": point.name,
        "methods": [m.value for m in point.methods],
        "refill_assets": [str(a) for a in point.refill_assets],
        "bonus_asset": str(point.bonus_asset or ""),
        "bonus_threshold": format_money(point.bonus_threshold, "en")
        if point.bonus_threshold
        else "",
        "bonus_rate": format_rate(point.bonus_rate, "en")[:-2] if point.bonus_rate else "",
    }
    for rank, asset in enumerate(point.asset_order, start=1):
        values[f"rank_{asset}"] = str(rank)
    return values


def _point_page(
    network: Network,
    instance: Instance,
    point: PointOfSale | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    catalog = lb(network).catalog
    return render(
        "admin_point.html", status=status, point=point, values=values, errors=errors,
        sale_assets=catalog.accepted_assets(instance.slug),
        refill_assets=catalog.refill_choices(instance.slug),
        bonus_assets=catalog.bonus_choices(instance.slug),
    )  # fmt: skip


@get("/admin/caisse/points-de-vente/nouveau", **_page(sync_to_thread=False))
def point_new(network: NamedDependency[Network], instance: NamedDependency[Instance]) -> Template:
    """The form of a new point of sale."""
    return _point_page(network, instance, None, _point_values(None), {})


@get("/admin/caisse/points-de-vente/{pos_id:str}", **_page(sync_to_thread=False))
def point_edit(
    network: NamedDependency[Network], instance: NamedDependency[Instance], pos_id: FromPath[str]
) -> Template:
    """The form of a point of sale."""
    point = lb(network).catalog.point(instance.slug, pos_id)
    return _point_page(network, instance, point, _point_values(point), {})


@post("/admin/caisse/points-de-vente", **_page())
async def point_create(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
) -> Template | Redirect:
    """Create a point of sale."""
    return await _save_point(request, network, instance, "")


@post("/admin/caisse/points-de-vente/{pos_id:str}", **_page())
async def point_save(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    pos_id: FromPath[str],
) -> Template | Redirect:
    """Save a point of sale."""
    return await _save_point(request, network, instance, pos_id)


async def _save_point(
    request: Request[Any, Any, Any], network: Network, instance: Instance, pos_id: str
) -> Template | Redirect:
    catalog = lb(network).catalog
    point = catalog.point(instance.slug, pos_id) if pos_id else None
    form = await Form.of(request)
    data = point_input(form)
    values: dict[str, Any] = {**form.values(), "methods": form.all("methods"),
                              "refill_assets": form.all("refill_assets")}  # fmt: skip
    errors = {**_words(catalog.point_problems(instance.slug, data)), **form.errors}
    if not errors:
        try:
            catalog.save_point(instance.slug, data, pos_id)
        except RegisterError as exc:
            errors = errors_of(exc)
    if errors:
        return _point_page(network, instance, point, values, errors, 422)
    return see_other(BACK)


@post("/admin/caisse/points-de-vente/{pos_id:str}/archiver", **_page())
async def point_archive(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    pos_id: FromPath[str],
) -> Redirect:
    """Archive a point of sale (``archived=0``: bring it back)."""
    form = await Form.of(request)
    lb(network).catalog.archive_point(instance.slug, pos_id, form.text("archived") != "0")
    return see_other(BACK)


# -- categories ------------------------------------------------------------------------------


def _category_page(
    category: Category | None, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    return render(
        "admin_category.html", status=status, category=category, values=values, errors=errors
    )


@get("/admin/caisse/categories/nouvelle", **_page(sync_to_thread=False))
def category_new() -> Template:
    """The form of a new category."""
    return _category_page(None, {"name": "", "colour": "#8d6e63"}, {})


@get("/admin/caisse/categories/{category_id:str}", **_page(sync_to_thread=False))
def category_edit(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    category_id: FromPath[str],
) -> Template:
    """The form of a category."""
    category = lb(network).catalog.category(instance.slug, category_id)
    return _category_page(category, {"name": category.name, "colour": category.colour}, {})


@post("/admin/caisse/categories", **_page())
async def category_create(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
) -> Template | Redirect:
    """Create a category."""
    return await _save_category(request, network, instance, "")


@post("/admin/caisse/categories/{category_id:str}", **_page())
async def category_save(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    category_id: FromPath[str],
) -> Template | Redirect:
    """Save a category."""
    return await _save_category(request, network, instance, category_id)


async def _save_category(
    request: Request[Any, Any, Any], network: Network, instance: Instance, category_id: str
) -> Template | Redirect:
    catalog = lb(network).catalog
    category = catalog.category(instance.slug, category_id) if category_id else None
    form = await Form.of(request)
    try:
        catalog.save_category(instance.slug, category_input(form), category_id)
    except RegisterError as exc:
        return _category_page(category, form.values(), errors_of(exc), 422)
    return see_other(BACK)


@post("/admin/caisse/categories/{category_id:str}/archiver", **_page())
async def category_archive(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    category_id: FromPath[str],
) -> Redirect:
    """Archive a category (``archived=0``: bring it back)."""
    form = await Form.of(request)
    lb(network).catalog.archive_category(instance.slug, category_id, form.text("archived") != "0")
    return see_other(BACK)


# -- articles --------------------------------------------------------------------------------


def _article_values(article: Article | None) -> dict[str, Any]:
    if article is None:
        empty: dict[str, Any] = dict.fromkeys(("name", "price", "category_id", "kitchen"), "")
        return {**empty, "vat_rate": "20", "colour": "#8d6e63", "own_colour": "",
                "points_of_sale": []}  # fmt: skip
    return {
        "name": article.name,
        "price": format_money(article.price, "en"),
        "vat_rate": format_rate(article.vat_rate, "en")[:-2],
        "category_id": article.category_id,
        "colour": article.colour or "#8d6e63",
        "own_colour": "1" if article.colour else "",
        "kitchen": "1" if article.kitchen else "",
        "points_of_sale": list(article.points_of_sale),
    }


def _article_page(
    network: Network,
    instance: Instance,
    article: Article | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    catalog = lb(network).catalog
    return render(
        "admin_article.html", status=status, article=article, values=values, errors=errors,
        categories=catalog.categories(instance.slug), points=catalog.points(instance.slug),
    )  # fmt: skip


@get("/admin/caisse/articles/nouveau", **_page(sync_to_thread=False))
def article_new(network: NamedDependency[Network], instance: NamedDependency[Instance]) -> Template:
    """The form of a new article."""
    return _article_page(network, instance, None, _article_values(None), {})


@get("/admin/caisse/articles/{article_id:str}", **_page(sync_to_thread=False))
def article_edit(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    article_id: FromPath[str],
) -> Template:
    """The form of an article."""
    article = lb(network).catalog.article(instance.slug, article_id)
    return _article_page(network, instance, article, _article_values(article), {})


@post("/admin/caisse/articles", **_page())
async def article_create(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
) -> Template | Redirect:
    """Create an article."""
    return await _save_article(request, network, instance, "")


@post("/admin/caisse/articles/{article_id:str}", **_page())
async def article_save(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    article_id: FromPath[str],
) -> Template | Redirect:
    """Save an article."""
    return await _save_article(request, network, instance, article_id)


async def _save_article(
    request: Request[Any, Any, Any], network: Network, instance: Instance, article_id: str
) -> Template | Redirect:
    catalog = lb(network).catalog
    article = catalog.article(instance.slug, article_id) if article_id else None
    form = await Form.of(request)
    data = article_input(form)
    values: dict[str, Any] = {**form.values(), "points_of_sale": form.all("points_of_sale")}
    errors = {**_words(catalog.article_problems(instance.slug, data)), **form.errors}
    if not errors:
        try:
            catalog.save_article(instance.slug, data, article_id)
        except RegisterError as exc:
            errors = errors_of(exc)
    if errors:
        return _article_page(network, instance, article, values, errors, 422)
    return see_other(BACK)


@post("/admin/caisse/articles/{article_id:str}/archiver", **_page())
async def article_archive(
    request: Request[Any, Any, Any],
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    article_id: FromPath[str],
) -> Redirect:
    """Archive an article (``archived=0``: bring it back)."""
    form = await Form.of(request)
    lb(network).catalog.archive_article(instance.slug, article_id, form.text("archived") != "0")
    return see_other(BACK)


CATALOG_ROUTES = [
    point_new, point_edit, point_create, point_save, point_archive,
    category_new, category_edit, category_create, category_save, category_archive,
    article_new, article_edit, article_create, article_save, article_archive,
]  # fmt: skip
