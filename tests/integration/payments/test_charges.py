"""Top-ups and invoice payments against real PostgreSQL, Kafka and localstripe: one charge each."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from services.payments.domain.values import payment_id_for
from shared.contracts import CreditRequested, InvoicePaymentRequested

from .conftest import (
    CARD_DECLINED_ON_CHARGE,
    CARD_DECLINED_ON_SAVE,
    CARD_OK,
    Harness,
    customer_headers,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore:Use 'content=")]


def top_up(payment_method_id: str | None, amount: int = 10000, **extra: Any) -> CreditRequested:
    return CreditRequested(
        request_id=uuid.uuid4().hex,
        amount=amount,
        currency="USD",
        description="test",
        payment_method_id=payment_method_id,
        **extra,
    )


def topup_payment_id(customer_id: str, request: CreditRequested) -> str:
    return payment_id_for("credit_topup", customer_id, request.request_id)


async def no_jobs_left(payments: Harness) -> bool:
    return bool(await payments.parts.pool.fetchval("SELECT count(*) FROM payment_jobs") == 0)


async def test_a_top_up_charges_the_card_once_and_publishes_the_capture(
    payments: Harness, customer_id: str
) -> None:
    card = payments.new_card(CARD_OK)
    request = top_up(card)
    await payments.publish(request, customer_id)
    [captured] = await payments.published.wait_for(customer_id, "PaymentCaptured")
    payment_id = topup_payment_id(customer_id, request)
    assert captured.payload == {
        "payment_id": payment_id,
        "purpose": "credit_topup",
        "reference_id": request.request_id,
        "amount": 10000,
        "currency": "USD",
        "card": {"brand": "visa", "last4": "4242"},
    }
    [intent] = payments.intents_for(payment_id)
    assert intent["customer"] == await payments.stripe_customer(customer_id)
    assert (intent["amount"], intent["currency"], intent["status"]) == (10000, "usd", "succeeded")
    assert intent["metadata"]["request_id"] == request.request_id
    assert intent["metadata"]["purpose"] == "credit_topup"
    assert (await payments.payment(payment_id))["status"] == "captured"
    await wait_until(lambda: no_jobs_left(payments), what="the job to be done")
    internal = {"PaymentScheduled", "ChargeAttempted", "IntentCreated"}
    assert not [e for e in payments.published.of(customer_id) if e.event_type in internal]


async def test_a_card_declined_when_attached_fails_without_a_payment_intent(
    payments: Harness, customer_id: str
) -> None:
    request = top_up(payments.new_card(CARD_DECLINED_ON_SAVE))
    await payments.publish(request, customer_id)
    [failed] = await payments.published.wait_for(customer_id, "PaymentFailed")
    assert failed.payload["code"] == "card_declined"
    assert failed.payload["message"] == "Your card was declined."
    assert failed.payload["reference_id"] == request.request_id
    assert payments.intents_for(topup_payment_id(customer_id, request)) == []


async def test_a_card_declined_at_charge_time_fails_with_stripes_code_and_message(
    payments: Harness, customer_id: str
) -> None:
    request = top_up(payments.new_card(CARD_DECLINED_ON_CHARGE))
    await payments.publish(request, customer_id)
    [failed] = await payments.published.wait_for(customer_id, "PaymentFailed")
    assert (failed.payload["code"], failed.payload["message"]) == (
        "card_declined",
        "Your card was declined.",
    )
    [intent] = payments.intents_for(topup_payment_id(customer_id, request))
    assert intent["status"] == "requires_payment_method"
    assert payments.published.of(customer_id, "PaymentCaptured") == []


async def test_no_card_and_no_default_card_fails_with_no_payment_method(
    payments: Harness, customer_id: str
) -> None:
    await payments.publish(top_up(None), customer_id)
    [failed] = await payments.published.wait_for(customer_id, "PaymentFailed")
    assert failed.payload["code"] == "no_payment_method"


async def test_the_default_card_is_charged_when_the_request_names_none(
    payments: Harness, customer_id: str
) -> None:
    card = payments.new_card(CARD_OK)
    saved = await payments.http.post(
        f"/v1/customers/{customer_id}/payment-methods",
        json={"payment_method_id": card, "set_default": True},
        headers=customer_headers(customer_id),
    )
    assert saved.status_code == 201, saved.text
    request = top_up(None, amount=1250)
    await payments.publish(request, customer_id)
    await payments.published.wait_for(customer_id, "PaymentCaptured")
    [intent] = payments.intents_for(topup_payment_id(customer_id, request))
    assert (intent["payment_method"], intent["amount"]) == (card, 1250)


async def test_the_same_request_delivered_again_and_again_charges_once(
    payments: Harness, customer_id: str
) -> None:
    request = top_up(payments.new_card(CARD_OK))
    envelope = await payments.publish(request, customer_id)
    await payments.resend(envelope)
    await payments.resend(envelope)
    await payments.publish(request, customer_id)  # same request, a new event id
    payment_id = topup_payment_id(customer_id, request)
    await payments.published.wait_for(customer_id, "PaymentCaptured")

    async def both_ids_handled() -> bool:
        handled = await payments.parts.pool.fetchval("SELECT count(*) FROM inbox")
        return bool(handled == 2)

    await wait_until(both_ids_handled, what="both event ids in the inbox")
    await wait_until(lambda: no_jobs_left(payments), what="the job to be done")
    assert len(payments.intents_for(payment_id)) == 1
    types = await payments.stream_types(f"payment-{payment_id}")
    assert types.count("PaymentCaptured") == 1
    assert types.count("PaymentScheduled") == 1


async def test_save_card_and_set_default_save_the_charged_card(
    payments: Harness, customer_id: str
) -> None:
    card = payments.new_card(CARD_OK)
    await payments.publish(top_up(card, save_card=True, set_default=True), customer_id)
    [saved] = await payments.published.wait_for(customer_id, "CardSaved")
    assert saved.payload == {
        "payment_method_id": card,
        "brand": "visa",
        "last4": "4242",
        "exp_month": 12,
        "exp_year": 2030,
        "is_default": True,
    }
    listed = await payments.http.get(
        f"/v1/customers/{customer_id}/payment-methods", headers=customer_headers(customer_id)
    )
    assert [(m["id"], m["is_default"]) for m in listed.json()] == [(card, True)]
    stripe_id = await payments.stripe_customer(customer_id)
    assert stripe_id is not None
    customer = payments.stripe.v1.customers.retrieve(stripe_id).to_dict()
    assert customer["invoice_settings"]["default_payment_method"] == card


async def test_a_card_not_saved_is_charged_but_not_saved(
    payments: Harness, customer_id: str
) -> None:
    await payments.publish(top_up(payments.new_card(CARD_OK)), customer_id)
    await payments.published.wait_for(customer_id, "PaymentCaptured")
    await wait_until(lambda: no_jobs_left(payments), what="the job to be done")
    assert payments.published.of(customer_id, "CardSaved") == []


async def test_an_invoice_payment_charges_the_default_card(
    payments: Harness, customer_id: str
) -> None:
    card = payments.new_card(CARD_OK)
    await payments.http.post(
        f"/v1/customers/{customer_id}/payment-methods",
        json={"payment_method_id": card, "set_default": True},
        headers=customer_headers(customer_id),
    )
    invoice = InvoicePaymentRequested(invoice_id="inv-1", amount=4776, currency="USD")
    await payments.publish(invoice, customer_id)
    [captured] = await payments.published.wait_for(customer_id, "PaymentCaptured")
    assert captured.payload["purpose"] == "invoice"
    assert (captured.payload["reference_id"], captured.payload["amount"]) == ("inv-1", 4776)
    [intent] = payments.intents_for(captured.payload["payment_id"])
    assert intent["metadata"]["invoice_id"] == "inv-1"


async def test_another_customers_card_is_not_charged(payments: Harness, customer_id: str) -> None:
    owner = f"{customer_id}-owner"
    card = payments.new_card(CARD_OK)
    saved = await payments.http.post(
        f"/v1/customers/{owner}/payment-methods",
        json={"payment_method_id": card},
        headers=customer_headers(owner),
    )
    assert saved.status_code == 201, saved.text
    request = top_up(card)
    await payments.publish(request, customer_id)
    [failed] = await payments.published.wait_for(customer_id, "PaymentFailed")
    assert failed.payload["code"] == "payment_method_unavailable"
    assert payments.intents_for(topup_payment_id(customer_id, request)) == []
