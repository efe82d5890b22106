"""The CLAF benchmark (pytest-benchmark): import beneficiaries, grant a month, replay it.

The workload is written down in :mod:`plugins.claf.bench`. Small by default (200
beneficiaries, a baseline of 20 single writes); ``TIRELIRE_BENCH_SIZE=full`` registers 10,000
(a baseline of 1,000). Outcomes are checked, never timings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from plugins.claf.bench import bench_allocation

FULL = os.environ.get("TIRELIRE_BENCH_SIZE") == "full"
BENEFICIARIES = 10_000 if FULL else 200
BASELINE = 1_000 if FULL else 20


def test_allocation_through_group_commit(benchmark: Any, tmp_path: Path) -> None:
    figures = benchmark.pedantic(
        lambda: bench_allocation(tmp_path / "claf", BENEFICIARIES, baseline=BASELINE),
        rounds=1,
        iterations=1,
    )
    assert figures["invariants_ok"]
    # many grants per commit: the point of the group-commit writer
    assert figures["allocate_commits"] < BENEFICIARIES
    assert figures["one_write_each_commits"] == figures["baseline_beneficiaries"]
    benchmark.extra_info.update(figures)
