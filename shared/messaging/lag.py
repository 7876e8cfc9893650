"""How far behind a service is: its outbox relay (PostgreSQL) and its consumer group (Kafka).

Both are measured on demand (at each ``/metrics`` scrape), so a figure is never
older than the scrape that shows it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.database import Executor
from shared.log_context import no_log_fields
from shared.messaging.checkpoints import load_checkpoint

_OUTBOX_LAG = """
SELECT count(*) FROM events
WHERE (transaction_id, position) > ($1::bigint::text::xid8, $2::bigint)
"""


async def outbox_lag(executor: Executor, relay: str) -> int:
    """Events stored after the relay's checkpoint: not yet published (or passed) by it."""
    checkpoint = await load_checkpoint(executor, relay)
    count = await executor.fetchval(_OUTBOX_LAG, checkpoint.transaction_id, checkpoint.position)
    return int(count)


class ConsumerGroupLag:
    """Measures a consumer group's lag on its topics: end offset minus committed offset.

    A partition the group has not committed on yet counts from its first
    offset (the group starts at the earliest record). The clients are
    started at the first measure and kept until :meth:`close`.
    """

    def __init__(self, bootstrap_servers: str, group: str, topics: Sequence[str]) -> None:
        self.group = group
        self._servers = bootstrap_servers
        self._topics = list(topics)
        self._admin: AIOKafkaAdminClient | None = None
        self._offsets: AIOKafkaConsumer | None = None
        self._lock = asyncio.Lock()

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        with no_log_fields():  # their background tasks must not keep a request's ids
            return await self._start_clients()

    async def _start_clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self._servers, client_id=f"{self.group}-lag"
            )
            await admin.start()
            self._admin = admin
        if self._offsets is None:
            offsets = AIOKafkaConsumer(
                bootstrap_servers=self._servers,
                client_id=f"{self.group}-lag",
                group_id=None,
                enable_auto_commit=False,
            )
            await offsets.start()
            self._offsets = offsets
        return self._admin, self._offsets

    async def measure(self) -> dict[tuple[str, int], int]:
        """The lag of each partition of the group's topics, by (topic, partition)."""
        async with self._lock:
            admin, offsets = await self._clients()
            described = await admin.describe_topics(self._topics)
            partitions = [
                TopicPartition(topic["topic"], p["partition"])
                for topic in described
                if not topic.get("error_code")
                for p in topic["partitions"]
            ]
            if not partitions:
                return {}
            committed = await admin.list_consumer_group_offsets(self.group, partitions=partitions)
            ends = await offsets.end_offsets(partitions)
            firsts = await offsets.beginning_offsets(partitions)
        lags: dict[tuple[str, int], int] = {}
        for tp in partitions:
            done = committed.get(tp)
            start = done.offset if done is not None and done.offset >= 0 else firsts[tp]
            lags[(tp.topic, tp.partition)] = max(0, ends[tp] - start)
        return lags

    async def close(self) -> None:
        """Stop the clients (a later measure starts them again)."""
        admin, offsets = self._admin, self._offsets
        self._admin = self._offsets = None
        if offsets is not None:
            await offsets.stop()
        if admin is not None:
            await admin.close()
