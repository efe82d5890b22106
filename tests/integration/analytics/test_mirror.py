"""The mirror follows the ledger: every transfer, its accounts, places and operations;
incremental, resumable, and rebuilt identical from scratch."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from core import Network
from core.analytics import Mirror
from core.analytics.schema import TABLES
from core.ledger import Account, Transfer
from core.wallets import WalletRef
from core.wallets.accounts_map import account_id_for

ORDER = {
    "transfers": "seq",
    "accounts": "account_no",
    "operation_notes": "ref",
    "instances": "slug",
    "assets": "asset_id",
    "federations": "asset_id, instance",
    "cards": "card_id",
    "remittances": "key",
    "action_kinds": "code",
    "mirror_state": "key",
}


def contents(mirror: Mirror) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in a fixed order."""
    with mirror.reading() as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY {ORDER[t]}").fetchall() for t in TABLES}


def test_every_transfer_is_mirrored_with_its_accounts(network: Network, mirror: Mirror) -> None:
    head = network.ledger.head().seq
    with mirror.reading() as con:
        assert con.execute("SELECT count(*), max(seq) FROM transfers").fetchone() == (head, head)
        ids = {int(r[0]) for r in con.execute("SELECT id FROM transfers").fetchall()}
        owners = dict(con.execute("SELECT account, owner FROM accounts").fetchall())
    assert ids == {c.transfer.id for c in network.ledger.changes(limit=head)}
    for change in network.ledger.changes(limit=head):
        record = network.money.accounts.owner_of(change.transfer.debit_account_id)
        assert record is not None and owners[change.transfer.debit_account_id] == record.owner


def test_balances_from_the_mirror_match_the_ledger(network: Network, mirror: Mirror) -> None:
    with mirror.reading() as con:
        rows = con.execute(
            "SELECT a.owner, a.asset_id, sum(CASE WHEN t.credit_account = a.account_no "
            "THEN t.amount ELSE 0 END)::HUGEINT - sum(CASE WHEN t.debit_account = a.account_no "
            "THEN t.amount ELSE 0 END)::HUGEINT FROM accounts a JOIN postings t "
            "ON a.account_no IN (t.debit_account, t.credit_account) GROUP BY ALL"
        ).fetchall()
    assert rows
    for owner, asset_id, balance in rows:
        assert balance == network.money.balance(WalletRef.parse(owner), asset_id), owner


