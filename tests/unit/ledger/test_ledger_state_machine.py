"""Property test: the ledger against a plain in-memory model of the same rules.

A hypothesis ``RuleBasedStateMachine`` sends the same random batches (linked chains, pending,
post, void, balancing, expiry, duplicates, invalid fields) to the real ledger (LMDB) and to
:class:`tests.ledger_model.Model`, a deliberately naive re-statement of the rules (dicts,
deep copies for chains), and compares every result and every balance, then verifies the chain.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from core.ledger import Account, CreateAccountResult, CreateTransferResult, Ledger, Transfer
from tests.ledger_model import (
    BAL_C,
    BAL_D,
    CLOSED,
    CMNED,
    DMNEC,
    LINKED,
    MAX,
    PENDING,
    POST,
    SECOND,
    VOID,
    Model,
)  # fmt: skip

R = CreateTransferResult
AR = CreateAccountResult

FLAGS = [0, 0, 0, LINKED, LINKED, PENDING, PENDING | LINKED, POST, POST | LINKED, VOID]
FLAGS += [VOID | LINKED, BAL_D, BAL_C, BAL_D | PENDING, BAL_C | LINKED, POST | VOID, 1 << 9]

random_transfers = st.builds(
    Transfer,
    id=st.integers(0, 40),
    debit_account_id=st.sampled_from([0, 1, 1, 2, 3, 3, 4, 5, 6, 9]),
    credit_account_id=st.sampled_from([0, 1, 2, 2, 3, 4, 4, 5, 6, 9]),
    amount=st.sampled_from([0, 1, 5, 20, 100, MAX, 1 << 127]),
    pending_id=st.one_of(st.just(0), st.integers(0, 40)),
    user_data_32=st.sampled_from([0, 1]),
    timeout=st.sampled_from([0, 0, 1, 3]),
    ledger=st.sampled_from([0, 1, 1, 1, 2]),
    code=st.sampled_from([0, 1, 1, 1, 2]),
    flags=st.sampled_from(FLAGS),
)
#: Accounts of plain batches: mostly the two without limits, so that whole batches succeed.
PAIRS = [(1, 2), (2, 1)] * 6 + [(1, 3), (3, 1), (4, 2), (2, 4), (1, 5), (6, 1), (1, 1)]
KINDS = ["plain"] * 5 + ["pending"] * 3 + ["post"] * 2 + ["void", "bal_d", "bal_c", "random"]


@st.composite
def transfers(draw: Any) -> Transfer:
    """Mostly well-formed transfers of each kind (so that many succeed), some random ones."""
    kind = draw(st.sampled_from(KINDS))
    if kind == "random":
        return draw(random_transfers)  # type: ignore[no-any-return]
    linked = LINKED if draw(st.integers(0, 3)) == 0 else 0
    # pending transfers take ids 1..8, which posts and voids name: many of them resolve
    tid = draw(st.integers(1, 8)) if kind == "pending" else draw(st.integers(5, 30))
    d, c = draw(st.sampled_from([(1, 2), (2, 1), (1, 3), (3, 1), (4, 1), (2, 4), (3, 4), (6, 1)]))
    amount = MAX if draw(st.integers(0, 40)) == 0 else draw(st.sampled_from([1, 5, 20, 100]))
    ud32 = draw(st.sampled_from([0, 1]))
    if kind in ("post", "void"):
        flags = (POST if kind == "post" else VOID) | linked
        return Transfer(
            id=tid, pending_id=draw(st.integers(1, 9)), flags=flags, user_data_32=ud32,
            amount=draw(st.sampled_from([0, 0, MAX, 1, 5, 20, 100])),
            debit_account_id=draw(st.sampled_from([0, 0, 0, d])),
            credit_account_id=draw(st.sampled_from([0, 0, 0, c])),
            ledger=draw(st.sampled_from([0, 0, 1])), code=draw(st.sampled_from([0, 0, 1])),
        )  # fmt: skip
    flags = {"plain": 0, "pending": PENDING, "bal_d": BAL_D, "bal_c": BAL_C}[kind] | linked
    timeout = draw(st.sampled_from([0, 0, 1, 3])) if kind == "pending" else 0
    if kind == "pending" and amount == MAX:
        amount = 30
    return Transfer(
        id=tid, debit_account_id=d, credit_account_id=c, amount=amount, ledger=1, code=1,
        flags=flags, timeout=timeout, user_data_32=ud32,
    )  # fmt: skip


accounts = st.builds(
    Account,
    id=st.integers(0, 9),
    ledger=st.sampled_from([0, 1, 2]),
    code=st.sampled_from([0, 1, 2]),
    flags=st.sampled_from([0, LINKED, DMNEC, CMNED, CLOSED, DMNEC | CMNED, 64]),
    user_data_32=st.sampled_from([0, 1]),
)


class LedgerMachine(RuleBasedStateMachine):
    """Drives the ledger and the model side by side."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="ledger-sm-")
        self.now = 1_700_000_000 * SECOND
        self.ledger = Ledger.open(self.dir, clock=lambda: self.now, map_size=1 << 26)
        self.model = Model()
        self.fresh_id = 1_000

    @initialize()
    def base_accounts(self) -> None:
        base = [
            Account(id=1, ledger=1, code=1),
            Account(id=2, ledger=1, code=1),
            Account(id=3, ledger=1, code=1, flags=DMNEC),
            Account(id=4, ledger=1, code=1, flags=CMNED),
            Account(id=5, ledger=2, code=1),
            Account(id=6, ledger=1, code=1, flags=CLOSED),
        ]
        assert self.ledger.create_accounts(base) == self.model.create_accounts(base)
        seed = [
            Transfer(id=100, debit_account_id=4, credit_account_id=3, amount=50, ledger=1, code=1)
        ]
        assert self.ledger.create_transfers(seed) == self.model.create_transfers(seed, self.now)

    @rule(batch=st.lists(transfers(), min_size=1, max_size=12), grouped=st.booleans())
    def create_transfers(self, batch: list[Transfer], grouped: bool) -> None:
        self.now += SECOND  # ts0 is the clock: the last batch ended < 1 s ago
        expected = self.model.create_transfers(batch, self.now)
        assert self.ledger.create_transfers(batch, grouped=grouped) == expected

    @rule(batch=st.lists(accounts, min_size=1, max_size=4))
    def create_accounts(self, batch: list[Account]) -> None:
        self.now += SECOND
        expected = self.model.create_accounts(batch)
        got = self.ledger.create_accounts(batch)
        # the model folds the user data and balance results into one name each
        ud = AR.EXISTS_WITH_DIFFERENT_USER_DATA_128
        fold = {
            AR.EXISTS_WITH_DIFFERENT_USER_DATA_64: ud,
            AR.EXISTS_WITH_DIFFERENT_USER_DATA_32: ud,
        }
        assert [fold.get(r, r) for r in got] == expected

    @rule(
        pairs=st.lists(
            st.tuples(st.sampled_from(PAIRS), st.sampled_from([1, 5, 100] * 3 + [1 << 40, MAX])),
            min_size=1,
            max_size=12,
        )
    )
    def create_plain_batch(self, pairs: list[tuple[tuple[int, int], int]]) -> None:
        """Plain transfers with fresh ids: what the bulk path takes, when nothing fails (tried
        here whatever the batch's size)."""
        self.ledger.bulk_min = 1
        self.now += SECOND
        batch = []
        for (d, c), amount in pairs:
            self.fresh_id += 1
            batch.append(
                Transfer(
                    id=self.fresh_id,
                    debit_account_id=d,
                    credit_account_id=c,
                    amount=amount,
                    ledger=1,
                    code=1,
                )
            )
        expected = self.model.create_transfers(batch, self.now)
        assert self.ledger.create_transfers(batch) == expected

    @rule(small=st.booleans())
    def bulk_small_batches(self, small: bool) -> None:
        """Send small batches too through the bulk path (core/ledger/bulk.py) or not."""
        self.ledger.bulk_min = 1 if small else Ledger.bulk_min

    @rule(seconds=st.integers(0, 4))
    def wait(self, seconds: int) -> None:
        self.now += seconds * SECOND

    @invariant()
    def same_balances(self) -> None:
        found = {a.id: a for a in self.ledger.lookup_accounts(range(1, 10))}
        assert set(found) == set(self.model.accounts)
        for account_id, m in self.model.accounts.items():
            a = found[account_id]
            got = (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
            assert got == (m.dp, m.dpo, m.cp, m.cpo), account_id
        assert self.ledger.head().seq == len(self.model.transfers)

    def teardown(self) -> None:
        try:
            report = self.ledger.verify()
            assert report.ok, report.summary()
        finally:
            self.ledger.close()
            shutil.rmtree(self.dir, ignore_errors=True)


LedgerMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("TIRELIRE_SM_EXAMPLES", "100")),
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerMachine = LedgerMachine.TestCase
