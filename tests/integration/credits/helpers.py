"""Helpers of the credits integration tests: payments' events and waiting on conditions."""

from __future__ import annotations

import uuid
from typing import Any

from shared.contracts import CardSummary, PaymentCaptured, PaymentFailed, PaymentRequiresAction
from tests.integration.messaging.kafka_helpers import wait_until

from .conftest import CreditsService

__all__ = ["captured", "failed", "requires_action", "wait_for_json", "wait_until"]


def captured(request_id: str, amount: int, payment_id: str | None = None) -> PaymentCaptured:
    return PaymentCaptured(
        payment_id=payment_id or f"pay_{uuid.uuid4().hex[:12]}",
        purpose="credit_topup",
        reference_id=request_id,
        amount=amount,
        currency="USD",
        card=CardSummary(brand="visa", last4="4242"),
    )


def failed(request_id: str, code: str = "card_declined") -> PaymentFailed:
    return PaymentFailed(
        payment_id=f"pay_{uuid.uuid4().hex[:12]}",
        purpose="credit_topup",
        reference_id=request_id,
        code=code,
        message="Your card was declined.",
    )


def requires_action(request_id: str, secret: str = "pi_1_secret_abc") -> PaymentRequiresAction:
    return PaymentRequiresAction(
        payment_id="pay_3ds",
        purpose="credit_topup",
        reference_id=request_id,
        client_secret=secret,
    )


async def wait_for_json(
    service: CreditsService,
    customer_id: str,
    path: str,
    condition: Any,
    timeout: float = 30,
    **params: Any,
) -> dict[str, Any]:
    """GET ``path`` until ``condition(body)`` holds; return the body."""
    body: dict[str, Any] = {}

    async def holds() -> bool:
        nonlocal body
        response = await service.get(customer_id, path, **params)
        if response.status_code != 200:
            return False
        body = response.json()
        return bool(condition(body))

    await wait_until(holds, timeout, f"{path} to satisfy the condition")
    return body
