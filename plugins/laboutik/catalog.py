"""The catalogue of an instance's register: settings, points of sale, categories, articles,
tables. Every change is checked field by field (:class:`FormErrors` lists them all) and is
one write; nothing is deleted, records are archived (past orders keep their snapshots)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import lmdb
import msgspec

from core.i18n import N_
from core.store import Tx
from core.wallets import PRIMARY_ASSET_ID, Asset, AssetCategory
from core.wallets.model import MONEY_CATEGORIES, REFUNDABLE_CATEGORIES

from .amounts import AMOUNT_MAX, BP
from .common import Part, check_colour, check_name, new_id
from .errors import FormErrors, Problem
from .model import (
    Article,
    ArticleInput,
    Category,
    CategoryInput,
    PointInput,
    PointOfSale,
    RegisterConfig,
    Table,
    TableInput,
)
from .periods import format_minute, parse_minute, zone

__all__ = ["Catalog"]

R = TypeVar("R", PointOfSale, Category, Article, Table)
#: prices are in cents: a point of sale takes assets with two decimals
CENTS = 2


def _sorted(records: list[R]) -> list[R]:
    return sorted(records, key=lambda r: (getattr(r, "position", 0), r.name.lower()))


class Catalog(Part):
    """Settings, points of sale, categories, articles and tables of each instance."""

    # -- settings ------------------------------------------------------------------------

    def config(self, instance: str) -> RegisterConfig:
        """The instance's register settings (defaults until it saved any)."""
        with self.store.read() as txn:
            return self.config_in(txn, instance)

    def config_in(self, txn: lmdb.Transaction, instance: str) -> RegisterConfig:
        """The settings as ``txn`` sees them."""
        found = self.records.config.get(txn, instance)
        return found if found is not None else RegisterConfig(instance=instance)

    def ensure_config_in(self, tx: Tx, instance: str) -> RegisterConfig:
        """Inside a write: the settings, stored on first use (the register starts then)."""
        found = self.records.config.get(tx.txn, instance)
        if found is not None:
            return found
        now = self.now()
        return self.records.config.put(
            tx, RegisterConfig(instance=instance, started_at=now, updated_at=now)
        )

    def set_closure(self, instance: str, *, hour: str, timezone: str) -> RegisterConfig:
        """Set the closure hour (``"04:00"``) and the time zone (``"Europe/Paris"``)."""
        errors: dict[str, Problem] = {}
        minute = parse_minute(hour)
        if minute is None:
            errors["hour"] = Problem.of(N_("Enter an hour such as 04:00."))
        if zone(timezone.strip()) is None:
            errors["timezone"] = Problem.of(N_("Unknown time zone (for example Europe/Paris)."))
        if errors:
            raise FormErrors(errors)

        def op(tx: Tx) -> RegisterConfig:
            config = self.ensure_config_in(tx, instance)
            changed = msgspec.structs.replace(
                config, closure_minute=minute, timezone=timezone.strip(), updated_at=self.now()
            )
            return self.records.config.put(tx, changed)

        return self.write(op)

    @staticmethod
    def closure_hour(config: RegisterConfig) -> str:
        """The closure hour as ``HH:MM``."""
        return format_minute(config.closure_minute)

    # -- assets a point of sale may use ----------------------------------------------------

    def accepted_assets(self, instance: str) -> list[Asset]:
        """Money assets the instance accepts (not archived), by id."""
        return [
            a
            for a in self.money.federations.accepted_assets(instance)
            if a.category in MONEY_CATEGORIES
        ]

    def refill_choices(self, instance: str) -> list[Asset]:
        """Euro-backed assets the instance accepts: what a counter may refill."""
        return [a for a in self.accepted_assets(instance) if a.category in REFUNDABLE_CATEGORIES]

    def bonus_choices(self, instance: str) -> list[Asset]:
        """The instance's own gift assets: what it may offer as a refill bonus."""
        return [
            a
            for a in self.money.assets.issued_by(instance)
            if a.category == AssetCategory.GIFT and not a.archived
        ]

    def refill_assets(self, pos: PointOfSale) -> list[Asset]:
        """What this point of sale refills: its list, or the primary asset and the instance's
        own local currencies."""
        choices = self.refill_choices(pos.instance)
        if pos.refill_assets:
            by_id = {a.id: a for a in choices}
            return [by_id[i] for i in pos.refill_assets if i in by_id]
        return [a for a in choices if a.id == PRIMARY_ASSET_ID or a.issuer == pos.instance]

    # -- points of sale --------------------------------------------------------------------

    def points(self, instance: str, *, archived: bool = False) -> list[PointOfSale]:
        """The instance's points of sale (archived ones only with ``archived``)."""
        return self._list(self.records.points, instance, archived)

    def point(self, instance: str, pos_id: str) -> PointOfSale:
        """One point of sale of ``instance``; NotFound otherwise."""
        with self.store.read() as txn:
            return self.point_in(txn, instance, pos_id)

    def point_in(self, txn: lmdb.Transaction, instance: str, pos_id: str) -> PointOfSale:
        """One point of sale, as ``txn`` sees it."""
        found = self.records.points.get(txn, pos_id) if pos_id else None
        return self.owned(found, instance, "pos_id")

    def save_point(self, instance: str, data: PointInput, pos_id: str = "") -> PointOfSale:
        """Create (no ``pos_id``) or change a point of sale."""
        errors = self.point_problems(instance, data)

        def build(current: PointOfSale | None, position: int) -> PointOfSale:
            fields: dict[str, Any] = {
                "name": data.name.strip(),
                "methods": list(dict.fromkeys(data.methods)),
                "asset_order": list(data.asset_order),
                "refill_assets": list(data.refill_assets),
                "bonus_asset": data.bonus_asset,
                "bonus_threshold": data.bonus_threshold,
                "bonus_rate": data.bonus_rate,
            }
            if current is not None:
                return msgspec.structs.replace(current, **fields)
            return PointOfSale(
                id=new_id(), instance=instance, position=position, created_at=self.now(), **fields
            )

        return self._save(self.records.points, instance, pos_id, "pos_id", errors, build)

    def point_problems(self, instance: str, data: PointInput) -> dict[str, Problem]:
        """What is wrong with ``data`` for a point of sale of ``instance``, by field."""
        errors: dict[str, Problem] = {}
        if problem := check_name(data.name):
            errors["name"] = problem
        if not data.methods:
            errors["methods"] = Problem.of(N_("Choose at least one payment method."))
        accepted = {a.id: a for a in self.accepted_assets(instance)}
        order = list(data.asset_order)
        if len(set(order)) != len(order):
            errors["asset_order"] = Problem.of(N_("An asset appears twice."))
        elif any(i not in accepted for i in order):
            errors["asset_order"] = Problem.of(N_("Only assets this collective accepts."))
        elif any(accepted[i].decimals != CENTS for i in order):
            errors["asset_order"] = Problem.of(N_("Only assets counted in cents."))
        refill = {a.id for a in self.refill_choices(instance)}
        if any(i not in refill for i in data.refill_assets):
            errors["refill_assets"] = Problem.of(N_("Only euro-backed assets accepted here."))
        if data.bonus_rate < 0 or data.bonus_rate > BP:
            errors["bonus_rate"] = Problem.of(N_("A rate is between 0 and 100 %."))
        if data.bonus_threshold < 0 or data.bonus_threshold >= AMOUNT_MAX:
            errors["bonus_threshold"] = Problem.of(N_("This amount is too large."))
        gifts = {a.id for a in self.bonus_choices(instance)}
        if data.bonus_asset and data.bonus_asset not in gifts:
            errors["bonus_asset"] = Problem.of(N_("Choose a gift asset issued by this collective."))
        elif data.bonus_rate and not data.bonus_asset:
            errors["bonus_asset"] = Problem.of(N_("Choose the gift asset of the bonus."))
        return errors

    def archive_point(self, instance: str, pos_id: str, archived: bool = True) -> PointOfSale:
        """Archive (or bring back) a point of sale."""
        return self._archive(self.records.points, instance, pos_id, "pos_id", archived)

    # -- categories ------------------------------------------------------------------------

    def categories(self, instance: str, *, archived: bool = False) -> list[Category]:
        """The instance's categories."""
        return self._list(self.records.categories, instance, archived)

    def category(self, instance: str, category_id: str) -> Category:
        """One category of ``instance``; NotFound otherwise."""
        with self.store.read() as txn:
            found = self.records.categories.get(txn, category_id) if category_id else None
        return self.owned(found, instance, "category_id")

    def save_category(self, instance: str, data: CategoryInput, category_id: str = "") -> Category:
        """Create or change a category."""
        errors = self.category_problems(data)

        def build(current: Category | None, position: int) -> Category:
            name, colour = data.name.strip(), data.colour.lower()
            if current is not None:
                return msgspec.structs.replace(current, name=name, colour=colour)
            return Category(
                id=new_id(), instance=instance, name=name, colour=colour, position=position
            )

        return self._save(
            self.records.categories, instance, category_id, "category_id", errors, build
        )

    @staticmethod
    def category_problems(data: CategoryInput) -> dict[str, Problem]:
        """What is wrong with ``data`` for a category, by field."""
        errors: dict[str, Problem] = {}
        if problem := check_name(data.name):
            errors["name"] = problem
        if problem := check_colour(data.colour):
            errors["colour"] = problem
        return errors

    def archive_category(self, instance: str, category_id: str, archived: bool = True) -> Category:
        """Archive (or bring back) a category."""
        return self._archive(self.records.categories, instance, category_id, "category_id",
                             archived)  # fmt: skip

    # -- articles --------------------------------------------------------------------------

    def articles(self, instance: str, *, archived: bool = False) -> list[Article]:
        """The instance's articles."""
        return self._list(self.records.articles, instance, archived)

    def article(self, instance: str, article_id: str) -> Article:
        """One article of ``instance``; NotFound otherwise."""
        with self.store.read() as txn:
            found = self.records.articles.get(txn, article_id) if article_id else None
        return self.owned(found, instance, "article_id")

    def save_article(self, instance: str, data: ArticleInput, article_id: str = "") -> Article:
        """Create or change an article."""
        errors = self.article_problems(instance, data)

        def build(current: Article | None, position: int) -> Article:
            fields: dict[str, Any] = {
                "name": data.name.strip(),
                "price": data.price,
                "vat_rate": data.vat_rate,
                "category_id": data.category_id,
                "colour": data.colour.lower(),
                "kitchen": data.kitchen,
                "points_of_sale": list(dict.fromkeys(data.points_of_sale)),
            }
            if current is not None:
                return msgspec.structs.replace(current, **fields)
            return Article(id=new_id(), instance=instance, position=position, **fields)

        return self._save(self.records.articles, instance, article_id, "article_id", errors, build)

    def article_problems(self, instance: str, data: ArticleInput) -> dict[str, Problem]:
        """What is wrong with ``data`` for an article of ``instance``, by field."""
        errors: dict[str, Problem] = {}
        if problem := check_name(data.name, 80):
            errors["name"] = problem
        if data.price <= 0:
            errors["price"] = Problem.of(N_("The amount must be greater than zero."))
        elif data.price >= AMOUNT_MAX:
            errors["price"] = Problem.of(N_("This amount is too large."))
        if not 0 <= data.vat_rate <= BP:
            errors["vat_rate"] = Problem.of(N_("A rate is between 0 and 100 %."))
        categories = {c.id for c in self.categories(instance)}
        if data.category_id not in categories:
            errors["category_id"] = Problem.of(N_("Choose a category."))
        if problem := check_colour(data.colour, optional=True):
            errors["colour"] = problem
        points = {p.id for p in self.points(instance)}
        if any(p not in points for p in data.points_of_sale):
            errors["points_of_sale"] = Problem.of(N_("Unknown point of sale."))
        return errors

    def archive_article(self, instance: str, article_id: str, archived: bool = True) -> Article:
        """Archive (or bring back) an article."""
        return self._archive(self.records.articles, instance, article_id, "article_id", archived)

    def menu(self, instance: str, pos_id: str) -> list[tuple[Category, list[Article]]]:
        """What the register of ``pos_id`` shows: categories and their articles, in order."""
        articles = [
            a for a in self.articles(instance) if not a.points_of_sale or pos_id in a.points_of_sale
        ]
        return [
            (c, [a for a in articles if a.category_id == c.id])
            for c in self.categories(instance)
            if any(a.category_id == c.id for a in articles)
        ]

    # -- tables ----------------------------------------------------------------------------

    def tables(self, instance: str, *, archived: bool = False) -> list[Table]:
        """The instance's tables."""
        return self._list(self.records.tables, instance, archived)

    def save_table(self, instance: str, data: TableInput, table_id: str = "") -> Table:
        """Create or rename a table."""
        errors: dict[str, Problem] = {}
        if problem := check_name(data.name, 40):
            errors["name"] = problem

        def build(current: Table | None, position: int) -> Table:
            if current is not None:
                return msgspec.structs.replace(current, name=data.name.strip())
            return Table(id=new_id(), instance=instance, name=data.name.strip(), position=position)

        return self._save(self.records.tables, instance, table_id, "table_id", errors, build)

    def archive_table(self, instance: str, table_id: str, archived: bool = True) -> Table:
        """Archive (or bring back) a table."""
        return self._archive(self.records.tables, instance, table_id, "table_id", archived)

    # -- shared ----------------------------------------------------------------------------

    def _list(self, collection: Any, instance: str, archived: bool) -> list[Any]:
        with self.store.read() as txn:
            found = list(collection.find(txn, "instance", instance))
        return _sorted([r for r in found if r.archived == archived])

    def _save(
        self,
        collection: Any,
        instance: str,
        record_id: str,
        field: str,
        errors: dict[str, Problem],
        build: Callable[[Any, int], Any],
    ) -> Any:
        if errors:
            raise FormErrors(errors)

        def op(tx: Tx) -> Any:
            self.ensure_config_in(tx, instance)
            if record_id:
                current = self.owned(collection.get(tx.txn, record_id), instance, field)
                return collection.put(tx, build(current, current.position))
            position = sum(1 for _ in collection.find(tx.txn, "instance", instance))
            return collection.insert(tx, build(None, position))

        return self.write(op)

    def _archive(
        self, collection: Any, instance: str, record_id: str, field: str, archived: bool
    ) -> Any:
        def op(tx: Tx) -> Any:
            current = self.owned(collection.get(tx.txn, record_id), instance, field)
            return collection.put(tx, msgspec.structs.replace(current, archived=archived))

        return self.write(op)
