"""The mirror's tables and views: DuckDB DDL, in one place.

The mirror (``<data>/analytics/mirror.duckdb``) holds:

- ``transfers``: one row per committed ledger transfer, by commit sequence (``seq``), with
  the accounts as dense numbers (``accounts.account_no``), the asset (the ledger number), the
  action code, the amount, the timestamp and ``place``: the instance where the money moved
  (the seller of a sale, the remitted instance, the counter of a refill or refund);
- ``accounts``: every ledger account a transfer touched, numbered in order of first
  appearance in the feed, with its owner (``user:<id>``, ``instance:<slug>``, ``card:<id>``,
  ``issuer:<asset id>``), its kind and its instance (the wallet's instance, or the instance
  issuing the asset of an issuer account);
- ``operation_notes``: the notes of the operations that say more than their transfers
  (refills, grants, refunds, remittances, corrections), as the store keeps them (a JSON
  array, :class:`core.wallets.feed.OperationNote`), and the view ``operations`` that splits
  them into columns (where, by whom, why) when read: a sync copies notes, it does not parse
  them;
- record tables refreshed whole: ``instances``, ``assets``, ``federations``, ``cards``,
  ``remittances``; ``action_kinds`` names the codes;
- views: ``postings`` (transfers that moved posted balances), ``movements`` (transfers with
  owners and the action's name).

``mirror_state`` keeps the last mirrored sequence and the ledger head hash it matched.
"""

from __future__ import annotations

import duckdb

from core.wallets.model import ActionKind

__all__ = ["OPERATIONS_VIEW", "RECORD_TABLES", "SCHEMA_VERSION", "VIEWS", "create_schema"]

#: A mirror written with another version is rebuilt from the ledger (it holds nothing else).
SCHEMA_VERSION = "2"

TABLES = {
    "mirror_state": "key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL",
    "transfers": (
        "seq UBIGINT NOT NULL, id UHUGEINT NOT NULL, debit_account UINTEGER NOT NULL, "
        "credit_account UINTEGER NOT NULL, amount UBIGINT NOT NULL, pending_id UHUGEINT NOT NULL, "
        "ref UHUGEINT NOT NULL, user_data_64 UBIGINT NOT NULL, user_data_32 UINTEGER NOT NULL, "
        "timeout UINTEGER NOT NULL, asset_id UINTEGER NOT NULL, code USMALLINT NOT NULL, "
        "flags USMALLINT NOT NULL, timestamp UBIGINT NOT NULL, ts TIMESTAMP NOT NULL, "
        "place VARCHAR NOT NULL"
    ),
    "accounts": (
        "account_no UINTEGER NOT NULL, account UHUGEINT NOT NULL, asset_id UINTEGER NOT NULL, "
        "kind VARCHAR NOT NULL, owner VARCHAR NOT NULL, owner_id VARCHAR NOT NULL, "
        "instance VARCHAR NOT NULL, first_seq UBIGINT NOT NULL"
    ),
    "operation_notes": (
        "ref UHUGEINT NOT NULL, code USMALLINT NOT NULL, first_seq UBIGINT NOT NULL, "
        "note VARCHAR NOT NULL"
    ),
    "instances": (
        "slug VARCHAR NOT NULL, name VARCHAR NOT NULL, kind VARCHAR NOT NULL, "
        "enabled_plugins VARCHAR[] NOT NULL, created_at TIMESTAMP"
    ),
    "assets": (
        "asset_id UINTEGER NOT NULL, code VARCHAR NOT NULL, name VARCHAR NOT NULL, "
        "category VARCHAR NOT NULL, decimals UTINYINT NOT NULL, issuer VARCHAR NOT NULL, "
        "archived BOOLEAN NOT NULL, transferable BOOLEAN NOT NULL"
    ),
    "federations": (
        "asset_id UINTEGER NOT NULL, instance VARCHAR NOT NULL, status VARCHAR NOT NULL, "
        "invited_at TIMESTAMP, answered_at TIMESTAMP"
    ),
    "cards": (
        "card_id VARCHAR NOT NULL, number VARCHAR NOT NULL, owner VARCHAR NOT NULL, "
        "primary_for VARCHAR[] NOT NULL, lost BOOLEAN NOT NULL, created_at TIMESTAMP, "
        "claimed_at TIMESTAMP, lost_at TIMESTAMP"
    ),
    "remittances": (
        "key VARCHAR NOT NULL, asset_id UINTEGER NOT NULL, instance VARCHAR NOT NULL, "
        "amount UBIGINT NOT NULL, bank_reference VARCHAR NOT NULL, bank_date DATE, "
        "author VARCHAR NOT NULL, created_at TIMESTAMP"
    ),
    "action_kinds": "code USMALLINT NOT NULL, kind VARCHAR NOT NULL",
}

#: Tables rebuilt whole from the store's records at each refresh (in this order).
RECORD_TABLES = ("instances", "assets", "federations", "cards", "remittances")

#: Views over the tables (also created, over an instance's rows, in the SQL console).
VIEWS = {
    # transfers that moved posted balances: neither a reservation nor a void
    "postings": "SELECT * FROM transfers WHERE (flags & 10) = 0",
    "movements": (
        "SELECT t.seq, t.id, t.ts, t.asset_id, t.code, k.kind, t.amount, t.place, "
        "d.owner AS debit_owner, d.kind AS debit_kind, c.owner AS credit_owner, "
        "c.kind AS credit_kind, t.ref, t.flags "
        "FROM transfers t JOIN accounts d ON d.account_no = t.debit_account "
        "JOIN accounts c ON c.account_no = t.credit_account "
        "LEFT JOIN action_kinds k ON k.code = t.code"
    ),
}


#: The mirror's operations, split from their notes when read (the console copies the rows a
#: scope may see, already split, so it has a table of that name instead). A note's fields are
#: read by position (OperationNote); a field missing from an older note reads as empty.
OPERATIONS_VIEW = """
SELECT n.ref, k.kind || ':' || f[1] AS key, k.kind, f[1] AS operation_id,
       coalesce(f[3], '') AS instance, f[2]::UBIGINT AS amount, coalesce(f[4], '') AS author,
       coalesce(f[5], '') AS reason, coalesce(f[6], '') AS bank_reference,
       coalesce(f[7], '') AS bank_date,
       nullif(make_timestamp(trunc(coalesce(f[8], '0')::DOUBLE * 1e6)::BIGINT),
              TIMESTAMP '1970-01-01') AS created_at,
       n.first_seq
FROM (SELECT *, json_extract_string(note, ['$[1]', '$[2]', '$[3]', '$[4]', '$[5]', '$[6]',
                                           '$[7]', '$[8]']) AS f
      FROM operation_notes) n
JOIN action_kinds k ON k.code = n.code
"""


def create_schema(con: duckdb.DuckDBPyConnection, *, tables: dict[str, str] = TABLES) -> None:
    """Create the mirror's tables and views when missing (idempotent)."""
    for name, columns in tables.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
    if "action_kinds" in tables:
        con.execute("DELETE FROM action_kinds")
        con.executemany(
            "INSERT INTO action_kinds VALUES (?, ?)", [(int(k), k.label) for k in ActionKind]
        )
    for name, sql in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
    if "operation_notes" in tables:
        con.execute(f"CREATE OR REPLACE VIEW operations AS {OPERATIONS_VIEW}")
