"""Credits' and payments' answers on real Kafka settle invoices: credits, card, failures, DLQ."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.contracts import (
    CREDITS_TOPIC,
    INVOICING_TOPIC,
    PAYMENTS_TOPIC,
    CreditGranted,
    Envelope,
    dlq_topic,
)
from shared.messaging.dead_letters import DETAIL_HEADER, REASON_HEADER
from tests.integration.messaging.kafka_helpers import header, read_topic

from .conftest import InvoicingService
from .helpers import captured, debited, declined, failed, wait_for_invoice

pytestmark = pytest.mark.integration


async def published(service: InvoicingService, count: int) -> list[Envelope]:
    records = await read_topic(
        service.settings.kafka_bootstrap_servers, service.topic(INVOICING_TOPIC), count
    )
    return [Envelope.from_json_bytes(r.value) for r in records]


def status_is(status: str) -> Any:
    return lambda body: body["status"] == status


async def test_a_debit_covering_the_invoice_pays_it_and_invoice_paid_is_published(
    service: InvoicingService, customer_id: str
) -> None:
    invoice_id = await service.issued(customer_id, "7.96")
    envelope = await service.publish(debited(invoice_id, 796), customer_id)
    body = await wait_for_invoice(service, customer_id, invoice_id, status_is("paid"))
    assert (body["paid_from_credits"], body["paid_by_card"], body["remaining"]) == (
        "7.96", "0.00", "0.00",
    )  # fmt: skip
    assert [h["event_type"] for h in body["history"]] == [
        "InvoiceIssued", "InvoiceDebitRequested", "InvoiceCreditsApplied", "InvoicePaid",
    ]  # fmt: skip
    out = await published(service, 3)
    assert [e.event_type for e in out] == ["InvoiceIssued", "InvoiceDebitRequested", "InvoicePaid"]
    paid = out[-1]
    assert paid.payload == {
        "invoice_id": invoice_id, "paid_from_credits": 796, "paid_by_card": 0, "currency": "USD",
    }  # fmt: skip
    assert (paid.customer_id, paid.causation_id) == (customer_id, envelope.event_id)
    assert out[0].correlation_id == out[1].correlation_id


async def test_the_remainder_goes_to_the_default_card_and_its_capture_pays_the_invoice(
    service: InvoicingService, customer_id: str
) -> None:
    invoice_id = await service.issued(customer_id, "593.02")
    await service.publish(debited(invoice_id, 9204), customer_id)
    waiting = await wait_for_invoice(
        service, customer_id, invoice_id, lambda b: b["card_attempts"] == 1
    )
    assert (waiting["status"], waiting["remaining"]) == ("active", "500.98")
    asked = (await published(service, 3))[-1]
    assert asked.event_type == "InvoicePaymentRequested"
    assert asked.payload == {
        "invoice_id": invoice_id, "amount": 50098, "currency": "USD",
        "payment_method_id": None, "attempt": 1,
    }  # fmt: skip
    await service.publish(captured(invoice_id, 50098, "pay_card"), customer_id)
    body = await wait_for_invoice(service, customer_id, invoice_id, status_is("paid"))
    assert (body["paid_from_credits"], body["paid_by_card"]) == ("92.04", "500.98")
    captured_entry = body["history"][-2]
    assert captured_entry["payment_id"] == "pay_card"
    assert captured_entry["card"] == {"brand": "visa", "last4": "4242"}
    paid = (await published(service, 4))[-1]
    assert (paid.event_type, paid.payload["paid_by_card"]) == ("InvoicePaid", 50098)


async def test_a_declined_card_leaves_the_invoice_active_and_a_second_attempt_pays_it(
    service: InvoicingService, customer_id: str
) -> None:
    invoice_id = await service.issued(customer_id, "47.76")
    await service.publish(declined(invoice_id), customer_id)
    await wait_for_invoice(service, customer_id, invoice_id, lambda b: b["card_attempts"] == 1)
    await service.publish(failed(invoice_id, "no_payment_method"), customer_id)
    body = await wait_for_invoice(
        service, customer_id, invoice_id, lambda b: not b["payment_in_progress"]
    )
    assert (body["status"], body["remaining"]) == ("active", "47.76")
    assert body["last_payment_error"] == {
        "code": "no_payment_method", "message": "Your card was declined.",
    }  # fmt: skip
    response = await service.pay(customer_id, invoice_id, "card", payment_method_id="pm_good")
    assert response.status_code == 202, response.text
    assert response.json()["card_attempts"] == 2
    asked = (await published(service, 4))[-1]
    assert (asked.payload["attempt"], asked.payload["payment_method_id"]) == (2, "pm_good")
    await service.publish(captured(invoice_id, 4776), customer_id)
    body = await wait_for_invoice(service, customer_id, invoice_id, status_is("paid"))
    assert (body["paid_by_card"], body["last_payment_error"]) == ("47.76", None)


async def test_paying_from_credits_asks_credits_for_the_remainder(
    service: InvoicingService, customer_id: str
) -> None:
    invoice_id = await service.issued(customer_id, "10.00")
    await service.publish(debited(invoice_id, 400), customer_id)
    await wait_for_invoice(service, customer_id, invoice_id, lambda b: b["card_attempts"] == 1)
    await service.publish(failed(invoice_id), customer_id)
    await wait_for_invoice(service, customer_id, invoice_id, lambda b: b["last_payment_error"])
    response = await service.pay(customer_id, invoice_id, "credits")
    assert response.status_code == 202, response.text
    asked = (await published(service, 4))[-1]
    assert (asked.event_type, asked.payload["amount"]) == ("InvoiceDebitRequested", 600)
    await service.publish(debited(invoice_id, 600), customer_id)
    body = await wait_for_invoice(service, customer_id, invoice_id, status_is("paid"))
    assert (body["paid_from_credits"], body["paid_by_card"]) == ("10.00", "0.00")


async def test_redelivered_answers_count_once_and_top_ups_are_ignored(
    service: InvoicingService, customer_id: str
) -> None:
    invoice_id = await service.issued(customer_id, "20.00")
    debit = Envelope.wrap(
        debited(invoice_id, 500), customer_id=customer_id, correlation_id=uuid.uuid4()
    )
    for _ in range(3):
        await service.send(debit)
    await service.publish(captured(invoice_id, 1500, purpose="credit_topup"), customer_id)
    await service.publish(failed(invoice_id, purpose="credit_topup"), customer_id)
    grant = CreditGranted(
        grant_id="g1", amount=100, currency="USD", description="x", granted_by="operator"
    )
    await service.publish(grant, customer_id)
    await wait_for_invoice(service, customer_id, invoice_id, lambda b: b["card_attempts"] == 1)
    await service.publish(captured(invoice_id, 1500), customer_id)
    body = await wait_for_invoice(service, customer_id, invoice_id, status_is("paid"))
    assert (body["paid_from_credits"], body["paid_by_card"]) == ("5.00", "15.00")
    assert await service.event_types(invoice_id) == [
        "InvoiceIssued", "InvoiceDebitRequested", "InvoiceCreditsApplied",
        "InvoicePaymentRequested", "InvoiceCardCaptured", "InvoicePaid",
    ]  # fmt: skip


async def test_answers_the_invoice_refuses_go_to_the_dead_letter_topics(
    service: InvoicingService, customer_id: str
) -> None:
    await service.publish(debited("never_issued", 100), customer_id)
    invoice_id = await service.issued(customer_id, "10.00")
    await service.publish(debited(invoice_id, 100), f"{customer_id}-other")
    await service.publish(debited(invoice_id, 1001), customer_id)
    await service.publish(captured("never_issued", 100), customer_id)
    await service.publish(debited(invoice_id, 1000), customer_id)
    await wait_for_invoice(service, customer_id, invoice_id, status_is("paid"))
    bootstrap = service.settings.kafka_bootstrap_servers
    dead = await read_topic(bootstrap, dlq_topic(service.topic(CREDITS_TOPIC)), 3)
    reasons = sorted(str(header(r, REASON_HEADER)) for r in dead)
    assert reasons == ["payment_mismatch", "unknown_invoice", "unknown_invoice"]
    details = " ".join(str(header(r, DETAIL_HEADER)) for r in dead)
    assert "never_issued" in details
    assert "more than the 10.00 USD left" in details
    [dead_payment] = await read_topic(bootstrap, dlq_topic(service.topic(PAYMENTS_TOPIC)), 1)
    assert header(dead_payment, REASON_HEADER) == "unknown_invoice"
    assert (await service.event_types(invoice_id)).count("InvoiceCreditsApplied") == 1
