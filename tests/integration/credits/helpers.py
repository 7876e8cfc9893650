"""Helpers of the credits integration tests: other services' events, waiting, balances."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from shared.contracts import (
    CardSummary,
    Envelope,
    InvoiceDebitRequested,
    PaymentCaptured,
    PaymentFailed,
    PaymentRequiresAction,
)
from tests.integration.messaging.kafka_helpers import wait_until

from .conftest import CreditsService

__all__ = [
    "balance_as_of",
    "captured",
    "debit_requested",
    "failed",
    "handled",
    "ledger",
    "requires_action",
    "two_grants",
    "wait_for_json",
    "wait_until",
]


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


def debit_requested(invoice_id: str, amount: int) -> InvoiceDebitRequested:
    return InvoiceDebitRequested(invoice_id=invoice_id, amount=amount, currency="USD")


async def handled(service: CreditsService, *envelopes: Envelope, timeout: float = 60) -> None:
    """Wait until the credits consumer has handled every one of ``envelopes``."""
    ids = list({envelope.event_id for envelope in envelopes})

    async def all_handled() -> bool:
        count = await service.pool.fetchval(
            "SELECT count(*) FROM inbox WHERE event_id = ANY($1::uuid[])", ids
        )
        return bool(count == len(ids))

    await wait_until(all_handled, timeout, f"{len(ids)} message(s) to be handled")


async def ledger(
    service: CreditsService, customer_id: str, entries: int
) -> tuple[str, list[tuple[str, str, str]]]:
    """The balance and the (amount, description, balance after) of each entry, newest first,
    once the ledger shows ``entries`` entries."""
    book = await wait_for_json(
        service, customer_id, "/credits", lambda b: len(b["entries"]) == entries, limit=200
    )
    lines = [(e["amount"], e["description"], e["balance_after"]) for e in book["entries"]]
    return book["balance"], lines


async def two_grants(service: CreditsService, customer_id: str) -> tuple[datetime, datetime]:
    """Grant 10.00 USD then 5.00 USD; the instants of the first and the second ledger entry."""
    for amount in ("10.00", "5.00"):
        await service.grant(customer_id, amount)
    book = await wait_for_json(service, customer_id, "/credits", lambda b: len(b["entries"]) == 2)
    second, first = (datetime.fromisoformat(e["created_at"]) for e in book["entries"])
    return first, second


async def balance_as_of(service: CreditsService, customer_id: str, at: datetime) -> dict[str, Any]:
    """The body of ``GET /balance?as_of=at`` (asserted 200)."""
    response = await service.get(customer_id, "/balance", as_of=at.isoformat())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
