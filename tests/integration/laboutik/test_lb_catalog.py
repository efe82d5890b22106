"""The catalogue: every field checked at once, nothing half-saved, nothing of another instance."""

from __future__ import annotations

import pytest

from core.wallets import AssetCategory
from plugins.laboutik.errors import FormErrors, NotFound
from plugins.laboutik.model import ArticleInput, CategoryInput, Method, PointInput


def test_a_point_of_sale_reports_every_wrong_field(shop):
    hours = shop.network.money.assets.create(
        issuer="bar", code="BHR", name="Hours", category=AssetCategory.TIME, decimals=0
    )
    foreign = shop.network.money.assets.create(
        issuer="other", code="OTH", name="Other's", category=AssetCategory.FIAT
    )
    bad = PointInput(
        name=" ",
        methods=[],
        asset_order=[1, 1],
        refill_assets=[shop.gift.id],
        bonus_asset=1,
        bonus_rate=20000,
        bonus_threshold=-5,
    )
    with pytest.raises(FormErrors) as info:
        shop.lb.catalog.save_point("bar", bad)
    assert set(info.value.errors) == {
        "name", "methods", "asset_order", "refill_assets", "bonus_asset", "bonus_rate",
        "bonus_threshold",
    }  # fmt: skip
    problems = shop.lb.catalog.point_problems
    assert "asset_order" in problems("bar", PointInput(name="x", asset_order=[foreign.id]))
    assert "asset_order" in problems("bar", PointInput(name="x", asset_order=[hours.id]))
    assert "bonus_asset" in problems("bar", PointInput(name="x", bonus_rate=500))
    assert problems("bar", PointInput(name="x", asset_order=[shop.local.id, 1])) == {}
    assert [p.name for p in shop.lb.catalog.points("bar")] == ["Bar"]


def test_articles_and_categories_report_every_wrong_field(shop):
    with pytest.raises(FormErrors) as info:
        shop.lb.catalog.save_article(
            "bar",
            ArticleInput(
                name="", price=0, vat_rate=10001, category_id="nope", colour="red",
                points_of_sale=["nope"],
            ),
        )  # fmt: skip
    assert set(info.value.errors) == {
        "name", "price", "vat_rate", "category_id", "colour", "points_of_sale",
    }  # fmt: skip
    with pytest.raises(FormErrors) as info:
        shop.lb.catalog.save_category("bar", CategoryInput(name="x" * 61, colour="#12345"))
    assert set(info.value.errors) == {"name", "colour"}
    assert len(shop.lb.catalog.articles("bar")) == 3


def test_categories_of_another_instance_cannot_be_used_or_seen(shop):
    theirs = shop.lb.catalog.save_category("other", CategoryInput(name="Theirs"))
    with pytest.raises(FormErrors) as info:
        shop.lb.catalog.save_article(
            "bar", ArticleInput(name="x", price=100, vat_rate=0, category_id=theirs.id)
        )
    assert set(info.value.errors) == {"category_id"}
    with pytest.raises(NotFound):
        shop.lb.catalog.category("bar", theirs.id)
    with pytest.raises(NotFound):
        shop.lb.catalog.save_category("bar", CategoryInput(name="Mine now"), theirs.id)
    with pytest.raises(NotFound):
        shop.lb.catalog.archive_category("bar", theirs.id)
    with pytest.raises(NotFound):
        shop.lb.catalog.point("other", shop.pos)
    assert shop.lb.catalog.category("other", theirs.id).name == "Theirs"


def test_edit_keeps_the_id_and_position_and_archive_hides(shop):
    beer = shop.lb.catalog.article("bar", shop.articles["beer"])
    changed = shop.lb.catalog.save_article(
        "bar",
        ArticleInput(name="Stout", price=700, vat_rate=2000, category_id=beer.category_id,
                     colour="#AABBCC"),
        beer.id,
    )  # fmt: skip
    assert (changed.id, changed.position, changed.colour) == (beer.id, beer.position, "#aabbcc")
    shop.lb.catalog.archive_category("bar", shop.categories["food"])
    assert [c.name for c in shop.lb.catalog.categories("bar")] == ["Drinks"]
    assert [c.name for c, _ in shop.lb.catalog.menu("bar", shop.pos)] == ["Drinks"]
    shop.lb.catalog.archive_category("bar", shop.categories["food"], archived=False)
    menu = {c.name: [a.name for a in items] for c, items in shop.lb.catalog.menu("bar", shop.pos)}
    assert menu == {"Drinks": ["Stout", "soda"], "Food": ["fries"]}


def test_closure_settings_are_checked(shop):
    with pytest.raises(FormErrors) as info:
        shop.lb.catalog.set_closure("bar", hour="25:00", timezone="Nowhere/Land")
    assert set(info.value.errors) == {"hour", "timezone"}
    config = shop.lb.catalog.set_closure("bar", hour="05:30", timezone="America/Montreal")
    assert (config.closure_minute, config.timezone) == (330, "America/Montreal")
    assert config.started_at > 0


def test_refill_assets_default_to_primary_and_own_currencies(shop):
    other_fiat = shop.network.money.assets.create(
        issuer="other", code="OTF", name="Other fiat", category=AssetCategory.FIAT
    )
    shop.network.money.federations.invite(other_fiat.id, "bar", by_instance="other", author="o")
    shop.network.money.federations.accept(other_fiat.id, "bar", author="b")
    pos = shop.lb.catalog.point("bar", shop.pos)
    assert [a.code for a in shop.lb.catalog.refill_assets(pos)] == ["FED", "BLC"]
    assert {a.code for a in shop.lb.catalog.refill_choices("bar")} == {"FED", "BLC", "OTF"}
    chosen = shop.lb.catalog.save_point(
        "bar", PointInput(name="Bar", refill_assets=[other_fiat.id], methods=[Method.CASH]),
        shop.pos,
    )  # fmt: skip
    assert [a.code for a in shop.lb.catalog.refill_assets(chosen)] == ["OTF"]
