"""Invoice charges against real PostgreSQL, Kafka and localstripe: attempts, no card, refunds."""

from __future__ import annotations

import uuid

import pytest

from services.payments.domain.values import payment_id_for
from shared.contracts import InvoicePaymentRequested

from .conftest import (
    CARD_DECLINED_ON_CHARGE,
    CARD_OK,
    OPERATOR,
    Harness,
    customer_headers,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore:Use 'content=")]


def invoice_id() -> str:
    return uuid.uuid4().hex[:24]


def charge(invoice: str, attempt: int = 1, card: str | None = None) -> InvoicePaymentRequested:
    return InvoicePaymentRequested(
        invoice_id=invoice, amount=4776, currency="USD", payment_method_id=card, attempt=attempt
    )


async def save_default_card(payments: Harness, customer_id: str, number: str) -> str:
    card = payments.new_card(number)
    saved = await payments.http.post(
        f"/v1/customers/{customer_id}/payment-methods",
        json={"payment_method_id": card, "set_default": True},
        headers=customer_headers(customer_id),
    )
    assert saved.status_code == 201, saved.text
    return card


async def no_jobs_left(payments: Harness) -> bool:
    return bool(await payments.parts.pool.fetchval("SELECT count(*) FROM payment_jobs") == 0)


async def test_a_second_attempt_after_a_decline_is_a_second_payment_and_charges_once(
    payments: Harness, customer_id: str
) -> None:
    await save_default_card(payments, customer_id, CARD_DECLINED_ON_CHARGE)
    invoice = invoice_id()
    await payments.publish(charge(invoice), customer_id)
    [failed] = await payments.published.wait_for(customer_id, "PaymentFailed")
    first = payment_id_for("invoice", customer_id, invoice)
    assert (failed.payload["payment_id"], failed.payload["purpose"]) == (first, "invoice")
    assert (failed.payload["reference_id"], failed.payload["code"]) == (invoice, "card_declined")

    good = await save_default_card(payments, customer_id, CARD_OK)
    second_attempt = await payments.publish(charge(invoice, attempt=2), customer_id)
    await payments.resend(second_attempt)
    again = await payments.publish(charge(invoice, attempt=2), customer_id)  # a new event id
    [captured] = await payments.published.wait_for(customer_id, "PaymentCaptured")
    second = payment_id_for("invoice", customer_id, invoice, 2)
    assert second != first
    assert captured.payload["payment_id"] == second
    assert (captured.payload["reference_id"], captured.payload["amount"]) == (invoice, 4776)

    async def handled() -> bool:
        ids = [second_attempt.event_id, again.event_id]
        count = await payments.parts.pool.fetchval(
            "SELECT count(*) FROM inbox WHERE event_id = ANY($1::uuid[])", ids
        )
        return bool(count == 2)

    await wait_until(handled, what="both deliveries of attempt 2 handled")
    await wait_until(lambda: no_jobs_left(payments), what="the jobs to be done")
    [declined] = payments.intents_for(first)
    [paid] = payments.intents_for(second)
    assert declined["status"] == "requires_payment_method"
    assert (paid["status"], paid["payment_method"]) == ("succeeded", good)
    assert paid["metadata"]["invoice_id"] == invoice
    types = await payments.stream_types(f"payment-{second}")
    assert (types.count("PaymentScheduled"), types.count("PaymentCaptured")) == (1, 1)
    assert len(payments.published.of(customer_id, "PaymentCaptured")) == 1


async def test_an_invoice_with_no_card_and_no_default_fails_with_no_payment_method(
    payments: Harness, customer_id: str
) -> None:
    invoice = invoice_id()
    await payments.publish(charge(invoice), customer_id)
    [failed] = await payments.published.wait_for(customer_id, "PaymentFailed")
    assert failed.payload == {
        "payment_id": payment_id_for("invoice", customer_id, invoice),
        "purpose": "invoice",
        "reference_id": invoice,
        "code": "no_payment_method",
        "message": "No card was given and the customer has no default card on file.",
    }
    assert await payments.stripe_customer(customer_id) is None


async def test_a_refund_of_an_invoice_payment_is_paid_out_without_waiting_for_credits(
    payments: Harness, customer_id: str
) -> None:
    invoice = invoice_id()
    await payments.publish(charge(invoice, card=payments.new_card(CARD_OK)), customer_id)
    [captured] = await payments.published.wait_for(customer_id, "PaymentCaptured")
    payment_id = captured.payload["payment_id"]
    response = await payments.http.post(
        f"/v1/payments/{payment_id}/refund",
        json={"reason": "duplicate", "amount": "10.00"},
        headers=OPERATOR,
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "approved"
    [requested] = await payments.published.wait_for(customer_id, "RefundRequested")
    assert requested.payload["purpose"] == "invoice"
    [refunded] = await payments.published.wait_for(customer_id, "PaymentRefunded")
    assert (refunded.payload["payment_id"], refunded.payload["amount"]) == (payment_id, 1000)
    [intent] = payments.intents_for(payment_id)
    page = payments.stripe.v1.refunds.list(params={"payment_intent": intent["id"]})
    assert [r.amount for r in page.data] == [1000]
    shown = await payments.payment(payment_id)
    assert (shown["refunded"], shown["refunds"][0]["status"]) == ("10.00", "refunded")
