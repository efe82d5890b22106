"""Sales: one asset or several in priority order, the exact shortfall, all or nothing."""

from __future__ import annotations

import pytest

from core.wallets import (
    ActionKind,
    ActionNotAllowed,
    AssetNotAccepted,
    InsufficientFunds,
    InvalidInput,
    UnknownInstance,
    WalletRef,
    sale_order,
)

BISIK = WalletRef.instance("bisik")


@pytest.fixture
def bisik_assets(world):
    """Bisik issues a gift asset and a local fiat one; it accepts them and the primary."""
    money = world.money
    gift = money.assets.create(issuer="bisik", code="BGF", name="Bisik cadeau", category="gift")
    local = money.assets.create(issuer="bisik", code="BIS", name="Bisik local", category="fiat")
    return gift, local


def test_single_asset_sale(world):
    alice = world.user("alice")
    world.fund(alice, world.primary, 1000)
    op = world.money.sale(operation_id="s1", payer=alice, instance="bisik", amount=350)
    assert op.kind == ActionKind.SALE and op.instance == "bisik" and op.amount == 350
    assert [(leg.asset_id, leg.amount, leg.credit) for leg in op.legs] == [
        (world.primary.id, 350, BISIK.owner)
    ]
    assert world.balance(alice, world.primary) == 650
    assert world.balance(BISIK, world.primary) == 350


def test_default_priority_is_gift_then_local_then_primary(world, bisik_assets):
    gift, local = bisik_assets
    alice = world.user("alice")
    world.fund(alice, world.primary, 1000)
    world.fund(alice, local, 300)
    world.fund(alice, gift, 200)
    op = world.money.sale(operation_id="s1", payer=alice, instance="bisik", amount=700)
    assert [(leg.asset_id, leg.amount) for leg in op.legs] == [
        (gift.id, 200),
        (local.id, 300),
        (world.primary.id, 200),
    ]
    assert world.balance(alice, gift) == 0
    assert world.balance(alice, local) == 0
    assert world.balance(alice, world.primary) == 800
    # the legs are one linked chain in one commit
    transfers = world.ledger.lookup_transfers([int(leg.transfer_id) for leg in op.legs])
    assert [t.flags for t in transfers] == [1, 1, 0]
    assert len({t.user_data_128 for t in transfers}) == 1


def test_a_sale_stops_at_the_first_assets_that_cover_it(world, bisik_assets):
    gift, _local = bisik_assets
    alice = world.user("alice")
    world.fund(alice, gift, 500)
    world.fund(alice, world.primary, 500)
    op = world.money.sale(operation_id="s1", payer=alice, instance="bisik", amount=120)
    assert [(leg.asset_id, leg.amount) for leg in op.legs] == [(gift.id, 120)]


def test_shortfall_is_exact_and_nothing_moves(world, bisik_assets):
    gift, local = bisik_assets
    alice = world.user("alice")
    world.fund(alice, gift, 100)
    world.fund(alice, local, 200)
    world.fund(alice, world.primary, 300)
    head = world.ledger.head()
    with pytest.raises(InsufficientFunds) as info:
        world.money.sale(operation_id="s1", payer=alice, instance="bisik", amount=650)
    error = info.value
    assert (error.shortfall, error.available, error.asset) == (50, 600, world.primary.id)
    assert error.wallet == alice.owner
    assert world.ledger.head() == head  # not one transfer
    assert [world.balance(alice, a) for a in (gift, local, world.primary)] == [100, 200, 300]
    assert world.money.operation(ActionKind.SALE, "s1") is None
    # the same id may be used again once topped up: a refused sale did not happen
    world.fund(alice, world.primary, 50)
    op = world.money.sale(operation_id="s1", payer=alice, instance="bisik", amount=650)
    assert op.amount == 650


def test_only_accepted_assets_pay(world, bisik_assets):
    alice = world.user("alice")
    world.fund(alice, world.cla, 1000)  # CLA is not accepted at Bisik
    world.fund(alice, world.primary, 100)
    with pytest.raises(InsufficientFunds) as info:
        world.money.sale(operation_id="s1", payer=alice, instance="bisik", amount=150)
    assert info.value.shortfall == 50
    with pytest.raises(AssetNotAccepted):
        world.money.sale(
            operation_id="s2", payer=alice, instance="bisik", amount=10, asset_ids=[world.cla.id]
        )


