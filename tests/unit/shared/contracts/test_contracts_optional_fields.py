"""Fields added to a payload after its first version: optional, defaulted, still validated."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from shared.contracts import InvoicePaymentRequested, RefundRequested


def without(sample: dict[str, Any], field: str) -> dict[str, Any]:
    return {key: value for key, value in sample.items() if key != field}


def test_a_refund_request_without_purpose_is_a_top_up_refund(
    sample_payloads: dict[str, dict[str, Any]],
) -> None:
    older = without(sample_payloads["RefundRequested"], "purpose")
    assert RefundRequested.model_validate_json(json.dumps(older)).purpose == "credit_topup"


def test_a_refund_request_names_an_invoice_payment_or_a_top_up(
    sample_payloads: dict[str, dict[str, Any]],
) -> None:
    sample = sample_payloads["RefundRequested"]
    assert RefundRequested.model_validate({**sample, "purpose": "invoice"}).purpose == "invoice"
    with pytest.raises(ValidationError, match="purpose"):
        RefundRequested.model_validate({**sample, "purpose": "refund"})


def test_an_invoice_payment_request_without_attempt_is_the_first(
    sample_payloads: dict[str, dict[str, Any]],
) -> None:
    older = without(sample_payloads["InvoicePaymentRequested"], "attempt")
    assert InvoicePaymentRequested.model_validate_json(json.dumps(older)).attempt == 1


@pytest.mark.parametrize("attempt", [0, -1, 1.5, "2", True, None])
def test_an_attempt_is_a_json_integer_from_one(
    attempt: object, sample_payloads: dict[str, dict[str, Any]]
) -> None:
    raw = json.dumps({**sample_payloads["InvoicePaymentRequested"], "attempt": attempt})
    with pytest.raises(ValidationError, match="attempt"):
        InvoicePaymentRequested.model_validate_json(raw)


def test_a_later_attempt_travels_as_it_is(sample_payloads: dict[str, dict[str, Any]]) -> None:
    sample = {**sample_payloads["InvoicePaymentRequested"], "attempt": 3}
    assert InvoicePaymentRequested.model_validate(sample).model_dump(mode="json") == sample
