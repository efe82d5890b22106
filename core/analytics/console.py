"""The SQL console: one SELECT over one scope's rows, in a throwaway sandboxed DuckDB.

Isolation does not rest on parsing what was typed. For each query:

1. the statement is checked with DuckDB's own parser (``duckdb.extract_statements``): exactly
   one statement, of type SELECT (``WITH ... SELECT`` and ``FROM t`` included); anything else
   (ATTACH, COPY, EXPORT, INSTALL, LOAD, SET, PRAGMA, CALL, writes, several statements) is
   refused with a one-line reason;
2. the scope's rows are read from the mirror (an instance: only the rows it may see, see
   :func:`scope_tables`) and copied into a new **in-memory** database that holds nothing else;
3. that database is locked down before the query runs: ``enable_external_access = false``
   (no file, no URL, no ATTACH, no COPY), extensions neither installed nor loaded
   automatically, unsigned extensions refused, a memory and a thread limit, then
   ``lock_configuration = true`` (no SET can undo any of it);
4. a timer interrupts the query after ``timeout`` seconds (``connection.interrupt()``).

Whatever SQL is typed, the database it runs in contains only the scope's rows and cannot reach
the disk: a treasurer of A never reads B's rows. The sandbox is closed after each query.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from core.analytics.reports import Scope
from core.analytics.schema import VIEWS

if TYPE_CHECKING:
    from core.analytics.mirror import Mirror

__all__ = ["Console", "ConsoleError", "ConsoleResult", "check_query", "scope_tables"]

MAX_QUERY = 20_000
#: 128-bit columns: Arrow has no 128-bit integers, so they travel as decimal text
WIDE = {"transfers": ("id", "pending_id", "ref"), "accounts": ("account",),
        "operations": ("ref",)}  # fmt: skip


def _select(table: str, source: str | None = None) -> str:
    """``SELECT *`` of ``table`` for transport: each 128-bit column ``c`` as its high half in
    ``c`` and its low half in an extra ``c__lo`` column (casting to text is far slower)."""
    columns = WIDE.get(table)
    if not columns:
        return f"SELECT * FROM {source or table}"
    hi = ", ".join(f"(({c}) >> 64)::UBIGINT AS {c}" for c in columns)
    lo = ", ".join(f"(({c}) & 18446744073709551615)::UBIGINT AS {c}__lo" for c in columns)
    return f"SELECT * REPLACE ({hi}), {lo} FROM {source or table}"


def _rebuild(table: str, source: str) -> str:
    """The inverse of :func:`_select`: the 128-bit columns put back together, in place."""
    columns = WIDE.get(table)
    if not columns:
        return f"SELECT * FROM {source}"
    drop = ", ".join(f"{c}__lo" for c in columns)
    whole = ", ".join(f"(({c}::UHUGEINT) << 64) | {c}__lo AS {c}" for c in columns)
    return f"SELECT * EXCLUDE ({drop}) REPLACE ({whole}) FROM {source}"


class ConsoleError(ValueError):
    """A query was refused or stopped; ``reason`` is one line (English).

    ``kind`` is ``refused``, ``timeout`` or ``error``; ``code`` names the rule (``empty``,
    ``too_long``, ``syntax``, ``several``, ``not_select``, ``timeout``, ``error``) and
    ``detail`` holds the statement type or DuckDB's own message, for translated messages.
    """

    def __init__(self, kind: str, reason: str, code: str = "", detail: str = "") -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.code = code or kind
        self.detail = detail


@dataclass
class ConsoleResult:
    """The answer of a query: columns, rows (at most ``max_rows``), whether rows were cut."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    seconds: float


