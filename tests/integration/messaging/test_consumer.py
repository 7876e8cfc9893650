"""Consumers: redelivery is a no-op, offsets commit after effects, bad records go to DLQ."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from faststream.kafka import KafkaBroker

from shared.contracts import Envelope
from shared.eventstore import EventStore, NewEvent
from shared.messaging.consumer import EventConsumer, IncomingEvent, RejectedMessage, subscribe
from shared.messaging.dead_letters import DETAIL_HEADER, REASON_HEADER
from shared.messaging.inbox import Inbox
from shared.messaging.kafka import KafkaPublisher, ensure_topics, new_producer

from .kafka_helpers import header, read_topic, unique_topic, wait_until


def envelope(amount: Any = 500, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "event_type": "CreditGranted",
        "schema_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "customer_id": "cust-1",
        "correlation_id": str(uuid.uuid4()),
        "causation_id": None,
        "producer": "credits",
        "payload": {
            "grant_id": "g1",
            "amount": amount,
            "currency": "USD",
            "description": "welcome credit",
            "granted_by": "ops",
        },
    }
    body.update(overrides)
    return body


class Harness:
    """A real consumer on a real broker whose handler appends one event per message."""

    def __init__(self, pool: asyncpg.Pool, store: EventStore, bootstrap: str) -> None:
        self.pool, self.store, self.bootstrap = pool, store, bootstrap
        self.topic = unique_topic("consumer")
        self.group = f"group-{uuid.uuid4().hex[:8]}"
        self.producer: AIOKafkaProducer = new_producer(bootstrap, "test")
        self.broker = KafkaBroker(bootstrap, enable_idempotence=False)
        self.failures_left = 0
        self.consumer = EventConsumer(
            "svc",
            Inbox(pool, "svc"),
            {"CreditGranted": self.on_grant},
            KafkaPublisher(self.producer),
            backoff=0.01,
        )

    async def on_grant(self, event: IncomingEvent, conn: asyncpg.Connection) -> None:
        if self.failures_left > 0:
            self.failures_left -= 1
            raise ConnectionResetError("database went away")
        if event.envelope.payload["description"] == "refuse me":
            raise RejectedMessage("business_rule", "grants for this customer are closed")
        effect = NewEvent(
            "Effect",
            event.envelope.customer_id,
            {"of": str(event.envelope.event_id)},
            correlation_id=event.envelope.correlation_id,
            causation_id=event.envelope.event_id,
        )
        await self.store.append(f"effect-{event.envelope.event_id}", [effect], 0, conn=conn)

    async def send(self, value: bytes, key: bytes = b"cust-1") -> None:
        await self.producer.send_and_wait(self.topic, value=value, key=key)

    async def effects(self) -> list[str]:
        rows = await self.pool.fetch("SELECT payload FROM events WHERE event_type = 'Effect'")
        return sorted(r[0]["of"] for r in rows)

    async def committed(self) -> int:
        probe = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=self.group)
        await probe.start()
        try:
            total = 0
            for p in range(3):
                offset = await probe.committed(TopicPartition(self.topic, p))
                total += offset or 0
            return total
        finally:
            await probe.stop()


@pytest.fixture
async def harness(
    pool: asyncpg.Pool, store: EventStore, kafka_bootstrap_servers: str
) -> AsyncIterator[Harness]:
    h = Harness(pool, store, kafka_bootstrap_servers)
    await ensure_topics(kafka_bootstrap_servers, [h.topic], partitions=3)
    await h.producer.start()
    yield h
    await h.broker.stop()
    await h.producer.stop()


async def start(h: Harness) -> None:
    subscribe(h.broker, h.consumer, [h.topic], group_id=h.group)
    await h.broker.start()


async def test_redelivered_message_changes_nothing(harness: Harness) -> None:
    first = envelope()
    raw = json.dumps(first).encode()
    await harness.send(raw)
    await harness.send(raw)  # the same event delivered again
    second = envelope()
    await harness.send(json.dumps(second).encode())
    await start(harness)
    await wait_until(lambda: _eq(harness.committed(), 3), what="offsets committed")
    assert await harness.effects() == sorted([first["event_id"], second["event_id"]])
    assert harness.consumer.handled == 2
    inbox = await harness.pool.fetchval("SELECT count(*) FROM inbox WHERE consumer = 'svc'")
    assert inbox == 2


async def test_offset_commits_after_the_effect_so_a_crash_redelivers_harmlessly(
    harness: Harness,
) -> None:
    """The effect commits, the process dies before the offset commit: redelivery is a no-op."""
    body = envelope()
    await harness.send(json.dumps(body).encode())
    reader = AIOKafkaConsumer(
        harness.topic,
        bootstrap_servers=harness.bootstrap,
        group_id=harness.group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await reader.start()
    try:
        record = (await reader.getmany(timeout_ms=10_000)).popitem()[1][0]
        await harness.consumer.process(record)  # effect and inbox row commit here...
    finally:
        await reader.stop()  # ...and the offset never does
    assert await harness.effects() == [body["event_id"]]
    assert await harness.committed() == 0
    await start(harness)  # the record is delivered again
    await wait_until(lambda: _eq(harness.committed(), 1), what="offset committed")
    assert await harness.effects() == [body["event_id"]]


async def test_transient_failure_is_retried_and_applied_once(harness: Harness) -> None:
    harness.failures_left = 2
    body = envelope()
    await harness.send(json.dumps(body).encode())
    await start(harness)
    await wait_until(lambda: _eq(harness.committed(), 1), what="offset committed")
    assert await harness.effects() == [body["event_id"]]
    assert harness.failures_left == 0


async def test_malformed_messages_go_to_the_dlq_with_reasons_and_the_consumer_goes_on(
    harness: Harness,
) -> None:
    bad: list[tuple[bytes, str]] = [
        (b"not json at all", "not_json"),
        (json.dumps(envelope(amount=12.5)).encode(), "invalid_payload"),
        (json.dumps(envelope(amount=12.0)).encode(), "invalid_payload"),
        (json.dumps(envelope(event_type="CreditTeleported")).encode(), "unknown_event_type"),
        (json.dumps(envelope(schema_version=9)).encode(), "unknown_schema_version"),
        (
            json.dumps({k: v for k, v in envelope().items() if k != "customer_id"}).encode(),
            "invalid_envelope",
        ),
        (json.dumps(envelope(description="x")).encode(), "invalid_envelope"),
        (
            json.dumps(
                envelope(payload={**envelope()["payload"], "description": "refuse me"})
            ).encode(),
            "business_rule",
        ),
    ]
    for value, _ in bad:
        await harness.send(value)
    good = envelope()
    await harness.send(json.dumps(good).encode())
    await start(harness)
    dead = await read_topic(harness.bootstrap, f"{harness.topic}.dlq", len(bad))
    await wait_until(lambda: _eq(harness.committed(), len(bad) + 1), what="offsets committed")
    reasons = {bytes(r.value): header(r, REASON_HEADER) for r in dead}
    assert reasons == {value: reason for value, reason in bad}
    for record in dead:
        assert header(record, DETAIL_HEADER)
        assert header(record, "dlq-original-topic") == harness.topic
        assert record.key == b"cust-1"
    assert await harness.effects() == [good["event_id"]]
    assert harness.consumer.dead_lettered == len(bad)
    Envelope.model_validate(good)  # the good one was a valid envelope all along


async def _eq(value: Any, expected: int) -> bool:
    return bool(await value == expected)
