"""The producer's page: its balance in each fund's asset, payments received, remittances.

``/claf/producteur`` (treasurer, or admin, of the producer's instance) shows, for each food
fund that invited the place to share its asset: the invitation's state, the balance (what the
fund will pay by bank transfer), the payments received in a period (``du``/``au``, this month
so far by default) with their total, and every remittance. ``paiements.csv`` and
``remises.csv`` export them. The payer of each payment is not shown: beneficiaries of a food
fund keep their privacy; the fund, not the producer, knows who they are.
"""

from __future__ import annotations

import datetime
from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from core import Instance, Network
from core.wallets import WalletRef

from ..exports import payments_csv, remittances_csv
from ..service import claf_of
from .common import TREASURER, csv_response, period, render

__all__ = ["PRODUCER_ROUTES"]


def _sections(network: Network, place: str, start: datetime.date, end: datetime.date) -> list[Any]:
    claf = claf_of(network)
    sections = []
    for fund, asset, status in claf.funds_of_place(place):
        payments = claf.payments_received(place, asset.id, start, end)
        fund_instance = network.instances.get(fund.slug)
        sections.append(
            {
                "fund": fund,
                "fund_name": fund_instance.name if fund_instance else fund.slug,
                "asset": asset,
                "status": status,
                "balance": network.money.balance(WalletRef.instance(place), asset.id),
                "payments": payments,
                "received": sum(p.amount for p in payments),
                "remittances": network.money.remittances(instance=place, asset_id=asset.id),
            }
        )
    return sections


@get("/claf/producteur", opt=TREASURER, sync_to_thread=False, include_in_schema=False)
def producer(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    du: FromQuery[str | None] = None,
    au: FromQuery[str | None] = None,
) -> Template:
    """What this place holds and received in each food fund's asset."""
    start, end, error = period(du, au, datetime.date.today())
    return render(
        "producer.html", sections=_sections(network, instance.slug, start, end),
        start=start.isoformat(), end=end.isoformat(), period_error=error,
    )  # fmt: skip


@get("/claf/producteur/paiements.csv", opt=TREASURER, sync_to_thread=False,
     include_in_schema=False)  # fmt: skip
def payments_export(
    network: NamedDependency[Network],
    instance: NamedDependency[Instance],
    du: FromQuery[str | None] = None,
    au: FromQuery[str | None] = None,
) -> Response[Any]:
    """The payments received in the period, every fund's asset, newest first."""
    start, end, _error = period(du, au, datetime.date.today())
    rows = [
        (payment, section["asset"])
        for section in _sections(network, instance.slug, start, end)
        for payment in section["payments"]
    ]
    rows.sort(key=lambda row: row[0].timestamp, reverse=True)
    return csv_response(payments_csv(rows), f"paiements-{instance.slug}-{start}-{end}.csv")


@get("/claf/producteur/remises.csv", opt=TREASURER, sync_to_thread=False,
     include_in_schema=False)  # fmt: skip
def remittances_export(
    network: NamedDependency[Network], instance: NamedDependency[Instance]
) -> Response[Any]:
    """Every remittance this place received, every fund's asset, newest bank date first."""
    today = datetime.date.today()
    names = {i.slug: i.name for i in network.instances.all()}
    rows = [
        (remittance, section["asset"])
        for section in _sections(network, instance.slug, today, today)
        for remittance in section["remittances"]
    ]
    rows.sort(key=lambda row: (row[0].bank_date, row[0].created_at), reverse=True)
    return csv_response(remittances_csv(rows, names), f"remises-{instance.slug}.csv")


PRODUCER_ROUTES = [producer, payments_export, remittances_export]
