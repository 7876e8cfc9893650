"""Amounts people type: decimal strings, within the limits, in a supported currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.credits.domain.errors import InvalidField
from services.credits.domain.policy import TopUpPolicy
from shared.money import Money

POLICY = TopUpPolicy()


@pytest.mark.parametrize(
    ("amount", "minor"), [("1.00", 100), ("1", 100), ("47.76", 4776), ("10000.00", 1_000_000)]
)
def test_top_ups_within_the_limits_are_read_exactly(amount: str, minor: int) -> None:
    assert POLICY.top_up(amount, "USD") == Money(minor, "USD")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0.00", "more than zero"),
        ("-5.00", "more than zero"),
        ("0.99", "at least 1.00 USD"),
        ("10000.01", "at most 10000.00 USD"),
        ("1.001", "at most 2 decimals"),
        ("NaN", "not a finite number"),
        ("1e3", "exponent"),
        ("12,00", "separators"),
        ("", "empty"),
        (" 1.00", "whitespace"),
        ("-0.00", "negative zero"),
        ("01.00", "leading zeros"),
    ],
)
def test_amounts_outside_the_rules_name_the_amount_field(amount: str, message: str) -> None:
    with pytest.raises(InvalidField) as refused:
        POLICY.top_up(amount, "USD")
    assert refused.value.field == "amount"
    assert message in refused.value.message


def test_unsupported_currencies_name_the_currency_field() -> None:
    with pytest.raises(InvalidField) as refused:
        POLICY.top_up("10.00", "EUR")
    assert refused.value.field == "currency"
    assert "USD" in refused.value.message


def test_limits_and_currencies_are_configurable() -> None:
    policy = TopUpPolicy(Decimal("5"), Decimal("500"), ("JPY", "USD"))
    assert policy.default_currency == "JPY"
    assert policy.top_up("5", "JPY") == Money(5, "JPY")
    with pytest.raises(InvalidField, match="no decimals"):
        policy.top_up("5.5", "JPY")
    with pytest.raises(InvalidField, match="at least 5"):
        policy.top_up("4.99", "USD")


def test_grants_have_no_minimum_but_the_same_maximum() -> None:
    assert POLICY.grant("0.01", "USD") == Money(1, "USD")
    with pytest.raises(InvalidField):
        POLICY.grant("10000.01", "USD")
    with pytest.raises(InvalidField):
        POLICY.grant("0", "USD")


@pytest.mark.parametrize(
    ("minimum", "maximum", "currencies"),
    [("0", "10", ("USD",)), ("10", "5", ("USD",)), ("1", "10", ()), ("1", "10", ("XXX",))],
)
def test_inconsistent_policies_are_refused(
    minimum: str, maximum: str, currencies: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError, match=r"."):
        TopUpPolicy(Decimal(minimum), Decimal(maximum), currencies)
