"""The ledger's commands: ``tirelire ledger verify`` and ``tirelire bench ledger``.

``hosts/cli.py`` mounts :data:`ledger` as ``tirelire ledger`` and :data:`bench_ledger` inside
the ``tirelire bench`` group. A problem the user can cause (a missing data directory, a broken
ledger) ends with one line and a non-zero status, never a traceback.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click

from core.ledger import Ledger
from core.ledger.bench import BenchConfig, bench_bulk_vs_engine, run_benchmark
from core.settings import SettingsError, load_settings
from core.store import Store

__all__ = ["bench_ledger", "ledger"]


@click.group("ledger")
def ledger() -> None:
    """The ledger: verify its chain and balances."""


@ledger.command("verify")
@click.option(
    "--data", "data_dir", default=None, help="Data directory (default: $TIRELIRE_DATA or ./data)."
)
def verify(data_dir: str | None) -> None:
    """Replay the whole chain, recompute every balance; exit 1 naming the first bad transfer."""
    directory = Path(data_dir or os.environ.get("TIRELIRE_DATA") or "data")
    if not directory.is_dir():
        raise click.ClickException(f"no data directory at {directory}")
    try:
        settings = load_settings(directory)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    if not settings.store_path.is_dir():
        raise click.ClickException(f"no store in {directory} (expected {settings.store_path})")
    store = Store.open(settings.store_path)
    try:
        report = Ledger(store).verify()
    finally:
        store.close()
    click.echo(f"{report.summary()} ({report.seconds:.2f} s)")
    if not report.ok:
        for error in report.errors[:10]:
            click.echo(f"  {error}", err=True)
        raise SystemExit(1)


def _table(figures: dict[str, object]) -> str:
    cfg = figures["config"]
    assert isinstance(cfg, dict)
    rows = [
        ("this ledger (LMDB)", "transfers/s", figures.get("transfers_per_s")),
        ("same rules on SQLite (WAL)", "transfers/s", figures.get("sqlite_transfers_per_s")),
        ("  ratio ledger / SQLite", "x", figures.get("ratio_vs_sqlite")),
        ("raw LMDB putmulti", "records/s", figures.get("raw_lmdb_records_per_s")),
        (f"group commit, {cfg['group_threads']} threads", "transfers/s",
         figures.get("group_commit_transfers_per_s")),
        ("  transfers per commit", "", figures.get("group_commit_transfers_per_commit")),
        ("verify (replay + balances)", "transfers/s", figures.get("verify_transfers_per_s")),
        ("storage", "bytes/transfer", figures.get("bytes_per_transfer")),
    ]  # fmt: skip
    lines = [
        f"{cfg['transfers']:,} transfers, {cfg['accounts']:,} accounts, batches of {cfg['batch']}, "
        "durable commit per batch"
    ]
    for label, unit, value in rows:
        if value is not None:
            shown = f"{value:,.1f}" if unit in {"x", ""} else f"{value:,.0f}"
            lines.append(f"{label:<34} {shown:>14} {unit}")
    return "\n".join(lines)


@click.command("ledger")
@click.option("--transfers", default=1_000_000, show_default=True, help="Transfers to create.")
@click.option("--accounts", default=10_000, show_default=True, help="Accounts to spread them over.")
@click.option("--batch", default=8189, show_default=True, help="Transfers per batch (<= 8189).")
@click.option(
    "--group-transfers",
    default=64_000,
    show_default=True,
    help="Transfers of the group-commit run.",
)
@click.option("--threads", default=64, show_default=True, help="Threads of the group-commit run.")
@click.option("--no-sqlite", is_flag=True, help="Skip the SQLite peer.")
@click.option(
    "--data", "data_dir", default=None, help="Work in this directory (default: a temporary one)."
)
@click.option(
    "--compare-bulk",
    is_flag=True,
    help="Only compare the bulk path of plain batches with the engine, in one process.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench_ledger(
    transfers: int,
    accounts: int,
    batch: int,
    group_transfers: int,
    threads: int,
    no_sqlite: bool,
    data_dir: str | None,
    compare_bulk: bool,
    as_json: bool,
) -> None:
    """TigerBeetle's benchmark workload on the ledger, its SQLite peer and raw LMDB."""
    if transfers < 1 or accounts < 2 or not 1 <= batch <= 8189 or threads < 1:
        raise click.UsageError("need --transfers >= 1, --accounts >= 2, 1 <= --batch <= 8189")
    cfg = BenchConfig(
        transfers=transfers,
        accounts=accounts,
        batch=batch,
        group_transfers=max(group_transfers, threads),
        group_threads=threads,
        sqlite=not no_sqlite,
    )
    if data_dir is not None:
        target = Path(data_dir)
        if target.exists() and any(target.iterdir()):
            raise click.ClickException(f"{target} is not empty")
        figures = (bench_bulk_vs_engine if compare_bulk else run_benchmark)(target, cfg)
    else:
        with tempfile.TemporaryDirectory(prefix="tirelire-bench-") as tmp:
            figures = (bench_bulk_vs_engine if compare_bulk else run_benchmark)(Path(tmp), cfg)
    if as_json:
        click.echo(json.dumps(figures))
    elif compare_bulk:
        click.echo(
            f"bulk path {figures['bulk_transfers_per_s']:,.0f} transfers/s, engine "
            f"{figures['engine_transfers_per_s']:,.0f} transfers/s: "
            f"{figures['bulk_speedup']:.2f} x ({figures['bulk_batches']} bulk batches)"
        )
    else:
        click.echo(_table(figures))
