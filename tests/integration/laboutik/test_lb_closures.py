"""Closures: the ticket Z against the ledger, to the cent; periods at the closure hour;
recorded once; the report's arithmetic; CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from core.wallets import WalletRef
from plugins.laboutik.errors import RegisterError
from plugins.laboutik.model import Method
from plugins.laboutik.periods import NS, zone
from plugins.laboutik.report import report_csv
from plugins.laboutik.service import Laboutik

PARIS = zone("Europe/Paris")


def refill(shop, card, amount, method=Method.CASH):
    return shop.lb.counter.refill("bar", shop.pos, uid=card.uid, asset_id=1, amount=amount,
                                  method=method, operation_id=shop.op(), author="t")  # fmt: skip


def cashless(report) -> dict[int, int]:
    return {item.asset_id: item.amount for item in report.cashless_by_asset}


def method(report, key: str):
    return next(line for line in report.by_method if line.key == key)


def test_the_ticket_z_cashless_totals_are_the_ledgers_to_the_cent(shop):
    ann = shop.card("ann", primary=10_000, local=500, gift=250)
    bob = shop.card("bob", primary=300)
    carl = shop.card("carl", primary=500)
    dora = shop.card("dora", local=500)
    # before the first closure: a sale (gift 2.50 + local 4.00) and a refill with its bonus
    shop.pay_card(shop.order(("beer", 1)), ann)
    refill(shop, bob, 2500)
    first = shop.lb.closures.close("bar", author="t", early=True)
    # the period under test: sales in several assets, a split, a refund, a refill
    shop.pay_card(shop.order(("beer", 2), ("soda", 1)), ann)  # 15.50: local 1.00 + FED 14.50
    split = shop.order(("fries", 3), ("soda", 2))  # 17.00
    shop.pay_card(split, carl, partial=True)  # 5.00
    shop.pay(split, Method.CASH, 2000)  # 12.00, 8.00 given back
    shop.pay_card(shop.order(("soda", 3)), bob)  # 7.50: gift 2.50 (the bonus) + FED 5.00
    shop.lb.counter.refund("bar", shop.pos, uid=dora.uid, operation_id="refund-d", author="t")
    refill(shop, ann, 1000, Method.CARD)
    shop.pay_card(shop.order(("beer", 1), ("fries", 1)), ann)  # 10.50 FED
    second = shop.lb.closures.close("bar", author="t", early=True)
    # after: counts in neither
    shop.pay_card(shop.order(("beer", 3)), ann)
    refill(shop, bob, 700)

    for closure in (first, second):
        ledger = shop.ledger_sales(closure.start, closure.end)
        assert cashless(closure.report) == ledger
        assert method(closure.report, "cashless").amount == sum(ledger.values())
    assert cashless(first.report) == {shop.gift.id: 250, shop.local.id: 400}
    assert second.start == first.end
    report = second.report
    assert cashless(report) == {1: 1450 + 500 + 500 + 1050, shop.local.id: 100, shop.gift.id: 250}
    assert report.orders == 4 and report.sales_total == 1550 + 1700 + 750 + 1050
    assert method(report, "cash").amount == 1200 and method(report, "cashless").count == 4
    assert report.refunds_total == 500 and [r.amount for r in report.refunds] == [500]
    assert report.refills_total == 1000 and [r.method for r in report.refills] == ["card"]
    assert report.cards == 4
    assert first.report.refills_total == 2500 and first.report.bonuses[0].amount == 250
    open_ledger = shop.ledger_sales(second.end, 1 << 63)
    assert cashless(shop.lb.closures.preview("bar")) == open_ledger == {1: 1950}


def test_the_register_counts_its_own_sales_only(shop):
    card = shop.card("ann", primary=5000)
    shop.network.money.sale(operation_id="qr-1", payer=WalletRef.card(card.id), instance="other",
                            amount=300)  # fmt: skip
    shop.pay_card(shop.order(("soda", 1)), card)
    closure = shop.lb.closures.close("bar", author="t", early=True)
    assert cashless(closure.report) == {1: 250} == shop.ledger_sales(closure.start, closure.end)
    # a QR payment to the bar itself: the ledger has it, the register does not
    shop.network.money.sale(operation_id="qr-2", payer=WalletRef.card(card.id), instance="bar",
                            amount=400)  # fmt: skip
    shop.pay_card(shop.order(("soda", 1)), card)
    later = shop.lb.closures.close("bar", author="t", early=True)
    assert shop.ledger_sales(later.start, later.end) == {1: 650}
    assert cashless(later.report) == {1: 250}


def test_vat_average_basket_cash_float_and_open_orders(shop):
    shop.pay(shop.order(("beer", 2)), Method.CASH, 1300)  # 20 %: 13.00
    shop.pay(shop.order(("soda", 1), ("fries", 1)), Method.CARD, 650)  # 10 % 2.50, 5.5 % 4.00
    shop.pay(shop.order(("soda", 1)), Method.CASH, 500)  # change 2.50
    open_order = shop.order(("beer", 1))
    shop.pay(open_order, Method.CASH, 300)
    report = shop.lb.closures.close("bar", author="t", early=True).report
    assert report.orders == 3 and report.sales_total == 2200
    assert report.average_basket == 733  # 22.00 / 3 = 7.333
    vat = {line.rate: (line.gross, line.net, line.vat) for line in report.vat}
    assert vat == {550: (400, 379, 21), 1000: (500, 455, 45), 2000: (1300, 1083, 217)}
    assert [(c.opening, c.cash_in, c.cash_out, c.expected) for c in report.cash] == [
        (5000, 1300 + 250 + 300, 0, 6850)
    ]
    assert report.open_orders == 1 and report.open_orders_paid == 300
    by_category = {line.label: (line.count, line.amount) for line in report.by_category}
    assert by_category == {"Drinks": (4, 1300 + 250 + 250), "Food": (1, 400)}
    assert method(report, "card").amount == 650 and method(report, "cash").amount == 1850


def test_outstanding_balances_and_the_csv(shop):
    card = shop.card("ann", primary=1000, local=600)
    shop.pay_card(shop.order(("soda", 1)), card)  # 2.50 in BLC
    closure = shop.lb.closures.close("bar", author="t", early=True)
    outstanding = {o.code: o for o in closure.report.outstanding}
    assert outstanding["BLC"].held_by_public == 350 and outstanding["BLC"].owed_as_issuer == 600
    assert outstanding["FED"].held_by_public == 1000 and not outstanding["FED"].issued_here
    rows = list(csv.DictReader(io.StringIO(report_csv(closure.report))))
    assert {"section", "key", "label", "count", "amount_cents", "amount"} == set(rows[0])
    sales = next(r for r in rows if r["section"] == "summary" and r["key"] == "sales")
    assert (sales["count"], sales["amount_cents"], sales["amount"]) == ("1", "250", "2.50")
    vat = [r for r in rows if r["section"] == "vat"]
    assert [(r["key"], r["amount_cents"]) for r in vat] == [("1000", "23")]
    assert [r["label"][:4] for r in rows if r["section"] == "period"] == [
        "20" + "2"[:0] * 0 + r["label"][2:4] for r in rows if r["section"] == "period"
    ]


def test_a_closure_is_recorded_once_and_stays_as_it_was(shop):
    card = shop.card("ann", primary=5000)
    shop.pay_card(shop.order(("beer", 1)), card)
    first = shop.lb.closures.close("bar", author="t", early=True)
    shop.pay_card(shop.order(("beer", 1)), card)
    with pytest.raises(RegisterError, match="current period ends"):
        shop.lb.closures.close("bar", author="t")
    assert shop.lb.closures.get("bar", 1) == first
    second = shop.lb.closures.close("bar", author="t", early=True)
    assert (second.number, second.start) == (2, first.end)
    assert [c.number for c in shop.lb.closures.closed("bar")] == [2, 1]
    assert shop.lb.closures.get("bar", 1).report == first.report
    assert shop.lb.closures.closed("other") == []
    with pytest.raises(RegisterError):
        shop.lb.closures.get("other", 1)


class Clock:
    """The register's clock, moved by hand (local Paris time)."""

    def __init__(self, text: str) -> None:
        self.set(text)

    def set(self, text: str) -> None:
        self.now = int(dt.datetime.fromisoformat(text).replace(tzinfo=PARIS).timestamp()) * NS

    def __call__(self) -> int:
        return self.now


