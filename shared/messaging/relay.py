"""Outbox relay: publishes committed events to Kafka, at least once, in order per stream.

The events table is the outbox. Only the service's events of the contract
catalog (``shared.contracts``) leave it: a service's internal events stay in its
store, and the relay's checkpoint moves past them. The relay reads it with the event store's
gap-free global reader (see ``shared.eventstore.store``), publishes a batch,
waits until Kafka has acknowledged every record, and only then moves its
checkpoint in PostgreSQL. A crash between the acknowledgement and the
checkpoint republishes the batch after a restart (consumers deduplicate by
``event_id``); nothing is lost and nothing is reordered, because the relay
always resumes from the last saved checkpoint and publishes in log order.

Several replicas may run a relay of the same name: a PostgreSQL advisory lock
held on the relay's own connection elects one leader, and that connection
does all the leader's reads and checkpoint writes, so a leader whose
connection dies stops writing at once and another replica takes over.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from shared.contracts import CATALOG, Producer
from shared.database import Conn
from shared.eventstore import EventStore
from shared.faults import crash_point
from shared.messaging.checkpoints import load_checkpoint, save_checkpoint
from shared.messaging.records import OutgoingRecord, record_of
from shared.wakeup import Wakeup

log = logging.getLogger(__name__)


def public_event_types(producer: Producer) -> frozenset[tuple[str, int]]:
    """The (event type, schema version) pairs ``producer`` publishes: its part of the catalog."""
    return frozenset(key for key, model in CATALOG.items() if model.producer == producer)


class Publisher(Protocol):
    """Anything that publishes records and returns once all are acknowledged."""

    async def publish(self, records: Sequence[OutgoingRecord]) -> None: ...


@dataclass(frozen=True, slots=True)
class RelayConfig:
    """What a relay publishes and how eagerly."""

    name: str
    topic: str
    producer: Producer
    batch_size: int = 500
    poll_interval: float = 0.05
    retry_backoff: float = 0.5


class OutboxRelay:
    """Moves stored events to their Kafka topic, resuming from its PostgreSQL checkpoint."""

    def __init__(
        self, pool: asyncpg.Pool, store: EventStore, publisher: Publisher, config: RelayConfig
    ) -> None:
        self._pool = pool
        self._store = store
        self._publisher = publisher
        self.config = config
        self._public = public_event_types(config.producer)
        self._wakeup = Wakeup(config.poll_interval)
        self.is_leader = False
        self.published_total = 0

    def wake(self) -> None:
        """Ask the relay to look for new events now rather than at its next poll."""
        self._wakeup.wake()

    async def publish_pending(self, conn: Conn) -> int:
        """Publish one batch after the checkpoint; return how many events went out."""
        checkpoint = await load_checkpoint(conn, self.config.name)
        events = await self._store.read_all(checkpoint, self.config.batch_size, conn=conn)
        if not events:
            return 0
        records = [
            record_of(e, self.config.topic, self.config.producer)
            for e in events
            if (e.event_type, e.schema_version) in self._public
        ]
        if records:
            crash_point("relay:before_publish")
            await self._publisher.publish(records)
        await save_checkpoint(conn, self.config.name, events[-1].checkpoint, len(events))
        self.published_total += len(records)
        return len(events)

    async def run(self) -> None:
        """Publish for ever: as leader while the lock is held, else wait for the lock."""
        lock_key = zlib.crc32(f"billing-outbox-relay:{self.config.name}".encode())
        while True:
            try:
                async with self._pool.acquire() as conn:
                    if await conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key):
                        try:
                            await self._lead(conn)
                        finally:
                            self.is_leader = False
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay %s: error, retrying", self.config.name)
            await asyncio.sleep(self.config.retry_backoff)

    async def _lead(self, conn: Conn) -> None:
        self.is_leader = True
        log.info("outbox relay %s: leading", self.config.name)
        try:
            while True:
                published = await self.publish_pending(conn)
                if published:
                    self._wakeup.found()
                if published < self.config.batch_size:
                    await self._wakeup.wait()
        finally:
            if not conn.is_closed():
                await conn.execute("SELECT pg_advisory_unlock_all()")
