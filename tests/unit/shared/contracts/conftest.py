"""Sample payloads and envelopes for the contract tests, as they travel on the wire (JSON)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

_CARD = {"brand": "visa", "last4": "4242"}

SAMPLE_PAYLOADS: dict[str, dict[str, Any]] = {
    "CreditRequested": {
        "request_id": "req_01",
        "amount": 10000,
        "currency": "USD",
        "description": "test",
        "payment_method_id": "pm_card_visa",
        "save_card": True,
        "set_default": False,
    },
    "CreditAdded": {
        "request_id": "req_01",
        "payment_id": "pay_01",
        "amount": 10000,
        "currency": "USD",
        "description": "test",
    },
    "CreditRequestFailed": {
        "request_id": "req_01",
        "code": "card_declined",
        "message": "Your card was declined.",
    },
    "CreditRequestRequiresAction": {
        "request_id": "req_01",
        "payment_id": "pay_01",
        "client_secret": "pi_123_secret_abc",
    },
    "CreditGranted": {
        "grant_id": "grant_01",
        "amount": 500,
        "currency": "USD",
        "description": "goodwill",
        "granted_by": "operator",
    },
    "InvoiceDebited": {
        "invoice_id": "5ed0e12bf455640d6cd91bd3",
        "amount": 199,
        "currency": "USD",
        "description": "Debited to invoice 5ed0e12bf455640d6cd91bd3",
    },
    "InvoiceDebitDeclined": {"invoice_id": "inv_01", "reason": "balance is empty"},
    "CreditReversed": {
        "payment_id": "pay_01",
        "amount": 10000,
        "currency": "USD",
        "reason": "requested_by_customer",
    },
    "CreditReversalDeclined": {
        "payment_id": "pay_01",
        "amount": 10000,
        "currency": "USD",
        "reason": "balance 52.24 USD cannot cover 100.00 USD",
    },
    "CreditRestored": {"invoice_id": "inv_01", "amount": 4776, "currency": "USD"},
    "PaymentCaptured": {
        "payment_id": "pay_01",
        "purpose": "credit_topup",
        "reference_id": "req_01",
        "amount": 10000,
        "currency": "USD",
        "card": _CARD,
    },
    "PaymentFailed": {
        "payment_id": "pay_01",
        "purpose": "invoice",
        "reference_id": "inv_01",
        "code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
    },
    "PaymentRequiresAction": {
        "payment_id": "pay_01",
        "purpose": "credit_topup",
        "reference_id": "req_01",
        "client_secret": "pi_123_secret_abc",
    },
    "RefundRequested": {
        "payment_id": "pay_01",
        "amount": 10000,
        "currency": "USD",
        "reason": "duplicate",
        "purpose": "credit_topup",
    },
    "PaymentRefunded": {
        "payment_id": "pay_01",
        "amount": 10000,
        "currency": "USD",
        "reason": "duplicate",
    },
    "CardSaved": {
        "payment_method_id": "pm_card_visa",
        "brand": "visa",
        "last4": "4242",
        "exp_month": 12,
        "exp_year": 2030,
        "is_default": True,
    },
    "DefaultCardSet": {"payment_method_id": "pm_card_visa"},
    "CardRemoved": {"payment_method_id": "pm_card_visa"},
    "InvoiceIssued": {
        "invoice_id": "inv_01",
        "amount_due": 4776,
        "currency": "USD",
        "lines": [
            {"description": "Licence renewal", "amount": 5000},
            {"description": "Loyalty discount", "amount": -224},
        ],
        "due_at": "2024-08-01T00:00:00Z",
    },
    "InvoiceDebitRequested": {"invoice_id": "inv_01", "amount": 4776, "currency": "USD"},
    "InvoicePaymentRequested": {
        "invoice_id": "inv_01",
        "amount": 2776,
        "currency": "USD",
        "payment_method_id": None,
        "attempt": 1,
    },
    "InvoicePaid": {
        "invoice_id": "inv_01",
        "paid_from_credits": 2000,
        "paid_by_card": 2776,
        "currency": "USD",
    },
    "InvoiceVoided": {"invoice_id": "inv_01", "reason": "ordered by mistake"},
    "InvoiceExpired": {"invoice_id": "inv_01", "remaining": 2776, "currency": "USD"},
}


@pytest.fixture
def sample_payloads() -> dict[str, dict[str, Any]]:
    """A fresh copy of one valid payload per event type."""
    return copy.deepcopy(SAMPLE_PAYLOADS)


@pytest.fixture
def envelope_data() -> dict[str, Any]:
    """A valid CreditAdded envelope as the JSON object on the wire."""
    return {
        "event_id": "0b8f5a4e-5c1d-4d59-9a53-3f1f8e0f2c11",
        "event_type": "CreditAdded",
        "schema_version": 1,
        "occurred_at": "2024-07-17T04:21:00Z",
        "customer_id": "cus_42",
        "correlation_id": "6f1c1c8e-6a55-4f5e-8f43-2c1a9a2b7d10",
        "causation_id": "9d6f0d2a-1b7e-4c9d-8a6e-5b3c2d1e0f99",
        "producer": "credits",
        "payload": copy.deepcopy(SAMPLE_PAYLOADS["CreditAdded"]),
    }


@pytest.fixture
def encode() -> Callable[[Any], bytes]:
    """Serialise a JSON-like value to message bytes."""
    return lambda value: json.dumps(value).encode()
