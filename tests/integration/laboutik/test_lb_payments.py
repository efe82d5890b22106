"""Paying orders: by card in the point of sale's order, the exact shortfall, split payments
(card + cash with change, card + second card, bank card), idempotency by operation id."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from core.wallets import CardLost, InsufficientFunds, InvalidInput, UnknownCard
from plugins.laboutik.errors import NotFound, RegisterError
from plugins.laboutik.model import Method, OrderStatus, PointInput


def test_a_card_pays_the_whole_order_gift_then_local_then_primary(shop):
    card = shop.card("ann", primary=2000, local=300, gift=100)
    order = shop.order(("beer", 2), ("soda", 1))  # 13.00 + 2.50
    done = shop.pay_card(order, card)
    assert done.order.status == OrderStatus.PAID and done.remaining == 0
    assert [(leg.asset_id, leg.amount) for leg in done.payment.legs] == [
        (shop.gift.id, 100),
        (shop.local.id, 300),
        (1, 1150),
    ]
    assert shop.balance(card, 1) == 850 and shop.balance(card, shop.local.id) == 0
    assert done.payment.at == done.payment.legs[0].at > 0


def test_the_point_of_sale_order_decides_which_asset_pays_first(shop):
    card = shop.card("bob", primary=1000, local=1000, gift=1000)
    shop.lb.catalog.save_point(
        "bar", PointInput(name="Bar", asset_order=[1, shop.local.id]), shop.pos
    )
    done = shop.pay_card(shop.order(("beer", 2)), card)  # 13.00: no gift at this point of sale
    assert [(leg.asset_id, leg.amount) for leg in done.payment.legs] == [
        (1, 1000),
        (shop.local.id, 300),
    ]
    assert shop.balance(card, shop.gift.id) == 1000


def test_not_enough_on_the_card_gives_the_exact_shortfall_and_moves_nothing(shop):
    card = shop.card("cid", primary=500, gift=150)
    order = shop.order(("beer", 1), ("soda", 1))  # 9.00
    with pytest.raises(InsufficientFunds) as info:
        shop.pay_card(order, card, operation_id="tap-1")
    assert info.value.shortfall == 250 and info.value.available == 650
    assert shop.balance(card, 1) == 500
    assert shop.lb.orders.get("bar", order).paid == 0
    assert shop.lb.payments.of_order("bar", order) == []


def test_split_card_then_cash_with_change(shop):
    card = shop.card("dan", primary=500)
    order = shop.order(("beer", 1), ("soda", 1))  # 9.00
    first = shop.pay_card(order, card, partial=True)
    assert first.payment.amount == 500 and first.remaining == 400
    assert first.order.status == OrderStatus.OPEN
    second = shop.pay(order, Method.CASH, 1000)
    assert second.payment.amount == 400 and second.payment.tendered == 1000
    assert second.payment.change == 600
    assert second.order.status == OrderStatus.PAID and second.order.paid == 900
    methods = [(p.method, p.amount) for p in shop.lb.payments.of_order("bar", order)]
    assert methods == [(Method.CASHLESS, 500), (Method.CASH, 400)]


def test_split_between_two_cards_and_a_bank_card(shop):
    one = shop.card("eve", primary=300)
    two = shop.card("fay", local=200)
    order = shop.order(("beer", 1), ("fries", 1))  # 10.50
    shop.pay_card(order, one, partial=True)
    shop.pay_card(order, two, partial=True)
    with pytest.raises(RegisterError, match="More than what is left"):
        shop.pay(order, Method.CARD, 600)
    done = shop.pay(order, Method.CARD, 550)
    assert done.order.status == OrderStatus.PAID
    assert shop.balance(one, 1) == 0 and shop.balance(two, shop.local.id) == 0


def test_a_chosen_amount_pays_part_and_more_than_due_is_refused(shop):
    card = shop.card("gus", primary=5000)
    order = shop.order(("beer", 2))
    assert shop.pay_card(order, card, amount=500).remaining == 800
    with pytest.raises(RegisterError, match="More than"):
        shop.pay_card(order, card, amount=801)
    with pytest.raises(RegisterError):
        shop.pay_card(order, card, amount=0)
    shop.pay_card(order, card)
    with pytest.raises(RegisterError, match="no longer open"):
        shop.pay_card(order, card)


def test_the_same_operation_id_pays_once(shop):
    card = shop.card("hal", primary=5000)
    order = shop.order(("beer", 1))
    first = shop.pay_card(order, card, operation_id="terminal-7-tap-1")
    again = shop.pay_card(order, card, operation_id="terminal-7-tap-1")
    assert again.replayed and again.payment == first.payment
    assert shop.balance(card, 1) == 5000 - 650
    other = shop.order(("soda", 1))
    replay_elsewhere = shop.pay_card(other, card, operation_id="terminal-7-tap-1")
    assert replay_elsewhere.replayed and replay_elsewhere.payment.order_id == order
    assert shop.lb.orders.get("bar", other).paid == 0


def test_a_tap_retried_by_many_threads_at_once_pays_once(shop):
    card = shop.card("ivy", primary=5000)
    order = shop.order(("beer", 1), ("soda", 1))

    def tap(_):
        return shop.pay_card(order, card, operation_id="tap-race")

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(tap, range(32)))
    assert sum(not r.replayed for r in results) == 1
    assert shop.balance(card, 1) == 5000 - 900
    assert len(shop.lb.payments.of_order("bar", order)) == 1


def test_refused_cards_and_inputs(shop):
    order = shop.order(("beer", 1))
    with pytest.raises(UnknownCard):
        shop.lb.payments.pay_with_card("bar", order, uid="0BADCAFE", operation_id="x", author="t")
    with pytest.raises(InvalidInput):
        shop.lb.payments.pay_with_card("bar", order, uid="not a uid", operation_id="x", author="t")
    with pytest.raises(RegisterError, match="operation id"):
        shop.lb.payments.pay_with_card("bar", order, uid="0BADCAFE", operation_id="", author="t")
    lost = shop.card("jo", primary=5000)
    shop.network.money.cards.declare_lost(lost.id)
    with pytest.raises(CardLost):
        shop.pay_card(order, lost)
    with pytest.raises(RegisterError, match="cash or bank card"):
        shop.lb.payments.pay("bar", order, method=Method.CASHLESS, received=1, operation_id="y",
                             author="t")  # fmt: skip


def test_a_method_the_point_of_sale_does_not_take_is_refused(shop):
    shop.lb.catalog.save_point("bar", PointInput(name="Bar", methods=[Method.CASHLESS]), shop.pos)
    order = shop.order(("beer", 1))
    with pytest.raises(RegisterError, match="does not take"):
        shop.pay(order, Method.CASH, 650)


def test_an_order_of_another_instance_is_not_found(shop):
    order = shop.order(("beer", 1))
    card = shop.card("kim", primary=5000)
    with pytest.raises(NotFound):
        shop.lb.payments.pay_with_card("other", order, uid=card.uid, operation_id="z", author="t")
    with pytest.raises(NotFound):
        shop.lb.orders.get("other", order)
    assert shop.balance(card, 1) == 5000
