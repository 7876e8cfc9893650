"""HTTP bodies: raw card data and unknown fields are refused, PaymentMethod ids only."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.payments.api.schemas import AddPaymentMethod, RefundIn, UnprocessableOut


@pytest.mark.parametrize(
    "body",
    [
        {"payment_method_id": "pm_1", "number": "4242424242424242"},
        {"payment_method_id": "pm_1", "cvc": "123"},
        {"payment_method_id": "pm_1", "card": {"number": "4242424242424242"}},
        {"card_number": "4242424242424242"},
    ],
)
def test_raw_card_data_is_refused_with_a_clear_message(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="card data must not be sent"):
        AddPaymentMethod.model_validate(body)


@pytest.mark.parametrize(
    "body",
    [
        {"payment_method_id": "4242424242424242"},
        {"payment_method_id": "pm_1", "surprise": True},
        {"payment_method_id": "pm_1", "set_default": "yes"},
        {},
    ],
)
def test_bodies_must_name_a_payment_method_and_nothing_else(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        AddPaymentMethod.model_validate(body)


def test_a_refund_takes_a_decimal_amount_and_a_reason() -> None:
    assert RefundIn.model_validate({"reason": "dup"}).amount is None
    assert RefundIn.model_validate({"amount": "1.50", "reason": "dup"}).amount == "1.50"
    for bad in ({"amount": 1.5, "reason": "x"}, {"amount": "1", "reason": ""}, {"amount": "1"}):
        with pytest.raises(ValidationError):
            RefundIn.model_validate(bad)


@pytest.mark.parametrize(
    "answer",
    [
        {"detail": [{"loc": ["body", "payment_method_id"], "msg": "bad", "type": "string_type"}]},
        {"detail": {"code": "invalid_request", "message": "No such PaymentMethod: 'pm_0'"}},
    ],
)
def test_the_documented_422_of_saving_a_card_covers_bad_fields_and_stripe_refusals(
    answer: dict[str, Any],
) -> None:
    assert UnprocessableOut.model_validate(answer).model_dump(exclude_none=True) == answer
