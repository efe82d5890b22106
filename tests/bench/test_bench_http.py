"""``tirelire bench http`` at a small size: payments and hello world succeed, the ledger verifies.

The full run (``uv run tirelire bench http``) is described in docs/performance.md. Timings
depend on the machine, so this asserts only that requests succeeded, that every payment was
recorded once, and that the store verifies afterwards; the figures land in pytest-benchmark's
``extra_info`` (``pytest tests/bench --benchmark-enable``).
"""

from __future__ import annotations

from typing import Any

import pytest

from hosts.bench_http import bench_http


@pytest.mark.parametrize("generator", ["auto", "python"])
def test_bench_http_small(benchmark: Any, generator: str) -> None:
    result = benchmark.pedantic(
        bench_http,
        kwargs={"seconds": 1, "connections": 8, "wallets": 20, "generator": generator},
        rounds=1,
        iterations=1,
    )
    benchmark.extra_info["http"] = result.as_dict()
    if generator == "python":
        assert result.generator == "python"
    assert result.payments > 0 and result.payment_errors == 0, result
    assert result.hello_requests > 0 and result.hello_errors == 0, result
    # the warm-up's sales are recorded too; none is recorded twice
    assert result.sales_recorded >= result.payments
    # LMDB counts its write transactions: every sale committed, several per commit at most
    assert 0 < result.commits <= result.sales_recorded + 10, result
    assert result.ledger_ok and result.invariants_ok
