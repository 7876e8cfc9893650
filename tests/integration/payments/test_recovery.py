"""Crashes and outages never charge twice: the attempt is recorded first, then looked up."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from services.payments.domain.values import payment_id_for
from services.payments.steps import AFTER_CHARGE_CALL
from shared.contracts import CreditRequested
from shared.devservers.ports import free_port

from .conftest import CARD_OK, AppFactory, customer_headers, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore:Use 'content=")]


def top_up(payment_method_id: str) -> CreditRequested:
    return CreditRequested(
        request_id=uuid.uuid4().hex,
        amount=2000,
        currency="USD",
        description="crash",
        payment_method_id=payment_method_id,
    )


async def test_a_crash_between_the_stripe_call_and_its_record_charges_once_after_restart(
    start_payments: AppFactory, customer_id: str
) -> None:
    crashed = asyncio.Event()

    async def crash_after_the_charge(point: str) -> None:
        if point == AFTER_CHARGE_CALL:
            crashed.set()
            await asyncio.Event().wait()  # the process "dies" here: stopped, nothing recorded

    async with start_payments() as first:
        first.parts.steps.fault_hook = crash_after_the_charge
        request = top_up(first.new_card(CARD_OK))
        payment_id = payment_id_for("credit_topup", customer_id, request.request_id)
        await first.publish(request, customer_id)
        await asyncio.wait_for(crashed.wait(), 30)
        assert len(first.intents_for(payment_id)) == 1
        stream = f"payment-{payment_id}"
        assert await first.stream_types(stream) == ["PaymentScheduled", "ChargeAttempted"]
    async with start_payments() as second:
        [captured] = await second.published.wait_for(customer_id, "PaymentCaptured")
        assert captured.payload["payment_id"] == payment_id
        assert len(second.intents_for(payment_id)) == 1
        types = await second.stream_types(stream)
        assert types == ["PaymentScheduled", "ChargeAttempted", "IntentCreated", "PaymentCaptured"]


async def test_stripe_unreachable_keeps_the_payment_pending_until_it_answers(
    start_payments: AppFactory, customer_id: str
) -> None:
    dead_stripe = f"http://127.0.0.1:{free_port()}"
    async with start_payments(stripe_api_base=dead_stripe) as offline:
        request = top_up(offline.new_card(CARD_OK))
        payment_id = payment_id_for("credit_topup", customer_id, request.request_id)
        await offline.publish(request, customer_id)

        async def retried_twice() -> bool:
            failures = await offline.parts.pool.fetchval(
                "SELECT failures FROM payment_jobs WHERE payment_id = $1", payment_id
            )
            return bool(failures and failures >= 2)

        await wait_until(retried_twice, what="two failed tries")
        assert (await offline.payment(payment_id))["status"] == "attempted"
        setup = await offline.http.post(
            f"/v1/customers/{customer_id}/setup-intents", headers=customer_headers(customer_id)
        )
        assert setup.status_code == 503
        assert offline.published.of(customer_id, "PaymentFailed") == []
    async with start_payments() as online:
        await online.published.wait_for(customer_id, "PaymentCaptured")
        assert len(online.intents_for(payment_id)) == 1
        assert online.published.of(customer_id, "PaymentFailed") == []
