"""The record tables of the mirror: rebuilt whole from the store's collections.

Instances, assets, federations, cards and remittances are small next to the transfers and
change in place (a card is claimed, an asset renamed), so each refresh replaces their rows
in one DuckDB transaction, sorted by key: two mirrors of the same store hold the same rows.
Plugins' tables (``register_analytics_views`` with ``rows=``) are refreshed the same way.

What is left out on purpose: users' e-mails and names (a wallet is ``user:<id>``), cards'
UIDs and QR ids (the QR id opens the card's page), sessions, keys and login links.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from core.analytics.schema import RECORD_TABLES, TABLES
from core.analytics.views import AnalyticsView

if TYPE_CHECKING:
    from core.network import Network

__all__ = [
    "RecordRows",
    "collect_records",
    "record_rows",
    "refresh_records",
    "store_records",
    "timestamp",
]


def timestamp(seconds: float) -> datetime.datetime | None:
    """A record's float epoch time as a naive UTC datetime (None when unset)."""
    if not seconds:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).replace(tzinfo=None)


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def record_rows(network: Network) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of every record table, read in one read transaction, sorted by key."""
    money = network.money
    with network.store.read() as txn:
        instances = [
            (i.slug, i.name, i.kind.value, sorted(i.enabled_plugins), timestamp(i.created_at))
            for i in network.instances.records.scan(txn)
        ]
        assets = [
            (a.id, a.code, a.name, a.category.value, a.decimals, a.issuer, a.archived,
             a.transferable)
            for a in money.assets.records.scan(txn)
        ]  # fmt: skip
        federations = [
            (f.asset_id, f.instance, f.status.value, timestamp(f.invited_at),
             timestamp(f.answered_at))
            for f in money.federations.records.scan(txn)
        ]  # fmt: skip
        cards = [
            (c.id, c.number, c.owner, sorted(c.primary_for), c.lost, timestamp(c.created_at),
             timestamp(c.claimed_at), timestamp(c.lost_at))
            for c in money.card_records.scan(txn)
        ]  # fmt: skip
        remittances = [
            (r.key, r.asset_id, r.instance, r.amount, r.bank_reference, _date(r.bank_date),
             r.author, timestamp(r.created_at))
            for r in money.log.remittances.scan(txn)
        ]  # fmt: skip
    rows: dict[str, list[tuple[Any, ...]]] = {
        "instances": instances,
        "assets": assets,
        "federations": federations,
        "cards": cards,
        "remittances": remittances,
    }
    for table in rows.values():
        table.sort(key=lambda row: tuple(str(v) for v in row[:2]))
    return rows


def _replace(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence[Any]]) -> None:
    con.execute(f"DELETE FROM {table}")
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _plugin_rows(view: AnalyticsView, network: Network) -> list[tuple[Any, ...]]:
    assert view.rows is not None
    found: Iterable[Sequence[Any]] = view.rows(network.store)
    return sorted((tuple(r) for r in found), key=lambda row: tuple(str(v) for v in row))


@dataclass
class RecordRows:
    """The rows of the record tables and of the plugins' tables, read in one go."""

    tables: dict[str, list[tuple[Any, ...]]]
    plugins: dict[str, list[tuple[Any, ...]]]


def collect_records(network: Network, views: Sequence[AnalyticsView] = ()) -> RecordRows:
    """Read the record tables' rows from the store (Python work, no DuckDB)."""
    plugin_rows = {v.name: _plugin_rows(v, network) for v in views if v.is_table}
    return RecordRows(record_rows(network), plugin_rows)


def store_records(
    con: duckdb.DuckDBPyConnection, rows: RecordRows, views: Sequence[AnalyticsView] = ()
) -> None:
    """Replace the record tables (and the plugins' tables) with ``rows``, in one transaction."""
    con.execute("BEGIN")
    try:
        for table in RECORD_TABLES:
            _replace_fast(con, table, rows.tables[table])
        for view in views:
            if view.is_table:
                columns = ", ".join(f"{c} {t}" for c, t in view.columns)
                con.execute(f"CREATE TABLE IF NOT EXISTS {view.name} ({columns})")
                _replace(con, view.name, rows.plugins[view.name])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def refresh_records(
    con: duckdb.DuckDBPyConnection, network: Network, views: Sequence[AnalyticsView] = ()
) -> None:
    """Replace the record tables (and the plugins' tables) in one transaction."""
    store_records(con, collect_records(network, views), views)


def _replace_fast(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Like ``_replace`` through one Arrow table (thousands of cards in milliseconds)."""
    con.execute(f"DELETE FROM {table}")
    if not rows:
        return
    names = [c.strip().split(" ")[0] for c in TABLES[table].split(", ")]
    columns = list(zip(*rows, strict=True))
    batch = pa.table({name: list(values) for name, values in zip(names, columns, strict=True)})
    con.register("_records_batch", batch)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _records_batch")
    finally:
        con.unregister("_records_batch")
