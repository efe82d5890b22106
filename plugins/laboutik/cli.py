"""``tirelire laboutik ...``: close days from a scheduler, measure the payment path.

``tirelire laboutik close --instance le-bisik`` closes every day whose closure hour has passed
(run it from cron a few minutes after the closure hour; running it again closes nothing
twice). ``tirelire laboutik bench`` measures ring-up and card payment through the service.
"""

from __future__ import annotations

import json
import os

import click

from core import Network, load_settings

from .service import laboutik_of

__all__ = ["laboutik"]


def _open(data: str | None) -> Network:
    directory = data or os.environ.get("TIRELIRE_DATA") or "data"
    return Network.open(load_settings(directory))


@click.group("laboutik")
def laboutik() -> None:
    """The cash register (LaBoutik): closures and benchmarks."""


@laboutik.command("close")
@click.option("--data", type=click.Path(file_okay=False), help="Data directory.")
@click.option("--instance", "slug", required=True, help="The instance (slug) whose days close.")
@click.option("--now", "early", is_flag=True, help="Also close the open period now (early).")
def close_command(data: str | None, slug: str, early: bool) -> None:
    """Close every finished day of an instance (and, with --now, the open period)."""
    with _open(data) as network:
        if network.instances.get(slug) is None:
            raise click.UsageError(f"no instance {slug!r}")
        service = laboutik_of(network)
        done = service.closures.close_due(slug, author="cli")
        if early and service.closures.period(slug) is not None:
            done.append(service.closures.close(slug, author="cli", early=True))
    for closure in done:
        click.echo(
            f"Z{closure.number} {closure.business_date}: {closure.report.orders} orders, "
            f"{closure.report.sales_total} cents"
        )
    if not done:
        click.echo("nothing to close")


@laboutik.command("bench")
@click.option("--orders", default=1000, show_default=True, type=int, help="Orders to pay.")
@click.option("--threads", default=8, show_default=True, type=int, help="Cashiers at once.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench_command(orders: int, threads: int, as_json: bool) -> None:
    """Ring up and pay orders by card through the service, in a temporary network."""
    from .bench import bench_payments

    if orders < 1 or threads < 1:
        raise click.UsageError("--orders and --threads must be at least 1")
    figures = bench_payments(orders=orders, threads=threads)
    if as_json:
        click.echo(json.dumps(figures))
        return
    click.echo(
        f"{figures['orders']} orders by {figures['threads']} threads: "
        f"{figures['payments_per_s']:.0f} card payments/s; payment p50 {figures['p50_ms']:.2f} ms, "
        f"p99 {figures['p99_ms']:.2f} ms"
    )
