"""The payment path's benchmark: ring up an order and pay it by card, many cashiers at once.

Workload (docs/performance.md): a fresh network in a temporary directory, one instance, one
point of sale, two articles; ``orders`` anonymous cards each refilled with 20.00; ``threads``
cashiers each take the next card, ring up an order of two articles (6.50) and pay it with
``pay_with_card`` (group commit, as the web host and the terminals do). The payment call is
timed alone (ring-up apart): p50 and p99 of its latency and payments per second overall.
"""

from __future__ import annotations

import itertools
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from core import Instance, Network, load_settings

from .model import ArticleInput, CategoryInput, Method, PointInput
from .service import laboutik_of

__all__ = ["bench_payments"]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def bench_payments(*, orders: int = 1000, threads: int = 8) -> dict[str, Any]:
    """Run the workload; figures in milliseconds and payments per second."""
    with tempfile.TemporaryDirectory() as tmp:
        network = Network.open(load_settings(Path(tmp) / "data"))
        try:
            return _run(network, orders, threads)
        finally:
            network.close()


def _run(network: Network, orders: int, threads: int) -> dict[str, Any]:
    network.instances.create(Instance(slug="bench", name="Bench"))
    lb = laboutik_of(network)
    pos = lb.catalog.save_point("bench", PointInput(name="Bar"))
    category = lb.catalog.save_category("bench", CategoryInput(name="Drinks"))
    beer = lb.catalog.save_article(
        "bench", ArticleInput(name="Beer", price=400, vat_rate=2000, category_id=category.id)
    )
    soda = lb.catalog.save_article(
        "bench", ArticleInput(name="Soda", price=250, vat_rate=1000, category_id=category.id)
    )
    lb.orders.open_session("bench", pos.id, author="bench")
    rows = "\n".join(f"{0x10000000 + i:08X},B{i:07d}" for i in range(orders))
    report = network.money.import_cards(rows)
    uids = [card.uid for card in report.cards]
    for uid in uids:
        lb.counter.refill(
            "bench", pos.id, uid=uid, asset_id=1, amount=2000, method=Method.CASH,
            operation_id=f"refill-{uid}", author="bench",
        )  # fmt: skip
    latencies: list[float] = []
    lock = threading.Lock()
    counter = itertools.count()
    before = network.store.stats.write_transactions

    def cashier() -> None:
        while (i := next(counter)) < orders:
            order = lb.orders.new_order(
                "bench", pos.id, author="bench", items=[(beer.id, 1), (soda.id, 1)]
            )
            start = time.perf_counter()
            lb.payments.pay_with_card(
                "bench", order.id, uid=uids[i], operation_id=f"tap-{i}", author="bench"
            )
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(cashier) for _ in range(threads)]:
            future.result()
    seconds = time.perf_counter() - started
    ok = network.money.check_invariants(verify_ledger=False).ok
    return {
        "orders": orders,
        "threads": threads,
        "seconds": round(seconds, 3),
        "payments_per_s": orders / seconds,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "write_transactions": network.store.stats.write_transactions - before,
        "invariants_ok": ok,
    }