def test_days_close_at_the_closure_hour_around_a_daylight_saving_change(shop):
    clock = Clock("2026-03-27 10:00")
    lb = Laboutik(shop.network, clock_ns=clock)  # a second register service, on a fake clock
    shop.network.instances.create(
        type(shop.network.instances.get("bar"))(slug="night", name="Night")
    )
    from plugins.laboutik.model import ArticleInput, CategoryInput, PointInput

    pos = lb.catalog.save_point("night", PointInput(name="Bar"))
    category = lb.catalog.save_category("night", CategoryInput(name="Drinks"))
    beer = lb.catalog.save_article(
        "night", ArticleInput(name="Beer", price=500, vat_rate=2000, category_id=category.id)
    )
    lb.orders.open_session("night", pos.id, author="t")

    def sell(when: str, op: str) -> None:
        clock.set(when)
        order = lb.orders.new_order("night", pos.id, author="t", items=[(beer.id, 1)])
        lb.payments.pay("night", order.id, method=Method.CASH, received=500, operation_id=op,
                        author="t")  # fmt: skip

    sell("2026-03-27 23:30", "a")  # Friday's business day
    sell("2026-03-28 03:59", "b")  # still Friday's
    sell("2026-03-28 04:00", "c")  # Saturday's
    sell("2026-03-29 03:30", "d")  # Saturday's (the night clocks go forward)
    sell("2026-03-29 12:00", "e")  # Sunday's
    clock.set("2026-03-28 05:00")
    friday = lb.closures.close("night", author="t")
    assert friday.business_date == "2026-03-27" and friday.report.orders == 2
    assert not friday.early
    with pytest.raises(RegisterError, match="2026-03-29 04:00"):
        lb.closures.close("night", author="t")
    clock.set("2026-03-30 09:00")
    done = lb.closures.close_due("night", author="cron")
    assert [(c.business_date, c.report.orders) for c in done] == [
        ("2026-03-28", 2),
        ("2026-03-29", 1),
    ]
    assert done[0].end - done[0].start == 23 * 3600 * NS  # the short day
    assert lb.closures.close_due("night", author="cron") == []
    assert [c.number for c in lb.closures.closed("night")] == [3, 2, 1]
    assert lb.closures.period("night").start == done[-1].end
