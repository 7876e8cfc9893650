"""Payments' events on real Kafka settle top-ups: credited once, failures, 3-D Secure, refunds."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from shared.contracts import CREDITS_TOPIC, PAYMENTS_TOPIC, Envelope, RefundRequested, dlq_topic
from shared.messaging.dead_letters import DETAIL_HEADER, REASON_HEADER
from tests.integration.messaging.kafka_helpers import header, read_topic

from .conftest import CreditsService
from .helpers import balance_as_of, captured, failed, requires_action, two_grants, wait_for_json

pytestmark = pytest.mark.integration


async def requested(service: CreditsService, customer_id: str, amount: str = "100.00") -> str:
    response = await service.top_up(customer_id, amount)
    assert response.status_code == 202, response.text
    request_id: str = response.json()["request_id"]
    return request_id


async def wait_status(
    service: CreditsService, customer_id: str, request_id: str, status: str
) -> dict[str, object]:
    return await wait_for_json(
        service, customer_id, f"/credits/requests/{request_id}", lambda b: b["status"] == status
    )


def refund(payment_id: str, amount: int) -> RefundRequested:
    return RefundRequested(payment_id=payment_id, amount=amount, currency="USD", reason="asked")


async def test_a_captured_top_up_is_credited_and_shows_in_ledger_and_balance(
    service: CreditsService, customer_id: str
) -> None:
    request_id = await requested(service, customer_id, "100.00")
    envelope = await service.publish(captured(request_id, 10000, "pay_1"), customer_id)
    done = await wait_status(service, customer_id, request_id, "succeeded")
    assert done["payment_id"] == "pay_1"
    book = await wait_for_json(service, customer_id, "/credits", lambda b: b["entries"])
    assert book["balance"] == "100.00"
    assert [(e["number"], e["amount"], e["description"]) for e in book["entries"]] == [
        (1, "100.00", "test")
    ]
    balance = (await service.get(customer_id, "/balance")).json()
    assert balance == {"balance": "100.00", "currency": "USD", "version": 2}
    row = await service.pool.fetchrow("SELECT * FROM events WHERE event_type = 'CreditAdded'")
    assert row is not None
    assert row["payload"] == {
        "request_id": request_id,
        "payment_id": "pay_1",
        "amount": 10000,
        "currency": "USD",
        "description": "test",
    }
    assert row["correlation_id"] == envelope.correlation_id
    assert row["causation_id"] == envelope.event_id
    published = await read_topic(
        service.settings.kafka_bootstrap_servers, service.topic(CREDITS_TOPIC), 2
    )
    kinds = [Envelope.from_json_bytes(r.value).event_type for r in published]
    assert kinds == ["CreditRequested", "CreditAdded"]


async def test_the_same_capture_delivered_three_times_credits_once(
    service: CreditsService, customer_id: str
) -> None:
    request_id = await requested(service, customer_id, "20.00")
    envelope = Envelope.wrap(
        captured(request_id, 2000, "pay_a"), customer_id=customer_id, correlation_id=uuid.uuid4()
    )
    for _ in range(3):
        await service.send(envelope)
    await service.publish(captured(request_id, 2000, "pay_b"), customer_id)
    marker = await requested(service, customer_id, "5.00")
    await service.publish(failed(marker), customer_id)
    await wait_status(service, customer_id, marker, "failed")
    types = await service.event_types(customer_id)
    assert types.count("CreditAdded") == 1
    book = (await service.get(customer_id, "/credits")).json()
    assert (book["balance"], [e["amount"] for e in book["entries"]]) == ("20.00", ["20.00"])


async def test_a_failed_payment_fails_the_request_with_code_and_message(
    service: CreditsService, customer_id: str
) -> None:
    request_id = await requested(service, customer_id)
    await service.publish(failed(request_id, "insufficient_funds"), customer_id)
    done = await wait_status(service, customer_id, request_id, "failed")
    assert done["failure"] == {"code": "insufficient_funds", "message": "Your card was declined."}
    book = (await service.get(customer_id, "/credits")).json()
    assert (book["balance"], book["entries"]) == ("0.00", [])


async def test_3d_secure_shows_the_client_secret_until_the_payment_is_captured(
    service: CreditsService, customer_id: str
) -> None:
    request_id = await requested(service, customer_id, "30.00")
    await service.publish(requires_action(request_id, "pi_9_secret_xyz"), customer_id)
    waiting = await wait_status(service, customer_id, request_id, "requires_action")
    assert (waiting["client_secret"], waiting["payment_id"]) == ("pi_9_secret_xyz", "pay_3ds")
    await service.publish(captured(request_id, 3000, "pay_3ds"), customer_id)
    done = await wait_status(service, customer_id, request_id, "succeeded")
    assert "client_secret" not in done
    balance = await wait_for_json(service, customer_id, "/balance", lambda b: b["version"] == 3)
    assert balance["balance"] == "30.00"


async def test_results_for_unknown_requests_go_to_the_dead_letter_topic(
    service: CreditsService, customer_id: str
) -> None:
    await service.publish(captured("req_never_made", 1000), customer_id)
    request_id = await requested(service, customer_id, "10.00")
    await service.publish(captured(request_id, 999), customer_id)
    await service.publish(captured(request_id, 1000), customer_id)
    await wait_status(service, customer_id, request_id, "succeeded")
    dead = await read_topic(
        service.settings.kafka_bootstrap_servers, dlq_topic(service.topic(PAYMENTS_TOPIC)), 2
    )
    assert [header(r, REASON_HEADER) for r in dead] == ["unknown_request", "payment_mismatch"]
    assert "req_never_made" in (header(dead[0], DETAIL_HEADER) or "")
    assert await service.event_types(customer_id) == ["CreditRequested", "CreditAdded"]


async def test_invoice_payments_are_not_the_credit_accounts_business(
    service: CreditsService, customer_id: str
) -> None:
    invoice = captured("inv_1", 5000).model_copy(update={"purpose": "invoice"})
    await service.publish(invoice, customer_id)
    marker = await requested(service, customer_id, "5.00")
    await service.publish(failed(marker), customer_id)
    await wait_status(service, customer_id, marker, "failed")
    assert await service.event_types(customer_id) == ["CreditRequested", "CreditRequestFailed"]


async def test_refunds_take_credit_back_only_while_the_balance_covers_them(
    service: CreditsService, customer_id: str
) -> None:
    request_id = await requested(service, customer_id, "50.00")
    await service.publish(captured(request_id, 5000, "pay_r"), customer_id)
    await wait_status(service, customer_id, request_id, "succeeded")
    for amount in (3000, 3000, 2000):
        await service.publish(refund("pay_r", amount), customer_id)
    await service.publish(refund("pay_unknown", 100), customer_id)
    await wait_for_json(service, customer_id, "/balance", lambda b: b["version"] == 6)
    book = (await service.get(customer_id, "/credits")).json()
    assert book["balance"] == "0.00"
    assert [(e["amount"], e["balance_after"]) for e in book["entries"]] == [
        ("-20.00", "0.00"), ("-30.00", "20.00"), ("50.00", "50.00"),
    ]  # fmt: skip
    assert book["entries"][0]["description"] == "Refund of payment pay_r: asked"
    rows = await service.pool.fetch(
        """SELECT event_type, payload FROM events WHERE event_type LIKE 'CreditRevers%'
           ORDER BY version"""
    )
    assert [r["event_type"] for r in rows] == [
        "CreditReversed", "CreditReversalDeclined", "CreditReversed", "CreditReversalDeclined",
    ]  # fmt: skip
    assert (
        "balance 20.00 USD does not cover the refund of 30.00 USD" in rows[1]["payload"]["reason"]
    )
    assert "added no credit" in rows[3]["payload"]["reason"]


async def test_the_balance_as_of_an_instant_folds_the_events(
    service: CreditsService, customer_id: str
) -> None:
    first, second = await two_grants(service, customer_id)

    async def as_of(at: datetime) -> dict[str, Any]:
        return await balance_as_of(service, customer_id, at)

    before = await as_of(first - timedelta(microseconds=1))
    assert (before["balance"], before["version"]) == ("0.00", 0)
    assert (await as_of(first))["balance"] == "10.00"
    assert (await as_of(second - timedelta(microseconds=1)))["balance"] == "10.00"
    latest = await as_of(second + timedelta(days=1))
    assert (latest["balance"], latest["version"]) == ("15.00", 2)
    naive = await service.get(customer_id, "/balance", as_of="2024-07-21T03:40:00")
    assert naive.status_code == 422
