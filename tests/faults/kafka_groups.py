"""The services' consumer groups on the broker: move their offsets, wait until they catch up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from services.credits.app import SPEC as CREDITS
from services.invoicing.app import SPEC as INVOICING
from services.payments.app import SPEC as PAYMENTS
from services.platform import LocalPlatform
from tests.e2e.invoice_helpers import wait_until

CONSUMED = {spec.name: spec.consumes for spec in (CREDITS, PAYMENTS, INVOICING)}


def prefix(platform: LocalPlatform) -> str:
    return platform.config.extra_env.get("KAFKA_TOPIC_PREFIX", "")


async def _partitions(platform: LocalPlatform, topics: list[str]) -> list[TopicPartition]:
    producer = AIOKafkaProducer(
        bootstrap_servers=platform.config.kafka_bootstrap_servers, enable_idempotence=False
    )
    await producer.start()
    try:
        found: list[TopicPartition] = []
        for topic in topics:
            partitions = await producer.partitions_for(topic)
            found += [TopicPartition(topic, p) for p in sorted(partitions)]
        assert found, f"no partitions for {topics}"
        return found
    finally:
        await producer.stop()


@asynccontextmanager
async def group_view(
    platform: LocalPlatform, service: str
) -> AsyncIterator[tuple[AIOKafkaConsumer, list[TopicPartition]]]:
    """A client of the service's consumer group (never a member) and the partitions it reads."""
    topics = [prefix(platform) + t for t in CONSUMED[service]]
    partitions = await _partitions(platform, topics)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=platform.config.kafka_bootstrap_servers,
        group_id=prefix(platform) + service,
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        yield consumer, partitions
    finally:
        await consumer.stop()


async def rewind(platform: LocalPlatform, service: str) -> int:
    """Commit offset 0 for every partition the (stopped) service's group reads; return them."""
    async with group_view(platform, service) as (consumer, partitions):
        consumer.assign(partitions)
        await consumer.commit({tp: OffsetAndMetadata(0, "") for tp in partitions})
        return len(partitions)


async def lag(platform: LocalPlatform, service: str) -> int:
    """Records on the service's topics that its group has not committed yet."""
    async with group_view(platform, service) as (consumer, partitions):
        ends = await consumer.end_offsets(partitions)
        behind = 0
        for tp in partitions:
            behind += ends[tp] - int(await consumer.committed(tp) or 0)
        return behind


async def wait_caught_up(platform: LocalPlatform, service: str, timeout: float = 120) -> None:
    """Wait until the service's group has committed every record of its topics."""
    behind = -1

    async def caught_up() -> bool:
        nonlocal behind
        behind = await lag(platform, service)
        return behind == 0

    await wait_until(caught_up, timeout, lambda: f"{service} still {behind} records behind")


async def read_topic(platform: LocalPlatform, topic: str) -> list[Any]:
    """Every record on ``topic`` now, partition by partition in offset order."""
    partitions = await _partitions(platform, [topic])
    consumer = AIOKafkaConsumer(
        bootstrap_servers=platform.config.kafka_bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, 0)
        found: list[Any] = []
        for tp in partitions:
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                found += batch.get(tp, [])
        return found
    finally:
        await consumer.stop()
