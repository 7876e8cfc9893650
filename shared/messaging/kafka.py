"""Kafka clients with our settings: producers without idempotence, topic creation.

The idempotent producer stays off everywhere (``enable_idempotence=False``):
exactly-once effects come from the outbox and the consumers' inbox instead,
and some Kafka-protocol brokers refuse ``InitProducerId``. Ordering per
partition still holds because aiokafka sends one request per partition at a
time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.contracts import dlq_topic
from shared.messaging.records import OutgoingRecord

log = logging.getLogger(__name__)


def new_producer(bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    """Return an (unstarted) producer: acks from all replicas, no idempotence."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=False,
        linger_ms=2,
        request_timeout_ms=15000,
    )


class KafkaPublisher:
    """Sends records and returns once the broker has acknowledged every one."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        """Send ``records`` in order and wait for all acknowledgements."""
        futures = [
            await self._producer.send(r.topic, value=r.value, key=r.key, headers=r.headers)
            for r in records
        ]
        await asyncio.gather(*futures)


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    partitions: int = 3,
    replication_factor: int = 1,
) -> None:
    """Create each topic and its ``.dlq`` twin when missing."""
    wanted = set()
    for topic in topics:
        wanted.update({topic, dlq_topic(topic)})
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(wanted - existing)
        if not missing:
            return
        new = [
            NewTopic(name=t, num_partitions=partitions, replication_factor=replication_factor)
            for t in missing
        ]
        try:
            await admin.create_topics(new)
        except TopicAlreadyExistsError:
            log.info("topics created concurrently by another process: %s", missing)
    finally:
        await admin.close()
