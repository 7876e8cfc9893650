"""Metrics and log context of the messaging layer on real PostgreSQL and Kafka.

Appends are counted by event type; the outbox lag falls to zero once the relay
has passed the events; a consumer group's lag is the records it has not
committed; a handled event is timed and logged with its envelope's ids; a dead
letter is counted by topic and reason.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker

from shared.eventstore import EventStore, NewEvent
from shared.messaging.consumer import EventConsumer, IncomingEvent, subscribe
from shared.messaging.inbox import Inbox
from shared.messaging.kafka import KafkaPublisher, ensure_topics, new_producer
from shared.messaging.lag import ConsumerGroupLag, outbox_lag
from shared.messaging.relay import OutboxRelay, RelayConfig
from shared.metrics import ServiceMetrics
from tests.log_lines import JsonLines, json_lines

from .kafka_helpers import read_topic, unique_topic, wait_until


@pytest.fixture
def consumer_lines() -> Iterator[JsonLines]:
    with json_lines("shared.messaging.consumer") as lines:
        yield lines


def grant(customer: str = "cust-1") -> NewEvent:
    payload = {"grant_id": "g1", "amount": 100, "currency": "USD",
               "description": "grant", "granted_by": "ops"}  # fmt: skip
    return NewEvent("CreditGranted", customer, payload, uuid.uuid4())


def envelope(correlation_id: uuid.UUID, causation_id: uuid.UUID) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": "CreditGranted",
        "schema_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "customer_id": "cust-1",
        "correlation_id": str(correlation_id),
        "causation_id": str(causation_id),
        "producer": "credits",
        "payload": {"grant_id": "g1", "amount": 500, "currency": "USD",
                    "description": "welcome", "granted_by": "ops"},
    }  # fmt: skip


async def test_appends_are_counted_and_the_outbox_lag_falls_when_the_relay_passes(
    pool: asyncpg.Pool, kafka_bootstrap_servers: str
) -> None:
    metrics = ServiceMetrics("credits")
    store = EventStore(pool, metrics=metrics)
    await store.append("credit-account-a", [grant("a"), grant("a")], 0)
    await store.append("credit-account-b", [grant("b")], 0)
    await store.append("internal-x", [NewEvent("Internal", "a", {}, uuid.uuid4())], 0)
    labels = {"service": "credits", "event_type": "CreditGranted"}
    assert metrics.registry.get_sample_value("billing_events_appended_total", labels) == 3
    assert await outbox_lag(pool, "credits") == 4

    topic = unique_topic("lag")
    await ensure_topics(kafka_bootstrap_servers, [topic], partitions=3)
    producer = new_producer(kafka_bootstrap_servers, "test-lag")
    await producer.start()
    try:
        relay = OutboxRelay(
            pool, store, KafkaPublisher(producer),
            RelayConfig(name="credits", topic=topic, producer="credits", batch_size=3),
        )  # fmt: skip
        async with pool.acquire() as conn:
            assert await relay.publish_pending(conn) == 3
            assert await outbox_lag(pool, "credits") == 1
            assert await relay.publish_pending(conn) == 1
    finally:
        await producer.stop()
    assert await outbox_lag(pool, "credits") == 0
    await store.append("credit-account-b", [grant("b")], 1)
    assert await outbox_lag(pool, "credits") == 1


class Consumed:
    """A consumer with metrics on a fresh topic, and what its group has left to read."""

    def __init__(self, pool: asyncpg.Pool, bootstrap: str) -> None:
        self.topic = unique_topic("observed")
        self.group = f"group-{uuid.uuid4().hex[:8]}"
        self.metrics = ServiceMetrics("svc")
        self.producer = new_producer(bootstrap, "test")
        self.broker = KafkaBroker(bootstrap, enable_idempotence=False)
        self.store = EventStore(pool, metrics=self.metrics)
        self.consumer = EventConsumer(
            "svc", Inbox(pool, "svc"), {"CreditGranted": self.on_grant},
            KafkaPublisher(self.producer), metrics=self.metrics,
        )  # fmt: skip
        self.lag = ConsumerGroupLag(bootstrap, self.group, [self.topic])

    async def on_grant(self, event: IncomingEvent, conn: asyncpg.Connection) -> None:
        logging.getLogger("shared.messaging.consumer").info("inside the handler")
        effect = NewEvent("Effect", "cust-1", {}, event.envelope.correlation_id,
                          causation_id=event.envelope.event_id)  # fmt: skip
        await self.store.append(f"effect-{event.envelope.event_id}", [effect], 0, conn=conn)

    async def send(self, value: bytes) -> None:
        await self.producer.send_and_wait(self.topic, value=value, key=b"cust-1")

    async def lag_is(self, expected: int) -> bool:
        """Whether the group's lag is ``expected`` now (False while Kafka cannot tell yet)."""
        try:
            return sum((await self.lag.measure()).values()) == expected
        except KafkaError:  # a new broker's group coordinator may not be ready yet
            return False

    def sample(self, name: str, **labels: str) -> float | None:
        return self.metrics.registry.get_sample_value(name, {"service": "svc", **labels})


@pytest.fixture
async def consumed(pool: asyncpg.Pool, kafka_bootstrap_servers: str) -> AsyncIterator[Consumed]:
    c = Consumed(pool, kafka_bootstrap_servers)
    await ensure_topics(kafka_bootstrap_servers, [c.topic], partitions=3)
    await c.producer.start()
    yield c
    await c.lag.close()
    await c.broker.stop()
    await c.producer.stop()


async def test_handled_events_are_timed_and_logged_with_their_ids_and_dead_letters_counted(
    consumed: Consumed, consumer_lines: JsonLines, kafka_bootstrap_servers: str
) -> None:
    correlation, causation = uuid.uuid4(), uuid.uuid4()
    good = envelope(correlation, causation)
    await consumed.send(json.dumps(good).encode())
    await consumed.send(b"not json at all")
    await consumed.send(json.dumps(envelope(uuid.uuid4(), uuid.uuid4())).encode())
    await wait_until(lambda: consumed.lag_is(3), what="a lag of 3 before consuming")
    assert [key[0] for key in await consumed.lag.measure()] == [consumed.topic] * 3

    subscribe(consumed.broker, consumed.consumer, [consumed.topic], group_id=consumed.group)
    await consumed.broker.start()
    await read_topic(kafka_bootstrap_servers, f"{consumed.topic}.dlq", 1)

    await wait_until(lambda: consumed.lag_is(0), what="the group to commit every record")
    handled = {"event_type": "CreditGranted"}
    assert consumed.sample("billing_event_handler_duration_seconds_count", **handled) == 2
    dead = {"topic": consumed.topic, "reason": "not_json"}
    assert consumed.sample("billing_dead_letters_total", **dead) == 1
    assert consumed.sample("billing_events_appended_total", event_type="Effect") == 2

    mine = [line for line in consumer_lines.lines if line.get("event_id") == good["event_id"]]
    assert [line["message"] for line in mine] == [
        "inside the handler",
        "svc: handled CreditGranted",
    ]
    for line in mine:
        assert line["correlation_id"] == str(correlation)
        assert line["causation_id"] == str(causation)
        assert line["event_type"] == "CreditGranted"
    assert mine[1]["topic"] == consumed.topic
    assert mine[1]["duration_ms"] >= 0
    dead_line = next(line for line in consumer_lines.lines if "dead-lettering" in line["message"])
    assert "correlation_id" not in dead_line  # a record that is not JSON has no ids