def check_query(sql: str) -> str:
    """The query if it is one SELECT (DuckDB's parser decides); else ConsoleError."""
    text = sql.strip()
    if not text:
        raise ConsoleError("refused", "the query is empty", "empty")
    if len(text) > MAX_QUERY:
        raise ConsoleError(
            "refused", f"the query is longer than {MAX_QUERY} characters", "too_long"
        )
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as exc:
        raise ConsoleError("refused", _one_line(exc), "syntax", _one_line(exc)) from None
    if len(statements) != 1:
        raise ConsoleError("refused", "only one statement is allowed", "several")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        name = getattr(kind, "name", str(kind))
        raise ConsoleError(
            "refused", f"only SELECT queries are allowed, not {name}", "not_select", name
        )
    return text


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def scope_tables(mirror: Mirror, scope: Scope, plugins: frozenset[str] | None = None) -> dict[
    str, pa.Table]:  # fmt: skip
    """The scope's rows of every table, read from the mirror (see docs/analytics.md).

    An instance gets the transfers it may see (at its place, in its wallets, in the assets it
    issues), the accounts, operations, assets, instances and cards those transfers name, its
    federations and remittances, and the plugins' rows whose instance column is its slug (only
    plugins in ``plugins``). The network gets every row.
    """
    from core.analytics.reports import _visible  # the reports' own rule, shared

    out: dict[str, pa.Table] = {}
    views = [v for v in mirror.views if plugins is None or v.plugin in plugins]
    with mirror.reading() as con:
        if scope.network:
            for table in ("transfers", "accounts", "operations", "instances", "assets",
                          "federations", "cards", "remittances", "action_kinds"):  # fmt: skip
                out[table] = _arrow(con, _select(table))
            for view in views:
                if view.is_table:
                    out[view.name] = _arrow(con, f"SELECT * FROM {view.name}")
            return out
        slug = scope.slug
        where, args = _visible(scope)
        con.execute(f"CREATE TEMP TABLE seen AS SELECT * FROM transfers t WHERE {where}", args)
        con.execute(
            "CREATE TEMP TABLE seen_accounts AS SELECT * FROM accounts WHERE account_no IN "
            "(SELECT debit_account FROM seen UNION SELECT credit_account FROM seen) "
            "OR instance = ?",
            [slug],
        )
        queries: dict[str, tuple[str, list[Any]]] = {
            "transfers": (_select("transfers", "seen"), []),
            "accounts": (_select("accounts", "seen_accounts"), []),
            "operations": (
                _select("operations") + " WHERE ref IN (SELECT ref FROM seen)", []),
            "instances": (
                "SELECT * FROM instances WHERE slug = ? OR slug IN (SELECT place FROM seen) "
                "OR slug IN (SELECT instance FROM seen_accounts)", [slug]),
            "assets": (
                "SELECT * FROM assets WHERE issuer = ? OR category = 'primary' OR asset_id IN "
                "(SELECT asset_id FROM seen_accounts)", [slug]),
            "federations": (
                "SELECT * FROM federations WHERE instance = ? OR asset_id IN "
                "(SELECT asset_id FROM assets WHERE issuer = ?)", [slug, slug]),
            "cards": (
                "SELECT * FROM cards WHERE list_contains(primary_for, ?) OR card_id IN "
                "(SELECT owner_id FROM seen_accounts WHERE kind = 'card')", [slug]),
            "remittances": (
                "SELECT * FROM remittances WHERE instance = ? OR asset_id IN "
                "(SELECT asset_id FROM assets WHERE issuer = ?)", [slug, slug]),
            "action_kinds": ("SELECT * FROM action_kinds", []),
        }  # fmt: skip
        for view in views:
            if view.is_table and view.instance_column:
                sql = f"SELECT * FROM {view.name} WHERE {view.instance_column} = ?"
                queries[view.name] = (sql, [slug])
        for name, (sql, params) in queries.items():
            out[name] = _arrow(con, sql, params)
    return out


def _arrow(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> pa.Table:
    """A query's rows as an Arrow table (streamed batches, read whole)."""
    return con.sql(sql, params=params or None).to_arrow_reader().read_all()


class Console:
    """Runs checked queries for a scope in a sandbox (see the module's documentation)."""

    def __init__(
        self,
        mirror: Mirror,
        *,
        timeout: float = 10.0,
        memory_limit: str = "1GB",
        threads: int = 1,
        max_rows: int = 10_000,
    ) -> None:
        self.mirror = mirror
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.threads = threads
        self.max_rows = max_rows

    def sandbox(self, tables: dict[str, pa.Table], view_sql: dict[str, str]) -> Any:
        """A locked in-memory database holding ``tables`` and the views over them."""
        con = duckdb.connect(
            ":memory:",
            config={
                "enable_external_access": False,
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
                "allow_unsigned_extensions": False,
                "allow_community_extensions": False,
                "memory_limit": self.memory_limit,
                "threads": self.threads,
            },
        )
        try:
            for name, table in tables.items():
                con.register("_incoming", table)
                con.execute(f"CREATE TABLE {name} AS {_rebuild(name, '_incoming')}")
                con.unregister("_incoming")
            for name, sql in view_sql.items():
                con.execute(f"CREATE VIEW {name} AS {sql}")
            con.execute("SET lock_configuration = true")
        except BaseException:
            con.close()
            raise
        return con

    def _timeout(self) -> ConsoleError:
        return ConsoleError(
            "timeout",
            f"the query was stopped after {self.timeout:g} seconds",
            "timeout",
            f"{self.timeout:g}",
        )

    def run(self, scope: Scope, sql: str, *, plugins: frozenset[str] | None = None) -> (
        ConsoleResult):  # fmt: skip
        """Run ``sql`` over the scope's rows; ConsoleError when refused, stopped or failing."""
        text = check_query(sql)
        started = time.perf_counter()
        tables = scope_tables(self.mirror, scope, plugins)
        views = dict(VIEWS)
        for view in self.mirror.views:
            if not view.is_table and (plugins is None or view.plugin in plugins):
                views[view.name] = view.sql
        con = self.sandbox(tables, views)
        fired = threading.Event()

        def stop() -> None:
            fired.set()
            con.interrupt()

        timer = threading.Timer(self.timeout, stop)
        timer.daemon = True
        try:
            timer.start()
            cursor = con.execute(text)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows = cursor.fetchmany(self.max_rows + 1)
        except duckdb.InterruptException:  # the timer's interrupt
            raise self._timeout() from None
        except duckdb.Error as exc:
            if fired.is_set():
                raise self._timeout() from None
            raise ConsoleError("error", _one_line(exc), "error", _one_line(exc)) from None
        finally:
            timer.cancel()
            con.close()
        truncated = len(rows) > self.max_rows
        return ConsoleResult(columns, rows[: self.max_rows], truncated,
                             time.perf_counter() - started)  # fmt: skip
