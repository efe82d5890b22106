"""What the money writes beside the ledger for the mirror: places in ``user_data_64`` and a
note per refill, grant, refund, remittance and correction (core/wallets/feed.py)."""

from __future__ import annotations

import pytest

from core import Network
from core.wallets import InsufficientFunds, WalletRef
from core.wallets.feed import (
    PLACE_LAYOUT,
    PLACE_SHIFT,
    OperationNote,
    place_number,
    place_user_data,
)
from core.wallets.model import ActionKind


def _transfers(network: Network) -> list:
    return [c.transfer for c in network.ledger.changes(limit=10_000)]


def _places(network: Network) -> dict[int, str]:
    with network.store.read() as txn:
        return network.money.log.notes.places.slugs_in(txn)


def test_every_leg_carries_its_operations_place(network: Network) -> None:
    """fill() (support.py) made grants, refills, sales, a refund and a remittance."""
    slugs = _places(network)
    seen = set()
    for transfer in _transfers(network):
        number = place_number(transfer.user_data_64)
        assert number is not None, transfer
        op = network.money.log.by_ref(transfer.user_data_128)
        assert op is not None
        assert slugs.get(number, "") == op.instance
        seen.add((ActionKind(transfer.code).label, slugs.get(number, "")))
    assert ("sale", "goulues") in seen and ("refill", "bisik") in seen
    assert ("grant", "") in seen and ("remittance", "goulues") in seen


def test_place_numbers_are_stable_and_dense(network: Network) -> None:
    before = _places(network)
    assert sorted(before) == list(range(1, len(before) + 1))
    assert set(before.values()) == {"bisik", "goulues", "ressourcerie"}
    card = network.money.cards.add(uid="04A1B2FF", number="0099")
    network.money.refill(
        operation_id="again", wallet=WalletRef.card(card.id), asset_id=1, amount=5,
        instance="bisik",
    )  # fmt: skip
    assert _places(network) == before  # a known slug keeps its number
    last = _transfers(network)[-1]
    assert (
        last.user_data_64 == place_user_data({s: n for n, s in before.items()}["bisik"])
        and last.user_data_64 >> PLACE_SHIFT == PLACE_LAYOUT
    )


def test_a_note_per_noted_operation_under_its_first_sequence(network: Network) -> None:
    notes = network.money.log.notes.notes(network.store)
    changes = {c.seq: c.transfer for c in network.ledger.changes(limit=10_000)}
    kinds = sorted(ActionKind(n.kind).label for _seq, n in notes)
    assert kinds == ["grant"] * 4 + ["refill"] * 4 + ["refund", "remittance"]  # no sale
    for seq, note in notes:
        transfer = changes[seq]
        assert transfer.code == note.kind and transfer.user_data_32 == 0  # its first leg
        op = network.money.log.by_ref(transfer.user_data_128)
        assert op is not None
        assert (note.operation_id, note.amount, note.instance, note.author) == (
            op.operation_id, op.amount, op.instance, op.author,
        )  # fmt: skip
        assert note.created_at == op.created_at
    remittance = next(n for _s, n in notes if n.kind == ActionKind.REMITTANCE)
    assert (remittance.bank_reference, remittance.bank_date) == ("VIR-1", "2026-11-02")


def test_a_correction_is_noted_with_its_reason(network: Network) -> None:
    card = network.money.cards.add(uid="04A1B2FE", number="0098")
    network.money.grant(operation_id="g", wallet=WalletRef.card(card.id), asset_id=1, amount=50)
    network.money.correction(
        operation_id="fix-1", debit=WalletRef.card(card.id), credit=WalletRef.issuer(1),
        asset_id=1, amount=20, reason="granted twice", author="treasurer",
    )  # fmt: skip
    seq, note = network.money.log.notes.notes(network.store)[-1]
    assert seq == network.ledger.head().seq
    assert note == OperationNote(
        kind=int(ActionKind.CORRECTION), operation_id="fix-1", amount=20,
        author="treasurer", reason="granted twice", created_at=note.created_at,
    )  # fmt: skip


def test_a_replay_or_a_refusal_writes_no_note(network: Network) -> None:
    card = network.money.cards.add(uid="04A1B2FD", number="0097")
    wallet = WalletRef.card(card.id)
    count = len(network.money.log.notes.notes(network.store))
    network.money.refill(operation_id="r", wallet=wallet, asset_id=1, amount=5, instance="bisik")
    network.money.refill(operation_id="r", wallet=wallet, asset_id=1, amount=5, instance="bisik")
    assert len(network.money.log.notes.notes(network.store)) == count + 1
    with pytest.raises(InsufficientFunds):
        network.money.refund(operation_id="too-much", wallet=wallet, asset_id=1, amount=10**6)
    assert len(network.money.log.notes.notes(network.store)) == count + 1


def test_a_rolled_back_write_forgets_a_new_place_number(network: Network) -> None:
    from core.instances import Instance

    network.instances.create(Instance(slug="nouvelle", name="Nouvelle"))
    card = network.money.cards.add(uid="04A1B2FC", number="0096")
    before = _places(network)
    places = network.money.log.notes.places

    def fails(tx):  # type: ignore[no-untyped-def]
        assert places.number_in(tx, "nouvelle") == len(before) + 1
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        network.store.write(fails)
    assert _places(network) == before
    network.money.refill(
        operation_id="n", wallet=WalletRef.card(card.id), asset_id=1, amount=5,
        instance="nouvelle",
    )  # fmt: skip
    assert _places(network)[len(before) + 1] == "nouvelle"


def test_transfers_without_the_layout_have_no_place_number() -> None:
    assert place_number(0) is None
    assert place_number(42) is None
    assert place_number(place_user_data(0)) == 0
    assert place_number(place_user_data(7)) == 7
    with pytest.raises(ValueError):
        place_user_data(1 << 32)
