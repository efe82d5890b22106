"""Ledger benchmarks (pytest-benchmark): TigerBeetle's workload, the SQLite peer, raw LMDB,
group commit and verification. The workload is written down in :mod:`core.ledger.bench`.

Small by default so the file runs in seconds in CI (where ``--benchmark-disable`` runs each
once, as a test). ``TIRELIRE_BENCH_SIZE=full`` runs the real size: 1,000,000 transfers over
10,000 accounts in batches of 8189. These tests check outcomes, never timings.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

from core.ledger import Ledger
from core.ledger.bench import (
    BenchConfig,
    bench_bulk_vs_engine,
    bench_group_commit,
    bench_ledger,
    bench_raw_lmdb,
    bench_sqlite,
)

FULL = os.environ.get("TIRELIRE_BENCH_SIZE") == "full"
CFG = (
    BenchConfig()
    if FULL
    else BenchConfig(transfers=20_000, accounts=1_000, group_transfers=2_048, group_threads=64)
)
_runs = itertools.count()


def fresh(tmp_path: Path, name: str) -> Path:
    """A new directory per round (a benchmark may run its function several times)."""
    return tmp_path / f"{name}-{next(_runs)}"


def test_ledger_batched(benchmark: Any, tmp_path: Path) -> None:
    figures = benchmark.pedantic(
        lambda: bench_ledger(fresh(tmp_path, "ledger"), CFG), rounds=1, iterations=1
    )
    assert figures["transfers_per_s"] > 0 and figures["bytes_per_transfer"] > 160


def test_sqlite_peer(benchmark: Any, tmp_path: Path) -> None:
    figures = benchmark.pedantic(
        lambda: bench_sqlite(fresh(tmp_path, "peer") / "peer.sqlite", CFG), rounds=1, iterations=1
    )
    assert figures["sqlite_transfers_per_s"] > 0


def test_raw_lmdb_putmulti(benchmark: Any, tmp_path: Path) -> None:
    figures = benchmark.pedantic(
        lambda: bench_raw_lmdb(fresh(tmp_path, "raw"), CFG), rounds=1, iterations=1
    )
    assert figures["raw_lmdb_records_per_s"] > 0


def test_group_commit_64_threads(benchmark: Any, tmp_path: Path) -> None:
    figures = benchmark.pedantic(
        lambda: bench_group_commit(fresh(tmp_path, "group"), CFG), rounds=1, iterations=1
    )
    assert figures["group_commit_transfers_per_commit"] > 1  # commits were shared


def test_verify(benchmark: Any, tmp_path: Path) -> None:
    path = fresh(tmp_path, "verify")
    bench_ledger(path, CFG)
    with Ledger.open(path) as ledger:
        report = benchmark(ledger.verify)
    assert report.ok and report.transfers == CFG.transfers


def test_bulk_path_against_engine(benchmark: Any, tmp_path: Path) -> None:
    figures = benchmark.pedantic(
        lambda: bench_bulk_vs_engine(fresh(tmp_path, "compare"), CFG), rounds=1, iterations=1
    )
    assert figures["bulk_batches"] == -(-CFG.transfers // CFG.batch)
    assert figures["bulk_transfers_per_s"] > 0 and figures["engine_transfers_per_s"] > 0