def test_instance_sets_its_own_order(world, bisik_assets):
    gift, local = bisik_assets
    world.money.orders.set("bisik", [world.primary.id, gift.id])
    alice = world.user("alice")
    for asset in (gift, local, world.primary):
        world.fund(alice, asset, 100)
    op = world.money.sale(operation_id="s1", payer=alice, instance="bisik", amount=250)
    assert [(leg.asset_id, leg.amount) for leg in op.legs] == [
        (world.primary.id, 100),
        (gift.id, 100),
        (local.id, 50),
    ]
    assert world.money.orders.get("bisik") == [world.primary.id, gift.id]
    with pytest.raises(InvalidInput):
        world.money.orders.set("bisik", [1, 1])


def test_caller_names_the_assets_in_its_order(world, bisik_assets):
    gift, local = bisik_assets
    alice = world.user("alice")
    for asset in (gift, local, world.primary):
        world.fund(alice, asset, 100)
    op = world.money.sale(
        operation_id="s1",
        payer=alice,
        instance="bisik",
        amount=150,
        asset_ids=[world.primary.id, local.id],
    )
    assert [(leg.asset_id, leg.amount) for leg in op.legs] == [
        (world.primary.id, 100),
        (local.id, 50),
    ]
    with pytest.raises(InsufficientFunds) as info:
        world.money.sale(
            operation_id="s2", payer=alice, instance="bisik", amount=100, asset_ids=[local.id]
        )
    assert (info.value.shortfall, info.value.asset) == (50, local.id)


def test_assets_with_other_decimals_are_not_mixed(world):
    hours = world.money.assets.create(
        issuer="bisik", code="HRS", name="Heures", category="time", decimals=0
    )
    alice = world.user("alice")
    world.fund(alice, hours, 5)
    world.fund(alice, world.primary, 100)
    # default unit: the primary asset's (cents): the hours are not counted
    with pytest.raises(InsufficientFunds):
        world.money.sale(operation_id="s1", payer=alice, instance="bisik", amount=101)
    with pytest.raises(InvalidInput):
        world.money.sale(
            operation_id="s2",
            payer=alice,
            instance="bisik",
            amount=1,
            asset_ids=[hours.id, world.primary.id],
        )
    op = world.money.sale(operation_id="s3", payer=alice, instance="bisik", amount=2, decimals=0)
    assert [(leg.asset_id, leg.amount) for leg in op.legs] == [(hours.id, 2)]
    with pytest.raises(InvalidInput):
        world.money.sale(operation_id="s4", payer=alice, instance="claf", amount=2, decimals=0)


def test_a_badge_never_pays(world):
    badge = world.money.assets.create(issuer="bisik", code="BDG", name="Badge", category="badge")
    alice = world.user("alice")
    world.fund(alice, badge, 100)
    with pytest.raises(ActionNotAllowed):
        world.money.sale(
            operation_id="s1", payer=alice, instance="bisik", amount=10, asset_ids=[badge.id]
        )
    assert badge not in sale_order([badge, world.primary], [])


def test_sale_refusals(world):
    alice = world.user("alice")
    world.fund(alice, world.primary, 100)
    with pytest.raises(UnknownInstance):
        world.money.sale(operation_id="s1", payer=alice, instance="nowhere", amount=10)
    with pytest.raises(InvalidInput):
        world.money.sale(operation_id="s1", payer=BISIK, instance="bisik", amount=10)
    with pytest.raises(InvalidInput) as info:
        world.money.sale(operation_id="s1", payer=alice, instance="bisik", amount=10, asset_ids=[])
    assert info.value.field == "asset_ids"


def test_an_instance_can_pay_another(world):
    world.fund(BISIK, world.primary, 100)
    world.money.sale(
        operation_id="s1", payer=BISIK, instance="goulues", amount=60, author="bar staff"
    )
    assert world.balance(WalletRef.instance("goulues"), world.primary) == 60


def test_sale_through_the_group_commit_writer(world):
    alice = world.user("alice")
    world.fund(alice, world.primary, 100)
    op = world.money.sale(operation_id="s1", payer=alice, instance="bisik", amount=60, grouped=True)
    assert op.amount == 60
    with pytest.raises(InsufficientFunds) as info:
        world.money.sale(operation_id="s2", payer=alice, instance="bisik", amount=60, grouped=True)
    assert info.value.shortfall == 20
    assert world.balance(alice, world.primary) == 40
