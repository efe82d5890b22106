"""Assets: the primary asset once, local assets with unique codes, edit and archive rules."""

from __future__ import annotations

import pytest

from core.wallets import (
    PRIMARY_ASSET_ID,
    AssetArchived,
    AssetCategory,
    DuplicateAssetCode,
    InvalidInput,
    NotIssuer,
    PrimaryAssetExists,
    UnknownInstance,
)


def test_the_primary_asset_exists_once(world):
    primary = world.money.assets.primary()
    assert primary is not None
    assert primary.id == PRIMARY_ASSET_ID
    assert primary.category == AssetCategory.PRIMARY
    assert primary.issuer == ""
    assert world.money.assets.ensure_primary(code="XXX") == primary  # no second one
    with pytest.raises(PrimaryAssetExists):
        world.money.assets.create_primary(code="EUR", name="Euro")
    with pytest.raises(InvalidInput) as info:
        world.money.assets.create(issuer="claf", code="PRI", name="P", category="primary")
    assert info.value.field == "category"


def test_create_local_assets_with_ids_in_order(world):
    gift = world.money.assets.create(
        issuer="bisik", code="bgf", name=" Bisik cadeau ", category="gift", decimals=0
    )
    assert (gift.id, gift.code, gift.name, gift.decimals) == (3, "BGF", "Bisik cadeau", 0)
    assert gift.issuer == "bisik" and gift.category == AssetCategory.GIFT
    assert world.cla.id == 2
    assert [a.code for a in world.money.assets.issued_by("bisik")] == ["BGF"]
    assert world.money.assets.by_code("cla") == world.cla
    assert [a.id for a in world.money.assets.all()] == [1, 2, 3]


def test_asset_codes_are_unique_in_the_network(world):
    with pytest.raises(DuplicateAssetCode):
        world.money.assets.create(issuer="bisik", code="CLA", name="Autre", category="fiat")
    with pytest.raises(DuplicateAssetCode):
        world.money.assets.create(issuer="bisik", code="FED", name="Autre", category="fiat")
    assert len(world.money.assets.all()) == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "CL"}, "code"),
        ({"code": "C1A"}, "code"),
        ({"code": "ÉTÉ"}, "code"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"decimals": 5}, "decimals"),
        ({"decimals": -1}, "decimals"),
        ({"decimals": True}, "decimals"),
        ({"category": "shells"}, "category"),
    ],
)
def test_asset_fields_are_checked(world, fields, field):
    values = {"issuer": "bisik", "code": "BIS", "name": "Bis", "category": "fiat"} | fields
    with pytest.raises(InvalidInput) as info:
        world.money.assets.create(**values)
    assert info.value.field == field


def test_the_issuer_must_be_an_instance(world):
    with pytest.raises(UnknownInstance):
        world.money.assets.create(issuer="nowhere", code="NOW", name="N", category="time")


def test_only_the_issuer_edits_and_archives(world):
    edited = world.money.assets.edit(
        world.cla.id, by_instance="claf", name="CLAF outils", transferable=True
    )
    assert (edited.name, edited.transferable, edited.code) == ("CLAF outils", True, "CLA")
    with pytest.raises(NotIssuer):
        world.money.assets.edit(world.cla.id, by_instance="bisik", name="Stolen")
    with pytest.raises(NotIssuer):
        world.money.assets.archive(world.cla.id, by_instance="bisik")
    other = world.money.assets.create(issuer="bisik", code="BIS", name="B", category="fiat")
    with pytest.raises(DuplicateAssetCode):
        world.money.assets.edit(other.id, by_instance="bisik", code="CLA")
    archived = world.money.assets.archive(world.cla.id, by_instance="claf")
    assert archived.archived
    assert [a.code for a in world.money.assets.all(include_archived=False)] == ["FED", "BIS"]
    restored = world.money.assets.archive(world.cla.id, by_instance="claf", archived=False)
    assert not restored.archived
    with pytest.raises(InvalidInput):
        world.money.assets.archive(PRIMARY_ASSET_ID, by_instance="")


def test_an_archived_asset_issues_nothing_but_refunds_still_work(world):
    alice = world.user("alice")
    world.money.refill(operation_id="r1", wallet=alice, asset_id=world.cla.id, amount=500)
    world.money.assets.archive(world.cla.id, by_instance="claf")
    with pytest.raises(AssetArchived):
        world.money.refill(operation_id="r2", wallet=alice, asset_id=world.cla.id, amount=500)
    with pytest.raises(AssetArchived):
        world.money.sale(
            operation_id="s1", payer=alice, instance="claf", amount=100, asset_ids=[world.cla.id]
        )
    world.money.refund(operation_id="f1", wallet=alice, asset_id=world.cla.id, amount=500)
    assert world.balance(alice, world.cla) == 0


def test_create_in_commits_with_the_caller_s_write_or_not_at_all(world):
    notes = world.store.db("test-notes")

    def with_record(tx):
        asset = world.money.assets.create_in(
            tx, issuer="bisik", code="bon", name="Bons", category="gift", decimals=0
        )
        tx.txn.put(b"asset", str(asset.id).encode(), db=notes)
        return asset

    created = world.store.write(with_record)
    assert world.money.assets.by_code("BON") == created
    with world.store.read() as txn:
        assert txn.get(b"asset", db=notes) == str(created.id).encode()

    def then_fails(tx):
        world.money.assets.create_in(tx, issuer="bisik", code="BOF", name="B", category="gift")
        raise RuntimeError("the caller's own record failed")

    with pytest.raises(RuntimeError):
        world.store.write(then_fails)
    assert world.money.assets.by_code("BOF") is None
    with pytest.raises(InvalidInput) as bad:
        world.store.write(
            lambda tx: world.money.assets.create_in(
                tx, issuer="bisik", code="B", name="B", category="gift"
            )
        )
    assert bad.value.field == "code"
