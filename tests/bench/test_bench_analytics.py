"""The analytics benchmark, small by default (``TIRELIRE_BENCH_SIZE=full``: 10M transfers).

No assertion on timings: the figures go to pytest-benchmark's ``extra_info``."""

from __future__ import annotations

import os

from core.analytics.bench import run_bench


def test_bench_analytics(tmp_path, benchmark):
    size = 10_000_000 if os.environ.get("TIRELIRE_BENCH_SIZE") == "full" else 5_000
    figures = benchmark.pedantic(lambda: run_bench(tmp_path / "net", size), rounds=1)
    benchmark.extra_info.update(figures.as_dict())
    assert figures.transfers == size
    assert figures.per_place_ms > 0 and figures.monthly_sales_ms > 0
