"""Migrations are idempotent, and each service's tables live apart."""

from __future__ import annotations

import uuid

from shared.database import create_pool, migrate
from shared.eventstore import EVENTS_DDL, EventStore, NewEvent
from shared.messaging.schema import MESSAGING_DDL


async def test_two_services_on_one_database_never_share_events(fresh_database_url: str) -> None:
    credits = await create_pool(fresh_database_url, "credits")
    payments = await create_pool(fresh_database_url, "payments")
    try:
        for pool, schema in ((credits, "credits"), (payments, "payments")):
            for _ in range(2):  # a second run changes nothing
                await migrate(pool, schema, [EVENTS_DDL, MESSAGING_DDL])
        new = NewEvent("CreditGranted", "c", {}, uuid.uuid4())
        await EventStore(credits).append("s", [new], 0)
        assert await EventStore(credits).stream_version("s") == 1
        assert await EventStore(payments).stream_version("s") == 0
        tables = await credits.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_name = 'events' ORDER BY table_schema"
        )
        assert [tuple(r) for r in tables] == [("credits", "events"), ("payments", "events")]
    finally:
        await credits.close()
        await payments.close()
