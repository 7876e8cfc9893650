"""Inbox: a consumer's effects and the id of the message that caused them commit together.

``Inbox.handle`` opens one transaction, runs the effect in it and records
``(consumer, event_id)`` in the ``inbox`` table before committing. A message
delivered again finds its id there and changes nothing. Two deliveries handled
at the same moment cannot both commit: the second insert of the same key fails
and its transaction rolls back.

The inbox row is written last, so that a handler's appends are the first
writes of the transaction (see the ordering note in ``shared.eventstore.store``).
An optimistic concurrency conflict reruns the whole transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

from shared.database import Conn
from shared.eventstore import ConcurrencyError

log = logging.getLogger(__name__)

Effect = Callable[[Conn], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where a message came from: its event id and its place in Kafka."""

    event_id: uuid.UUID
    topic: str
    partition: int
    offset: int


class Inbox:
    """Runs each delivered message's effect at most once per consumer."""

    def __init__(self, pool: asyncpg.Pool, consumer: str, *, max_conflict_retries: int = 20):
        self._pool = pool
        self.consumer = consumer
        self._max_conflict_retries = max_conflict_retries

    async def seen(self, event_id: uuid.UUID) -> bool:
        """Tell whether this consumer has already handled ``event_id``."""
        found = await self._pool.fetchval(
            "SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2", self.consumer, event_id
        )
        return found is not None

    async def handle(self, delivery: Delivery, effect: Effect) -> bool:
        """Run ``effect`` and record the delivery in one transaction.

        Returns False, doing nothing, when the event was already handled.
        """
        for attempt in range(self._max_conflict_retries + 1):
            try:
                return await self._handle_once(delivery, effect)
            except ConcurrencyError:
                if attempt == self._max_conflict_retries:
                    raise
                log.debug("inbox %s: conflict on %s, retrying", self.consumer, delivery.event_id)
        raise AssertionError("unreachable")

    async def _handle_once(self, delivery: Delivery, effect: Effect) -> bool:
        async with self._pool.acquire() as conn, conn.transaction():
            already = await conn.fetchval(
                "SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2",
                self.consumer,
                delivery.event_id,
            )
            if already is not None:
                return False
            await effect(conn)
            try:
                await conn.execute(
                    """INSERT INTO inbox (consumer, event_id, topic, partition, "offset")
                       VALUES ($1, $2, $3, $4, $5)""",
                    self.consumer,
                    delivery.event_id,
                    delivery.topic,
                    delivery.partition,
                    delivery.offset,
                )
            except asyncpg.UniqueViolationError:
                log.info("inbox %s: %s handled concurrently", self.consumer, delivery.event_id)
                raise ConcurrencyError(f"inbox:{self.consumer}", 0) from None
        return True