def test_each_transfer_has_its_place(mirror: Mirror) -> None:
    with mirror.reading() as con:
        found = con.execute(
            "SELECT kind, place, count(*) FROM movements GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    assert ("sale", "goulues", 4) in found  # paid in CLA at the producer
    assert ("refill", "bisik", 2) in found and ("refill", "ressourcerie", 2) in found
    assert ("remittance", "goulues", 1) in found
    assert ("refund", "ressourcerie", 1) in found
    assert ("grant", "", 4) in found


def test_operations_and_records_are_mirrored(network: Network, mirror: Mirror) -> None:
    with mirror.reading() as con:
        kinds = con.execute("SELECT kind, count(*) FROM operations GROUP BY 1 ORDER BY 1")
        assert kinds.fetchall() == [("grant", 4), ("refill", 4), ("refund", 1), ("remittance", 1)]
        remitted = con.execute("SELECT instance, amount, bank_reference FROM remittances")
        assert remitted.fetchall() == [("goulues", 2000, "VIR-1")]
        assert con.execute("SELECT count(*) FROM cards").fetchone() == (4,)
        slugs = [r[0] for r in con.execute("SELECT slug FROM instances ORDER BY 1").fetchall()]
    assert slugs == ["bisik", "claf", "goulues", "ressourcerie"]


def test_incremental_sync_appends_only_what_is_new(network: Network, mirror: Mirror) -> None:
    before = network.ledger.head().seq
    assert mirror.sync().transfers == 0
    card = network.money.cards.add(uid="04A1B2FF", number="0099")
    network.money.refill(
        operation_id="late",
        wallet=WalletRef.card(card.id),
        asset_id=1,
        amount=999,
        instance="bisik",
    )
    report = mirror.sync()
    assert (report.transfers, report.last_seq) == (1, before + 1)
    assert report.records_refreshed  # a transfer arrived: the new card is there too
    with mirror.reading() as con:
        assert con.execute("SELECT count(*) FROM cards").fetchone() == (5,)


def test_another_writer_is_followed(network: Network, mirror: Mirror) -> None:
    other = Mirror(network)  # another process would do the same
    card = network.money.cards.add(uid="04A1B2FE", number="0098")
    network.money.refill(operation_id="x", wallet=WalletRef.card(card.id), asset_id=1, amount=5)
    assert other.sync().transfers == 1
    assert mirror.sync().transfers == 0  # its memory was stale: reloaded from the file
    network.money.refill(operation_id="y", wallet=WalletRef.card(card.id), asset_id=1, amount=6)
    assert mirror.sync().transfers == 1
    with mirror.reading() as con:
        numbers = con.execute("SELECT account_no FROM accounts ORDER BY 1").fetchall()
    assert [n for (n,) in numbers] == list(range(1, len(numbers) + 1))


def test_deleting_the_file_rebuilds_an_identical_mirror(network: Network, tmp_path) -> None:
    mirror = Mirror(network)
    mirror.sync(chunk=3, records=True)  # small chunks: operations and accounts span them
    card = network.money.cards.add(uid="04A1B2FD", number="0097")
    for i in range(5):
        network.money.refill(
            operation_id=f"more-{i}",
            wallet=WalletRef.card(card.id),
            asset_id=1,
            amount=10 + i,
            instance="bisik",
        )
        mirror.sync(chunk=2)
    network.money.sale(
        operation_id="more-sale", payer=WalletRef.card(card.id), instance="bisik", amount=30
    )
    mirror.sync(records=True)
    before = contents(mirror)
    mirror.path.unlink()
    rebuilt = Mirror(network)
    rebuilt.sync(records=True)
    assert contents(rebuilt) == before
    assert len(before["transfers"]) == network.ledger.head().seq


def test_transfers_without_wallets_or_operations(tmp_path) -> None:
    """Raw ledger use (no wallet map, no operation record) is mirrored too."""
    from core import PluginManager, load_settings

    net = Network.open(
        load_settings(tmp_path / "d"), plugins=PluginManager(load_entry_points=False)
    )
    try:
        net.ledger.create_accounts(
            [Account(id=7, ledger=9, code=42), Account(id=8, ledger=9, code=42)]
        )
        net.ledger.create_transfers(
            [
                Transfer(
                    id=1,
                    debit_account_id=7,
                    credit_account_id=8,
                    amount=5,
                    ledger=9,
                    code=1,
                    user_data_128=123,
                )
            ]
        )
        mirror = Mirror(net)
        mirror.sync()
        with mirror.reading() as con:
            assert con.execute(
                "SELECT kind, owner, asset_id FROM accounts ORDER BY 1"
            ).fetchall() == [("other", "ledger:42", 9), ("other", "ledger:42", 9)]
            assert con.execute("SELECT place, amount FROM transfers").fetchall() == [("", 5)]
            assert con.execute("SELECT count(*) FROM operations").fetchone() == (0,)
    finally:
        net.close()


def test_the_account_id_is_the_wallet_maps(network: Network, mirror: Mirror) -> None:
    with mirror.reading() as con:
        row = con.execute(
            "SELECT account FROM accounts WHERE owner = 'instance:bisik' AND asset_id = 1"
        ).fetchone()
    assert row is not None and int(row[0]) == account_id_for("instance:bisik", 1)


def test_readers_never_see_a_file_being_written(network: Network, mirror: Mirror) -> None:
    """DuckDB refuses a second process on a file being written; our lock makes it wait."""
    from core.analytics.locks import LockTimeout

    with mirror.writing(), pytest.raises(LockTimeout), mirror.reading(timeout=0.2):
        pass
    with mirror.reading() as con:
        assert isinstance(con, duckdb.DuckDBPyConnection)
