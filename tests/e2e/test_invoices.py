"""Invoices across credits, payments, invoicing, Kafka and Stripe (localstripe), end to end.

Each test ends with the invariants 1 to 4 of architecture.md checked for its
customers (``invoice_helpers.check_invariants``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.platform import LocalPlatform
from shared.contracts import INVOICING_TOPIC

from .conftest import customer_headers
from .helpers import CARD_OK, new_card, top_up, wait_for_request
from .invoice_helpers import (
    OPERATOR,
    Billing,
    cents,
    check_invariants,
    deliver_again,
    find_record,
    intents_for_invoice,
    query,
    topic_of,
    wait_until,
)

pytestmark = pytest.mark.e2e

SEED_INVOICES = ("7.96", "593.02", "47.76", "1.99")


@pytest.fixture
async def billing(platform: LocalPlatform) -> AsyncIterator[Billing]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield Billing(platform, client)


def settled(body: dict[str, Any]) -> bool:
    """Paid, or left with its remainder after the card could not pay."""
    return body["status"] == "paid" or (
        not body["payment_in_progress"] and body["last_payment_error"] is not None
    )


async def test_the_seed_history_credits_first_then_the_default_card(
    platform: LocalPlatform, billing: Billing, customer_id: str
) -> None:
    card = await asyncio.to_thread(new_card, platform, CARD_OK)
    response = await asyncio.to_thread(
        top_up, platform, customer_id, "100.00", "test",
        payment_method_id=card, save_card=True, set_default=True,
    )  # fmt: skip
    assert response.status_code == 202, response.text
    request_id = response.json()["request_id"]
    done = await asyncio.to_thread(
        wait_for_request, platform, customer_id, request_id, {"succeeded", "failed"}
    )
    assert done["status"] == "succeeded", done
    invoices = []
    for amount in SEED_INVOICES:
        invoice_id = await billing.issued(customer_id, amount)
        paid = await billing.wait_invoice(customer_id, invoice_id, lambda b: b["status"] == "paid")
        invoices.append(paid)
    ids = [i["invoice_id"] for i in invoices]
    assert [(i["paid_from_credits"], i["paid_by_card"]) for i in invoices] == [
        ("7.96", "0.00"), ("92.04", "500.98"), ("0.00", "47.76"), ("0.00", "1.99"),
    ]  # fmt: skip
    book: dict[str, Any] = {}

    async def ledger_complete() -> bool:
        nonlocal book
        book = await billing.ledger(customer_id)
        return len(book["entries"]) == 3

    await wait_until(ledger_complete, 30, lambda: f"ledger {book}")
    assert [(e["amount"], e["description"]) for e in book["entries"]] == [
        ("-92.04", f"Debited to invoice {ids[1]}"),
        ("-7.96", f"Debited to invoice {ids[0]}"),
        ("100.00", "test"),
    ]
    assert book["balance"] == "0.00"
    for invoice, amount in zip(invoices[1:], ("500.98", "47.76", "1.99"), strict=True):
        [intent] = await asyncio.to_thread(intents_for_invoice, platform, invoice["invoice_id"])
        assert (intent["amount"], intent["payment_method"]) == (cents(amount), card)
    assert await asyncio.to_thread(intents_for_invoice, platform, ids[0]) == []
    listed = await billing.client.get(
        billing.url("invoicing", f"/v1/customers/{customer_id}/invoices"),
        headers=OPERATOR,
    )
    assert [i["invoice_id"] for i in listed.json()["invoices"]] == ids[::-1]
    await check_invariants(platform, billing, [customer_id])


async def test_twenty_concurrent_invoices_take_exactly_the_balance(
    platform: LocalPlatform, billing: Billing, customer_id: str
) -> None:
    await billing.grant(customer_id, "100.00")

    async def granted() -> bool:
        return await billing.balance(customer_id) == "100.00"

    await wait_until(granted, 30, lambda: "the grant in the balance")
    ids = await asyncio.gather(*(billing.issued(customer_id, "10.00") for _ in range(20)))
    bodies = await asyncio.gather(*(billing.wait_invoice(customer_id, i, settled) for i in ids))
    paid = [b for b in bodies if b["status"] == "paid"]
    left = [b for b in bodies if b["status"] != "paid"]
    assert len(paid) == 10
    assert sum(cents(b["paid_from_credits"]) for b in bodies) == 10000
    assert {(b["paid_from_credits"], b["paid_by_card"]) for b in paid} == {("10.00", "0.00")}
    for body in left:
        assert (body["status"], body["remaining"], body["paid_from_credits"]) == (
            "active", "10.00", "0.00",
        )  # fmt: skip
        assert body["last_payment_error"]["code"] == "no_payment_method"
    assert await billing.balance(customer_id) == "0.00"
    kinds = await query(
        platform, "credits",
        "SELECT event_type, count(*) AS n FROM credits.events WHERE customer_id = $1 GROUP BY 1",
        customer_id,
    )  # fmt: skip
    counts = {r["event_type"]: r["n"] for r in kinds}
    assert (counts["InvoiceDebited"], counts["InvoiceDebitDeclined"]) == (10, 10)
    await check_invariants(platform, billing, [customer_id])


async def test_an_unpaid_invoice_expires_once_and_a_good_card_pays_it_later(
    platform: LocalPlatform, billing: Billing, customer_id: str
) -> None:
    due = datetime.now(UTC) + timedelta(seconds=2)
    invoice_id = await billing.issued(customer_id, "15.00", due_at=due.isoformat())
    expired = await billing.wait_invoice(
        customer_id, invoice_id, lambda b: b["status"] == "expired", timeout=30
    )
    assert datetime.now(UTC) >= due
    assert expired["remaining"] == "15.00"

    async def no_longer_watched() -> bool:
        rows = await query(
            platform, "invoicing",
            "SELECT 1 FROM invoicing.invoice_due_dates WHERE invoice_id = $1", invoice_id,
        )  # fmt: skip
        return not rows

    await wait_until(no_longer_watched, 30, lambda: "the expiry job to let the invoice go")
    settled_body = await billing.wait_invoice(customer_id, invoice_id, settled)
    assert settled_body["last_payment_error"]["code"] == "no_payment_method"
    expiries = await query(
        platform, "invoicing",
        """SELECT count(*) AS n FROM invoicing.events
           WHERE stream_id = $1 AND event_type = 'InvoiceExpired'""",
        f"invoice-{invoice_id}",
    )  # fmt: skip
    assert expiries[0]["n"] == 1
    card = await asyncio.to_thread(new_card, platform, CARD_OK)
    await billing.save_card(customer_id, card, default=False)
    response = await billing.pay(customer_id, invoice_id, method="card", payment_method_id=card)
    assert response.status_code == 202, response.text
    paid = await billing.wait_invoice(customer_id, invoice_id, lambda b: b["status"] == "paid")
    assert (paid["paid_by_card"], paid["remaining"], paid["card_attempts"]) == ("15.00", "0.00", 2)
    kinds = [h["event_type"] for h in paid["history"]]
    assert kinds.count("InvoiceExpired") == 1
    assert kinds.index("InvoiceExpired") < kinds.index("InvoicePaid")
    [intent] = await asyncio.to_thread(intents_for_invoice, platform, invoice_id)
    assert (intent["amount"], intent["payment_method"]) == (1500, card)
    again = await billing.pay(customer_id, invoice_id, method="card")
    assert again.status_code == 409
    await check_invariants(platform, billing, [customer_id])


async def test_voiding_restores_the_credits_taken_once_even_when_delivered_twice(
    platform: LocalPlatform, billing: Billing, customer_id: str
) -> None:
    await billing.grant(customer_id, "6.00")

    async def granted() -> bool:
        return await billing.balance(customer_id) == "6.00"

    await wait_until(granted, 30, lambda: "the grant in the balance")
    invoice_id = await billing.issued(customer_id, "10.00")
    partly = await billing.wait_invoice(customer_id, invoice_id, settled)
    assert (partly["status"], partly["paid_from_credits"], partly["remaining"]) == (
        "active", "6.00", "4.00",
    )  # fmt: skip
    assert await billing.balance(customer_id) == "0.00"
    voided = await billing.void(invoice_id, "ordered by mistake")
    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "void"
    await wait_until(granted, 30, lambda: "the credits to come back")
    record = await find_record(
        platform, topic_of(platform, INVOICING_TOPIC), "InvoiceVoided", invoice_id
    )
    await deliver_again(platform, record, "credits")
    again = await billing.void(invoice_id, "twice")
    assert again.status_code == 200
    restored = await query(
        platform, "credits",
        """SELECT payload FROM credits.events
           WHERE event_type = 'CreditRestored' AND payload->>'invoice_id' = $1""",
        invoice_id,
    )  # fmt: skip
    assert [r["payload"]["amount"] for r in restored] == [600]
    assert await billing.balance(customer_id) == "6.00"
    book = await billing.ledger(customer_id)
    assert [e["amount"] for e in book["entries"]] == ["6.00", "-6.00", "6.00"]
    voids = [h for h in (await billing.invoice(customer_id, invoice_id))["history"]
             if h["event_type"] == "InvoiceVoided"]  # fmt: skip
    assert [v["reason"] for v in voids] == ["ordered by mistake"]
    await check_invariants(platform, billing, [customer_id])


async def test_invoices_refuse_bad_input_and_other_customers(
    platform: LocalPlatform, billing: Billing, customer_id: str
) -> None:
    refused = await billing.issue(customer_id, "0.00")
    assert refused.status_code == 422
    card_data = await billing.issue(customer_id, "5.00", card={"number": "4242424242424242"})
    assert card_data.status_code == 422
    invoice_id = await billing.issued(customer_id, "5.00")
    other = f"cus-{uuid.uuid4().hex[:12]}"
    hidden = await billing.client.get(
        billing.url("invoicing", f"/v1/invoices/{invoice_id}"),
        headers=customer_headers(other),
    )
    assert hidden.status_code == 404
    stored = await query(
        platform, "invoicing",
        "SELECT count(*) AS n FROM invoicing.invoice_index WHERE customer_id = $1", customer_id,
    )  # fmt: skip
    assert stored[0]["n"] == 1
    await billing.wait_invoice(customer_id, invoice_id, settled)
    await check_invariants(platform, billing, [customer_id])
