"""Taps on a terminal in ``cash_register`` mode, through the core's tap service (real store).

The bar of ``shop`` (conftest) has a terminal "Comptoir" paired with a real one-time code and
bound to its point of sale. A staff card opens the point of sale; an order sent to the
terminal is paid by the customer's tap inside the tap's one write; a card that does not hold
enough gets the exact shortfall and the order stays payable by cash, bank card or another
card; a retry of the same tap id never pays twice; an instance that disabled the plugin never
calls it.
"""

from __future__ import annotations

import threading
import time

import pytest

from core.terminals import TapStatus
from plugins.laboutik.errors import NotFound, RegisterError
from plugins.laboutik.model import Method, OrderStatus, PointInput
from plugins.laboutik.terminal_model import CASH_REGISTER_MODE
from plugins.laboutik.terminals import OPENED
from tests.terminal_support import pair_terminal


@pytest.fixture
def till(shop):
    """The bar's terminal in cash register mode, serving the bar's point of sale."""
    paired = pair_terminal(shop.network, "bar", CASH_REGISTER_MODE, name="Comptoir")
    shop.lb.terminals.bind("bar", paired.terminal.id, shop.pos, author="admin@bar")
    return paired


def tap(shop, till, uid, tap_id):
    """A card read by the till now: the core's answer."""
    return till.tap(shop.network, uid, tap_id, now=time.time())


def staff_card(shop, name="staff"):
    card = shop.card(name)
    return shop.network.money.cards.set_primary(card.id, "bar")


def test_a_staff_card_opens_the_point_of_sale_and_others_do_not(shop, till):
    shop.lb.orders.close_session("bar", shop.pos, author="test")
    customer = shop.card("customer", local=1000)
    refused = tap(shop, till, customer.uid, "tap-customer-1").outcome
    assert (refused.status, refused.data["code"]) == (TapStatus.REFUSED, "closed")
    assert refused.card_number == "N-customer"
    assert tap(shop, till, "DEADBEEF", "tap-unknown-1").outcome.status == TapStatus.UNKNOWN_CARD
    elsewhere = shop.network.money.cards.set_primary(shop.card("other").id, "other")
    assert tap(shop, till, elsewhere.uid, "tap-other-01").outcome.data["code"] == "closed"
    lost = staff_card(shop, "lost")
    shop.network.money.cards.declare_lost(lost.id)
    assert tap(shop, till, lost.uid, "tap-lost-0001").outcome.status == TapStatus.CARD_LOST
    assert shop.lb.orders.session("bar", shop.pos) is None  # none of them opened it

    staff = staff_card(shop)
    opened = tap(shop, till, staff.uid, "tap-staff-01").outcome
    assert opened.status == OPENED and opened.card_number == "N-staff"
    assert opened.data["pos_name"] == "Bar"
    session = shop.lb.orders.session("bar", shop.pos)
    assert session.card_id == staff.id and session.opened_by == "card N-staff"
    assert opened.data["session_id"] == session.id
    again = tap(shop, till, staff.uid, "tap-staff-02").outcome  # already open: nothing to do
    assert again.status == TapStatus.IDLE and "nothing waits" in again.message
    assert shop.lb.orders.session("bar", shop.pos).id == session.id
    link = shop.lb.terminals.link("bar", till.terminal.id)
    assert link.last_tap == "tap-staff-02" and link.last_outcome == again


def test_the_customers_tap_pays_the_order_waiting_on_the_terminal(shop, till):
    customer = shop.card("customer", local=2000)
    order_id = shop.order(("beer", 2))
    assert tap(shop, till, customer.uid, "tap-early-01").outcome.status == TapStatus.IDLE
    link = shop.lb.terminals.ask("bar", till.terminal.id, order_id, author="lea")
    assert link.order_id == order_id and link.waiting
    result = tap(shop, till, customer.uid, "tap-pay-0001")
    outcome = result.outcome
    assert outcome.status == TapStatus.PAID and outcome.amount == 1300
    assert [(leg.asset_code, leg.amount) for leg in outcome.legs] == [("BLC", 1300)]
    assert outcome.data["order_paid"] is True and outcome.data["remaining"] == 0
    operation_id = f"tap:{till.terminal.id}:tap-pay-0001"
    assert outcome.operation == f"sale:laboutik:bar:{operation_id}"
    order = shop.lb.orders.get("bar", order_id)
    assert order.status == OrderStatus.PAID
    (payment,) = shop.lb.payments.of_order("bar", order_id)
    assert (payment.method, payment.amount, payment.card_id) == ("cashless", 1300, customer.id)
    assert payment.operation_id == operation_id and payment.author == "terminal Comptoir"
    assert shop.balance(customer, shop.local.id) == 700
    link = shop.lb.terminals.link("bar", till.terminal.id)
    assert not link.waiting and link.last_outcome == outcome
    assert link.last_order_id == order_id
    assert shop.lb.closures.preview("bar").orders == 1  # a sale of the register's journal
    after = tap(shop, till, customer.uid, "tap-after-01").outcome
    assert after.status == TapStatus.IDLE  # nothing waits any more


