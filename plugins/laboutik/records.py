"""The register's record collections, opened once per network (opening a database writes).

| collection | key | indexes |
|---|---|---|
| ``laboutik_config`` | instance | |
| ``laboutik_points``, ``_categories``, ``_articles``, ``_tables`` | id | instance |
| ``laboutik_sessions`` | id | ``instance``; ``open``: the point of sale while open |
| ``laboutik_orders`` | id | ``active`` (open, or not all served), ``number`` (unique) |
| ``laboutik_payments``, ``_counter`` | journal key | ``op`` (unique), ``order`` |
| ``laboutik_sales`` | journal key | |
| ``laboutik_closures`` | ``<instance>/<number, 10 digits>`` | |
| ``laboutik_terminals`` | terminal id | ``instance``; ``pos``: the point of sale it serves |
"""

from __future__ import annotations

from typing import Any

from core import Collection, Index, Store

from .model import (
    Article,
    Category,
    CounterOp,
    LineState,
    Order,
    OrderStatus,
    Payment,
    PointOfSale,
    RegisterConfig,
    SaleEntry,
    Session,
    Table,
)
from .report_model import Closure
from .terminal_model import TerminalLink

__all__ = ["RegisterRecords", "closure_key", "is_active", "op_key"]


def op_key(instance: str, operation_id: str) -> str:
    """The unique index value of a caller's operation id on an instance."""
    return f"{instance}:{operation_id}"


def closure_key(instance: str, number: int) -> str:
    """The key of an instance's closure number ``number``."""
    return f"{instance}/{number:010d}"


def is_active(order: Order) -> bool:
    """An order still to pay or to serve (cancelled ones never are)."""
    if order.status == OrderStatus.CANCELLED:
        return False
    return order.status == OrderStatus.OPEN or any(
        line.state != LineState.SERVED for line in order.lines
    )


class RegisterRecords:
    """Every collection of the cash register, on one store."""

    def __init__(self, store: Store) -> None:
        by_instance: Index[Any] = Index("instance", lambda r: r.instance)
        self.config = Collection(store, "laboutik_config", RegisterConfig, key=lambda c: c.instance)
        self.points = Collection(
            store, "laboutik_points", PointOfSale, key=lambda p: p.id, indexes=(by_instance,)
        )
        self.categories = Collection(
            store, "laboutik_categories", Category, key=lambda c: c.id, indexes=(by_instance,)
        )
        self.articles = Collection(
            store, "laboutik_articles", Article, key=lambda a: a.id, indexes=(by_instance,)
        )
        self.tables = Collection(
            store, "laboutik_tables", Table, key=lambda t: t.id, indexes=(by_instance,)
        )
        self.sessions = Collection(
            store,
            "laboutik_sessions",
            Session,
            key=lambda s: s.id,
            indexes=(
                by_instance,
                Index("open", lambda s: None if s.closed_at else s.pos_id, unique=True),
            ),
        )
        self.orders = Collection(
            store,
            "laboutik_orders",
            Order,
            key=lambda o: o.id,
            indexes=(
                Index("active", lambda o: o.instance if is_active(o) else None),
                Index("number", lambda o: f"{o.instance}:{o.number}", unique=True),
            ),
        )
        self.payments = Collection(
            store,
            "laboutik_payments",
            Payment,
            key=lambda p: p.key,
            indexes=(
                Index("op", lambda p: op_key(p.instance, p.operation_id), unique=True),
                Index("order", lambda p: p.order_id),
            ),
        )
        self.counter = Collection(
            store,
            "laboutik_counter",
            CounterOp,
            key=lambda c: c.key,
            indexes=(Index("op", lambda c: op_key(c.instance, c.operation_id), unique=True),),
        )
        self.sales = Collection(store, "laboutik_sales", SaleEntry, key=lambda s: s.key)
        self.closures = Collection(store, "laboutik_closures", Closure, key=lambda c: c.key)
        self.terminals = Collection(
            store,
            "laboutik_terminals",
            TerminalLink,
            key=lambda t: t.terminal_id,
            indexes=(by_instance, Index("pos", lambda t: t.pos_id or None)),
        )
