"""Unit tests of shared.money.Money: currencies, parsing, formatting and arithmetic."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shared.money import MAX_MINOR_UNITS, Money, MoneyError, currency_exponent


@pytest.mark.parametrize(
    ("code", "exponent"),
    [("USD", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("BHD", 3), ("KWD", 3), ("CLF", 4)],
)
def test_currency_exponent(code: str, exponent: int) -> None:
    assert currency_exponent(code) == exponent


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("XAU", "minor unit"),
        ("XXX", "minor unit"),
        ("XDR", "minor unit"),
        ("XTS", "minor unit"),
        ("ABC", "minor unit"),
        ("usd", "three upper-case letters"),
        ("US", "three upper-case letters"),
        ("USDX", "three upper-case letters"),
        (" USD", "three upper-case letters"),
        ("", "three upper-case letters"),
    ],
)
def test_currency_exponent_refuses(code: str, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        currency_exponent(code)


def test_currency_exponent_refuses_non_str() -> None:
    with pytest.raises(MoneyError, match="three upper-case letters"):
        currency_exponent(840)  # type: ignore[arg-type]


def test_money_error_is_a_value_error() -> None:
    assert issubclass(MoneyError, ValueError)


@pytest.mark.parametrize(
    ("text", "currency", "minor", "decimal_string", "display"),
    [
        ("47.76", "USD", 4776, "47.76", "47.76"),
        ("100", "USD", 10000, "100.00", "100"),
        ("100.00", "USD", 10000, "100.00", "100"),
        ("0.5", "USD", 50, "0.50", "0.50"),
        ("12.5", "USD", 1250, "12.50", "12.50"),
        ("-1.99", "USD", -199, "-1.99", "-1.99"),
        ("-47.76", "USD", -4776, "-47.76", "-47.76"),
        ("-100", "USD", -10000, "-100.00", "-100"),
        ("-0.01", "USD", -1, "-0.01", "-0.01"),
        ("0", "USD", 0, "0.00", "0"),
        ("0.00", "USD", 0, "0.00", "0"),
        ("500", "JPY", 500, "500", "500"),
        ("-7", "JPY", -7, "-7", "-7"),
        ("1.005", "BHD", 1005, "1.005", "1.005"),
        ("1.5", "BHD", 1500, "1.500", "1.500"),
        ("2", "BHD", 2000, "2.000", "2"),
        ("0.0001", "CLF", 1, "0.0001", "0.0001"),
        ("92233720368547758.07", "USD", MAX_MINOR_UNITS, "92233720368547758.07", None),
    ],
)
def test_parse_and_format(
    text: str, currency: str, minor: int, decimal_string: str, display: str | None
) -> None:
    money = Money.parse(text, currency)
    assert money == Money(minor, currency)
    assert money.to_decimal_string() == decimal_string
    assert money.to_display() == (display or decimal_string)
    assert money.to_decimal() == Decimal(text)
    assert Money.parse(money.to_decimal_string(), currency) == money


def test_parse_defaults_to_usd() -> None:
    assert Money.parse("47.76") == Money(4776, "USD")


def test_to_decimal_keeps_the_currency_decimals() -> None:
    assert str(Money(10000, "USD").to_decimal()) == "100.00"
    assert str(Money(-5, "JPY").to_decimal()) == "-5"


def test_str_names_the_currency() -> None:
    assert str(Money(-199, "USD")) == "-1.99 USD"


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("1e3", "USD", "exponent notation"),
        ("1E3", "USD", "exponent notation"),
        ("1.5e-2", "USD", "exponent notation"),
        ("NaN", "USD", "not a finite number"),
        ("nan", "USD", "not a finite number"),
        ("sNaN", "USD", "not a finite number"),
        ("Infinity", "USD", "not a finite number"),
        ("inf", "USD", "not a finite number"),
        ("-inf", "USD", "not a finite number"),
        ("-0", "USD", "negative zero"),
        ("-0.00", "USD", "negative zero"),
        ("-0.0", "USD", "negative zero"),
        ("-0", "JPY", "negative zero"),
        ("+1.00", "USD", "must not start with '\\+'"),
        (" 1.00", "USD", "whitespace"),
        ("1.00 ", "USD", "whitespace"),
        ("1 000", "USD", "whitespace"),
        ("1\n", "USD", "whitespace"),
        ("1,000.00", "USD", "thousands separators"),
        ("1_000", "USD", "thousands separators"),
        ("1'000", "USD", "thousands separators"),
        ("", "USD", "empty"),
        ("1.001", "USD", "USD allows at most 2 decimals"),
        ("1.000", "USD", "USD allows at most 2 decimals"),
        ("1.5", "JPY", "JPY allows no decimals"),
        ("1.0", "JPY", "JPY allows no decimals"),
        ("1.0005", "BHD", "BHD allows at most 3 decimals"),
        ("1" * 31, "USD", "too long"),
        ("1.", "USD", "not a decimal number"),
        (".5", "USD", "not a decimal number"),
        ("-", "USD", "not a decimal number"),
        ("--1", "USD", "not a decimal number"),
        ("1-", "USD", "not a decimal number"),
        ("1.2.3", "USD", "not a decimal number"),
        ("$1", "USD", "not a decimal number"),
        ("0x10", "USD", "not a decimal number"),
        ("\u0661\u0662", "USD", "not a decimal number"),
        ("007", "USD", "leading zeros"),
        ("00.50", "USD", "leading zeros"),
        ("92233720368547758.08", "USD", "out of range"),
        ("1", "XAU", "minor unit"),
        ("1", "usd", "three upper-case letters"),
    ],
)
def test_parse_refuses(text: str, currency: str, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        Money.parse(text, currency)


@pytest.mark.parametrize("value", [12.5, 12.0, 12, Decimal("12.5"), b"12", None, True])
def test_parse_refuses_non_str(value: object) -> None:
    with pytest.raises(MoneyError, match="must be a decimal string"):
        Money.parse(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("minor", "currency", "message"),
    [
        (1.0, "USD", "must be an int, got float"),
        (True, "USD", "must be an int, got bool"),
        ("100", "USD", "must be an int, got str"),
        (Decimal(1), "USD", "must be an int, got Decimal"),
        (1, "XXX", "minor unit"),
        (1, "eur", "three upper-case letters"),
        (MAX_MINOR_UNITS + 1, "USD", "out of range"),
        (-MAX_MINOR_UNITS - 1, "USD", "out of range"),
    ],
)
def test_constructor_refuses(minor: Any, currency: str, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        Money(minor, currency)


def test_money_is_immutable() -> None:
    money = Money(1, "USD")
    with pytest.raises(AttributeError):
        money.minor = 2  # type: ignore[misc]


def test_arithmetic() -> None:
    a, b = Money(4776, "USD"), Money(199, "USD")
    assert a + b == Money(4975, "USD")
    assert a - b == Money(4577, "USD")
    assert b - a == Money(-4577, "USD")
    assert -a == Money(-4776, "USD")
    assert -Money.zero("USD") == Money(0, "USD")
    assert Money.zero("JPY") == Money(0, "JPY")


def test_predicates() -> None:
    assert Money.zero("USD").is_zero()
    assert not Money(1, "USD").is_zero()
    assert Money(1, "USD").is_positive()
    assert not Money(0, "USD").is_positive()
    assert Money(-1, "USD").is_negative()
    assert not Money(0, "USD").is_negative()


def test_comparisons_and_builtin_min() -> None:
    small, large = Money(199, "USD"), Money(4776, "USD")
    assert small < large
    assert small <= large
    assert small <= Money(199, "USD")
    assert large > small
    assert large >= small
    assert not large < small
    assert min(large, small) == small
    assert max(large, small) == large


def test_equality_and_hash_include_the_currency() -> None:
    assert Money(100, "USD") != Money(100, "EUR")
    assert Money(100, "USD") == Money(100, "USD")
    assert len({Money(100, "USD"), Money(100, "USD"), Money(100, "EUR")}) == 2


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
        lambda a, b: min(a, b),
    ],
    ids=["add", "sub", "lt", "le", "gt", "ge", "min"],
)
def test_mixing_currencies_is_refused(operation: Any) -> None:
    with pytest.raises(MoneyError, match=r"(USD and EUR|EUR and USD)"):
        operation(Money(100, "USD"), Money(100, "EUR"))


@pytest.mark.parametrize("other", [1, 1.0, Decimal(1)])
def test_arithmetic_with_a_number_is_refused(other: object) -> None:
    with pytest.raises(TypeError):
        _ = Money(100, "USD") + other  # type: ignore[operator]
    with pytest.raises(TypeError):
        assert Money(100, "USD") < other  # type: ignore[operator]


def test_overflow_is_refused() -> None:
    with pytest.raises(MoneyError, match="out of range"):
        Money(MAX_MINOR_UNITS, "USD") + Money(1, "USD")
