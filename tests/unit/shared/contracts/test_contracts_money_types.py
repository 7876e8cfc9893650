"""Unit tests of the money field types of the wire contract (shared.money's pydantic types)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from shared.money import (
    MAX_MINOR_UNITS,
    CurrencyCode,
    DecimalAmount,
    MinorUnits,
    NonNegativeMinorUnits,
    PositiveMinorUnits,
)


class _Amounts(BaseModel):
    signed: MinorUnits
    non_negative: NonNegativeMinorUnits
    positive: PositiveMinorUnits
    currency: CurrencyCode


def test_minor_unit_types_accept_json_integers() -> None:
    raw = '{"signed": -5, "non_negative": 0, "positive": 1, "currency": "JPY"}'
    model = _Amounts.model_validate_json(raw)
    assert (model.signed, model.non_negative, model.positive) == (-5, 0, 1)
    assert model.currency == "JPY"


@pytest.mark.parametrize("value", ["12.0", "12.5", '"12"', "true", "null", "1e2"])
def test_minor_units_accept_only_json_integers(value: str) -> None:
    raw = f'{{"signed": {value}, "non_negative": 0, "positive": 1, "currency": "USD"}}'
    with pytest.raises(ValidationError, match="signed"):
        _Amounts.model_validate_json(raw)


@pytest.mark.parametrize("value", [12.0, "12", True])
def test_minor_units_refuse_python_non_int(value: object) -> None:
    with pytest.raises(ValidationError, match="valid integer"):
        TypeAdapter(MinorUnits).validate_python(value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("non_negative", -1),
        ("positive", 0),
        ("signed", MAX_MINOR_UNITS + 1),
        ("signed", -MAX_MINOR_UNITS - 1),
    ],
)
def test_minor_unit_bounds(field: str, value: int) -> None:
    data: dict[str, Any] = {"signed": 0, "non_negative": 0, "positive": 1, "currency": "USD"}
    with pytest.raises(ValidationError, match=field):
        _Amounts.model_validate({**data, field: value})


@pytest.mark.parametrize("code", ["XAU", "usd", "US", "ABC", 840])
def test_currency_code_refuses(code: object) -> None:
    with pytest.raises(ValidationError, match="currency"):
        _Amounts.model_validate({"signed": 0, "non_negative": 0, "positive": 1, "currency": code})


def test_decimal_amount_accepts_decimal_strings() -> None:
    adapter = TypeAdapter(DecimalAmount)
    assert adapter.validate_json('"47.76"') == "47.76"
    assert adapter.validate_python("0.0001") == "0.0001"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("47.76", "valid string"),
        ('"1e3"', "exponent notation"),
        ('"-0.00"', "negative zero"),
        ('"0.00001"', "more than 4 decimals"),
        ('"1,000"', "thousands separators"),
        ('"NaN"', "not a finite number"),
        ('" 1"', "whitespace"),
    ],
)
def test_decimal_amount_refuses(raw: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TypeAdapter(DecimalAmount).validate_json(raw)


def test_json_schema_of_the_field_types() -> None:
    schema = _Amounts.model_json_schema()["properties"]
    assert schema["signed"]["type"] == "integer"
    assert schema["positive"]["exclusiveMinimum"] == 0
    assert schema["non_negative"]["minimum"] == 0
    assert schema["currency"]["pattern"] == "^[A-Z]{3}$"
    assert TypeAdapter(DecimalAmount).json_schema()["type"] == "string"
