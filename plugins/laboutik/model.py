"""The cash register's records: msgspec Structs, stored in the network's LMDB store.

Policy (msgspec's schema-evolution rules): every stored Struct is keyword-only and every field
added later gets a default. Money is an ``int`` in the smallest unit (cents); a VAT or bonus
rate is an ``int`` in basis points (``2000`` = 20 %, ``550`` = 5.5 %); a moment is an ``int``
of nanoseconds since the epoch, the ledger's own unit, so a register record and the ledger
transfers it made are placed on the same time line.

Journal records (payments, counter operations, completed sales) are keyed
``<instance>/<moment, 20 digits>/<id>``: one instance's records sort by time, and a closure
period is one key range (:meth:`core.records.Collection.range`).
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

__all__ = [
    "ALL_METHODS",
    "Article",
    "ArticleInput",
    "Category",
    "CategoryInput",
    "CounterKind",
    "CounterOp",
    "LineState",
    "Method",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Payment",
    "PaymentLeg",
    "PointInput",
    "PointOfSale",
    "RegisterConfig",
    "SaleEntry",
    "Session",
    "Table",
    "TableInput",
    "journal_key",
]


class Method(StrEnum):
    """How a customer pays at the counter."""

    #: the NFC card: a ledger sale from the card's wallet
    CASHLESS = "cashless"
    #: notes and coins, into the register's drawer
    CASH = "cash"
    #: a bank card, on the bank's own payment terminal (outside tirelire)
    CARD = "card"


ALL_METHODS = [Method.CASHLESS, Method.CASH, Method.CARD]


class LineState(StrEnum):
    """Where an ordered item stands, from the kitchen to the table."""

    TO_PREPARE = "to_prepare"
    READY = "ready"
    SERVED = "served"


class OrderStatus(StrEnum):
    """An order is open until its payments cover it (paid) or it is cancelled."""

    OPEN = "open"
    PAID = "paid"
    CANCELLED = "cancelled"


class CounterKind(StrEnum):
    """Money handled at the counter outside orders."""

    REFILL = "refill"
    REFUND = "refund"
    VOID = "void"


def journal_key(instance: str, at: int, ident: str) -> str:
    """The key of a journal record: instance, then the moment (zero-padded), then its id."""
    return f"{instance}/{at:020d}/{ident}"


class RegisterConfig(msgspec.Struct, kw_only=True):
    """An instance's register settings: when its days close, in which time zone."""

    instance: str
    #: the closure hour, in minutes after local midnight (240: 04:00)
    closure_minute: int = 240
    timezone: str = "Europe/Paris"
    #: when the register started (its first record): the start of the first period
    started_at: int = 0
    #: the number the next order gets (orders are numbered per instance)
    next_order: int = 1
    updated_at: int = 0


class PointOfSale(msgspec.Struct, kw_only=True):
    """A counter: its articles, the assets it takes in order, its payment methods."""

    id: str
    instance: str
    name: str
    #: the assets a cashless payment takes here, first used first; empty: every asset the
    #: instance accepts, in the instance's order (core.wallets.priority)
    asset_order: list[int] = msgspec.field(default_factory=list)
    methods: list[Method] = msgspec.field(default_factory=lambda: list(ALL_METHODS))
    #: the euro-backed assets a card may be refilled with here; empty: the primary asset and
    #: the instance's own local currencies
    refill_assets: list[int] = msgspec.field(default_factory=list)
    #: the gift asset offered on a refill of at least ``bonus_threshold`` (0: no bonus)
    bonus_asset: int = 0
    bonus_threshold: int = 0
    #: the bonus, in basis points of the refill (1000: +10 %)
    bonus_rate: int = 0
    position: int = 0
    archived: bool = False
    created_at: int = 0


class PointInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What an admin sets on a point of sale (a form or ``POST`` body)."""

    name: str
    methods: list[Method] = msgspec.field(default_factory=lambda: list(ALL_METHODS))
    asset_order: list[int] = msgspec.field(default_factory=list)
    refill_assets: list[int] = msgspec.field(default_factory=list)
    bonus_asset: int = 0
    bonus_threshold: int = 0
    bonus_rate: int = 0


class Category(msgspec.Struct, kw_only=True):
    """A group of articles on the register's screen and in the closure report."""

    id: str
    instance: str
    name: str
    colour: str = "#8d6e63"
    position: int = 0
    archived: bool = False


class CategoryInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What an admin sets on a category."""

    name: str
    colour: str = "#8d6e63"


class Article(msgspec.Struct, kw_only=True):
    """Something sold: its VAT-inclusive price and its VAT rate."""

    id: str
    instance: str
    name: str
    #: VAT included, in cents
    price: int
    #: basis points: 2000 = 20 %, 1000 = 10 %, 550 = 5.5 %
    vat_rate: int
    category_id: str
    #: "#rrggbb"; empty: the category's colour
    colour: str = ""
    #: prepared in the kitchen (shown on the kitchen screen until ready)
    kitchen: bool = False
    #: the points of sale showing it; empty: all of them
    points_of_sale: list[str] = msgspec.field(default_factory=list)
    position: int = 0
    archived: bool = False


class ArticleInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What an admin sets on an article."""

    name: str
    price: int
    vat_rate: int
    category_id: str
    colour: str = ""
    kitchen: bool = False
    points_of_sale: list[str] = msgspec.field(default_factory=list)


class Table(msgspec.Struct, kw_only=True):
    """A table of the venue: orders wait there to be served and paid."""

    id: str
    instance: str
    name: str
    position: int = 0
    archived: bool = False


class TableInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What an admin sets on a table."""

    name: str


class Session(msgspec.Struct, kw_only=True):
    """A point of sale opened by staff, with the cash float put in its drawer."""

    id: str
    instance: str
    pos_id: str
    opened_at: int
    opened_by: str
    #: the staff card that opened it (empty: a logged-in cashier)
    card_id: str = ""
    opening_float: int = 0
    closed_at: int = 0
    closed_by: str = ""


class OrderLine(msgspec.Struct, kw_only=True):
    """Some units of one article in an order, with the price and VAT of the moment."""

    id: int
    article_id: str
    name: str
    category_id: str
    category: str
    unit_price: int
    vat_rate: int
    quantity: int
    kitchen: bool = False
    state: LineState = LineState.SERVED
    added_at: int = 0

    @property
    def amount(self) -> int:
        """The line's total, VAT included."""
        return self.unit_price * self.quantity


class Order(msgspec.Struct, kw_only=True):
    """An order at a point of sale (at a table or at the counter) and what was paid on it."""

    id: str
    instance: str
    pos_id: str
    session_id: str
    number: int
    table_id: str = ""
    status: OrderStatus = OrderStatus.OPEN
    lines: list[OrderLine] = msgspec.field(default_factory=list)
    next_line: int = 1
    #: the sum of the payments received so far
    paid: int = 0
    created_at: int = 0
    created_by: str = ""
    paid_at: int = 0
    cancelled_at: int = 0

    @property
    def total(self) -> int:
        """What the order costs, VAT included."""
        return sum(line.amount for line in self.lines)

    @property
    def remaining(self) -> int:
        """What is left to pay."""
        return self.total - self.paid

    @property
    def to_serve(self) -> list[OrderLine]:
        """The lines not served yet."""
        return [line for line in self.lines if line.state != LineState.SERVED]


class PaymentLeg(msgspec.Struct, kw_only=True):
    """One ledger transfer of a cashless payment: the asset, the amount, the ledger's time."""

    asset_id: int
    amount: int
    at: int


class Payment(msgspec.Struct, kw_only=True):
    """One part of an order's payment. Cashless parts are ledger sales; cash and bank card
    parts are what the register received (no ledger money)."""

    key: str
    id: str
    instance: str
    order_id: str
    pos_id: str
    method: Method
    amount: int
    at: int
    author: str = ""
    #: the caller's id (a terminal's tap id, a form's token): the same id pays once
    operation_id: str = ""
    card_id: str = ""
    legs: list[PaymentLeg] = msgspec.field(default_factory=list)
    #: cash handed over, and the change given back (cash only)
    tendered: int = 0
    change: int = 0


class CounterOp(msgspec.Struct, kw_only=True):
    """A refill, a refund or a void (lost card) done at a counter."""

    key: str
    id: str
    instance: str
    pos_id: str
    kind: CounterKind
    at: int
    #: cash or bank card (refill); cash (refund); empty (void)
    method: str = ""
    card_id: str = ""
    asset_id: int = 0
    #: refill: the amount refilled; refund: the cash paid back (sum of the legs)
    amount: int = 0
    bonus_asset: int = 0
    bonus: int = 0
    #: refund: what each asset gave back
    legs: list[PaymentLeg] = msgspec.field(default_factory=list)
    replacement_id: str = ""
    author: str = ""
    operation_id: str = ""


class SaleEntry(msgspec.Struct, kw_only=True):
    """An order as it stood when its payments covered it: the sales of the closure report."""

    key: str
    instance: str
    order_id: str
    number: int
    pos_id: str
    table_id: str
    at: int
    total: int
    lines: list[OrderLine] = msgspec.field(default_factory=list)
