"""Exports: Hive-partitioned Parquet of the mirror, readable by DuckDB, Spark or Trino.

Layout under the output directory::

    transfers/instance=<place>/month=<YYYY-MM>/data_0.parquet
    accounts.parquet  operations.parquet  instances.parquet  assets.parquet
    federations.parquet  cards.parquet  remittances.parquet  action_kinds.parquet

``instance`` is the place where the money moved (``_network`` when none: online refills,
person-to-person transfers, fusions, grants to people). 128-bit ids are written as decimal
text (Parquet has no 128-bit integer; Spark and Trino read text everywhere).
Read back with ``read_parquet('<dir>/transfers/**/*.parquet', hive_partitioning = true)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.analytics.mirror import Mirror

__all__ = ["NETWORK_PARTITION", "TABLE_FILES", "export_parquet"]

NETWORK_PARTITION = "_network"
TABLE_FILES = ("accounts", "operations", "instances", "assets", "federations", "cards",
               "remittances", "action_kinds")  # fmt: skip
_TEXT = {"accounts": ("account",), "operations": ("ref",)}


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_parquet(mirror: Mirror, out: Path) -> dict[str, int]:
    """Write the mirror as Parquet under ``out``; returns the rows written per table."""
    out = out.absolute()
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with mirror.reading() as con:
        transfers = out / "transfers"
        con.execute(
            "COPY (SELECT * REPLACE (id::VARCHAR AS id, pending_id::VARCHAR AS pending_id, "
            "ref::VARCHAR AS ref), "
            f"CASE WHEN place = '' THEN '{NETWORK_PARTITION}' ELSE place END AS instance, "
            "strftime(ts, '%Y-%m') AS month FROM transfers ORDER BY seq) "
            f"TO {_quote(transfers)} (FORMAT parquet, PARTITION_BY (instance, month), "
            "OVERWRITE_OR_IGNORE true)"
        )
        found = con.execute("SELECT count(*) FROM transfers").fetchone()
        counts["transfers"] = int(found[0]) if found else 0
        for table in TABLE_FILES:
            text = _TEXT.get(table, ())
            select = "SELECT *"
            if text:
                select += " REPLACE (" + ", ".join(f"{c}::VARCHAR AS {c}" for c in text) + ")"
            target = out / f"{table}.parquet"
            con.execute(f"COPY ({select} FROM {table}) TO {_quote(target)} (FORMAT parquet)")
            found = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts[table] = int(found[0]) if found else 0
    return counts
