"""Federation: invitations, answers, revoking and leaving, and the acceptance rule."""

from __future__ import annotations

import pytest

from core.wallets import (
    AssetArchived,
    AssetNotAccepted,
    FederationError,
    FederationStatus,
    InsufficientFunds,
    NotIssuer,
    UnknownInstance,
    WalletRef,
)


def _invite(world, instance="goulues"):
    return world.money.federations.invite(
        world.cla.id, instance, by_instance="claf", author="admin-claf"
    )


def test_invitation_lists_admins_to_notify_and_waits_for_an_answer(world):
    invitation = _invite(world)
    assert invitation.federation.status == FederationStatus.PENDING
    assert invitation.asset.code == "CLA"
    assert invitation.notify == ["nicolas@example.org"]
    pending = world.money.federations.pending_for("goulues")
    assert [(f.asset_id, a.code) for f, a in pending] == [(world.cla.id, "CLA")]
    assert not world.money.federations.accepts("goulues", world.cla.id)
    with pytest.raises(FederationError):
        _invite(world)  # already pending


def test_accept_makes_the_asset_accepted(world):
    _invite(world)
    accepted = world.money.federations.accept(world.cla.id, "goulues", author="nicolas")
    assert accepted.status == FederationStatus.ACCEPTED
    assert accepted.answered_by == "nicolas"
    assert world.money.federations.accepts("goulues", world.cla.id)
    assert world.money.federations.pending_for("goulues") == []
    assert world.money.federations.federated_instances(world.cla.id) == ["goulues"]
    codes = [a.code for a in world.money.federations.accepted_assets("goulues")]
    assert codes == ["FED", "CLA"]
    with pytest.raises(FederationError):
        world.money.federations.accept(world.cla.id, "goulues", author="nicolas")


def test_decline_then_invite_again(world):
    _invite(world)
    declined = world.money.federations.decline(world.cla.id, "goulues", author="nicolas")
    assert declined.status == FederationStatus.DECLINED
    assert not world.money.federations.accepts("goulues", world.cla.id)
    again = _invite(world)
    assert again.federation.status == FederationStatus.PENDING


def test_only_the_issuer_invites_and_revokes(world):
    with pytest.raises(NotIssuer):
        world.money.federations.invite(world.cla.id, "bisik", by_instance="goulues", author="x")
    _invite(world)
    with pytest.raises(NotIssuer):
        world.money.federations.revoke(world.cla.id, "goulues", by_instance="bisik", author="x")


def test_invitations_that_make_no_sense_are_refused(world):
    with pytest.raises(FederationError):
        world.money.federations.invite(1, "goulues", by_instance="", author="x")  # primary
    with pytest.raises(FederationError):
        _invite(world, "claf")  # the issuer itself
    with pytest.raises(UnknownInstance):
        _invite(world, "nowhere")
    with pytest.raises(FederationError):
        world.money.federations.accept(world.cla.id, "bisik", author="x")  # never invited
    with pytest.raises(FederationError):
        world.money.federations.leave(world.cla.id, "bisik", author="x")
    world.money.assets.archive(world.cla.id, by_instance="claf")
    with pytest.raises(AssetArchived):
        _invite(world)


def test_accepting_an_asset_archived_since_the_invitation_is_refused(world):
    _invite(world)
    world.money.assets.archive(world.cla.id, by_instance="claf")
    with pytest.raises(AssetArchived):
        world.money.federations.accept(world.cla.id, "goulues", author="nicolas")


def test_acceptance_rules(world):
    fed = world.money.federations
    assert fed.accepts("bisik", world.primary.id)  # primary: everywhere
    assert fed.accepts("claf", world.cla.id)  # its own asset
    assert not fed.accepts("bisik", world.cla.id)  # neither
    assert not fed.accepts("bisik", 999)  # unknown asset


def _federated_sale_setup(world):
    _invite(world)
    world.money.federations.accept(world.cla.id, "goulues", author="nicolas")
    alice = world.user("alice")
    world.fund(alice, world.cla, 1000)
    world.money.sale(
        operation_id="s1", payer=alice, instance="goulues", amount=300, asset_ids=[world.cla.id]
    )
    return alice


def test_revoke_keeps_balances_and_refuses_new_sales(world):
    alice = _federated_sale_setup(world)
    revoked = world.money.federations.revoke(
        world.cla.id, "goulues", by_instance="claf", author="admin-claf"
    )
    assert revoked.status == FederationStatus.REVOKED and revoked.ended_by == "admin-claf"
    assert world.balance(WalletRef.instance("goulues"), world.cla) == 300
    assert world.balance(alice, world.cla) == 700
    with pytest.raises(AssetNotAccepted) as info:
        world.money.sale(
            operation_id="s2", payer=alice, instance="goulues", amount=100, asset_ids=[world.cla.id]
        )
    assert (info.value.instance, info.value.asset) == ("goulues", world.cla.id)
    # with the default order, CLA is simply not used: the primary asset is short
    with pytest.raises(InsufficientFunds) as short:
        world.money.sale(operation_id="s3", payer=alice, instance="goulues", amount=100)
    assert short.value.asset == world.primary.id
    # the producer can still be paid back by the issuer for what it holds
    world.money.remittance(
        operation_id="rem1",
        instance="goulues",
        asset_id=world.cla.id,
        amount=300,
        bank_reference="VIR-1",
        bank_date="2026-11-20",
        author="tresorier",
    )
    assert world.balance(WalletRef.instance("goulues"), world.cla) == 0


def test_leave_keeps_balances_and_refuses_new_sales(world):
    alice = _federated_sale_setup(world)
    left = world.money.federations.leave(world.cla.id, "goulues", author="nicolas")
    assert left.status == FederationStatus.LEFT
    assert not world.money.federations.accepts("goulues", world.cla.id)
    assert world.balance(WalletRef.instance("goulues"), world.cla) == 300
    with pytest.raises(AssetNotAccepted):
        world.money.sale(
            operation_id="s2", payer=alice, instance="goulues", amount=100, asset_ids=[world.cla.id]
        )
    # invited again and accepted: sales work again
    _invite(world)
    world.money.federations.accept(world.cla.id, "goulues", author="nicolas")
    world.money.sale(
        operation_id="s3", payer=alice, instance="goulues", amount=100, asset_ids=[world.cla.id]
    )
    assert world.balance(WalletRef.instance("goulues"), world.cla) == 400


def test_revoking_a_pending_invitation_cancels_it(world):
    _invite(world)
    world.money.federations.revoke(world.cla.id, "goulues", by_instance="claf", author="a")
    assert world.money.federations.pending_for("goulues") == []
    with pytest.raises(FederationError):
        world.money.federations.accept(world.cla.id, "goulues", author="nicolas")
