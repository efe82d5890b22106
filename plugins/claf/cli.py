"""``tirelire claf ...``: the fund's commands (added through ``register_commands``).

``tirelire claf bench [--beneficiaries N]`` runs the benchmark of :mod:`.bench` on a temporary
network and prints its figures.

``tirelire claf allocate --instance SLUG --month YYYY-MM [--data DIR]`` grants the month's
allocation to each active beneficiary of the fund and prints one line per beneficiary
(``granted``, ``already_granted``, ``stopped``, ``failed``) and a total. Running it again
grants nothing more. The exit status is 1 when a grant failed, 0 otherwise; a mistake (no data
directory, no such fund, a bad month) is one line on stderr (the ``tirelire`` command's rule).
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

import click

from core import Network, PluginManager, SettingsError, load_settings
from core.wallets import MoneyError

from .amounts import month_of, plain
from .bench import bench_allocation
from .errors import ClafError
from .service import claf_of

__all__ = ["claf_group"]


@click.group("claf")
def claf_group() -> None:
    """The CLAF food fund: monthly allocations, and their benchmark."""


@claf_group.command("allocate")
@click.option("--instance", "slug", required=True, help="The food fund's slug.")
@click.option(
    "--month",
    default=None,
    help="The month to grant, YYYY-MM (default: the current month).",
)
@click.option(
    "--data", "data_dir", default=None, help="Data directory (default: $TIRELIRE_DATA or ./data)."
)
@click.option("--author", default="cli", show_default=True, help="Who runs it (kept on grants).")
@click.pass_context
def allocate(
    ctx: click.Context, slug: str, month: str | None, data_dir: str | None, author: str
) -> None:
    """Grant each active beneficiary of a fund its monthly allocation, once per month."""
    directory = Path(data_dir or os.environ.get("TIRELIRE_DATA") or "data")
    if not (directory / "store").is_dir():
        raise click.ClickException(f"no network in {directory} (no store there)")
    try:
        settings = load_settings(directory)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    plugins = (ctx.obj or {}).get("plugins") or PluginManager()
    chosen = month or month_of(datetime.date.today())
    with Network.open(settings, plugins=plugins) as network:
        try:
            report = claf_of(network).allocate(slug, chosen, author=author)
        except (ClafError, MoneyError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"{report.fund} {report.month}: allocations in {report.asset_code}")
    for line in report.lines:
        detail = f" ({line.detail})" if line.detail else ""
        click.echo(f"  {line.status:<16} {line.email:<40} {plain(line.amount):>10}{detail}")
    granted = report.of("granted")
    click.echo(
        f"granted {len(granted)}, total {plain(report.granted_total)} {report.asset_code}; "
        f"already granted {len(report.of('already_granted'))}, "
        f"stopped {len(report.of('stopped'))}, failed {len(report.of('failed'))}"
    )
    if report.of("failed"):
        raise SystemExit(1)


@claf_group.command("bench")
@click.option("--beneficiaries", default=2_000, show_default=True, type=int,
              help="How many beneficiaries to register and grant.")  # fmt: skip
def bench(beneficiaries: int) -> None:
    """Measure the import and the month's allocation (workload: plugins/claf/bench.py)."""
    if beneficiaries < 1:
        raise click.BadParameter("must be at least 1", param_hint="'--beneficiaries'")
    with tempfile.TemporaryDirectory(prefix="tirelire-claf-bench-") as directory:
        figures = bench_allocation(Path(directory), beneficiaries)
    click.echo(f"{beneficiaries:,} beneficiaries (a temporary network; one machine)")
    click.echo(f"  CSV import (one write)           {figures['import_per_s']:>10,.0f} rows/s")
    click.echo(
        f"  allocate (group commit)          {figures['allocate_grants_per_s']:>10,.0f} grants/s"
        f"  in {figures['allocate_commits']} commits"
    )
    click.echo(f"  allocate again (all done)        {figures['replay_per_s']:>10,.0f} checks/s")
    click.echo(
        f"  one write per grant (baseline)   {figures['one_write_each_grants_per_s']:>10,.0f}"
        f" grants/s  in {figures['one_write_each_commits']} commits"
        f" ({figures['baseline_beneficiaries']:,} grants)"
    )