def test_a_shortfall_then_cash_for_it_then_the_same_card(shop, till):
    customer = shop.card("customer", local=500)
    order_id = shop.order(("beer", 2))  # 13.00
    shop.lb.terminals.ask("bar", till.terminal.id, order_id, author="lea")
    short = tap(shop, till, customer.uid, "tap-short-01").outcome
    assert short.status == TapStatus.SHORTFALL
    assert (short.shortfall, short.data["available"], short.amount) == (800, 500, 1300)
    assert short.data["order_id"] == order_id and short.data["remaining"] == 1300
    assert shop.balance(customer, shop.local.id) == 500  # nothing moved
    assert shop.lb.payments.of_order("bar", order_id) == []
    link = shop.lb.terminals.link("bar", till.terminal.id)
    assert link.order_id == order_id and link.last_outcome == short  # still waiting
    shop.pay(order_id, Method.CASH, 800)  # the shortfall in cash
    paid = tap(shop, till, customer.uid, "tap-short-02").outcome  # the card pays the rest
    assert paid.status == TapStatus.PAID and paid.amount == 500
    order = shop.lb.orders.get("bar", order_id)
    assert order.status == OrderStatus.PAID
    assert [(p.method, p.amount) for p in shop.lb.payments.of_order("bar", order_id)] == [
        ("cash", 800),
        ("cashless", 500),
    ]
    assert shop.balance(customer, shop.local.id) == 0


def test_a_shortfall_then_a_refill_at_the_counter(shop, till):
    customer = shop.card("customer")
    order_id = shop.order(("soda", 1))  # 2.50
    shop.lb.terminals.ask("bar", till.terminal.id, order_id, author="lea")
    short = tap(shop, till, customer.uid, "tap-refill-1").outcome
    assert (short.status, short.shortfall, short.asset_code) == ("shortfall", 250, "FED")
    shop.lb.counter.refill(
        "bar", shop.pos, uid=customer.uid, asset_id=1, amount=1000, method=Method.CASH,
        operation_id=shop.op(), author="lea",
    )  # fmt: skip
    paid = tap(shop, till, customer.uid, "tap-refill-2").outcome
    assert paid.status == TapStatus.PAID and paid.legs[0].asset_code == "FED"
    assert shop.balance(customer, 1) == 750


def test_the_next_card_pays_what_it_holds_and_a_second_card_the_rest(shop, till):
    first = shop.card("first", local=500)
    second = shop.card("second", local=5000)
    order_id = shop.order(("beer", 2))  # 13.00
    shop.lb.terminals.ask("bar", till.terminal.id, order_id, author="lea", partial=True)
    part = tap(shop, till, first.uid, "tap-part-001").outcome
    assert part.status == TapStatus.PAID and part.amount == 500
    assert part.data["remaining"] == 800 and part.data["order_paid"] is False
    assert "8.00 left to pay" in part.message
    link = shop.lb.terminals.link("bar", till.terminal.id)
    assert link.order_id == order_id and not link.partial  # the rest waits, in full
    empty = tap(shop, till, first.uid, "tap-part-002").outcome
    assert empty.status == TapStatus.SHORTFALL and empty.shortfall == 800
    rest = tap(shop, till, second.uid, "tap-part-003").outcome
    assert rest.status == TapStatus.PAID and rest.amount == 800
    assert shop.lb.orders.get("bar", order_id).status == OrderStatus.PAID
    assert shop.balance(second, shop.local.id) == 4200


def test_a_retry_of_the_same_tap_never_pays_twice(shop, till):
    customer = shop.card("customer", local=5000)
    order_id = shop.order(("beer", 1))
    shop.lb.terminals.ask("bar", till.terminal.id, order_id, author="lea")
    first = tap(shop, till, customer.uid, "tap-retry-01")
    assert not first.replayed and first.outcome.status == TapStatus.PAID
    next_order = shop.order(("soda", 1))  # the next order already waits when the retry comes
    shop.lb.terminals.ask("bar", till.terminal.id, next_order, author="lea")
    again = tap(shop, till, customer.uid, "tap-retry-01")
    assert again.replayed and again.outcome == first.outcome
    assert shop.lb.orders.get("bar", next_order).paid == 0  # the retry paid nothing else
    answers: list = []

    def retry() -> None:  # a terminal retrying in a storm: one answer, never a second sale
        answers.append(tap(shop, till, customer.uid, "tap-retry-02"))

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(not a.replayed for a in answers) == 1
    assert {a.outcome.operation for a in answers} == {answers[0].outcome.operation}
    assert shop.lb.orders.get("bar", next_order).status == OrderStatus.PAID
    assert len(shop.lb.payments.of_order("bar", next_order)) == 1
    assert shop.balance(customer, shop.local.id) == 5000 - 650 - 250
    assert shop.network.terminals.get(till.terminal.id).taps == 2


