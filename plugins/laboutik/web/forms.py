"""Reading the admin forms into the service's inputs, field by field.

Each ``*_input`` returns the input Struct and the form's own errors (what could not even be
read: an amount, a rate); the service then checks the rules. Both kinds of errors end up next
to their fields, and the form shows again with everything typed.
"""

from __future__ import annotations

from ..amounts import AmountError, parse_rate
from ..model import ALL_METHODS, ArticleInput, CategoryInput, Method, PointInput, TableInput
from .common import Form, translate

__all__ = ["article_input", "category_input", "point_input", "table_input"]


def _rate(form: Form, name: str) -> int:
    try:
        return parse_rate(form.text(name) or "0")
    except AmountError as exc:
        form.errors[name] = translate(exc.problem)
        return 0


def _int(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 10 else 0


def point_input(form: Form) -> PointInput:
    """A point of sale: name, methods, asset ranks (``rank_<id>``), refills, bonus."""
    methods = [m for m in ALL_METHODS if m.value in form.all("methods")]
    ranks = []
    for name, value in form.values().items():
        if name.startswith("rank_") and value.strip():
            ranks.append((_int(value.strip()) or 10**9, _int(name[5:])))
    return PointInput(
        name=form.text("name"),
        methods=[Method(m) for m in methods],
        asset_order=[asset for _rank, asset in sorted(ranks) if asset],
        refill_assets=[_int(v) for v in form.all("refill_assets") if _int(v)],
        bonus_asset=_int(form.text("bonus_asset")),
        bonus_threshold=form.amount("bonus_threshold", allow_zero=True, required=False),
        bonus_rate=_rate(form, "bonus_rate"),
    )


def category_input(form: Form) -> CategoryInput:
    """A category: name and colour."""
    return CategoryInput(name=form.text("name"), colour=form.text("colour"))


def article_input(form: Form) -> ArticleInput:
    """An article: name, price, VAT rate, category, colour, kitchen, points of sale."""
    return ArticleInput(
        name=form.text("name"),
        price=form.amount("price"),
        vat_rate=_rate(form, "vat_rate"),
        category_id=form.text("category_id"),
        colour=form.text("colour") if form.checked("own_colour") else "",
        kitchen=form.checked("kitchen"),
        points_of_sale=form.all("points_of_sale"),
    )


def table_input(form: Form) -> TableInput:
    """A table: its name."""
    return TableInput(name=form.text("name"))
