"""The ledger's commands, driven with click's CliRunner on real data directories."""

from __future__ import annotations

import json
from pathlib import Path

import lmdb
from click.testing import CliRunner

from core.ledger import Account, Ledger, Transfer
from hosts.ledger_cli import bench_ledger, ledger


def make_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    with Ledger.open(data / "store") as lg:
        lg.create_accounts([Account(id=1, ledger=1, code=1), Account(id=2, ledger=1, code=1)])
        transfers = [
            Transfer(id=i, debit_account_id=1, credit_account_id=2, amount=i, ledger=1, code=1)
            for i in range(1, 11)
        ]
        lg.create_transfers(transfers)
    return data


def test_verify_ok(tmp_path: Path) -> None:
    data = make_data(tmp_path)
    result = CliRunner().invoke(ledger, ["verify", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ledger ok: 10 transfers, 2 accounts")


def test_verify_names_the_bad_transfer(tmp_path: Path) -> None:
    data = make_data(tmp_path)
    env = lmdb.open(str(data / "store"), max_dbs=256)
    db = env.open_db(b"ledger:transfers")
    with env.begin(write=True) as txn:
        raw = bytearray(txn.get((4).to_bytes(8, "big"), db=db))
        raw[32 + 48] ^= 0x10  # amount of seq 4
        txn.put((4).to_bytes(8, "big"), bytes(raw), db=db)
    env.close()
    result = CliRunner().invoke(ledger, ["verify", "--data", str(data)])
    assert result.exit_code == 1
    assert "FAILED" in result.output and "transfer seq 4 (id" in result.output


def test_verify_missing_data_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(ledger, ["verify", "--data", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: no data directory at {tmp_path / 'nope'}"
    assert "Traceback" not in result.output


def test_bench_json(tmp_path: Path) -> None:
    args = ["--transfers", "3000", "--accounts", "100", "--batch", "1000"]
    args += ["--group-transfers", "256", "--threads", "8", "--json"]
    result = CliRunner().invoke(bench_ledger, [*args, "--data", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    for key in (
        "transfers_per_s",
        "sqlite_transfers_per_s",
        "raw_lmdb_records_per_s",
        "group_commit_transfers_per_s",
        "verify_transfers_per_s",
        "bytes_per_transfer",
    ):
        assert figures[key] > 0, key
    assert figures["config"]["transfers"] == 3000


def test_bench_table(tmp_path: Path) -> None:
    args = ["--transfers", "500", "--accounts", "50", "--group-transfers", "64", "--threads", "4"]
    result = CliRunner().invoke(bench_ledger, [*args, "--no-sqlite"])
    assert result.exit_code == 0, result.output
    assert "this ledger (LMDB)" in result.output and "SQLite" not in result.output


def test_bench_compare_bulk(tmp_path: Path) -> None:
    args = ["--transfers", "3000", "--accounts", "100", "--batch", "1000", "--compare-bulk"]
    result = CliRunner().invoke(bench_ledger, [*args, "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["bulk_batches"] == 3
    assert figures["bulk_transfers_per_s"] > 0 and figures["engine_transfers_per_s"] > 0
    assert figures["bulk_speedup"] > 0
    result = CliRunner().invoke(bench_ledger, ["--transfers", "500", "--compare-bulk"])
    assert result.exit_code == 0, result.output
    assert "bulk path" in result.output and "(1 bulk batches)" in result.output


def test_bench_refuses_bad_sizes() -> None:
    result = CliRunner().invoke(bench_ledger, ["--batch", "9000"])
    assert result.exit_code == 2 and "8189" in result.output
