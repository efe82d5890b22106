"""Where the mirror's rows come from: the store's pages or py-lmdb, the place in the transfer
or (for transfers written before it) the operation's record, the operation feed's notes."""

from __future__ import annotations

from pathlib import Path

from core import Network
from core.analytics import Mirror
from core.ledger import Transfer
from core.store import Tx
from core.wallets import WalletRef
from core.wallets.feed import place_user_data
from core.wallets.model import ActionKind, Operation
from core.wallets.operations import derive_id
from tests.integration.analytics.test_mirror import contents


def _old_style_refill(network: Network, op_id: str, card_id: str, instance: str) -> None:
    """A refill as core/wallets wrote it before places and notes: ``user_data_64`` = 0 and
    the operation record only (what a store from an older version holds)."""
    money = network.money
    wallet = WalletRef.card(card_id)
    ref = derive_id("tirelire/operation", ActionKind.REFILL.value, op_id)

    def write(tx: Tx) -> None:
        debit = money.accounts.ensure(tx, WalletRef.issuer(1), 1)
        credit = money.accounts.ensure(tx, wallet, 1)
        network.ledger.create_transfers_in(
            tx,
            [Transfer(id=derive_id("old", op_id), debit_account_id=debit,
                      credit_account_id=credit, amount=700, ledger=1,
                      code=int(ActionKind.REFILL), user_data_128=ref)],
        )  # fmt: skip
        money.log.records.put(
            tx,
            Operation(key=money.log.key(ActionKind.REFILL, op_id), kind=ActionKind.REFILL,
                      operation_id=op_id, ref=str(ref), amount=700, instance=instance,
                      author="old-cashier", created_at=1_700_000_000.5),
        )  # fmt: skip

    network.store.write(write)


def test_transfers_from_before_the_layout_are_placed_by_their_record(network: Network) -> None:
    card = network.money.cards.add(uid="04A1B2F0", number="0090")
    _old_style_refill(network, "old-1", card.id, "ressourcerie")
    _old_style_refill(network, "old-2", card.id, "bisik")
    network.money.refill(
        operation_id="new-1", wallet=WalletRef.card(card.id), asset_id=1, amount=300,
        instance="bisik",
    )  # fmt: skip
    mirror = Mirror(network)
    mirror.sync(chunk=4, records=True)
    with mirror.reading() as con:
        rows = con.execute(
            "SELECT o.operation_id, t.place, o.instance, o.author, o.amount, o.key "
            "FROM transfers t JOIN operations o ON o.ref = t.ref "
            "WHERE o.operation_id IN ('old-1', 'old-2', 'new-1') ORDER BY 1"
        ).fetchall()
    assert rows == [
        ("new-1", "bisik", "bisik", "", 300, "refill:new-1"),
        ("old-1", "ressourcerie", "ressourcerie", "old-cashier", 700, "refill:old-1"),
        ("old-2", "bisik", "bisik", "old-cashier", 700, "refill:old-2"),
    ]
    before = contents(mirror)
    mirror.path.unlink()
    Mirror(network).sync(records=True)
    assert contents(Mirror(network)) == before


def test_a_placed_transfer_without_its_note_is_matched_by_key(network: Network) -> None:
    """A raw ledger writer copying the layout, without notes: the notes that exist are
    still matched to their transfers by sequence."""
    card = network.money.cards.add(uid="04A1B2F1", number="0091")
    money = network.money
    place = place_user_data(1)

    def write(tx: Tx) -> None:
        debit = money.accounts.ensure(tx, WalletRef.issuer(1), 1)
        credit = money.accounts.ensure(tx, WalletRef.card(card.id), 1)
        network.ledger.create_transfers_in(
            tx,
            [Transfer(id=derive_id("raw", 1), debit_account_id=debit, credit_account_id=credit,
                      amount=5, ledger=1, code=int(ActionKind.REFILL), user_data_64=place)],
        )  # fmt: skip

    network.store.write(write)
    money.refill(
        operation_id="after", wallet=WalletRef.card(card.id), asset_id=1, amount=8,
        instance="goulues",
    )  # fmt: skip
    mirror = Mirror(network)
    mirror.sync(records=True)
    with mirror.reading() as con:
        noted = con.execute("SELECT count(*) FROM operations").fetchone()
        after = con.execute(
            "SELECT t.place, o.instance FROM operations o JOIN transfers t ON t.ref = o.ref "
            "WHERE o.operation_id = 'after'"
        ).fetchone()
    assert noted == (len(money.log.notes.notes(network.store)),)
    with network.store.read() as txn:
        first_slug = money.log.notes.places.slugs_in(txn)[1]
    assert after == ("goulues", "goulues")
    with mirror.reading() as con:
        raw = con.execute("SELECT place FROM transfers WHERE amount = 5 AND code = 1").fetchall()
    assert raw == [(first_slug,)]


def test_pages_and_py_lmdb_give_the_same_mirror(network: Network, tmp_path: Path) -> None:
    by_pages = Mirror(network)
    by_pages.sync(chunk=5, records=True)
    assert by_pages.py_lmdb_chunks == 0
    by_lmdb = Mirror(network, path=tmp_path / "other.duckdb")
    by_lmdb.use_pages = False
    by_lmdb.sync(chunk=5, records=True)
    assert by_lmdb.py_lmdb_chunks > 0
    assert contents(by_lmdb) == contents(by_pages)


def test_a_mirror_written_by_another_schema_version_is_rebuilt(
    network: Network, mirror: Mirror
) -> None:
    before = contents(mirror)
    with mirror.writing() as con:  # what an older version left: another layout
        con.execute("UPDATE mirror_state SET value = '1' WHERE key = 'schema_version'")
        con.execute("CREATE TABLE old_layout (x INTEGER)")
    again = Mirror(network)
    assert again.sync(records=True).transfers == network.ledger.head().seq
    assert contents(again) == before
    with again.reading() as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "old_layout" not in tables
