"""At the counter: refills (with the bonus rule), refunds paid in cash, lost cards."""

from __future__ import annotations

import pytest

from core.wallets import CardLost, UnknownCard, WalletRef
from core.wallets.model import ActionKind
from plugins.laboutik.errors import RegisterError
from plugins.laboutik.model import CounterKind, Method


def refill(shop, card, amount, asset_id=1, method=Method.CASH, op=None):
    return shop.lb.counter.refill(
        "bar", shop.pos, uid=card.uid, asset_id=asset_id, amount=amount, method=method,
        operation_id=op or shop.op(), author="test",
    )  # fmt: skip


def test_a_refill_from_the_threshold_gets_the_bonus_rounded_down(shop):
    card = shop.card("ann")
    below = refill(shop, card, 1999)
    assert below.operation.bonus == 0 and shop.balance(card, shop.gift.id) == 0
    above = refill(shop, card, 2005, method=Method.CARD)
    assert above.operation.bonus == 200 and above.operation.bonus_asset == shop.gift.id
    assert shop.balance(card, 1) == 4004 and shop.balance(card, shop.gift.id) == 200
    assert above.operation.kind == CounterKind.REFILL and above.operation.method == "card"
    refill_op = shop.network.money.operation(
        ActionKind.REFILL, "laboutik:bar:" + above.operation.operation_id
    )
    assert refill_op.instance == "bar" and refill_op.amount == 2005


def test_a_refill_is_done_once_per_operation_id(shop):
    card = shop.card("bob")
    first = refill(shop, card, 3000, op="counter-1")
    again = refill(shop, card, 3000, op="counter-1")
    assert again.replayed and again.operation == first.operation
    assert shop.balance(card, 1) == 3000 and shop.balance(card, shop.gift.id) == 300


def test_refills_refused(shop):
    card = shop.card("cid")
    with pytest.raises(RegisterError, match="does not refill"):
        refill(shop, card, 1000, asset_id=shop.gift.id)
    with pytest.raises(RegisterError, match="greater than zero"):
        refill(shop, card, 0)
    with pytest.raises(RegisterError, match="cash or bank card"):
        refill(shop, card, 1000, method=Method.CASHLESS)
    with pytest.raises(UnknownCard):
        shop.lb.counter.refill("bar", shop.pos, uid="0BADCAFE", asset_id=1, amount=100,
                               method=Method.CASH, operation_id="r", author="t")  # fmt: skip
    shop.lb.orders.close_session("bar", shop.pos, author="t")
    with pytest.raises(RegisterError, match="Open this point of sale"):
        refill(shop, card, 1000)
    assert shop.network.money.balances(WalletRef.card(card.id)) == []


def test_a_refund_gives_back_the_instances_own_currency_in_cash(shop):
    card = shop.card("dan", primary=700, local=1200, gift=300)
    assert [(a.code, n) for a, n in shop.lb.counter.refundable("bar", card.uid)] == [("BLC", 1200)]
    done = shop.lb.counter.refund("bar", shop.pos, uid=card.uid, operation_id="rf-1", author="t")
    assert done.operation.kind == CounterKind.REFUND and done.operation.amount == 1200
    assert [(leg.asset_id, leg.amount) for leg in done.operation.legs] == [(shop.local.id, 1200)]
    assert shop.balance(card, shop.local.id) == 0
    assert shop.balance(card, 1) == 700 and shop.balance(card, shop.gift.id) == 300
    assert shop.lb.counter.refund("bar", shop.pos, uid=card.uid, operation_id="rf-1",
                                  author="t").replayed  # fmt: skip
    with pytest.raises(RegisterError, match="nothing refundable"):
        shop.lb.counter.refund("bar", shop.pos, uid=card.uid, operation_id="rf-2", author="t")
    assert shop.network.money.outstanding(shop.local.id) == 0


def test_a_claimed_card_refunds_its_users_wallet(shop):
    card = shop.card("eve", local=800)
    user = shop.network.store.write(lambda tx: shop.network.accounts.ensure_user(tx, "eve@x.fr"))
    shop.network.money.cards.claim(card.id, user.id)
    done = shop.lb.counter.refund("bar", shop.pos, uid=card.uid, operation_id="rf", author="t")
    assert done.operation.amount == 800
    assert shop.network.money.balance(WalletRef.user(user.id), shop.local.id) == 0


def test_a_lost_card_is_void_and_its_balances_move_to_the_new_one(shop):
    old = shop.card("fay", primary=900, gift=100)
    new = shop.card("fay-2")
    done = shop.lb.counter.void("bar", shop.pos, card=old.number, replacement_uid=new.uid,
                                operation_id="v-1", author="t")  # fmt: skip
    assert done.operation.kind == CounterKind.VOID and done.operation.replacement_id == new.id
    assert shop.balance(new, 1) == 900 and shop.balance(new, shop.gift.id) == 100
    with pytest.raises(CardLost):
        shop.pay_card(shop.order(("soda", 1)), old)
    assert shop.lb.counter.void("bar", shop.pos, card=old.uid, operation_id="v-1",
                                author="t").replayed  # fmt: skip
    with pytest.raises(RegisterError, match="declared lost"):
        shop.lb.counter.void("bar", shop.pos, card=old.uid, operation_id="v-2", author="t")


def test_a_lost_anonymous_card_without_replacement_keeps_its_money_until_one_is_named(shop):
    old = shop.card("gus", primary=500)
    shop.lb.counter.void("bar", shop.pos, card=old.uid, operation_id="v-1", author="t")
    new = shop.card("gus-2")
    with pytest.raises(RegisterError, match="unknown"):
        shop.lb.counter.void("bar", shop.pos, card="nope", operation_id="v-2", author="t")
    with pytest.raises(RegisterError, match="unknown"):
        shop.lb.counter.void("bar", shop.pos, card=old.uid, replacement_uid="0BADCAFE",
                             operation_id="v-2", author="t")  # fmt: skip
    with pytest.raises(RegisterError, match="UID"):
        shop.lb.counter.void("bar", shop.pos, card=old.uid, replacement_uid="xyz",
                             operation_id="v-2", author="t")  # fmt: skip
    shop.lb.counter.void("bar", shop.pos, card=old.uid, replacement_uid=new.uid,
                         operation_id="v-3", author="t")  # fmt: skip
    assert shop.balance(new, 1) == 500
