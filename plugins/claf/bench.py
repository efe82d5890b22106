"""The CLAF's benchmark: registering beneficiaries and granting a month's allocations.

Workload (``bench_allocation(directory, beneficiaries)``), on a new network in ``directory``:

1. a food fund is set up (asset ``CLA``) and ``beneficiaries`` people are imported from one
   CSV file (one write);
2. ``allocate`` grants the month: one grant per beneficiary, each its own operation submitted
   to the group-commit writer (the way the button and ``tirelire claf allocate`` do it);
3. ``allocate`` runs the same month again: every grant is found done, nothing moves;
4. the baseline: the same grants (another month) made one by one with ``money.grant``, one
   durable write each, for at most 1,000 beneficiaries.

It reports the rate of each step and how many LMDB write transactions (each one fsync) steps
2 and 4 used. ``tirelire claf bench`` and ``tests/bench/test_bench_claf.py`` run it; the
figures are in docs/performance.md.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from core import Instance, InstanceKind, Network, PluginManager, load_settings
from core.wallets import WalletRef

from .service import claf_of

__all__ = ["bench_allocation"]

BASELINE_MAX = 1_000


def bench_allocation(
    directory: Path, beneficiaries: int, *, baseline: int = BASELINE_MAX
) -> dict[str, Any]:
    """Run the workload (see the module) and return its figures; ``baseline`` caps step 4."""
    settings = load_settings(directory)
    figures: dict[str, Any] = {"beneficiaries": beneficiaries}
    with Network.open(settings, plugins=PluginManager(load_entry_points=False)) as network:
        network.instances.create(
            Instance(slug="caisse", name="Caisse", kind=InstanceKind.FOOD_FUND)
        )
        claf = claf_of(network)
        claf.setup("caisse", name="CLAF-outils", code="CLA", author="bench")
        text = "\n".join(f"p{i}@bench.example;;50,00" for i in range(beneficiaries))
        started = time.perf_counter()
        imported = claf.beneficiaries.import_csv("caisse", text, author="bench")
        figures["import_per_s"] = beneficiaries / (time.perf_counter() - started)
        assert len(imported.imported) == beneficiaries, imported.rejected[:3]
        stats = network.store.stats
        commits = stats.write_transactions
        started = time.perf_counter()
        report = claf.allocate("caisse", "2026-01", author="bench")
        seconds = time.perf_counter() - started
        assert len(report.of("granted")) == beneficiaries
        figures["allocate_grants_per_s"] = beneficiaries / seconds
        figures["allocate_commits"] = stats.write_transactions - commits
        started = time.perf_counter()
        again = claf.allocate("caisse", "2026-01", author="bench")
        figures["replay_per_s"] = beneficiaries / (time.perf_counter() - started)
        assert len(again.of("already_granted")) == beneficiaries
        people = claf.beneficiaries.of_fund("caisse")[:baseline]
        _fund, asset = claf.require_fund("caisse")
        commits = stats.write_transactions
        started = time.perf_counter()
        for person in people:
            network.money.grant(
                operation_id=f"baseline:{person.id}",
                wallet=WalletRef.user(person.user_id),
                asset_id=asset.id,
                amount=person.monthly_allocation,
            )
        figures["one_write_each_grants_per_s"] = len(people) / (time.perf_counter() - started)
        figures["one_write_each_commits"] = stats.write_transactions - commits
        figures["baseline_beneficiaries"] = len(people)
        figures["invariants_ok"] = network.money.check_invariants().ok
    return figures
