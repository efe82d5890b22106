"""Money errors read by people (translated) and by programs (problem details with a code)."""

from __future__ import annotations

from core.i18n import language
from core.wallets import AssetNotAccepted, InsufficientFunds, InvalidInput, UnknownCard
from core.wallets.amounts import parse_amount
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


def test_an_invalid_value_is_named_and_explained_in_the_reader_s_language():
    """The field and the reason are both translated, placeholders filled after translation."""
    too_long = InvalidInput("name", "use 1 to %(name_max)s characters", name_max=80)
    assert str(too_long) == "name: use 1 to 80 characters"
    assert too_long.params == {"name_max": 80}
    with language("fr"):
        assert money_message(too_long) == "Valeur invalide pour nom : utilisez de 1 à 80 caractères"
    with language("en"):
        assert money_message(too_long) == "Invalid value for name: use 1 to 80 characters"


def test_amounts_typed_wrong_are_explained_in_french():
    cases = (("", "saisissez un montant"), ("douze", "saisissez un nombre comme 12,50"),
             ("1,234", "au plus 2 chiffres après la virgule"))  # fmt: skip
    for typed, reason in cases:
        try:
            parse_amount(typed, 2)
        except InvalidInput as exc:
            with language("fr"):
                assert money_message(exc) == f"Valeur invalide pour montant : {reason}"
        else:
            raise AssertionError(f"{typed!r} was accepted")
