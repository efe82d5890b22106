"""The register's payment path (pytest-benchmark): ring up and pay by card, many cashiers.

Small by default (200 orders); ``TIRELIRE_BENCH_SIZE=full`` pays 5,000. The workload is
written down in :mod:`plugins.laboutik.bench`. Outcomes are checked, never timings.
"""

from __future__ import annotations

import os
from typing import Any

from plugins.laboutik.bench import bench_payments

FULL = os.environ.get("TIRELIRE_BENCH_SIZE") == "full"
ORDERS = 5000 if FULL else 200


def test_card_payments_from_eight_cashiers(benchmark: Any) -> None:
    figures = benchmark.pedantic(
        lambda: bench_payments(orders=ORDERS, threads=8), rounds=1, iterations=1
    )
    assert figures["orders"] == ORDERS and figures["invariants_ok"]
    assert figures["write_transactions"] <= 2 * ORDERS  # ring-up and payment, grouped
