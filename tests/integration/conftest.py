"""Fixtures for integration tests: a migrated event store on a fresh real database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from shared.database import create_pool, migrate
from shared.eventstore import EVENTS_DDL, EventStore
from shared.messaging.schema import MESSAGING_DDL

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(fresh_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a brand-new database, migrated for a service named ``svc``."""
    pool = await create_pool(fresh_database_url, "svc", max_size=20)
    await migrate(pool, "svc", [EVENTS_DDL, MESSAGING_DDL])
    yield pool
    await pool.close()


@pytest.fixture
def store(pool: asyncpg.Pool) -> EventStore:
    """The event store on that pool."""
    return EventStore(pool)
