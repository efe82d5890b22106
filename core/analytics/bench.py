"""The analytics benchmark: sync rate of an empty mirror and two reports' times.

``run_bench(directory, transfers)`` builds a network-shaped ledger
(:mod:`core.analytics.bench_build`, not timed), syncs an empty mirror from it (timed, from
the call to the last commit), then runs the per-place report (the food fund's asset, as its
treasurer) and the monthly sales of the whole network five times each and keeps the median.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from core.analytics.bench_build import FUND, BuildConfig, build_network
from core.analytics.mirror import Mirror
from core.analytics.reports import Scope, run_report

__all__ = ["BenchFigures", "run_bench"]

RUNS = 5


@dataclass
class BenchFigures:
    """What ``tirelire bench analytics`` prints."""

    transfers: int
    build_seconds: float
    sync_seconds: float
    sync_transfers_per_s: float
    per_place_ms: float
    monthly_sales_ms: float
    mirror_bytes: int

    def as_dict(self) -> dict[str, float]:
        """The figures as a JSON-ready dict."""
        return asdict(self)


def _median_ms(run: object) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run_bench(directory: Path, transfers: int) -> BenchFigures:
    """Build, sync, run the two reports; returns the figures."""
    started = time.perf_counter()
    network = build_network(directory, BuildConfig(transfers=transfers))
    built = time.perf_counter() - started
    try:
        mirror = Mirror(network)
        report = mirror.sync(records=True)
        with mirror.reading() as con:
            per_place = _median_ms(lambda: run_report(con, "per-place", Scope(FUND)))
            monthly = _median_ms(lambda: run_report(con, "sales", Scope(None), {"period": "month"}))
        size = mirror.path.stat().st_size
    finally:
        network.close()
    return BenchFigures(
        transfers=report.transfers,
        build_seconds=built,
        sync_seconds=report.seconds,
        sync_transfers_per_s=report.transfers_per_s,
        per_place_ms=per_place,
        monthly_sales_ms=monthly,
        mirror_bytes=size,
    )
