"""The closure report ("ticket Z") of one instance over a period, computed from the journal.

:func:`build_report` reads, inside one transaction (one consistent snapshot), the journal
records of ``[start, end)``: completed sales, payment parts, counter operations, sessions;
then the balances for the outstanding section. :func:`report_csv` writes it as CSV. Every
figure is an integer; definitions and rounding are in docs/laboutik.md.

A cashless part (and a refund) is counted leg by leg at the ledger's timestamp of each
transfer, so the report's cashless total for a period is, to the cent, the sum of the
ledger's sale transfers crediting the instance in that period.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import TYPE_CHECKING

import lmdb

from core.wallets import Asset, WalletRef
from core.wallets.model import MONEY_CATEGORIES

from .amounts import format_money, format_rate, round_half_up, vat_split
from .model import CounterKind, Method, OrderStatus, journal_key
from .periods import UTC, local_datetime, zone
from .report_model import (
    AssetAmount,
    CashLine,
    OutstandingLine,
    Report,
    ReportLine,
    VatLine,
)

if TYPE_CHECKING:
    from .service import Laboutik

__all__ = ["CSV_COLUMNS", "build_report", "report_csv"]

#: legs of one ledger batch are a few nanoseconds apart: read that much before the period so a
#: record filed at its first leg still gives its later legs to the right period
LEG_SLACK = 1_000_000
CSV_COLUMNS = ["section", "key", "label", "count", "amount_cents", "amount"]


def build_report(
    lb: Laboutik, txn: lmdb.Transaction, instance: str, start: int, end: int, timezone: str
) -> Report:
    """The report of ``instance`` over ``[start, end)`` (moments in nanoseconds)."""
    rec = lb.records
    report = Report(instance=instance, start=start, end=end, timezone=timezone)
    low, high = journal_key(instance, start, ""), journal_key(instance, end, "")
    slack = journal_key(instance, max(0, start - LEG_SLACK), "")
    assets = {a.id: a for a in lb.money.assets.records.scan(txn)}
    points = {p.id: p.name for p in rec.points.find(txn, "instance", instance)}
    cards: set[str] = set()
    cash: dict[str, CashLine] = {}

    def drawer(pos_id: str) -> CashLine:
        if pos_id not in cash:
            cash[pos_id] = CashLine(pos_id=pos_id, name=points.get(pos_id, pos_id))
        return cash[pos_id]

    _sales(report, list(rec.sales.range(txn, low, high)), points)
    _payments(report, rec.payments.range(txn, slack, high), assets, cards, drawer)
    _counter(report, rec.counter.range(txn, slack, high), assets, cards, drawer)
    for session in rec.sessions.find(txn, "instance", instance):
        if start <= session.opened_at < end:
            drawer(session.pos_id).opening += session.opening_float
    total = CashLine(pos_id="", name="")
    for line in sorted(cash.values(), key=lambda c: c.name.lower()):
        line.expected = line.opening + line.cash_in - line.cash_out
        report.cash.append(line)
        total.opening += line.opening
        total.cash_in += line.cash_in
        total.cash_out += line.cash_out
        total.expected += line.expected
    report.cash_total = total
    report.cards = len(cards)
    for order in rec.orders.find(txn, "active", instance):
        if order.status == OrderStatus.OPEN and order.created_at < end:
            report.open_orders += 1
            report.open_orders_paid += order.paid
    report.outstanding = _outstanding(lb, txn, instance, assets)
    return report


def _sales(report: Report, sales: list, points: dict[str, str]) -> None:
    by_category: dict[str, ReportLine] = {}
    by_point: dict[str, ReportLine] = {}
    vat: dict[int, int] = defaultdict(int)
    for sale in sales:
        report.orders += 1
        report.sales_total += sale.total
        point = by_point.setdefault(
            sale.pos_id, ReportLine(key=sale.pos_id, label=points.get(sale.pos_id, sale.pos_id))
        )
        point.count += 1
        point.amount += sale.total
        for line in sale.lines:
            category = by_category.setdefault(
                line.category_id, ReportLine(key=line.category_id, label=line.category)
            )
            category.label = line.category or category.label
            category.count += line.quantity
            category.amount += line.amount
            vat[line.vat_rate] += line.amount
    if report.orders:
        report.average_basket = round_half_up(report.sales_total, report.orders)
    report.by_category = sorted(by_category.values(), key=lambda r: r.label.lower())
    report.by_point_of_sale = sorted(by_point.values(), key=lambda r: r.label.lower())
    for rate in sorted(vat):
        net, tax = vat_split(vat[rate], rate)
        report.vat.append(VatLine(rate=rate, gross=vat[rate], net=net, vat=tax))


def _payments(report, payments, assets, cards, drawer) -> None:
    methods = {m: ReportLine(key=m.value, label=m.value) for m in Method}
    by_asset: dict[int, int] = defaultdict(int)
    start, end = report.start, report.end
    for payment in payments:
        if payment.method == Method.CASHLESS:
            legs = [leg for leg in payment.legs if start <= leg.at < end]
            if not legs:
                continue
            cards.add(payment.card_id)
            line = methods[Method.CASHLESS]
            line.count += 1
            for leg in legs:
                line.amount += leg.amount
                by_asset[leg.asset_id] += leg.amount
        elif start <= payment.at < end:
            line = methods[payment.method]
            line.count += 1
            line.amount += payment.amount
            if payment.method == Method.CASH:
                drawer(payment.pos_id).cash_in += payment.amount
    report.by_method = [methods[m] for m in Method]
    report.cashless_by_asset = [
        AssetAmount(asset_id=a, code=_code(assets, a), amount=by_asset[a]) for a in sorted(by_asset)
    ]


def _counter(report, operations, assets, cards, drawer) -> None:
    refills: dict[tuple[int, str], ReportLine] = {}
    bonuses: dict[int, int] = defaultdict(int)
    refunds: dict[int, int] = defaultdict(int)
    start, end = report.start, report.end
    for op in operations:
        if op.kind == CounterKind.REFUND:
            legs = [leg for leg in op.legs if start <= leg.at < end]
            for leg in legs:
                refunds[leg.asset_id] += leg.amount
                report.refunds_total += leg.amount
                drawer(op.pos_id).cash_out += leg.amount
            if legs:
                cards.add(op.card_id)
            continue
        if not start <= op.at < end:
            continue
        if op.kind == CounterKind.VOID:
            report.voids += 1
            continue
        cards.add(op.card_id)
        line = refills.setdefault(
            (op.asset_id, op.method),
            ReportLine(
                key=f"{op.asset_id}:{op.method}",
                label=_code(assets, op.asset_id),
                method=op.method,
            ),
        )
        line.count += 1
        line.amount += op.amount
        report.refills_total += op.amount
        if op.bonus:
            bonuses[op.bonus_asset] += op.bonus
        if op.method == Method.CASH:
            drawer(op.pos_id).cash_in += op.amount
    report.refills = sorted(refills.values(), key=lambda r: (r.label, r.method))
    report.bonuses = [
        AssetAmount(asset_id=a, code=_code(assets, a), amount=bonuses[a]) for a in sorted(bonuses)
    ]
    report.refunds = [
        AssetAmount(asset_id=a, code=_code(assets, a), amount=refunds[a]) for a in sorted(refunds)
    ]


def _outstanding(
    lb: Laboutik, txn: lmdb.Transaction, instance: str, assets: dict[int, Asset]
) -> list[OutstandingLine]:
    """For each money asset the instance accepts: what users and cards hold (what can still
    be spent here), and for the instance's own assets what it owes as their issuer."""
    money = lb.money
    slugs = [i.slug for i in lb.network.instances.records.scan(txn)]
    out = []
    for asset in sorted(assets.values(), key=lambda a: a.id):
        if asset.category not in MONEY_CATEGORIES or asset.archived:
            continue
        if not money.federations.accepts_in(txn, instance, asset):
            continue
        # every asset's balances sum to zero: what users and cards hold is what the issuer
        # owes less what the instances hold (one lookup per instance, not per card)
        owed = -money.accounts.balance_in(txn, WalletRef.issuer(asset.id), asset.id)
        places = sum(money.accounts.balance_in(txn, WalletRef.instance(s), asset.id) for s in slugs)
        held = owed - places
        out.append(
            OutstandingLine(
                asset_id=asset.id, code=asset.code, name=asset.name, held_by_public=held,
                issued_here=asset.issuer == instance,
                owed_as_issuer=owed if asset.issuer == instance else 0,
            )
        )  # fmt: skip
    return out


