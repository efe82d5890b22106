"""Opening points of sale (by a cashier, by a staff card), orders, lines and their states."""

from __future__ import annotations

import pytest

from core.wallets import CardLost, UnknownCard
from plugins.laboutik.errors import NotFound, RegisterError
from plugins.laboutik.model import LineState, Method, OrderStatus, PointInput, TableInput


def test_opening_is_once_and_a_staff_card_of_the_instance_opens_it(shop):
    lb = shop.lb
    first = lb.orders.session("bar", shop.pos)
    assert first.opening_float == 5000 and first.card_id == ""
    assert lb.orders.open_session("bar", shop.pos, author="again") == first
    lb.orders.close_session("bar", shop.pos, author="test")
    assert lb.orders.session("bar", shop.pos) is None
    with pytest.raises(RegisterError, match="not open"):
        lb.orders.close_session("bar", shop.pos, author="test")
    with pytest.raises(RegisterError, match="Open this point of sale first"):
        shop.order(("beer", 1))
    staff = shop.card("staff")
    with pytest.raises(RegisterError, match="not a staff card"):
        lb.orders.open_session("bar", shop.pos, author="tap", primary_card_uid=staff.uid)
    shop.network.money.cards.set_primary(staff.id, "other")
    with pytest.raises(RegisterError, match="not a staff card"):
        lb.orders.open_session("bar", shop.pos, author="tap", primary_card_uid=staff.uid)
    shop.network.money.cards.set_primary(staff.id, "bar")
    opened = lb.orders.open_session("bar", shop.pos, author="tap", primary_card_uid=staff.uid)
    assert opened.card_id == staff.id and opened.opening_float == 0
    with pytest.raises(UnknownCard):
        lb.orders.open_session("bar", shop.pos, author="tap", primary_card_uid="0BADCAFE")
    shop.network.money.cards.declare_lost(staff.id)
    with pytest.raises(CardLost):
        lb.orders.open_session("bar", shop.pos, author="tap", primary_card_uid=staff.uid)
    with pytest.raises(RegisterError):
        lb.orders.open_session("bar", shop.pos, author="x", opening_float=-1)
    with pytest.raises(NotFound):
        lb.orders.open_session("other", shop.pos, author="x")


def test_order_totals_lines_merge_and_come_off(shop):
    lb = shop.lb
    order_id = shop.order(("beer", 2), ("soda", 1))
    order = lb.orders.add_article("bar", order_id, shop.articles["beer"])
    assert [(line.name, line.quantity) for line in order.lines] == [("beer", 3), ("soda", 1)]
    assert order.total == 3 * 650 + 250 and order.number == 1
    beer_line = order.lines[0].id
    order = lb.orders.remove_line("bar", order_id, beer_line)
    assert order.lines[0].quantity == 2
    order = lb.orders.remove_line("bar", order_id, beer_line, quantity=5)
    assert [line.name for line in order.lines] == ["soda"]
    with pytest.raises(NotFound):
        lb.orders.remove_line("bar", order_id, 99)
    with pytest.raises(RegisterError, match="whole number"):
        lb.orders.add_article("bar", order_id, shop.articles["beer"], quantity=0)
    with pytest.raises(NotFound):
        lb.orders.add_article("bar", order_id, "nope")
    assert shop.order(("soda", 1)) != order_id
    assert lb.orders.get("bar", shop.order(("soda", 1))).number == 3


def test_a_line_cannot_leave_the_order_below_what_was_paid(shop):
    card = shop.card("ann", primary=400)
    order_id = shop.order(("beer", 1), ("soda", 1))
    shop.pay_card(order_id, card, partial=True)  # 4.00 paid of 9.00
    order = shop.lb.orders.get("bar", order_id)
    with pytest.raises(RegisterError, match="less than what was already paid"):
        shop.lb.orders.remove_line("bar", order_id, order.lines[0].id)
    shop.lb.orders.remove_line("bar", order_id, order.lines[1].id)  # soda off: 6.50 >= 4.00
    with pytest.raises(RegisterError, match="was paid"):
        shop.lb.orders.cancel("bar", order_id)


def test_cancel_an_unpaid_order_and_nothing_else_changes_it(shop):
    order_id = shop.order(("beer", 1))
    cancelled = shop.lb.orders.cancel("bar", order_id)
    assert cancelled.status == OrderStatus.CANCELLED
    assert order_id not in [o.id for o in shop.lb.orders.active("bar")]
    with pytest.raises(RegisterError, match="no longer open"):
        shop.lb.orders.add_article("bar", order_id, shop.articles["beer"])
    with pytest.raises(RegisterError, match="cancelled"):
        shop.lb.orders.set_state("bar", order_id, 1, LineState.SERVED)


def test_kitchen_lines_go_to_prepare_ready_served_and_never_back(shop):
    table = shop.lb.catalog.save_table("bar", TableInput(name="T1"))
    order_id = shop.order(("fries", 2), ("beer", 1), table=table.id)
    order = shop.lb.orders.get("bar", order_id)
    states = {line.name: line.state for line in order.lines}
    assert states == {"fries": LineState.TO_PREPARE, "beer": LineState.READY}
    fries = order.lines[0].id
    shop.lb.orders.set_state("bar", order_id, fries, LineState.READY)
    with pytest.raises(RegisterError, match="forward"):
        shop.lb.orders.set_state("bar", order_id, fries, LineState.TO_PREPARE)
    shop.pay(order_id, Method.CASH, 2000)
    paid = shop.lb.orders.get("bar", order_id)
    assert paid.status == OrderStatus.PAID
    assert order_id in [o.id for o in shop.lb.orders.active("bar")]  # still to serve
    for line in paid.lines:
        shop.lb.orders.set_state("bar", order_id, line.id, LineState.SERVED)
    assert order_id not in [o.id for o in shop.lb.orders.active("bar")]
    counter = shop.lb.orders.get("bar", shop.order(("beer", 1)))
    assert counter.lines[0].state == LineState.SERVED  # at the counter: handed over at once


def test_archived_things_and_other_points_of_sale(shop):
    lb = shop.lb
    other = lb.catalog.save_point("bar", PointInput(name="Terrace"))
    lb.orders.open_session("bar", other.id, author="t")
    article = lb.catalog.article("bar", shop.articles["soda"])
    lb.catalog.save_article("bar", _only_at(article, shop.pos), article.id)
    with pytest.raises(NotFound, match="not sold here"):
        lb.orders.new_order("bar", other.id, author="t", items=[(article.id, 1)])
    lb.catalog.archive_article("bar", shop.articles["beer"])
    with pytest.raises(NotFound):
        shop.order(("beer", 1))
    table = lb.catalog.save_table("bar", TableInput(name="T9"))
    lb.catalog.archive_table("bar", table.id)
    with pytest.raises(NotFound):
        shop.order(("soda", 1), table=table.id)
    lb.catalog.archive_point("bar", other.id)
    lb.orders.close_session("bar", other.id, author="t")
    with pytest.raises(RegisterError, match="archived"):
        lb.orders.open_session("bar", other.id, author="t")


def _only_at(article, pos_id):
    from plugins.laboutik.model import ArticleInput

    return ArticleInput(
        name=article.name, price=article.price, vat_rate=article.vat_rate,
        category_id=article.category_id, points_of_sale=[pos_id],
    )  # fmt: skip
