"""Verify a projection: fold the events up to its checkpoint and compare with its rows.

The checkpoint, the rows and the events are read in one repeatable-read
transaction, so a runner applying events meanwhile cannot make a difference
appear: the rows and the fold describe the same moment of the log. An optional
``progress`` callback hears the running count of events read after each batch.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from shared.database import Conn
from shared.eventstore import START, Checkpoint, EventStore, StoredEvent
from shared.projections.base import Difference, Projection, compare
from shared.projections.checkpoints import load_checkpoint


async def _events_until(
    conn: Conn,
    store: EventStore,
    last: Checkpoint,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> list[StoredEvent]:
    events: list[StoredEvent] = []
    after = START
    while batch := await store.read_all(after, batch_size, conn=conn):
        for event in batch:
            if event.checkpoint > last:
                return events
            events.append(event)
        after = batch[-1].checkpoint
        if progress is not None:
            progress(len(events))
    return events


async def verify(
    pool: asyncpg.Pool,
    store: EventStore,
    projection: Projection,
    *,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> list[Difference]:
    """Every difference between the projection's rows and a fold of the events (none: [])."""
    async with (
        pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        checkpoint = await load_checkpoint(conn, projection.name)
        actual = await projection.actual(conn)
        events = await _events_until(conn, store, checkpoint, batch_size, progress)
    return compare(projection.expected(events), actual)
