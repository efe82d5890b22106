"""Every result code has its test: each name appears in the result-code test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.ledger import CreateAccountResult, CreateTransferResult

HERE = Path(__file__).parent


@pytest.mark.parametrize(
    ("enum", "modules"),
    [
        (
            CreateTransferResult,
            ("test_ledger_transfer_results.py", "test_ledger_two_phase_results.py"),
        ),
        (CreateAccountResult, ("test_ledger_account_results.py",)),
    ],
)
def test_every_result_code_is_tested(enum: type, modules: tuple[str, ...]) -> None:
    source = "".join((HERE / module).read_text() for module in modules)
    missing = [r.name for r in enum if f"R.{r.name}" not in source]  # type: ignore[attr-defined]
    assert not missing, f"no test in {modules} for {missing}"
