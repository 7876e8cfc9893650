"""Appending: optimistic concurrency, duplicate ids, metadata kept as given."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from shared.eventstore import ConcurrencyError, DuplicateEventError, EventStore, NewEvent


def event(n: int = 0, **kwargs: object) -> NewEvent:
    return NewEvent(
        event_type="CreditGranted",
        customer_id="cust-1",
        payload={"n": n, "amount": 100, "currency": "USD"},
        correlation_id=uuid.uuid4(),
        **kwargs,  # type: ignore[arg-type]
    )


async def count(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM events"))


async def test_append_and_read_stream_keeps_every_field(store: EventStore) -> None:
    causation = uuid.uuid4()
    occurred = datetime(2024, 7, 17, 4, 21, tzinfo=UTC)
    first = event(1, occurred_at=occurred, causation_id=causation, schema_version=2)
    stored = await store.append("acct-1", [first, event(2)], expected_version=0)
    assert [e.version for e in stored] == [1, 2]
    read = await store.read_stream("acct-1")
    assert read == stored
    got = read[0]
    assert got.event_id == first.event_id
    assert got.event_type == "CreditGranted"
    assert got.schema_version == 2
    assert got.occurred_at == occurred
    assert got.recorded_at.tzinfo is not None
    assert got.recorded_at > occurred
    assert got.correlation_id == first.correlation_id
    assert got.causation_id == causation
    assert got.customer_id == "cust-1"
    assert got.payload == {"n": 1, "amount": 100, "currency": "USD"}
    assert [e.version for e in await store.read_stream("acct-1", from_version=2)] == [2]
    assert await store.stream_version("acct-1") == 2
    assert await store.stream_version("nobody") == 0


async def test_conflicting_append_raises_and_writes_nothing(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    await store.append("acct-1", [event(1)], expected_version=0)
    with pytest.raises(ConcurrencyError) as info:
        await store.append("acct-1", [event(2), event(3)], expected_version=0)
    assert info.value.stream_id == "acct-1"
    assert info.value.expected_version == 0
    assert await count(pool) == 1


async def test_append_ahead_of_the_stream_raises_and_writes_nothing(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    await store.append("acct-1", [event(1)], expected_version=0)
    for batch in ([event(2)], [event(2), event(3)]):
        with pytest.raises(ConcurrencyError):
            await store.append("acct-1", batch, expected_version=5)
    assert await count(pool) == 1
    assert await store.stream_version("acct-1") == 1


async def test_duplicate_event_id_is_never_stored_twice(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    first = event(1)
    await store.append("acct-1", [first], expected_version=0)
    again = event(2, event_id=first.event_id)
    with pytest.raises(DuplicateEventError):
        await store.append("acct-1", [event(3), again], expected_version=1)
    with pytest.raises(DuplicateEventError):
        await store.append("acct-2", [again], expected_version=0)
    assert await count(pool) == 1


async def test_concurrent_writers_on_one_stream_exactly_one_wins(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    await store.append("acct-1", [event(0)], expected_version=0)

    async def attempt(n: int) -> bool:
        try:
            await store.append("acct-1", [event(n)], expected_version=1)
        except ConcurrencyError:
            return False
        return True

    results = await asyncio.gather(*(attempt(n) for n in range(16)))
    assert results.count(True) == 1
    assert await store.stream_version("acct-1") == 2
    assert await count(pool) == 2


async def test_append_joins_the_callers_transaction(store: EventStore, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await store.append("acct-1", [event(1)], expected_version=0, conn=conn)
        await transaction.rollback()
    assert await count(pool) == 0
