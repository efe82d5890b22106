"""Online refills and refunds over the local provider: credited once, refunded once, amounts."""

from __future__ import annotations

import pytest

from core.accounts import User
from core.payments import LocalProvider, PaymentError, WebhookError
from core.wallets import InvalidInput, OperationConflict, WalletRef
from core.wallets.amounts import format_amount, parse_amount
from core.wallets.online import OnlineRefills, new_token
from core.wallets.refunds import OnlineRefunds


class FailingProvider:
    """A provider whose Refund API is down (the rest is the local provider's)."""

    def __init__(self, inner: LocalProvider) -> None:
        self.inner = inner
        self.name = inner.name

    def refund(self, payment_intent: str, amount: int, *, idempotency_key: str = ""):
        raise PaymentError("Stripe could not be reached to refund; please try again")


@pytest.fixture
def online(world):
    provider = LocalProvider("whsec_unit", "http://a.localhost", demo=True, store=world.store)
    refills = OnlineRefills(world.store, world.money, clock=world.clock)
    refunds = OnlineRefunds(world.store, world.money, refills, clock=world.clock)
    return provider, refills, refunds


def _user(world, name: str) -> User:
    ref = world.user(name)
    return world.people.user(ref.id)


def _paid(world, provider, refills, user, amount: int) -> str:
    refill = refills.start(
        provider, refill_id=new_token(), user=user, amount=amount,
        success_url="http://a.localhost/ok", cancel_url="http://a.localhost/ko",
    )  # fmt: skip
    payload, header = provider.confirm(refill.checkout_id)
    outcome = refills.process_webhook(provider, payload, header)
    assert outcome.result == "credited" and outcome.fresh
    return refill.id


def test_refill_is_credited_once_whatever_arrives(world, online):
    provider, refills, _ = online
    ada = _user(world, "ada")
    refill_id = new_token()
    refill = refills.start(
        provider, refill_id=refill_id, user=ada, amount=2500,
        success_url="http://a.localhost/ok", cancel_url="http://a.localhost/ko",
    )  # fmt: skip
    assert refill.status == "open" and refill.checkout_url.endswith(refill.checkout_id)
    twin = refills.start(  # a double-submitted form
        provider, refill_id=refill_id, user=ada, amount=2500,
        success_url="http://a.localhost/ok", cancel_url="http://a.localhost/ko",
    )  # fmt: skip
    assert twin.checkout_id == refill.checkout_id
    with pytest.raises(OperationConflict):
        refills.start(
            provider, refill_id=refill_id, user=ada, amount=2600,
            success_url="http://a.localhost/ok", cancel_url="http://a.localhost/ko",
        )  # fmt: skip

    payload, header = provider.confirm(refill.checkout_id)
    with pytest.raises(WebhookError):
        refills.process_webhook(provider, payload.replace(b"2500", b"9500"), header)
    assert world.money.balance(WalletRef.user(ada.id), 1) == 0

    first = refills.process_webhook(provider, payload, header)
    replay = refills.process_webhook(provider, payload, header)
    again, again_header = provider.confirm(refill.checkout_id)  # a double click on "pay"
    third = refills.process_webhook(provider, again, again_header)
    assert (first.result, first.fresh) == ("credited", True)
    assert (replay.result, replay.fresh) == ("credited", False)
    assert not third.fresh
    assert world.money.balance(WalletRef.user(ada.id), 1) == 2500
    stored = refills.get(refill_id)
    assert stored.status == "credited" and stored.payment_intent.startswith("pi_local_")


def test_limits_and_bad_ids(world, online):
    provider, refills, _ = online
    ada = _user(world, "ada")
    for amount in (99, 50_001, 12.5, True):
        with pytest.raises(InvalidInput, match="amount"):
            refills.start(
                provider, refill_id=new_token(), user=ada, amount=amount,
                success_url="http://a.localhost/ok", cancel_url="http://a.localhost/ko",
            )  # fmt: skip
    with pytest.raises(InvalidInput, match="refill_id"):
        refills.start(
            provider, refill_id="../x", user=ada, amount=500,
            success_url="http://a.localhost/ok", cancel_url="http://a.localhost/ko",
        )  # fmt: skip


