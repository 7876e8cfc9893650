"""Invoicing's events on real Kafka: debits up to the balance, voids restored once, the ledger."""

from __future__ import annotations

import uuid

import pytest

from services.credits.projections import CreditsProjection
from shared.contracts import CREDITS_TOPIC, Envelope, InvoiceVoided, RefundRequested
from shared.projections.rebuild import rebuild
from shared.projections.verify import verify
from tests.integration.messaging.kafka_helpers import read_topic

from .conftest import CreditsService
from .helpers import captured, debit_requested, handled, ledger, wait_for_json

pytestmark = pytest.mark.integration


def invoice_id() -> str:
    return uuid.uuid4().hex[:24]


async def topped_up(service: CreditsService, customer_id: str, amount: str, minor: int) -> None:
    response = await service.top_up(customer_id, amount)
    assert response.status_code == 202, response.text
    request_id = response.json()["request_id"]
    await service.publish(captured(request_id, minor), customer_id)
    await wait_for_json(
        service, customer_id, f"/credits/requests/{request_id}",
        lambda b: b["status"] == "succeeded",
    )  # fmt: skip


async def test_the_seed_invoices_are_debited_until_the_balance_is_empty(
    service: CreditsService, customer_id: str
) -> None:
    await topped_up(service, customer_id, "100.00", 10000)
    ids = [invoice_id() for _ in range(4)]
    asked = [
        await service.publish(debit_requested(invoice, amount), customer_id)
        for invoice, amount in zip(ids, (796, 59302, 4776, 199), strict=True)
    ]
    records = await read_topic(
        service.settings.kafka_bootstrap_servers, service.topic(CREDITS_TOPIC), 6
    )
    published = [Envelope.from_json_bytes(r.value) for r in records][2:]
    assert [(e.event_type, e.causation_id) for e in published] == [
        ("InvoiceDebited", asked[0].event_id), ("InvoiceDebited", asked[1].event_id),
        ("InvoiceDebitDeclined", asked[2].event_id), ("InvoiceDebitDeclined", asked[3].event_id),
    ]  # fmt: skip
    assert [e.payload for e in published[:2]] == [
        {"invoice_id": ids[0], "amount": 796, "currency": "USD",
         "description": f"Debited to invoice {ids[0]}"},
        {"invoice_id": ids[1], "amount": 9204, "currency": "USD",
         "description": f"Debited to invoice {ids[1]}"},
    ]  # fmt: skip
    assert published[2].payload == {"invoice_id": ids[2], "reason": "the credit balance is empty"}
    assert all(e.correlation_id == a.correlation_id for e, a in zip(published, asked, strict=True))
    balance, lines = await ledger(service, customer_id, 3)
    assert balance == "0.00"
    assert lines == [
        ("-92.04", f"Debited to invoice {ids[1]}", "0.00"),
        ("-7.96", f"Debited to invoice {ids[0]}", "92.04"),
        ("100.00", "test", "100.00"),
    ]


async def test_a_later_request_for_the_same_invoice_debits_again(
    service: CreditsService, customer_id: str
) -> None:
    await service.grant(customer_id, "25.00")
    invoice = invoice_id()
    first = await service.publish(debit_requested(invoice, 1000), customer_id)
    await service.send(first)  # redelivered: changes nothing
    await service.publish(debit_requested(invoice, 2000), customer_id)
    balance, lines = await ledger(service, customer_id, 3)
    assert balance == "0.00"
    assert [(amount, after) for amount, _, after in lines] == [
        ("-15.00", "0.00"), ("-10.00", "15.00"), ("25.00", "25.00"),
    ]  # fmt: skip
    assert (await service.event_types(customer_id)).count("InvoiceDebited") == 2


async def test_a_void_delivered_twice_restores_what_the_invoice_took_once(
    service: CreditsService, customer_id: str
) -> None:
    await service.grant(customer_id, "50.00")
    invoice = invoice_id()
    await service.publish(debit_requested(invoice, 1000), customer_id)
    await service.publish(debit_requested(invoice, 2000), customer_id)
    voided = InvoiceVoided(invoice_id=invoice, reason="ordered by mistake")
    first = await service.publish(voided, customer_id)
    await service.send(first)
    second = await service.publish(voided, customer_id)
    never = InvoiceVoided(invoice_id=invoice_id(), reason="never debited")
    last = await service.publish(never, customer_id)
    await handled(service, first, second, last)
    rows = await service.pool.fetch(
        "SELECT payload, causation_id FROM events WHERE event_type = 'CreditRestored'"
    )
    assert [(r["payload"], r["causation_id"]) for r in rows] == [
        ({"invoice_id": invoice, "amount": 3000, "currency": "USD"}, first.event_id)
    ]
    balance, lines = await ledger(service, customer_id, 4)
    assert balance == "50.00"
    assert lines[0] == ("30.00", f"Restored from voided invoice {invoice}", "50.00")
    assert [line[0] for line in lines[1:]] == ["-20.00", "-10.00", "50.00"]
    assert service.runtime.consumer is not None
    assert service.runtime.consumer.dead_lettered == 0


async def test_a_refund_of_an_invoice_payment_takes_no_credit(
    service: CreditsService, customer_id: str
) -> None:
    await service.grant(customer_id, "50.00")
    refund = RefundRequested(
        payment_id="pay_invoice", amount=1000, currency="USD", reason="asked", purpose="invoice"
    )
    envelope = await service.publish(refund, customer_id)
    await handled(service, envelope)
    assert await service.event_types(customer_id) == ["CreditGranted"]
    assert service.runtime.consumer is not None
    assert service.runtime.consumer.dead_lettered == 0


async def test_balance_as_of_rebuild_and_verify_include_debits_and_restorations(
    service: CreditsService, customer_id: str
) -> None:
    await service.grant(customer_id, "100.00")
    kept, voided = invoice_id(), invoice_id()
    await service.publish(debit_requested(kept, 4776), customer_id)
    await service.publish(debit_requested(voided, 199), customer_id)
    await service.publish(InvoiceVoided(invoice_id=voided, reason="mistake"), customer_id)
    _, lines = await ledger(service, customer_id, 4)
    assert [line[0] for line in lines] == ["1.99", "-1.99", "-47.76", "100.00"]
    book = (await service.get(customer_id, "/credits")).json()
    debited_at = book["entries"][2]["created_at"]
    as_of = (await service.get(customer_id, "/balance", as_of=debited_at)).json()
    assert (as_of["balance"], as_of["version"]) == ("52.24", 2)
    store, projection = service.runtime.store, CreditsProjection()
    assert await verify(service.pool, store, projection) == []
    async with service.pool.acquire() as conn:
        live = await projection.actual(conn)
    await rebuild(service.pool, store, projection, service.runtime.spec.name)
    async with service.pool.acquire() as conn:
        assert await projection.actual(conn) == live
    assert await verify(service.pool, store, projection) == []
    await service.pool.execute(
        "UPDATE ledger_entries SET amount = 4776 WHERE customer_id = $1 AND number = 2",
        customer_id,
    )
    [difference] = await verify(service.pool, store, projection)
    assert difference.key == (customer_id, 2)
