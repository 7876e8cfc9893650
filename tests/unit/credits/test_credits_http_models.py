"""HTTP bodies: unknown fields refused, and card data refused wherever it hides."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.credits.http_models import GrantBody, TopUpBody, find_card_data

BASE: dict[str, Any] = {"amount": "10.00", "description": "test"}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"card_number": "4242424242424242"}, "card_number"),
        ({"cardNumber": "x"}, "cardNumber"),
        ({"card": {"number": "4242"}}, "card"),
        ({"CVC": "123"}, "CVC"),
        ({"cvv2": "123"}, "cvv2"),
        ({"exp-month": 12}, "exp-month"),
        ({"pan": "1"}, "pan"),
        ({"meta": [{"security_code": "1"}]}, "meta[0].security_code"),
        ({"description": "pay with 4242-4242-4242-4242"}, "description"),
        ({"description": "4000 0025 0000 3155"}, "description"),
    ],
)
def test_card_data_is_found_by_key_or_by_a_card_number_value(
    body: dict[str, Any], where: str
) -> None:
    assert find_card_data(body) == where


@pytest.mark.parametrize(
    "body",
    [
        {"description": "invoice 1234567890123"},
        {"description": "order 4242424242424241"},
        {"payment_method_id": "pm_4242424242424242"},
        {"amount": "10000.00", "currency": "USD"},
    ],
)
def test_ordinary_values_are_not_card_data(body: dict[str, Any]) -> None:
    assert find_card_data(body) is None


def test_a_body_with_card_data_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationError) as refused:
        TopUpBody.model_validate({**BASE, "card": {"number": "4242424242424242", "cvc": "1"}})
    [error] = refused.value.errors()
    assert error["type"] == "card_data"
    assert error["msg"] == (
        "card data must not be sent (found in card); use a Stripe PaymentMethod id (pm_...)"
    )
    with pytest.raises(ValidationError, match="card data"):
        GrantBody.model_validate({**BASE, "cvv": "123"})


def test_a_valid_body_keeps_its_defaults() -> None:
    body = TopUpBody.model_validate({**BASE, "payment_method_id": "pm_card_visa"})
    assert (body.currency, body.save_card, body.set_default) == ("USD", False, False)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"amount": 10.0}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"description": "tab\there"}, "description"),
        ({"payment_method_id": "tok_visa"}, "payment_method_id"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_invalid_fields_are_named(extra: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        TopUpBody.model_validate({**BASE, **extra})
    assert any(field in error["loc"] for error in refused.value.errors())


def test_card_options_need_a_card() -> None:
    with pytest.raises(ValidationError, match="need a payment_method_id"):
        TopUpBody.model_validate({**BASE, "save_card": True})
