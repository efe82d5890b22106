"""The card terminal benchmark at a small size: every tap a committed sale, nothing lost.

``tirelire bench nfc`` runs the same code with 1,000 taps (docs/performance.md, section "Card
terminals"). Timings depend on the machine, so this test asserts only on counts and
correctness; the figures land in pytest-benchmark's ``extra_info``.
"""

from __future__ import annotations

import os
from typing import Any

from hosts.nfc.bench import run_bench_nfc

TAPS = 1000 if os.environ.get("TIRELIRE_BENCH_SIZE") == "full" else 12


def test_bench_nfc_small(benchmark: Any) -> None:
    figures = benchmark.pedantic(
        run_bench_nfc, args=(TAPS,), kwargs={"warmup": 3}, rounds=1, iterations=1
    )
    benchmark.extra_info.update(figures)
    assert figures["taps"] == TAPS
    assert figures["errors"] == 0
    assert figures["sales_committed"] == TAPS + 3
    assert figures["invariants_ok"] is True
    assert figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]


def test_bench_nfc_cash_register_small(benchmark: Any) -> None:
    """The same chain in the cash register's mode: each tap pays an order sent to it."""
    figures = benchmark.pedantic(
        run_bench_nfc, args=(TAPS,), kwargs={"warmup": 3, "mode": "cash_register"}, rounds=1,
        iterations=1,
    )  # fmt: skip
    benchmark.extra_info.update(figures)
    assert figures["mode"] == "cash_register" and figures["taps"] == TAPS
    assert figures["errors"] == 0
    assert figures["sales_committed"] == TAPS + 3 == figures["orders_paid"]
    assert figures["invariants_ok"] is True
