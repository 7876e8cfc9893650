"""Bodies of the invoicing API: unknown fields, line bounds, due dates and card data refused."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.invoicing.http_models import InvoiceBody, PayBody, VoidBody

VALID: dict[str, Any] = {
    "customer_id": "cus-1",
    "currency": "USD",
    "lines": [{"description": "licence", "amount": "47.76"}],
}


def test_a_valid_body_reads_its_due_date_in_utc() -> None:
    body = InvoiceBody.model_validate({**VALID, "due_at": "2030-01-01T02:00:00+02:00"})
    assert body.due_at is not None
    assert body.due_at.isoformat() == "2030-01-01T00:00:00+00:00"
    assert InvoiceBody.model_validate(VALID).due_at is None


@pytest.mark.parametrize(
    "body",
    [
        {**VALID, "lines": []},
        {**VALID, "lines": [{"description": "x", "amount": "1.00"}] * 201},
        {**VALID, "lines": [{"description": "x", "amount": 1.5}]},
        {**VALID, "lines": [{"description": "x" * 256, "amount": "1.00"}]},
        {**VALID, "lines": [{"description": "tab\there", "amount": "1.00"}]},
        {**VALID, "lines": [{"description": "x", "amount": "1.00", "tax": "0"}]},
        {**VALID, "currency": "usd"},
        {**VALID, "currency": "XAU"},
        {**VALID, "customer_id": "cus 1"},
        {**VALID, "due_at": "2030-01-01T00:00:00"},
        {**VALID, "surprise": True},
        {k: v for k, v in VALID.items() if k != "currency"},
    ],
)
def test_bad_invoice_bodies_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        InvoiceBody.model_validate(body)


@pytest.mark.parametrize(
    "extra",
    [
        {"card_number": "4242424242424242"},
        {"card": {"number": "4242"}},
        {"metadata": {"CVC": "123"}},
        {"lines": [{"description": "my card 4242 4242 4242 4242", "amount": "1.00"}]},
    ],
)
def test_card_data_is_refused_without_echoing_it(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        InvoiceBody.model_validate({**VALID, **extra})
    [error] = refused.value.errors()
    assert error["type"] == "card_data"
    assert "4242 4242" not in str(refused.value)


def test_pay_bodies_name_a_card_only_with_method_card() -> None:
    assert PayBody.model_validate({"method": "card", "payment_method_id": "pm_1"}).method == "card"
    assert PayBody.model_validate({"method": "credits"}).payment_method_id is None
    for body in (
        {"method": "credits", "payment_method_id": "pm_1"},
        {"method": "cash"},
        {"method": "card", "payment_method_id": "card_1"},
        {"method": "card", "number": "4242424242424242"},
    ):
        with pytest.raises(ValidationError):
            PayBody.model_validate(body)


def test_a_void_reason_is_optional_but_not_empty() -> None:
    assert VoidBody().reason == "voided by an operator"
    with pytest.raises(ValidationError):
        VoidBody.model_validate({"reason": ""})
