"""The serving benchmark at a small size: both servers start, answer, and fail nothing.

``tirelire bench serve`` runs the same code longer (docs/performance.md, section Serving).
Timings depend on the machine, so this test asserts only that requests succeeded; the figures
land in pytest-benchmark's ``extra_info`` (``pytest tests/bench --benchmark-enable``).
"""

from __future__ import annotations

from typing import Any

from hosts.bench_serve import bench_serve
from hosts.serving import SERVERS


def test_bench_serve_small(benchmark: Any) -> None:
    results = benchmark.pedantic(
        bench_serve, kwargs={"seconds": 1, "connections": 8}, rounds=1, iterations=1
    )
    assert [r.server for r in results] == list(SERVERS)
    for result in results:
        benchmark.extra_info[result.server] = result.as_dict()
        assert result.requests > 0, result
        assert result.errors == 0, result
        assert result.requests_per_second > 0


def test_python_load_generator() -> None:
    """The generator used where wrk is missing also loads a real server."""
    (result,) = bench_serve(("granian",), seconds=0.5, connections=4, generator="python")
    assert result.generator == "python"
    assert result.requests > 0
    assert result.errors == 0