def _code(assets: dict[int, Asset], asset_id: int) -> str:
    asset = assets.get(asset_id)
    return asset.code if asset is not None else str(asset_id)


def report_csv(report: Report) -> str:
    """The report as CSV: one row per figure (``section,key,label,count,amount_cents,amount``).

    ``amount_cents`` is the integer; ``amount`` the same written with two decimals and a
    point, whatever the reader's language (a file for programs and spreadsheets). The period
    rows give its start and end as local ISO 8601 moments in ``label``.
    """
    language = "en"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)

    def row(section: str, key: str, label: str, count: int, amount: int) -> None:
        writer.writerow([section, key, label, count, amount, format_money(amount, language)])

    tz = zone(report.timezone) or UTC
    for key, at in (("start", report.start), ("end", report.end)):
        writer.writerow(["period", key, local_datetime(at, tz).isoformat(), 0, 0, ""])
    row("summary", "sales", "", report.orders, report.sales_total)
    row("summary", "average_basket", "", report.orders, report.average_basket)
    row("summary", "cards", "", report.cards, 0)
    row("summary", "open_orders", "", report.open_orders, report.open_orders_paid)
    for line in report.by_category:
        row("category", line.key, line.label, line.count, line.amount)
    for line in report.by_point_of_sale:
        row("point_of_sale", line.key, line.label, line.count, line.amount)
    for line in report.by_method:
        row("method", line.key, line.label, line.count, line.amount)
    for item in report.cashless_by_asset:
        row("cashless_asset", str(item.asset_id), item.code, 0, item.amount)
    for vat in report.vat:
        label = format_rate(vat.rate, language)
        row("vat_gross", str(vat.rate), label, 0, vat.gross)
        row("vat_net", str(vat.rate), label, 0, vat.net)
        row("vat", str(vat.rate), label, 0, vat.vat)
    for line in report.refills:
        row("refill", line.key, f"{line.label} {line.method}", line.count, line.amount)
    for item in report.bonuses:
        row("bonus", str(item.asset_id), item.code, 0, item.amount)
    for item in report.refunds:
        row("refund", str(item.asset_id), item.code, 0, item.amount)
    row("summary", "refunds", "", 0, report.refunds_total)
    row("summary", "voids", "", report.voids, 0)
    for cash in [*report.cash, *([report.cash_total] if report.cash_total else [])]:
        key = cash.pos_id or "total"
        row("cash_opening", key, cash.name, 0, cash.opening)
        row("cash_in", key, cash.name, 0, cash.cash_in)
        row("cash_out", key, cash.name, 0, cash.cash_out)
        row("cash_expected", key, cash.name, 0, cash.expected)
    for held in report.outstanding:
        row("held_by_public", str(held.asset_id), held.code, 0, held.held_by_public)
        if held.issued_here:
            row("owed_as_issuer", str(held.asset_id), held.code, 0, held.owed_as_issuer)
    return out.getvalue()
