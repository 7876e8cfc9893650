"""Keeps a projection current: each batch of events and the checkpoint commit together.

One batch is one transaction: take the projection's advisory lock, read the
checkpoint, read the next events with the store's gap-free global reader, apply
them, save the new checkpoint, commit. A crash anywhere rolls the whole batch
back, so no event is applied twice or skipped. The lock makes replicas (and a
rebuild's swap) take turns; each reads the checkpoint after taking it.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from shared.eventstore import EventStore
from shared.projections.base import Projection
from shared.projections.checkpoints import load_checkpoint, lock, save_checkpoint
from shared.wakeup import Wakeup

log = logging.getLogger(__name__)


class ProjectionRunner:
    """Applies a service's new events to one projection, batch by batch, for ever."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        store: EventStore,
        projection: Projection,
        *,
        batch_size: int = 500,
        poll_interval: float = 0.05,
        retry_backoff: float = 0.5,
    ) -> None:
        self._pool = pool
        self._store = store
        self.projection = projection
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.retry_backoff = retry_backoff
        self.applied_total = 0
        self._wakeup = Wakeup(poll_interval)

    def wake(self) -> None:
        """Ask the runner to look for new events now rather than at its next poll."""
        self._wakeup.wake()

    async def run_once(self) -> int:
        """Apply the next batch of events; return how many there were."""
        name = self.projection.name
        async with self._pool.acquire() as conn, conn.transaction():
            await lock(conn, name)
            checkpoint = await load_checkpoint(conn, name)
            events = await self._store.read_all(checkpoint, self.batch_size, conn=conn)
            if not events:
                return 0
            await self.projection.apply(conn, events)
            await save_checkpoint(conn, name, events[-1].checkpoint, len(events))
        self.applied_total += len(events)
        return len(events)

    async def catch_up(self) -> int:
        """Apply batches until no event is left; return how many were applied."""
        total = 0
        while applied := await self.run_once():
            total += applied
        return total

    async def run(self) -> None:
        """Apply events as they are stored, until cancelled; errors are logged and retried."""
        while True:
            try:
                applied = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("projection %s: error, retrying", self.projection.name)
                await asyncio.sleep(self.retry_backoff)
                continue
            if applied:
                self._wakeup.found()
            if applied < self.batch_size:
                await self._wakeup.wait()
