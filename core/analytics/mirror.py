"""The analytics mirror: a DuckDB file in the data directory, kept in step with the ledger.

``Mirror(network).sync()`` appends the transfers committed since the last sync (by commit
sequence, in chunks of 245,760: two DuckDB row groups; each chunk is one DuckDB transaction
with the new accounts, operations and the new ``last_seq``), then refreshes the record
tables. Each chunk is read from the store's pages by
:class:`core.lmdbpages.reader.PageReader` (through py-lmdb when the pages are not laid
out as it expects), in one read transaction with the operation notes and place numbers it
needs. Deleting the file and syncing again rebuilds an identical mirror: account numbers
follow the order of first appearance in the feed, record tables are sorted, nothing depends
on the wall clock.

The mirror holds nothing the ledger and the store do not: a file written by another schema
version (``mirror_state.schema_version``) is deleted and rebuilt by the next sync.

One writer at a time: :meth:`Mirror.writing` holds an exclusive ``flock`` on
``mirror.lock`` beside the file, :meth:`Mirror.reading` a shared one. DuckDB itself lets only
one process open a file for writing, and no other process open it at all meanwhile, so
nobody keeps the file open between operations: each read or sync opens it, works, closes.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from core.analytics.decode import FIELDS, columns_of
from core.analytics.feed import Chunk, ChunkRows, FeedState, MirrorError
from core.analytics.locks import file_lock
from core.analytics.records import RecordRows, collect_records, store_records
from core.analytics.schema import SCHEMA_VERSION, create_schema
from core.analytics.views import AnalyticsView, collect_views
from core.ledger.codec import RECORD_SIZE
from core.lmdbpages.reader import PageReader

if TYPE_CHECKING:
    import lmdb

    from core.network import Network

__all__ = ["CHUNK", "Mirror", "MirrorError", "SyncReport"]

#: Transfers per DuckDB transaction: two of DuckDB's row groups (122,880 rows each), so each
#: chunk writes whole row groups (a partial one is rewritten by the next chunk and the final
#: checkpoint: a third more work); the next chunk is read while one is inserted.
CHUNK = 245_760
ROW_GROUP = 122_880
RECORDS_EVERY = 5.0  # seconds between record refreshes when no transfer arrived


@dataclass
class SyncReport:
    """What one sync did."""

    transfers: int
    last_seq: int
    seconds: float
    records_refreshed: bool

    @property
    def transfers_per_s(self) -> float:
        """The rate of this sync (0 when nothing was appended)."""
        return self.transfers / self.seconds if self.seconds and self.transfers else 0.0


class Mirror:
    """The DuckDB mirror of one network (``<data>/analytics/mirror.duckdb``)."""

    def __init__(self, network: Network, path: Path | None = None) -> None:
        self.network = network
        self.path = path or network.settings.data_path / "analytics" / "mirror.duckdb"
        self.lock_path = self.path.with_suffix(".lock")
        self._state: FeedState | None = None
        self._state_lock = threading.Lock()
        self._views: list[AnalyticsView] | None = None
        self._records_at = 0.0
        self._records_txn = -1
        self._schema_ready = False
        #: read chunks from the store's pages (False: always through py-lmdb)
        self.use_pages = True
        #: chunks read through py-lmdb (the page reader declined them, or is not used)
        self.py_lmdb_chunks = 0

    @property
    def views(self) -> list[AnalyticsView]:
        """The plugins' tables and views (collected once)."""
        if self._views is None:
            self._views = collect_views(self.network.plugins)
        return self._views

    # -- access ------------------------------------------------------------------------

    @contextmanager
    def reading(self, *, timeout: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection to the mirror (synced first if it does not exist yet)."""
        if not self.path.exists():
            self.sync()
        with file_lock(self.lock_path, exclusive=False, timeout=timeout):
            con = duckdb.connect(str(self.path), read_only=True)
            try:
                yield con
            finally:
                con.close()

    @contextmanager
    def writing(self, *, timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """The read-write connection, under the exclusive lock (one writer at a time)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(self.lock_path, exclusive=True, timeout=timeout):
            con = duckdb.connect(str(self.path))
            try:
                if _version(con) not in (None, SCHEMA_VERSION):  # written by another version
                    con.close()
                    for stale in (self.path, self.path.with_name(self.path.name + ".wal")):
                        stale.unlink(missing_ok=True)
                    self._state, self._schema_ready = None, False
                    con = duckdb.connect(str(self.path))
                if not self._schema_ready or not _has_schema(con):
                    create_schema(con)
                    con.execute(
                        "INSERT OR REPLACE INTO mirror_state VALUES ('schema_version', ?)",
                        [SCHEMA_VERSION],
                    )
                    for view in self.views:
                        if not view.is_table:
                            con.execute(f"CREATE OR REPLACE VIEW {view.name} AS {view.sql}")
                    self._schema_ready = True
                yield con
            finally:
                con.close()

    def last_seq(self) -> int:
        """The last ledger sequence the mirror holds (0 when empty or missing)."""
        if not self.path.exists():
            return 0
        with self.reading() as con:
            return _last_seq(con)

    # -- sync --------------------------------------------------------------------------

    def sync(
        self,
        *,
        progress: Callable[[int, int], None] | None = None,
        chunk: int = CHUNK,
        records: bool | None = None,
        timeout: float | None = None,
    ) -> SyncReport:
        """Append new transfers and refresh records; ``progress(done, total)`` per chunk.

        ``records``: True refreshes the record tables, False never, None (the background
        task) when transfers arrived or ``RECORDS_EVERY`` seconds passed since the last one.
        """
        started = time.perf_counter()
        ledger = self.network.ledger
        txn_id = self.network.store.env.info()["last_txnid"]
        with self._state_lock, self.writing(timeout=timeout) as con:
            state = self._feed_state(con)
            first = state.last_seq
            total = ledger.head().seq - first
            done = 0
            if progress is not None:
                progress(0, max(total, 0))
            # the next chunk is decoded (Python, holding the GIL) while DuckDB inserts the
            # previous one in a second thread (DuckDB releases the GIL while it works)
            pending: queue.Queue[ChunkRows | None] = queue.Queue(maxsize=1)
            failure: list[BaseException] = []
            inserter = threading.Thread(
                target=self._insert_loop, args=(con, pending, failure), daemon=True
            )
            inserter.start()
            reader = PageReader(
                self.network.store.path / "data.mdb", "ledger:transfers", value_size=RECORD_SIZE
            )
            prepared: RecordRows | None = None
            now = time.monotonic()
            try:
                while not failure:
                    # a first chunk of one row group: DuckDB starts sooner
                    limit = min(chunk, ROW_GROUP) if not done else chunk
                    with self.network.store.read() as txn:
                        part = self._read(reader, txn, state.last_seq, limit)
                        if not part.count:
                            break
                        rows = state.rows(part, txn, self.network)
                    pending.put(rows)
                    done += part.count
                    if progress is not None:
                        progress(done, max(total, done))
                refresh = records
                if refresh is None:
                    stale = now - self._records_at >= RECORDS_EVERY
                    refresh = bool(done) or (stale and txn_id != self._records_txn)
                if refresh:  # read while DuckDB inserts the last chunks
                    prepared = collect_records(self.network, self.views)
            except BaseException:
                self._state = None  # half-applied in memory: reload from the file
                raise
            finally:
                reader.close()
                pending.put(None)
                inserter.join()
            if failure:
                self._state = None
                raise failure[0]
            appended = state.last_seq - first
            if prepared is not None:
                store_records(con, prepared, self.views)
                self._records_at, self._records_txn = now, txn_id
        return SyncReport(
            appended, state.last_seq, time.perf_counter() - started, prepared is not None
        )

    def _read(self, reader: PageReader, txn: lmdb.Transaction, after_seq: int, limit: int) -> Chunk:
        """Up to ``limit`` transfers after ``after_seq`` as columns, in ``txn``'s snapshot."""
        columns = reader.read(txn, after_seq + 1, limit, FIELDS) if self.use_pages else None
        if columns is None:
            raw = self.network.ledger.raw_changes_in(txn, after_seq, limit)
            self.py_lmdb_chunks += 1
            return Chunk(raw.first_seq, raw.count, columns_of(raw.records))
        return Chunk(after_seq + 1, len(columns["code"]), columns)

    def _feed_state(self, con: duckdb.DuckDBPyConnection) -> FeedState:
        """The in-memory state, reloaded when another process or object wrote the file."""
        last = _last_seq(con)
        if self._state is None or self._state.last_seq != last:
            known = con.execute(
                "SELECT account_no, account, instance FROM accounts ORDER BY account_no"
            ).fetchall()
            self._state = FeedState.load([(n, int(a), s) for n, a, s in known], last)
        return self._state

    def _insert_loop(
        self,
        con: duckdb.DuckDBPyConnection,
        pending: queue.Queue[ChunkRows | None],
        failure: list[BaseException],
    ) -> None:
        """The inserting thread: append each decoded chunk until ``None`` (or a failure)."""
        cursor = con.cursor()
        try:
            while (rows := pending.get()) is not None:
                if not failure:
                    try:
                        self._append(cursor, rows)
                    except BaseException as exc:
                        failure.append(exc)
        finally:
            cursor.close()

    def _append(self, con: duckdb.DuckDBPyConnection, rows: ChunkRows) -> None:
        """One chunk in one transaction: accounts, operations, transfers, ``last_seq``."""
        con.execute("BEGIN")
        try:
            if rows.accounts is not None:
                con.register("_accounts_chunk", rows.accounts)
                con.execute("INSERT INTO accounts BY NAME SELECT * FROM _accounts_chunk")
                con.unregister("_accounts_chunk")
            if rows.operations is not None:
                con.register("_noted_chunk", rows.operations)
                con.execute("INSERT INTO operation_notes BY NAME SELECT * FROM _noted_chunk")
                con.unregister("_noted_chunk")
            if rows.looked_up is not None:  # an operation may span two chunks: once only
                con.register("_looked_up_chunk", rows.looked_up)
                con.execute(
                    "INSERT INTO operation_notes BY NAME SELECT * FROM _looked_up_chunk "
                    "WHERE ref NOT IN (SELECT ref FROM operation_notes WHERE first_seq >= "
                    "(SELECT min(first_seq)::BIGINT FROM _looked_up_chunk) - 8192)"
                )
                con.unregister("_looked_up_chunk")
            con.register("_transfers_chunk", rows.transfers)
            con.execute("INSERT INTO transfers BY NAME SELECT * FROM _transfers_chunk")
            con.unregister("_transfers_chunk")
            con.execute(
                "INSERT OR REPLACE INTO mirror_state VALUES ('last_seq', ?), ('schema_version', ?)",
                [str(rows.last_seq), SCHEMA_VERSION],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            self._state = None
            raise


def _version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The schema version the file was written with (None: a new file)."""
    if not _has_schema(con):
        return None
    found = con.execute("SELECT value FROM mirror_state WHERE key = 'schema_version'").fetchone()
    return str(found[0]) if found else "1"


def _has_schema(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'mirror_state'"
    ).fetchone()
    return bool(found and found[0])


def _last_seq(con: duckdb.DuckDBPyConnection) -> int:
    found = con.execute("SELECT value FROM mirror_state WHERE key = 'last_seq'").fetchone()
    return int(found[0]) if found else 0
