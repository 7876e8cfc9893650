"""Invoices whose due date passes unpaid expire exactly once, whatever the number of replicas."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.invoicing import handlers
from services.invoicing.domain.commands import IssueInvoice
from services.invoicing.domain.state import Line
from services.invoicing.expiry import ExpiryJob
from services.invoicing.stream import Metadata
from shared.contracts import INVOICING_TOPIC, Envelope
from shared.money import Money
from tests.integration.messaging.kafka_helpers import read_topic, wait_until

from .conftest import InvoicingService, make_settings, running
from .helpers import wait_for_invoice

pytestmark = pytest.mark.integration


async def expired_counts(service: InvoicingService) -> dict[str, int]:
    rows = await service.pool.fetch(
        """SELECT stream_id, count(*) FILTER (WHERE event_type = 'InvoiceExpired') AS n
           FROM events GROUP BY stream_id"""
    )
    return {r["stream_id"].removeprefix("invoice-"): r["n"] for r in rows}


async def due_rows(service: InvoicingService) -> int:
    count: int = await service.pool.fetchval("SELECT count(*) FROM invoice_due_dates")
    return count


async def test_an_unpaid_invoice_expires_once_when_its_due_date_passes(
    service: InvoicingService, customer_id: str
) -> None:
    due = datetime.now(UTC) + timedelta(seconds=1)
    invoice_id = await service.issued(customer_id, "25.00", due_at=due.isoformat())
    late = await service.issued(customer_id, "5.00", due_at=(due + timedelta(days=1)).isoformat())
    body = await wait_for_invoice(
        service, customer_id, invoice_id, lambda b: b["status"] == "expired"
    )
    assert datetime.now(UTC) >= due
    assert (body["remaining"], body["history"][-1]["event_type"]) == ("25.00", "InvoiceExpired")
    assert body["history"][-1]["remaining"] == "25.00"
    await wait_until(lambda: _one_row_left(service), 10, "the expired invoice's due row to go")
    assert (await expired_counts(service))[invoice_id] == 1
    assert (await service.get(customer_id, late)).json()["status"] == "active"
    records = await read_topic(
        service.settings.kafka_bootstrap_servers, service.topic(INVOICING_TOPIC), 5
    )
    expired = [Envelope.from_json_bytes(r.value) for r in records][-1]
    assert (expired.event_type, expired.payload) == (
        "InvoiceExpired", {"invoice_id": invoice_id, "remaining": 2500, "currency": "USD"},
    )  # fmt: skip


async def _one_row_left(service: InvoicingService) -> bool:
    return await due_rows(service) == 1


async def issue_past_due(service: InvoicingService, customer_id: str, count: int) -> list[str]:
    """Invoices already due (issued through the handler: the API refuses past due dates)."""
    ids = []
    due = datetime.now(UTC) - timedelta(seconds=1)
    for n in range(count):
        invoice_id = uuid.uuid4().hex[:24]
        lines = (Line(f"line {n}", Money(100 + n, "USD")),)
        command = IssueInvoice(invoice_id, "USD", lines, due)
        meta = Metadata(customer_id, uuid.uuid4())
        await handlers.issue_invoice(service.pool, service.runtime.store, command, meta)
        ids.append(invoice_id)
    return ids


async def test_concurrent_expiry_jobs_expire_each_invoice_once(
    fresh_database_url: str, kafka_bootstrap_servers: str, customer_id: str
) -> None:
    settings = make_settings(
        fresh_database_url, kafka_bootstrap_servers, invoicing_expiry_interval=3600
    )
    async with running(settings) as service:
        ids = await issue_past_due(service, customer_id, 30)
        voided = ids[0]
        assert (await service.void(voided)).status_code == 200
        jobs = [ExpiryJob(lambda: service.pool, lambda: service.runtime.store, 1) for _ in range(4)]
        for _ in range(20):
            await asyncio.gather(*(job.run_once() for job in jobs))
            if not await due_rows(service):
                break
        counts = await expired_counts(service)
        assert counts == {i: 0 if i == voided else 1 for i in ids}
        assert sum(job.expired_total for job in jobs) == len(ids) - 1


async def test_two_replicas_of_the_service_expire_each_invoice_once(
    fresh_database_url: str, kafka_bootstrap_servers: str, customer_id: str
) -> None:
    settings = make_settings(
        fresh_database_url, kafka_bootstrap_servers, invoicing_expiry_interval=0.05
    )
    async with running(settings) as first, running(settings) as second:
        due = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
        ids = await asyncio.gather(
            *(
                (first if n % 2 else second).issued(customer_id, f"{n + 1}.00", due_at=due)
                for n in range(20)
            )
        )

        async def all_expired() -> bool:
            counts = await expired_counts(first)
            return all(counts.get(i) for i in ids) and not await due_rows(first)

        await wait_until(all_expired, 30, "every invoice to expire")
        assert await expired_counts(second) == dict.fromkeys(ids, 1)