def test_a_disabled_plugin_is_never_called(shop, till):
    customer = shop.card("customer", local=5000)
    order_id = shop.order(("beer", 1))
    shop.lb.terminals.ask("bar", till.terminal.id, order_id, author="lea")
    before = shop.lb.terminals.link("bar", till.terminal.id)
    shop.network.instances.set_plugin("bar", "laboutik", False)
    bar = shop.network.instances.get("bar")
    assert CASH_REGISTER_MODE not in {m.key for m in shop.network.terminal_modes(bar)}
    shop.network.ready()  # once per network, for every installed plugin: not an instance's hook
    called: list[tuple[str, list[str]]] = []
    undo = shop.network.plugins.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: called.append((name, [i.plugin_name for i in impls])),
        lambda outcome, name, impls, kwargs: None,
    )
    try:
        outcome = tap(shop, till, customer.uid, "tap-disabled").outcome
    finally:
        undo()
    assert outcome.status == TapStatus.UNAVAILABLE
    assert called and all("laboutik" not in plugins for _name, plugins in called)
    assert shop.lb.terminals.link("bar", till.terminal.id) == before  # untouched
    assert shop.lb.orders.get("bar", order_id).paid == 0
    assert shop.balance(customer, shop.local.id) == 5000
    shop.network.instances.set_plugin("bar", "laboutik", True)
    assert tap(shop, till, customer.uid, "tap-enabled1").outcome.status == TapStatus.PAID


def test_binding_and_sending_orders_are_checked(shop, till):
    lb = shop.lb
    terminal_id = till.terminal.id
    loose = pair_terminal(shop.network, "bar", CASH_REGISTER_MODE, name="Sans comptoir")
    customer = shop.card("customer", local=5000)
    refused = tap(shop, loose, customer.uid, "tap-loose-01").outcome
    assert (refused.status, refused.data["code"]) == (TapStatus.REFUSED, "not_bound")
    stall = pair_terminal(shop.network, "bar", "charge", name="Stand")
    theirs = pair_terminal(shop.network, "other", CASH_REGISTER_MODE, name="Autre")
    other_pos = lb.catalog.save_point("other", PointInput(name="Other bar"))
    order_id = shop.order(("beer", 1))
    with pytest.raises(RegisterError) as charge_mode:
        lb.terminals.bind("bar", stall.terminal.id, shop.pos, author="a")
    assert charge_mode.value.field == "terminal_id"
    with pytest.raises(NotFound):
        lb.terminals.bind("bar", theirs.terminal.id, shop.pos, author="a")
    with pytest.raises(NotFound):
        lb.terminals.bind("bar", terminal_id, other_pos.id, author="a")
    with pytest.raises(NotFound):
        lb.terminals.ask("other", terminal_id, order_id, author="a")
    with pytest.raises(RegisterError) as unbound:
        lb.terminals.ask("bar", loose.terminal.id, order_id, author="a")
    assert unbound.value.field == "terminal_id"
    shop.pay(order_id, Method.CASH, 650)
    with pytest.raises(RegisterError) as paid:
        lb.terminals.ask("bar", terminal_id, order_id, author="a")
    assert paid.value.field == "order_id"
    second = lb.catalog.save_point("bar", PointInput(name="Terrasse"))
    lb.terminals.bind("bar", loose.terminal.id, second.id, author="admin@bar")
    assert [t.name for t, _link in lb.terminals.of_point("bar", second.id)] == ["Sans comptoir"]
    assert [t.name for t, _link in lb.terminals.of_point("bar", shop.pos)] == ["Comptoir"]
    shop.network.terminals.revoke("bar", terminal_id)
    assert lb.terminals.of_point("bar", shop.pos) == []
    assert [t.name for t in lb.terminals.terminals("bar")] == ["Sans comptoir"]


def test_a_rule_of_the_register_refuses_the_tap_without_breaking_it(shop, till):
    customer = shop.card("customer", local=5000)
    order_id = shop.order(("beer", 1))
    shop.lb.terminals.ask("bar", till.terminal.id, order_id, author="lea")
    shop.lb.catalog.save_point(
        "bar", PointInput(name="Bar", methods=[Method.CASH, Method.CARD]), shop.pos
    )  # the bar stopped taking the card meanwhile
    refused = tap(shop, till, customer.uid, "tap-rule-001").outcome
    assert (refused.status, refused.data["field"]) == (TapStatus.REFUSED, "method")
    assert shop.lb.terminals.link("bar", till.terminal.id).order_id == order_id
    assert shop.balance(customer, shop.local.id) == 5000


def test_listeners_hear_every_change_of_the_terminal(shop, till):
    heard: list[str] = []
    unsubscribe = shop.network.terminal_events.subscribe(lambda _i, tid: heard.append(tid))
    try:
        customer = shop.card("customer", local=5000)
        order_id = shop.order(("soda", 1))
        shop.lb.terminals.ask("bar", till.terminal.id, order_id, author="lea")
        tap(shop, till, customer.uid, "tap-heard-01")
        shop.lb.terminals.cancel("bar", till.terminal.id, author="lea")  # nothing waits: no-op
    finally:
        unsubscribe()
    assert heard and set(heard) == {till.terminal.id}
    link = shop.lb.terminals.link("bar", till.terminal.id)
    assert link.version == 3  # bound, asked, tapped
