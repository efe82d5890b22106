"""The ledger benchmark: TigerBeetle's workload on this ledger, its SQLite peer and raw LMDB.

Workload (TigerBeetle's own benchmark): ``accounts`` accounts on one ledger, transfers between
uniformly random distinct pairs, in batches of ``batch`` (8189), one durable commit per batch.
Generating the events is not timed; ``create_transfers`` is, from call to durable return.

Measured in one process, one after the other, so ratios compare like with like:

- ``transfers_per_s``: this ledger (LMDB, synchronous commit per batch);
- ``sqlite_transfers_per_s``: the same rules on SQLite (see :mod:`core.ledger.sqlite_peer`);
- ``raw_lmdb_records_per_s``: ``putmulti`` of as many 160-byte records, same batches and
  commits, no rules: the storage's own limit;
- ``group_commit_transfers_per_s``: ``group_threads`` threads each submitting single transfers
  through the store's group-commit writer;
- ``verify_transfers_per_s``: :meth:`Ledger.verify` over the chain just written (its bulk
  pass's modules, NumPy among them, are imported before: a once-per-process cost of about
  0.2 s that a server or a second verification does not pay again);
- ``bytes_per_transfer``: the LMDB file's used pages divided by the transfers.

:func:`bench_bulk_vs_engine` (``tirelire bench ledger --compare-bulk``) measures the bulk path
of plain batches (:mod:`core.ledger.bulk`) against the event-by-event engine in one process.
"""

from __future__ import annotations

import os
import platform
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import lmdb

from core.ledger.ledger import Ledger
from core.ledger.model import BATCH_MAX, Account, CreateTransferResult, Transfer
from core.ledger.sqlite_peer import SqliteLedger

__all__ = ["BenchConfig", "bench_bulk_vs_engine", "run_benchmark", "workload"]

OK = CreateTransferResult.OK


@dataclass
class BenchConfig:
    """The sizes of one benchmark run (defaults: TigerBeetle's workload)."""

    transfers: int = 1_000_000
    accounts: int = 10_000
    batch: int = BATCH_MAX
    group_transfers: int = 64_000
    group_threads: int = 64
    sqlite: bool = True
    seed: int = 20261121


def workload(cfg: BenchConfig, first_id: int = 1) -> Iterator[list[Transfer]]:
    """Batches of transfers between uniformly random distinct accounts (seeded)."""
    rng = random.Random(cfg.seed)
    randrange = rng.randrange
    n = cfg.accounts
    next_id = first_id
    left = cfg.transfers
    while left > 0:
        size = min(cfg.batch, left)
        batch = []
        for i in range(next_id, next_id + size):
            d = randrange(n) + 1
            c = randrange(n - 1) + 1
            if c >= d:
                c += 1
            batch.append(
                Transfer(
                    id=i,
                    debit_account_id=d,
                    credit_account_id=c,
                    amount=1 + i % 100,
                    ledger=1,
                    code=1,
                )
            )
        next_id += size
        left -= size
        yield batch


def _accounts(cfg: BenchConfig) -> list[Account]:
    return [Account(id=i, ledger=1, code=1) for i in range(1, cfg.accounts + 1)]


def _create_accounts(ledger: Ledger, cfg: BenchConfig) -> None:
    accounts = _accounts(cfg)
    for start in range(0, len(accounts), BATCH_MAX):
        ledger.create_accounts(accounts[start : start + BATCH_MAX])


def bench_ledger(path: Path, cfg: BenchConfig) -> dict[str, float]:
    """This ledger on TigerBeetle's workload; then verification and size."""
    import core.ledger.verify_fast  # noqa: F401  (see the module docstring: not timed)

    ledger = Ledger.open(path)
    try:
        _create_accounts(ledger, cfg)
        elapsed = 0.0
        done = 0
        for batch in workload(cfg):
            started = time.perf_counter()
            results = ledger.create_transfers(batch)
            elapsed += time.perf_counter() - started
            if results.count(OK) != len(batch):
                raise RuntimeError(f"unexpected results: {set(results)}")
            done += len(batch)
        report = ledger.verify()
        if not report.ok:
            raise RuntimeError(report.summary())
        info = ledger.store.env.info()
        stat = ledger.store.env.stat()
        used = (info["last_pgno"] + 1) * stat["psize"]
    finally:
        ledger.close()
    return {
        "transfers_per_s": done / elapsed,
        "ledger_seconds": elapsed,
        "verify_transfers_per_s": report.transfers / report.seconds,
        "verify_seconds": report.seconds,
        "bytes_per_transfer": used / max(done, 1),
    }


