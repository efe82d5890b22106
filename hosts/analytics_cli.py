"""The analytics commands: ``tirelire analytics sync|sql|export`` and ``tirelire bench analytics``.

``hosts/cli.py`` mounts :data:`analytics` and adds :data:`bench_analytics` to ``tirelire
bench``. A refused or failing query, a missing data directory or an unknown instance ends
with one line on stderr and a non-zero status (the CLI's ``main`` prints ClickExceptions).
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from core.analytics import Mirror
from core.analytics.bench import BenchFigures, run_bench
from core.analytics.console import Console, ConsoleError
from core.analytics.export import export_parquet
from core.analytics.reports import Scope
from core.network import Network
from core.settings import load_settings

__all__ = ["analytics", "bench_analytics"]


def _open(data: str | None) -> Network:
    directory = Path(data or os.environ.get("TIRELIRE_DATA") or "data")
    if not (directory / "store").is_dir():
        raise click.ClickException(f"no network in {directory} (expected {directory / 'store'})")
    return Network.open(load_settings(directory))


_data = click.option(
    "--data", default=None, help="Data directory (default: $TIRELIRE_DATA or ./data)."
)


@click.group("analytics")
def analytics() -> None:
    """The analytics mirror (DuckDB): sync it, query it, export it."""


@analytics.command("sync")
@_data
def sync(data: str | None) -> None:
    """Bring the mirror up to date with the ledger (a progress bar while it works)."""
    with _open(data) as network:
        mirror = Mirror(network)
        todo = max(network.ledger.head().seq - mirror.last_seq(), 0)
        with click.progressbar(length=todo, label="transfers", file=sys.stderr) as bar:
            seen = [0]

            def progress(done: int, total: int) -> None:
                bar.update(done - seen[0])
                seen[0] = done

            report = mirror.sync(progress=progress, records=True)
    rate = f", {report.transfers_per_s:,.0f} transfers/s" if report.transfers else ""
    click.echo(
        f"mirror at sequence {report.last_seq}: {report.transfers:,} new transfers in "
        f"{report.seconds:.2f} s{rate} ({mirror.path})"
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@analytics.command("sql")
@_data
@click.option("--instance", "slug", required=True, help="Whose rows the query sees (a slug).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.argument("query")
def sql(data: str | None, slug: str, as_csv: bool, query: str) -> None:
    """Run one SELECT over an instance's rows only (the console's rules)."""
    with _open(data) as network:
        if network.instances.get(slug) is None:
            raise click.ClickException(f"no instance {slug!r}")
        instance = network.instances.get(slug)
        mirror = Mirror(network)
        mirror.sync()
        console = Console(mirror, timeout=network.settings.analytics_query_seconds)
        enabled = frozenset(instance.enabled_plugins) if instance else frozenset()
        try:
            result = console.run(Scope(slug), query, plugins=enabled)
        except ConsoleError as exc:
            raise click.ClickException(f"query {exc.kind}: {exc.reason}") from None
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([[_text(v) for v in row] for row in result.rows])
    else:
        rows = [result.columns, *[[_text(v) for v in row] for row in result.rows]]
        widths = [max(len(r[i]) for r in rows) for i in range(len(result.columns))]
        for row in rows:
            click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    if result.truncated:
        click.echo(f"(only the first {len(result.rows)} rows)", err=True)


@analytics.command("export")
@_data
@click.option(
    "--format", "fmt", type=click.Choice(["parquet"]), default="parquet", show_default=True
)
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Output directory.")
def export(data: str | None, fmt: str, out: str) -> None:
    """Write the mirror as Hive-partitioned Parquet (instance=.../month=...)."""
    with _open(data) as network:
        mirror = Mirror(network)
        mirror.sync(records=True)
        counts = export_parquet(mirror, Path(out))
    click.echo(f"exported {counts['transfers']:,} transfers as {fmt} to {out}")


@click.command("analytics")
@click.option(
    "--transfers", default=10_000_000, show_default=True, help="Transfers in the built ledger."
)
@click.option("--data", "data_dir", default=None, help="Build here (default: a temporary dir).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench_analytics(transfers: int, data_dir: str | None, as_json: bool) -> None:
    """Build a network-shaped ledger (not timed), then time the sync and two reports."""
    if transfers < 100:
        raise click.UsageError("--transfers must be at least 100")
    if data_dir is not None:
        target = Path(data_dir)
        if target.exists() and any(target.iterdir()):
            raise click.ClickException(f"{target} is not empty")
        figures = run_bench(target, transfers)
    else:
        with tempfile.TemporaryDirectory(prefix="tirelire-bench-analytics-") as tmp:
            figures = run_bench(Path(tmp), transfers)
    if as_json:
        click.echo(json.dumps(figures.as_dict()))
    else:
        click.echo(_table(figures))


def _table(f: BenchFigures) -> str:
    return "\n".join(
        [
            f"{f.transfers:,} transfers (built in {f.build_seconds:.1f} s, not timed)",
            f"sync (empty mirror)       {f.sync_transfers_per_s:>14,.0f} transfers/s "
            f"({f.sync_seconds:.2f} s)",
            f"per-place report          {f.per_place_ms:>14.1f} ms",
            f"monthly sales report      {f.monthly_sales_ms:>14.1f} ms",
            f"mirror size               {f.mirror_bytes / 1e6:>14.1f} MB",
        ]
    )
