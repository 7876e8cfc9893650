"""Outbox relay: every committed event reaches Kafka, keyed, enveloped, in order, after restarts."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from shared.contracts import Envelope, decode_payload
from shared.eventstore import EventStore, NewEvent, StoredEvent
from shared.messaging.kafka import KafkaPublisher, ensure_topics, new_producer
from shared.messaging.records import OutgoingRecord
from shared.messaging.relay import OutboxRelay, RelayConfig

from .kafka_helpers import header, read_topic, unique_topic


@pytest.fixture
async def producer(kafka_bootstrap_servers: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = new_producer(kafka_bootstrap_servers, "test-relay")
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
async def topic(kafka_bootstrap_servers: str) -> str:
    name = unique_topic("relay")
    await ensure_topics(kafka_bootstrap_servers, [name], partitions=3)
    return name


def grant(customer: str, n: int) -> NewEvent:
    payload = {
        "grant_id": f"g{n}",
        "amount": 100 + n,
        "currency": "USD",
        "description": f"grant {n}",
        "granted_by": "ops",
    }
    return NewEvent("CreditGranted", customer, payload, uuid.uuid4())


async def append_history(store: EventStore, rounds: int, first: int = 0) -> list[StoredEvent]:
    """Interleave appends to 6 streams of 3 customers."""
    stored: list[StoredEvent] = []
    for n in range(first, first + rounds):
        for c in range(3):
            for s in range(2):
                stream = f"credit-account-cust{c}-{s}"
                version = await store.stream_version(stream)
                stored += await store.append(stream, [grant(f"cust{c}", n)], version)
    return stored


async def relay_until_idle(relay: OutboxRelay, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        while await relay.publish_pending(conn):
            pass


def check_stream_order(records: Sequence[Any], stored: Sequence[StoredEvent]) -> None:
    """Each stream's events arrive in version order, first occurrences counted."""
    by_id = {e.event_id: e for e in stored}
    versions: dict[str, list[int]] = defaultdict(list)
    seen: set[uuid.UUID] = set()
    for record in records:
        env = Envelope.from_json_bytes(record.value)
        if env.event_id in seen:
            continue
        seen.add(env.event_id)
        event = by_id[env.event_id]
        versions[event.stream_id].append(event.version)
    assert seen == set(by_id)
    for stream, got in versions.items():
        assert got == sorted(got), f"{stream} out of order: {got}"


async def test_relay_publishes_envelopes_keyed_by_customer(
    store: EventStore,
    pool: asyncpg.Pool,
    producer: AIOKafkaProducer,
    topic: str,
    kafka_bootstrap_servers: str,
) -> None:
    stored = await append_history(store, rounds=4)
    config = RelayConfig(name="credits", topic=topic, producer="credits", batch_size=5)
    relay = OutboxRelay(pool, store, KafkaPublisher(producer), config)
    await relay_until_idle(relay, pool)
    records = await read_topic(kafka_bootstrap_servers, topic, len(stored))
    assert len(records) == len(stored) == 24
    by_id = {e.event_id: e for e in stored}
    partitions: dict[str, set[int]] = defaultdict(set)
    for record in records:
        env = Envelope.from_json_bytes(record.value)
        event = by_id[env.event_id]
        assert record.key == event.customer_id.encode()
        assert env.customer_id == event.customer_id
        assert env.event_type == event.event_type == header(record, "event_type")
        assert str(env.event_id) == header(record, "event_id")
        assert env.schema_version == 1
        assert env.producer == "credits"
        assert env.occurred_at == event.occurred_at
        assert env.correlation_id == event.correlation_id
        assert env.payload == event.payload
        assert decode_payload(env).model_dump()["amount"] == event.payload["amount"]
        partitions[event.customer_id].add(record.partition)
    assert all(len(p) == 1 for p in partitions.values())
    check_stream_order(records, stored)


async def test_relay_resumes_after_restart_without_loss_or_reordering(
    store: EventStore,
    pool: asyncpg.Pool,
    producer: AIOKafkaProducer,
    topic: str,
    kafka_bootstrap_servers: str,
) -> None:
    config = RelayConfig(name="credits", topic=topic, producer="credits", batch_size=4)
    stored = await append_history(store, rounds=2)
    first = OutboxRelay(pool, store, KafkaPublisher(producer), config)
    async with pool.acquire() as conn:
        assert await first.publish_pending(conn) == 4
    del first  # the process stops here
    stored += await append_history(store, rounds=2, first=2)
    second = OutboxRelay(pool, store, KafkaPublisher(producer), config)
    await relay_until_idle(second, pool)
    assert second.published_total == len(stored) - 4
    records = await read_topic(kafka_bootstrap_servers, topic, len(stored))
    assert [Envelope.from_json_bytes(r.value).event_id for r in records].count(
        stored[0].event_id
    ) == 1
    assert len(records) == len(stored)
    check_stream_order(records, stored)


class CrashAfterPublish:
    """Publishes for real, then fails as a process killed before its checkpoint would."""

    def __init__(self, publisher: KafkaPublisher) -> None:
        self.publisher = publisher

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        await self.publisher.publish(records)
        raise RuntimeError("process killed after Kafka acknowledged the batch")


async def test_crash_between_publish_and_checkpoint_republishes_the_batch(
    store: EventStore,
    pool: asyncpg.Pool,
    producer: AIOKafkaProducer,
    topic: str,
    kafka_bootstrap_servers: str,
) -> None:
    config = RelayConfig(name="credits", topic=topic, producer="credits", batch_size=5)
    stored = await append_history(store, rounds=2)
    crashing = OutboxRelay(pool, store, CrashAfterPublish(KafkaPublisher(producer)), config)
    async with pool.acquire() as conn:
        with pytest.raises(RuntimeError, match="killed"):
            await crashing.publish_pending(conn)
    restarted = OutboxRelay(pool, store, KafkaPublisher(producer), config)
    await relay_until_idle(restarted, pool)
    records = await read_topic(kafka_bootstrap_servers, topic, len(stored) + 5)
    ids = [Envelope.from_json_bytes(r.value).event_id for r in records]
    assert len(ids) == len(stored) + 5  # the first batch went out twice
    assert set(ids) == {e.event_id for e in stored}
    check_stream_order(records, stored)


async def test_internal_events_stay_in_the_store(
    store: EventStore,
    pool: asyncpg.Pool,
    producer: AIOKafkaProducer,
    topic: str,
    kafka_bootstrap_servers: str,
) -> None:
    """Only the producer's catalog events are published; the checkpoint moves past the rest."""
    note = NewEvent("ChargeAttempted", "cust0", {"attempt": 1}, uuid.uuid4())
    await store.append("payment-1", [note], 0)
    foreign = grant("cust0", 99)  # a credits event, but this relay publishes for payments
    await store.append("payment-2", [foreign], 0)
    config = RelayConfig(name="payments", topic=topic, producer="payments", batch_size=10)
    relay = OutboxRelay(pool, store, KafkaPublisher(producer), config)
    async with pool.acquire() as conn:
        assert await relay.publish_pending(conn) == 2
        assert await relay.publish_pending(conn) == 0
    assert relay.published_total == 0
    credits = RelayConfig(name="credits", topic=topic, producer="credits", batch_size=10)
    relay = OutboxRelay(pool, store, KafkaPublisher(producer), credits)
    await relay_until_idle(relay, pool)
    records = await read_topic(kafka_bootstrap_servers, topic, 1)
    assert [Envelope.from_json_bytes(r.value).event_id for r in records] == [foreign.event_id]
