"""Helpers of the invoicing integration tests: credits' and payments' answers, waiting."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from shared.contracts import (
    CardSummary,
    InvoiceDebitDeclined,
    InvoiceDebited,
    PaymentCaptured,
    PaymentFailed,
)
from tests.integration.messaging.kafka_helpers import wait_until

from .conftest import InvoicingService

__all__ = ["captured", "debited", "declined", "failed", "wait_for_invoice", "wait_until"]


def debited(invoice_id: str, amount: int) -> InvoiceDebited:
    return InvoiceDebited.for_invoice(invoice_id, amount, "USD")


def declined(invoice_id: str, reason: str = "the balance is zero") -> InvoiceDebitDeclined:
    return InvoiceDebitDeclined(invoice_id=invoice_id, reason=reason)


def captured(
    invoice_id: str, amount: int, payment_id: str | None = None, purpose: str = "invoice"
) -> PaymentCaptured:
    return PaymentCaptured.model_validate(
        {
            "payment_id": payment_id or f"pay_{uuid.uuid4().hex[:12]}",
            "purpose": purpose,
            "reference_id": invoice_id,
            "amount": amount,
            "currency": "USD",
            "card": CardSummary(brand="visa", last4="4242"),
        }
    )


def failed(invoice_id: str, code: str = "card_declined", purpose: str = "invoice") -> PaymentFailed:
    return PaymentFailed.model_validate(
        {
            "payment_id": f"pay_{uuid.uuid4().hex[:12]}",
            "purpose": purpose,
            "reference_id": invoice_id,
            "code": code,
            "message": "Your card was declined.",
        }
    )


async def wait_for_invoice(
    service: InvoicingService,
    customer_id: str,
    invoice_id: str,
    condition: Any,
    timeout: float = 30,
) -> dict[str, Any]:
    """GET the invoice until ``condition(body)`` holds; return the body."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while True:
        response = await service.get(customer_id, invoice_id)
        if response.status_code == 200:
            body = response.json()
            if condition(body):
                return body
        assert time.monotonic() < deadline, f"invoice {invoice_id} after {timeout}s: {body}"
        await asyncio.sleep(0.05)