def bench_bulk_vs_engine(directory: Path, cfg: BenchConfig) -> dict[str, Any]:
    """The same workload on two ledgers in one process: bulk path on, bulk path off.

    Each batch goes to both, alternately first, so that the machine's load falls on both
    alike; ``bulk_speedup`` is the ratio of their rates.
    """
    import core.ledger.verify_fast  # noqa: F401  (NumPy imported before the timing)

    ledgers = {"bulk": Ledger.open(directory / "bulk"), "engine": Ledger.open(directory / "engine")}
    ledgers["engine"].bulk = False
    elapsed = dict.fromkeys(ledgers, 0.0)
    done = 0
    try:
        for ledger in ledgers.values():
            _create_accounts(ledger, cfg)
        for k, batch in enumerate(workload(cfg)):
            names = ["bulk", "engine"] if k % 2 == 0 else ["engine", "bulk"]
            for name in names:
                started = time.perf_counter()
                results = ledgers[name].create_transfers(batch)
                elapsed[name] += time.perf_counter() - started
                if results.count(OK) != len(batch):
                    raise RuntimeError(f"unexpected results: {set(results)}")
            done += len(batch)
        bulk_batches = ledgers["bulk"].bulk_batches
    finally:
        for ledger in ledgers.values():
            ledger.close()
    return {
        "config": asdict(cfg),
        "bulk_transfers_per_s": done / elapsed["bulk"],
        "engine_transfers_per_s": done / elapsed["engine"],
        "bulk_speedup": elapsed["engine"] / elapsed["bulk"],
        "bulk_batches": bulk_batches,
    }


def bench_sqlite(path: Path, cfg: BenchConfig) -> dict[str, float]:
    """The same rules and workload on SQLite (WAL, synchronous=FULL)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    peer = SqliteLedger(path)
    try:
        peer.create_accounts(_accounts(cfg), time.time_ns())
        elapsed = 0.0
        done = 0
        for batch in workload(cfg):
            started = time.perf_counter()
            results = peer.create_transfers(batch, time.time_ns())
            elapsed += time.perf_counter() - started
            if results.count(OK) != len(batch):
                raise RuntimeError(f"unexpected results: {set(results)}")
            done += len(batch)
    finally:
        peer.close()
    return {"sqlite_transfers_per_s": done / elapsed, "sqlite_seconds": elapsed}


def bench_raw_lmdb(path: Path, cfg: BenchConfig) -> dict[str, float]:
    """``putmulti`` of 160-byte records, same batches, one synchronous commit per batch."""
    env = lmdb.open(str(path), map_size=1 << 36, sync=True, metasync=True)
    try:
        record = bytes(range(160))
        elapsed = 0.0
        seq = 0
        while seq < cfg.transfers:
            size = min(cfg.batch, cfg.transfers - seq)
            items = [((seq + k + 1).to_bytes(8, "big"), record) for k in range(size)]
            started = time.perf_counter()
            with env.begin(write=True) as txn:
                txn.cursor().putmulti(items, append=True)
            elapsed += time.perf_counter() - started
            seq += size
    finally:
        env.close()
    return {"raw_lmdb_records_per_s": cfg.transfers / elapsed, "raw_lmdb_seconds": elapsed}


def bench_group_commit(path: Path, cfg: BenchConfig) -> dict[str, float]:
    """``group_threads`` threads each submitting single transfers through group commit."""
    import core.ledger.verify_fast  # noqa: F401  (see the module docstring: not timed)

    ledger = Ledger.open(path)
    try:
        _create_accounts(ledger, cfg)
        per_thread = max(1, cfg.group_transfers // cfg.group_threads)
        n = cfg.accounts
        failures: list[Any] = []
        barrier = threading.Barrier(cfg.group_threads + 1)

        def client(k: int) -> None:
            rng = random.Random(cfg.seed + k)
            base = 1 + k * per_thread
            barrier.wait()
            for i in range(base, base + per_thread):
                d = rng.randrange(n) + 1
                c = rng.randrange(n - 1) + 1
                c += c >= d
                t = Transfer(
                    id=i, debit_account_id=d, credit_account_id=c, amount=1, ledger=1, code=1
                )
                if ledger.create_transfers([t], grouped=True) != [OK]:
                    failures.append(i)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(cfg.group_threads)]
        for thread in threads:
            thread.start()
        commits = ledger.store.stats.write_transactions
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        commits = ledger.store.stats.write_transactions - commits
        if failures:
            raise RuntimeError(f"{len(failures)} grouped transfers failed")
        if not ledger.verify().ok:
            raise RuntimeError("verification failed after the group-commit run")
    finally:
        ledger.close()
    total = per_thread * cfg.group_threads
    return {
        "group_commit_transfers_per_s": total / elapsed,
        "group_commit_transfers_per_commit": total / max(commits, 1),
    }


def run_benchmark(directory: Path, cfg: BenchConfig) -> dict[str, Any]:
    """Run every part in ``directory`` (fresh sub-directories) and return the figures."""
    directory.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"config": asdict(cfg)}
    out.update(bench_ledger(directory / "ledger", cfg))
    if cfg.sqlite:
        out.update(bench_sqlite(directory / "peer.sqlite", cfg))
        out["ratio_vs_sqlite"] = out["transfers_per_s"] / out["sqlite_transfers_per_s"]
    out.update(bench_raw_lmdb(directory / "raw", cfg))
    out.update(bench_group_commit(directory / "group", cfg))
    out["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "lmdb": lmdb.version(),
        "platform": platform.platform(),
    }
    return out
