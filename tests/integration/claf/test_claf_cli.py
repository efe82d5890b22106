"""``tirelire claf allocate``: through click's runner and as the real command."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from core.wallets import WalletRef
from hosts.cli import build_cli
from plugins.claf.amounts import month_of

ROOT = Path(__file__).resolve().parents[3]
MONTH = month_of(datetime.date.today())


def run(world, *args: str):
    """``tirelire claf allocate <args>`` through click, with the network closed meanwhile."""
    group = build_cli(world.network.plugins)
    with world.closed() as data:
        return CliRunner().invoke(group, ["claf", "allocate", "--data", str(data), *args], obj={})


def test_allocate_grants_once_and_says_what_it_did(claf_world):
    alice = claf_world.beneficiary("alice@example.org", "50,00")
    bob = claf_world.beneficiary("bob@example.org", "12,34")
    carol = claf_world.beneficiary("carol@example.org", "10")
    claf_world.claf.beneficiaries.set_active("claf", carol.id, False)
    first = run(claf_world, "--instance", "claf", "--month", MONTH, "--author", "cron")
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert lines[0] == f"claf {MONTH}: allocations in CLA"
    assert lines[1].split() == ["granted", "alice@example.org", "50.00"]
    assert lines[2].split() == ["granted", "bob@example.org", "12.34"]
    assert lines[3].split() == ["stopped", "carol@example.org", "10.00"]
    assert lines[-1] == ("granted 2, total 62.34 CLA; already granted 0, stopped 1, failed 0")
    second = run(claf_world, "--instance", "claf", "--month", MONTH)
    assert second.exit_code == 0, second.output
    assert "already_granted  alice@example.org" in second.output
    assert second.output.splitlines()[-1].startswith("granted 0, total 0.00 CLA;")
    assert claf_world.balance(WalletRef.user(alice.user_id)) == 5000
    assert claf_world.balance(WalletRef.user(bob.user_id)) == 1234
    operation = claf_world.network.money.history(WalletRef.user(alice.user_id), claf_world.cla.id)
    assert len(operation) == 1


def test_the_default_month_is_the_current_one(claf_world):
    claf_world.beneficiary("alice@example.org")
    result = run(claf_world, "--instance", "claf")
    assert result.exit_code == 0 and f"claf {MONTH}:" in result.output


def test_mistakes_are_reported(claf_world, tmp_path):
    assert "not a food fund" in run(claf_world, "--instance", "goulues").output
    assert run(claf_world, "--instance", "goulues").exit_code == 1
    assert "YYYY-MM" in run(claf_world, "--instance", "claf", "--month", "2026-13").output
    group = build_cli(claf_world.network.plugins)
    missing = CliRunner().invoke(
        group, ["claf", "allocate", "--instance", "claf", "--data", str(tmp_path / "nope")]
    )
    assert missing.exit_code == 1 and "no network in" in missing.output


def test_the_real_command(claf_world):
    claf_world.beneficiary("alice@example.org", "50,00")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("TIRELIRE_PLUGINS", None)
    with claf_world.closed() as data:
        ok = subprocess.run(
            [sys.executable, "-m", "hosts", "claf", "allocate", "--instance", "claf",
             "--month", MONTH, "--data", str(data)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        bad = subprocess.run(
            [sys.executable, "-m", "hosts", "claf", "allocate", "--instance", "nowhere",
             "--data", str(data)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "granted 1, total 50.00 CLA" in ok.stdout
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        "tirelire: error: instance: This space is not a food fund: the CLAF's fund pages "
        "belong to food funds."
    ]


def test_the_benchmark_command(claf_world):
    group = build_cli(claf_world.network.plugins)
    result = CliRunner().invoke(group, ["claf", "bench", "--beneficiaries", "5"], obj={})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("5 beneficiaries")
    assert "allocate (group commit)" in result.output
    refused = CliRunner().invoke(group, ["claf", "bench", "--beneficiaries", "0"], obj={})
    assert refused.exit_code == 2 and "--beneficiaries" in refused.output
