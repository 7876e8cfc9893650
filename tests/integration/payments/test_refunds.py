"""Refunds: RefundRequested, credits answers, then Stripe refunds once (or nothing is refunded)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from services.payments.domain.values import payment_id_for
from services.payments.steps import AFTER_REFUND_CALL
from shared.contracts import (
    CREDITS_TOPIC,
    CreditRequested,
    CreditReversalDeclined,
    CreditReversed,
    Envelope,
    dlq_topic,
)

from .conftest import (
    CARD_DECLINED_ON_CHARGE,
    CARD_OK,
    OPERATOR,
    AppFactory,
    Harness,
    customer_headers,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore:Use 'content=")]


async def paid(payments: Harness, customer_id: str, card_number: str = CARD_OK) -> str:
    """A top-up of 100.00 charged (or failed); return its payment id."""
    request = CreditRequested(
        request_id=uuid.uuid4().hex,
        amount=10000,
        currency="USD",
        description="to refund",
        payment_method_id=payments.new_card(card_number),
    )
    await payments.publish(request, customer_id)
    settled = "PaymentCaptured" if card_number == CARD_OK else "PaymentFailed"
    await payments.published.wait_for(customer_id, settled)
    return payment_id_for("credit_topup", customer_id, request.request_id)


async def refund(payments: Harness, payment_id: str, **body: Any) -> Any:
    return await payments.http.post(
        f"/v1/payments/{payment_id}/refund", json={"reason": "duplicate", **body}, headers=OPERATOR
    )


def stripe_refunds(payments: Harness, payment_id: str) -> list[dict[str, Any]]:
    [intent] = payments.intents_for(payment_id)
    page = payments.stripe.v1.refunds.list(params={"payment_intent": intent["id"], "limit": 100})
    return [r.to_dict() for r in page.data]


async def test_a_refund_waits_for_credits_then_refunds_once_at_stripe(
    payments: Harness, customer_id: str
) -> None:
    payment_id = await paid(payments, customer_id)
    response = await refund(payments, payment_id, amount="40.00")
    assert response.status_code == 202, response.text
    assert response.json() == {
        "payment_id": payment_id,
        "number": 1,
        "amount": "40.00",
        "currency": "USD",
        "reason": "duplicate",
        "status": "requested",
    }
    [requested] = await payments.published.wait_for(customer_id, "RefundRequested")
    refund_fields = {
        "payment_id": payment_id,
        "amount": 4000,
        "currency": "USD",
        "reason": "duplicate",
    }
    assert requested.payload == {**refund_fields, "purpose": "credit_topup"}
    assert stripe_refunds(payments, payment_id) == []
    reversed_ = CreditReversed(payment_id=payment_id, amount=4000, currency="USD", reason="dup")
    await payments.publish(reversed_, customer_id)
    [refunded] = await payments.published.wait_for(customer_id, "PaymentRefunded")
    assert refunded.payload == refund_fields
    assert [r["amount"] for r in stripe_refunds(payments, payment_id)] == [4000]
    shown = await payments.payment(payment_id)
    assert (shown["refunded"], shown["refunds"][0]["status"]) == ("40.00", "refunded")
    rest = await refund(payments, payment_id)
    assert rest.json()["amount"] == "60.00"


async def test_a_declined_reversal_refunds_nothing(payments: Harness, customer_id: str) -> None:
    payment_id = await paid(payments, customer_id)
    assert (await refund(payments, payment_id)).status_code == 202
    declined = CreditReversalDeclined(
        payment_id=payment_id, amount=10000, currency="USD", reason="balance too low"
    )
    await payments.publish(declined, customer_id)

    async def refund_declined() -> bool:
        return bool((await payments.payment(payment_id))["refunds"][0]["status"] == "declined")

    await wait_until(refund_declined, what="the refund declined")
    assert stripe_refunds(payments, payment_id) == []
    assert payments.published.of(customer_id, "PaymentRefunded") == []
    assert (await refund(payments, payment_id)).status_code == 202


async def test_refund_requests_are_checked(payments: Harness, customer_id: str) -> None:
    payment_id = await paid(payments, customer_id)
    assert (await refund(payments, "unknown-payment")).status_code == 404
    assert (await refund(payments, payment_id, amount="100.01")).status_code == 409
    assert (await refund(payments, payment_id, amount="1.001")).status_code == 422
    assert (await refund(payments, payment_id, amount=1)).status_code == 422
    assert (await refund(payments, payment_id, card_number="4242")).status_code == 422
    customer = await payments.http.post(
        f"/v1/payments/{payment_id}/refund",
        json={"reason": "mine"},
        headers=customer_headers(customer_id),
    )
    assert customer.status_code == 403
    assert (await refund(payments, payment_id, amount="10.00")).status_code == 202
    assert (await refund(payments, payment_id, amount="10.00")).status_code == 409
    failed = await paid(payments, customer_id, CARD_DECLINED_ON_CHARGE)
    assert (await refund(payments, failed)).status_code == 409
    types = await payments.stream_types(f"payment-{payment_id}")
    assert types.count("RefundRequested") == 1


async def test_an_answer_about_an_unknown_payment_is_dead_lettered(
    payments: Harness, customer_id: str
) -> None:
    answer = CreditReversed(payment_id="nosuchpayment", amount=100, currency="USD", reason="r")
    sent = await payments.publish(answer, customer_id)
    dead = AIOKafkaConsumer(
        payments.topic(dlq_topic(CREDITS_TOPIC)),
        bootstrap_servers=payments.settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
    )
    await dead.start()
    records: list[Any] = []

    async def dead_lettered() -> bool:
        batches = await dead.getmany(timeout_ms=500)
        records.extend(r for batch in batches.values() for r in batch)
        return bool(records)

    try:
        await wait_until(dead_lettered, what="the dead letter")
    finally:
        await dead.stop()
    [record] = records
    assert Envelope.from_json_bytes(record.value).event_id == sent.event_id
    assert ("dlq-reason", b"unknown_payment") in list(record.headers)


async def test_a_crash_after_the_refund_call_refunds_once_after_restart(
    start_payments: AppFactory, customer_id: str
) -> None:
    crashed = asyncio.Event()

    async def crash_after_the_refund(point: str) -> None:
        if point == AFTER_REFUND_CALL:
            crashed.set()
            await asyncio.Event().wait()

    async with start_payments() as first:
        payment_id = await paid(first, customer_id)
        first.parts.steps.fault_hook = crash_after_the_refund
        assert (await refund(first, payment_id)).status_code == 202
        reversed_ = CreditReversed(payment_id=payment_id, amount=10000, currency="USD", reason="r")
        await first.publish(reversed_, customer_id)
        await asyncio.wait_for(crashed.wait(), 30)
        assert len(stripe_refunds(first, payment_id)) == 1
    async with start_payments() as second:
        await second.published.wait_for(customer_id, "PaymentRefunded")
        assert len(stripe_refunds(second, payment_id)) == 1
        types = await second.stream_types(f"payment-{payment_id}")
        assert types.count("PaymentRefunded") == 1
