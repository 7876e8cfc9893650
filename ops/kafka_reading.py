"""Reading the services' Kafka topics as an operator: no consumer group, nothing committed.

Every reader assigns itself the topics' partitions directly (``group_id=None``), so
it never joins, rebalances or moves the offsets of the services' consumer groups.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from shared.messaging.kafka import new_producer

from .config import OpsConfig
from .errors import InputError, UnavailableError
from .output import err

KAFKA_ERRORS = (KafkaError, OSError)
POLL_MS = 200


@dataclass(frozen=True, slots=True)
class Message:
    """One record as read: where it sits, its key, value and headers."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def header(self, name: str) -> str | None:
        """A header's value as text (the last one of that name), or None."""
        found = None
        for key, value in self.headers:
            if key == name:
                found = value.decode(errors="replace")
        return found

    def envelope(self) -> dict[str, Any] | None:
        """The value as a JSON object, or None when it is not one."""
        try:
            loaded = json.loads(self.value or b"")
        except ValueError:
            return None
        return loaded if isinstance(loaded, dict) else None

    def event_id(self) -> str | None:
        """The event id of the envelope, else of the ``event_id`` header, else None."""
        envelope = self.envelope()
        if envelope is not None and isinstance(envelope.get("event_id"), str):
            return str(envelope["event_id"])
        return self.header("event_id")


def _message(record: Any) -> Message:
    return Message(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=tuple(record.headers or ()),
    )


def kafka_unavailable(config: OpsConfig, error: BaseException) -> UnavailableError:
    """The error of a broker that does not answer."""
    return UnavailableError(
        f"Kafka at {config.kafka_bootstrap_servers} failed ({type(error).__name__}: {error}); "
        "set KAFKA_BOOTSTRAP_SERVERS"
    )


async def _start(config: OpsConfig, client: AIOKafkaConsumer | AIOKafkaProducer) -> None:
    """Start ``client``; if the broker does not answer, stop it and raise the unavailable error."""
    try:
        await client.start()
    except KAFKA_ERRORS as error:
        await client.stop()
        raise kafka_unavailable(config, error) from None


@asynccontextmanager
async def _consumer(config: OpsConfig) -> AsyncIterator[AIOKafkaConsumer]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=config.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        client_id="billing-ops",
        request_timeout_ms=15000,
    )
    await _start(config, consumer)
    try:
        yield consumer
    finally:
        await consumer.stop()


async def topic_partitions(config: OpsConfig) -> dict[str, list[int]]:
    """Every topic of the cluster with its partition numbers."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=config.kafka_bootstrap_servers, client_id="billing-ops"
    )
    try:
        await admin.start()
        described = await admin.describe_topics()
    except KAFKA_ERRORS as error:
        raise kafka_unavailable(config, error) from None
    finally:
        await admin.close()
    return {
        str(topic["topic"]): sorted(int(p["partition"]) for p in topic["partitions"])
        for topic in described
    }


async def _partitions(config: OpsConfig, topics: Iterable[str]) -> list[TopicPartition]:
    existing = await topic_partitions(config)
    wanted = list(topics)
    missing = [t for t in wanted if t not in existing]
    if missing:
        raise InputError(
            f"no topic {', '.join(missing)} on this Kafka cluster "
            "(is KAFKA_TOPIC_PREFIX right? services create their topics when they start)"
        )
    return [TopicPartition(topic, partition) for topic in wanted for partition in existing[topic]]


async def read_all(config: OpsConfig, topic: str) -> list[Message]:
    """Every record of ``topic`` present now, by partition then offset."""
    partitions = await _partitions(config, [topic])
    try:
        async with _consumer(config) as consumer:
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            messages: list[Message] = []
            pending = {tp for tp in partitions if ends[tp] > 0}
            for tp in partitions:
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
            while pending:
                batches = await consumer.getmany(*pending, timeout_ms=POLL_MS)
                for tp, records in batches.items():
                    messages.extend(_message(r) for r in records if r.offset < ends[tp])
                for tp in list(pending):
                    if await consumer.position(tp) >= ends[tp]:
                        pending.discard(tp)
    except KAFKA_ERRORS as error:
        raise kafka_unavailable(config, error) from None
    return sorted(messages, key=lambda m: (m.partition, m.offset))


async def follow(
    config: OpsConfig, topics: Sequence[str], *, from_beginning: bool
) -> AsyncGenerator[Message, None]:
    """Records of ``topics`` as they arrive (from the start of each topic, or from now).

    Once every partition's start offset is known, a line on stderr says so.
    """
    partitions = await _partitions(config, topics)
    try:
        async with _consumer(config) as consumer:
            consumer.assign(partitions)
            if from_beginning:
                await consumer.seek_to_beginning(*partitions)
            else:
                await consumer.seek_to_end(*partitions)
            for partition in partitions:  # resolve each start offset before saying so
                await consumer.position(partition)
            err.print(
                f"following {len(partitions)} partition(s) of {', '.join(sorted(set(topics)))} "
                f"from {'the beginning' if from_beginning else 'now'}",
                markup=False,
            )
            while True:
                batches = await consumer.getmany(timeout_ms=POLL_MS)
                for records in batches.values():
                    for record in records:
                        yield _message(record)
    except KAFKA_ERRORS as error:
        raise kafka_unavailable(config, error) from None


@asynccontextmanager
async def producer(config: OpsConfig) -> AsyncIterator[AIOKafkaProducer]:
    """A started producer with the services' settings (acks from all, no idempotence)."""
    started = new_producer(config.kafka_bootstrap_servers, "billing-ops")
    await _start(config, started)
    try:
        yield started
    except KAFKA_ERRORS as error:
        raise kafka_unavailable(config, error) from None
    finally:
        await started.stop()
