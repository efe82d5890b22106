"""The closure report's records: a report ("ticket Z") and the closure that froze it.

The figures' definitions and their rounding are in docs/laboutik.md; :mod:`.report` computes
them. Amounts are cents, rates basis points, moments nanoseconds since the epoch.
"""

from __future__ import annotations

import msgspec

__all__ = [
    "AssetAmount",
    "CashLine",
    "Closure",
    "OutstandingLine",
    "Report",
    "ReportLine",
    "VatLine",
]


class ReportLine(msgspec.Struct, kw_only=True):
    """One line of a report section: a key, its label, a count and an amount."""

    key: str
    label: str
    count: int = 0
    amount: int = 0
    #: the payment method of the line, where it has one (refills)
    method: str = ""


class VatLine(msgspec.Struct, kw_only=True):
    """The VAT of one rate: gross (VAT included), net and VAT, in cents."""

    rate: int
    gross: int
    net: int
    vat: int


class AssetAmount(msgspec.Struct, kw_only=True):
    """An amount in one asset."""

    asset_id: int
    code: str
    amount: int


class CashLine(msgspec.Struct, kw_only=True):
    """The drawer of a point of sale: opening float + cash in - cash out = expected."""

    pos_id: str
    name: str
    opening: int = 0
    cash_in: int = 0
    cash_out: int = 0
    expected: int = 0


class OutstandingLine(msgspec.Struct, kw_only=True):
    """What the public holds in an asset the instance accepts, and, for the instance's own
    assets, what it owes as their issuer."""

    asset_id: int
    code: str
    name: str
    held_by_public: int
    issued_here: bool = False
    owed_as_issuer: int = 0


class Report(msgspec.Struct, kw_only=True):
    """A closure report ("ticket Z") of one instance over ``[start, end)``. See
    docs/laboutik.md for each figure's definition and rounding."""

    instance: str
    start: int
    end: int
    timezone: str
    orders: int = 0
    sales_total: int = 0
    average_basket: int = 0
    by_category: list[ReportLine] = msgspec.field(default_factory=list)
    by_point_of_sale: list[ReportLine] = msgspec.field(default_factory=list)
    by_method: list[ReportLine] = msgspec.field(default_factory=list)
    cashless_by_asset: list[AssetAmount] = msgspec.field(default_factory=list)
    vat: list[VatLine] = msgspec.field(default_factory=list)
    refills: list[ReportLine] = msgspec.field(default_factory=list)
    refills_total: int = 0
    bonuses: list[AssetAmount] = msgspec.field(default_factory=list)
    refunds: list[AssetAmount] = msgspec.field(default_factory=list)
    refunds_total: int = 0
    voids: int = 0
    cash: list[CashLine] = msgspec.field(default_factory=list)
    cash_total: CashLine | None = None
    outstanding: list[OutstandingLine] = msgspec.field(default_factory=list)
    cards: int = 0
    open_orders: int = 0
    open_orders_paid: int = 0


class Closure(msgspec.Struct, kw_only=True):
    """A closed period and its report, frozen when it was closed."""

    key: str
    instance: str
    number: int
    start: int
    end: int
    #: closed before the closure hour ("close now")
    early: bool
    closed_at: int
    closed_by: str
    #: the local date of the day the period belongs to (ISO)
    business_date: str
    report: Report
