"""Twenty debits of 10.00 on 100.00: exactly 100.00 debited, never below zero, whatever the order.

Through Kafka, one customer's messages arrive in order; the second test makes
twenty inbox transactions read the account at the same version at once, so
that optimistic concurrency (a conflict reruns the transaction) decides.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from services.credits.consumers import consumer_handlers
from services.credits.projections import CreditsProjection
from shared.contracts import INVOICING_TOPIC, Envelope
from shared.database import Conn, create_pool
from shared.eventstore import ConcurrencyError, EventStore, StoredEvent
from shared.messaging.consumer import IncomingEvent
from shared.messaging.inbox import Delivery, Inbox
from shared.projections.verify import verify

from .conftest import CreditsService
from .helpers import debit_requested, handled, ledger

pytestmark = pytest.mark.integration

REQUESTS = 20


class GatedStore(EventStore):
    """An event store whose first ``parties`` stream reads all return together."""

    def __init__(self, pool: asyncpg.Pool, parties: int) -> None:
        super().__init__(pool)
        self.barrier = asyncio.Barrier(parties)
        self.gated = 0

    async def read_stream(self, stream_id: str, *args: Any, **kwargs: Any) -> list[StoredEvent]:
        events = await super().read_stream(stream_id, *args, **kwargs)
        if self.gated < self.barrier.parties:
            self.gated += 1
            await self.barrier.wait()
        return events


@pytest.fixture
async def wide_pool(service: CreditsService) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the service's database with a connection for every request."""
    pool = await create_pool(service.settings.database_url, "credits", max_size=REQUESTS + 2)
    yield pool
    await pool.close()


async def assert_exactly_the_balance_was_debited(service: CreditsService, customer: str) -> None:
    rows = await service.pool.fetch(
        "SELECT event_type, payload FROM events WHERE customer_id = $1 AND version > 1", customer
    )
    debited = [r["payload"]["amount"] for r in rows if r["event_type"] == "InvoiceDebited"]
    declined = [r for r in rows if r["event_type"] == "InvoiceDebitDeclined"]
    assert (sum(debited), len(debited), len(declined)) == (10000, 10, REQUESTS - 10)
    balance, lines = await ledger(service, customer, 11)
    assert balance == "0.00"
    assert [after for _, _, after in reversed(lines)] == [f"{d}.00" for d in range(100, -1, -10)]
    assert await verify(service.pool, service.runtime.store, CreditsProjection()) == []


async def test_twenty_debit_requests_through_kafka_debit_exactly_the_balance(
    service: CreditsService, customer_id: str
) -> None:
    await service.grant(customer_id, "100.00")
    sent = await asyncio.gather(
        *(
            service.publish(debit_requested(f"inv-{i:02d}", 1000), customer_id)
            for i in range(REQUESTS)
        )
    )
    await handled(service, *sent)
    await assert_exactly_the_balance_was_debited(service, customer_id)


async def test_twenty_concurrent_debits_resolve_by_optimistic_concurrency(
    service: CreditsService, customer_id: str, wide_pool: asyncpg.Pool
) -> None:
    await service.grant(customer_id, "100.00")
    store = GatedStore(wide_pool, REQUESTS)
    handler = consumer_handlers(store)["InvoiceDebitRequested"]
    inbox = Inbox(wide_pool, "credits")
    conflicts = 0

    async def deliver(number: int) -> bool:
        payload = debit_requested(f"inv-{number:02d}", 1000)
        envelope = Envelope.wrap(payload, customer_id=customer_id, correlation_id=uuid.uuid4())
        event = IncomingEvent(
            envelope, payload, Delivery(envelope.event_id, INVOICING_TOPIC, 0, number)
        )

        async def effect(conn: Conn) -> None:
            nonlocal conflicts
            try:
                await handler(event, conn)
            except ConcurrencyError:
                conflicts += 1
                raise

        return await inbox.handle(event.delivery, effect)

    assert await asyncio.gather(*(deliver(n) for n in range(REQUESTS))) == [True] * REQUESTS
    assert conflicts >= REQUESTS - 1
    await assert_exactly_the_balance_was_debited(service, customer_id)
