"""Money errors read by people (translated) and by programs (problem details with a code)."""

from __future__ import annotations

from core.i18n import language
from core.wallets import AssetNotAccepted, InsufficientFunds, InvalidInput, UnknownCard
from hosts.web.money_errors import money_message, money_problem, money_status


def test_shortfall_is_shown_in_the_asset_unit_in_french_and_english():
    exc = InsufficientFunds(shortfall=1250, asset=2, wallet="user:u1", available=750)
    with language("fr"):
        assert money_message(exc) == "Solde insuffisant : il manque 12,50."
    with language("en"):
        assert money_message(exc) == "Insufficient balance: 12.50 missing."
        assert money_message(exc, decimals=0) == "Insufficient balance: 1,250 missing."


def test_statuses_follow_the_kind_of_error():
    assert money_status(InvalidInput("amount", "must be positive")) == 422
    assert money_status(UnknownCard("x")) == 404
    assert money_status(AssetNotAccepted("bisik", 3)) == 409


def test_problem_details_carry_the_code_and_the_field_or_shortfall():
    with language("en"):
        invalid = money_problem(InvalidInput("amount", "must be positive"))
        short = money_problem(InsufficientFunds(shortfall=5, asset=1, wallet="w", available=0))
    assert invalid.status_code == 422
    assert invalid.media_type == "application/problem+json"
    assert invalid.content["code"] == "invalid_input"
    assert invalid.content["field"] == "amount"
    assert invalid.content["detail"] == "Invalid value for amount: must be positive"
    assert short.status_code == 409
    assert (short.content["shortfall"], short.content["available"]) == (5, 0)
