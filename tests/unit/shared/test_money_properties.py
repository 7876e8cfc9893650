"""Properties of money parsing and formatting, checked on generated amounts (hypothesis).

Amounts written by ``Money`` read back to the same minor units in currencies with
0, 2 and 3 decimals; the strings ``Money.parse`` accepts are exactly plain decimals
with no more decimals than the currency has; everything else (floats, exponents,
too many decimals, garbage) is refused with a ``MoneyError`` that says why, and
no value on the way is ever a ``float``.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from shared.money import MAX_AMOUNT_CHARS, MAX_MINOR_UNITS, MinorUnits, Money, MoneyError

EXPONENTS = {"JPY": 0, "KRW": 0, "USD": 2, "EUR": 2, "BHD": 3, "KWD": 3}
QUICK = settings(max_examples=150, deadline=None)

currencies = st.sampled_from(sorted(EXPONENTS))
minor_units = st.integers(min_value=-MAX_MINOR_UNITS, max_value=MAX_MINOR_UNITS)
small_minor_units = st.integers(min_value=-(10**12), max_value=10**12)
minor_adapter: TypeAdapter[int] = TypeAdapter(MinorUnits)


def parsed(text: str, currency: str) -> Money | MoneyError:
    """What ``Money.parse`` makes of ``text``: the money, or the error it raised."""
    try:
        return Money.parse(text, currency)
    except MoneyError as error:
        return error


def plain_decimal(exponent: int) -> str:
    """The pattern of a decimal string with exactly ``exponent`` decimals."""
    decimals = rf"\.[0-9]{{{exponent}}}" if exponent else ""
    return rf"-?(0|[1-9][0-9]*){decimals}"


@QUICK
@given(minor=minor_units, currency=currencies)
def test_minor_units_survive_a_round_trip_through_the_decimal_string(
    minor: int, currency: str
) -> None:
    money = Money(minor, currency)
    text = money.to_decimal_string()
    assert re.fullmatch(plain_decimal(EXPONENTS[currency]), text), text
    assert Money.parse(text, currency) == money
    assert Decimal(text) == money.to_decimal() == Decimal(minor).scaleb(-EXPONENTS[currency])
    display = money.to_display()
    assert Money.parse(display, currency) == money


@QUICK
@given(
    currency=currencies,
    whole=st.integers(min_value=0, max_value=10**15),
    data=st.data(),
    negative=st.booleans(),
)
def test_a_plain_decimal_reads_as_its_exact_value_in_minor_units(
    currency: str, whole: int, data: st.DataObject, negative: bool
) -> None:
    exponent = EXPONENTS[currency]
    decimals = data.draw(st.text("0123456789", max_size=exponent), label="decimals")
    text = f"{whole}.{decimals}" if decimals else str(whole)
    if negative and (whole or decimals.strip("0")):
        text = f"-{text}"
    money = Money.parse(text, currency)
    assert type(money.minor) is int
    assert money.minor == int(Decimal(text).scaleb(exponent))
    assert Money.parse(money.to_decimal_string(), currency) == money


@QUICK
@given(currency=currencies, whole=st.integers(min_value=0, max_value=10**9), data=st.data())
def test_more_decimals_than_the_currency_has_are_refused(
    currency: str, whole: int, data: st.DataObject
) -> None:
    exponent = EXPONENTS[currency]
    decimals = data.draw(st.text("0123456789", min_size=exponent + 1, max_size=exponent + 6))
    with pytest.raises(MoneyError, match=f"{currency} allows"):
        Money.parse(f"{whole}.{decimals}", currency)


@QUICK
@given(value=st.floats(allow_nan=True, allow_infinity=True), currency=currencies)
@example(value=12.0, currency="USD")
def test_floats_are_refused_as_amounts_and_as_minor_units(value: float, currency: str) -> None:
    with pytest.raises(MoneyError, match="must be a decimal string, got float"):
        Money.parse(value, currency)  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="minor units must be an int, got float"):
        Money(value, currency)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        minor_adapter.validate_python(value)


@QUICK
@given(value=st.floats(allow_nan=True, allow_infinity=True), currency=currencies)
def test_the_text_of_a_float_is_read_exactly_or_refused(value: float, currency: str) -> None:
    """``repr(0.1)``, ``"1e-07"``, ``"inf"``: never rounded, never through ``float``."""
    text = repr(value)
    money = parsed(text, currency)
    if isinstance(money, MoneyError):
        assert str(money)
    else:
        assert type(money.minor) is int
        assert Decimal(text) == money.to_decimal()


@QUICK
@given(text=st.text(max_size=MAX_AMOUNT_CHARS + 5), currency=currencies)
@example(text="1,000.00", currency="USD")
@example(text="1e3", currency="USD")
@example(text=" 1.00", currency="USD")
@example(text="-0.00", currency="USD")
@example(text="NaN", currency="USD")
@example(text="+1", currency="USD")
@example(text="01.5", currency="USD")
@example(text="١٢", currency="USD")
def test_any_text_is_an_exact_plain_decimal_or_a_clear_refusal(text: str, currency: str) -> None:
    exponent = EXPONENTS[currency]
    money = parsed(text, currency)
    if isinstance(money, MoneyError):
        assert str(money)
        readable = re.fullmatch(rf"-?(0|[1-9][0-9]*)(\.[0-9]{{0,{exponent}}})?", text)
        too_long = len(text) > MAX_AMOUNT_CHARS
        negative_zero = readable is not None and text.startswith("-") and Decimal(text) == 0
        assert readable is None or too_long or negative_zero or "out of range" in str(money)
    else:
        assert re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?", text, flags=re.ASCII)
        assert type(money.minor) is int
        assert money.minor == int(Decimal(text).scaleb(exponent))


@QUICK
@given(a=small_minor_units, b=small_minor_units, currency=currencies)
def test_arithmetic_stays_in_integer_minor_units(a: int, b: int, currency: str) -> None:
    left, right = Money(a, currency), Money(b, currency)
    for result in (left + right, left - right, -left, min(left, right), max(left, right)):
        assert type(result.minor) is int
        assert result.currency == currency
    assert (left + right).minor == a + b
    assert (left - right) + right == left
    assert (left < right) == (a < b)
    assert isinstance(left.to_decimal(), Decimal)
