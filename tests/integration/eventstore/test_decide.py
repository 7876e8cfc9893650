"""The write path: concurrent deciders on one stream never break the aggregate's rule."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import asyncpg
import pytest

from shared.eventstore import (
    Aggregate,
    ConcurrencyError,
    EventStore,
    NewEvent,
    StoredEvent,
    decide_and_append,
    load,
)

COUNTER = Aggregate[int](initial=lambda: 0, evolve=lambda n, e: n + int(e.payload["by"]))


def take_one(limit: int) -> object:
    def decide(count: int) -> Sequence[NewEvent]:
        if count >= limit:
            return []
        return [NewEvent("Taken", "cust-1", {"by": 1}, uuid.uuid4())]

    return decide


async def test_concurrent_deciders_respect_the_limit(store: EventStore) -> None:
    results = await asyncio.gather(
        *(decide_and_append(store, "seats", COUNTER, take_one(10)) for _ in range(25))  # type: ignore[arg-type]
    )
    taken: list[list[StoredEvent]] = list(results)
    assert sum(len(r) for r in taken) == 10
    state, version = await load(store, "seats", COUNTER)
    assert (state, version) == (10, 10)


async def test_inside_a_transaction_a_conflict_goes_up_unretried(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    """In a caller's transaction there is no retry: the caller reruns its transaction."""
    await decide_and_append(store, "seats", COUNTER, take_one(5))  # type: ignore[arg-type]
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute("CREATE TEMP TABLE scratch (x int)")  # the transaction takes its id
        await decide_and_append(store, "seats", COUNTER, take_one(5))  # type: ignore[arg-type]
        with pytest.raises(ConcurrencyError):
            await decide_and_append(store, "seats", COUNTER, take_one(5), conn=conn)  # type: ignore[arg-type]
        await transaction.rollback()
    assert await load(store, "seats", COUNTER) == (2, 2)