def test_refund_spreads_over_payments_and_happens_once(world, online):
    provider, refills, refunds = online
    ada = _user(world, "ada")
    older = _paid(world, provider, refills, ada, 1000)
    world.clock.now += 10
    newer = _paid(world, provider, refills, ada, 500)
    wallet = WalletRef.user(ada.id)
    bob = world.user("bob")
    world.money.transfer(operation_id="gift", payer=wallet, payee=bob, asset_id=1, amount=300)
    assert refunds.refundable(ada.id) == 1200  # 1500 paid online, 1200 left in the wallet

    with pytest.raises(InvalidInput, match="amount"):
        refunds.request(provider, request_id=new_token(), user_id=ada.id, amount=1201)
    request_id = new_token()
    done = refunds.request(provider, request_id=request_id, user_id=ada.id, amount=800)
    assert done.status == "succeeded"
    assert [(p.refill_id, p.amount) for p in done.parts] == [(newer, 500), (older, 300)]
    assert all(p.refund_id.startswith("re_local_") for p in done.parts)
    twice = refunds.request(provider, request_id=request_id, user_id=ada.id, amount=800)
    assert twice.parts == done.parts
    assert world.money.balance(wallet, 1) == 400
    assert provider.refundable(refills.get(older).payment_intent) == 700
    assert refunds.refundable(ada.id) == 400


def test_a_failed_refund_keeps_the_money_aside_and_retries_once(world, online):
    provider, refills, refunds = online
    ada = _user(world, "ada")
    refill_id = _paid(world, provider, refills, ada, 1000)
    request_id = new_token()
    failed = refunds.request(
        FailingProvider(provider), request_id=request_id, user_id=ada.id, amount=400
    )
    assert failed.status == "failed" and "could not be reached" in failed.error
    assert world.money.balance(WalletRef.user(ada.id), 1) == 600
    retried = refunds.retry(provider, request_id, user_id=ada.id)
    assert retried.status == "succeeded"
    assert provider.refundable(refills.get(refill_id).payment_intent) == 600
    assert refunds.retry(provider, request_id, user_id=ada.id).parts == retried.parts
    assert provider.refundable(refills.get(refill_id).payment_intent) == 600


def test_refund_refused_when_the_balance_moved(world, online):
    provider, refills, refunds = online
    ada = _user(world, "ada")
    _paid(world, provider, refills, ada, 1000)
    world.money.sale(
        operation_id="spent", payer=WalletRef.user(ada.id), instance="bisik", amount=900
    )
    with pytest.raises(InvalidInput, match="at most 100"):
        refunds.request(provider, request_id=new_token(), user_id=ada.id, amount=500)
    assert refunds.of_user(ada.id) == []
    assert world.money.balance(WalletRef.user(ada.id), 1) == 100


@pytest.mark.parametrize(
    ("text", "decimals", "cents"),
    [("12", 2, 1200), ("12,5", 2, 1250), ("12.50", 2, 1250), (" 1 234,56 € ", 2, 123456),
     ("0,01", 2, 1), ("7", 0, 7), ("1\u202f000", 2, 100000)],
)  # fmt: skip
def test_parse_amount(text, decimals, cents):
    assert parse_amount(text, decimals) == cents


@pytest.mark.parametrize("text", ["", "0", "-5", "12,345", "1e3", "12,5,0", "abc", None, "0,00"])
def test_parse_amount_refuses(text):
    with pytest.raises(InvalidInput, match="price"):
        parse_amount(text, 2, field="price")


def test_format_amount():
    assert format_amount(123456, 2) == "1\u202f234,56"
    assert format_amount(123456, 2, lang="en") == "1,234.56"
    assert format_amount(-5, 2) == "-0,05"
    assert format_amount(42, 0) == "42"
