"""Top-ups under redelivery and bad input: nothing twice, nothing from refused requests."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from services.platform import LocalPlatform
from shared.contracts import PAYMENTS_TOPIC, Envelope

from .conftest import customer_headers
from .helpers import CARD_OK, ledger, new_card, top_up, wait_for_request

pytestmark = pytest.mark.e2e


def topic_of(platform: LocalPlatform, name: str) -> str:
    return platform.config.extra_env.get("KAFKA_TOPIC_PREFIX", "") + name


async def find_record(platform: LocalPlatform, topic: str, event_type: str, ref: str) -> Any:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=platform.config.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=1000)).values():
                for record in batch:
                    env = Envelope.from_json_bytes(record.value)
                    if env.event_type == event_type and ref in record.value.decode():
                        return record
        raise AssertionError(f"no {event_type} for {ref} on {topic}")
    finally:
        await consumer.stop()


async def committed(platform: LocalPlatform, group: str, tp: TopicPartition) -> int:
    probe = AIOKafkaConsumer(
        bootstrap_servers=platform.config.kafka_bootstrap_servers, group_id=group
    )
    await probe.start()
    try:
        return int(await probe.committed(tp) or 0)
    finally:
        await probe.stop()


async def test_payment_captured_delivered_three_times_credits_once(
    platform: LocalPlatform, customer_id: str
) -> None:
    card = new_card(platform, CARD_OK)
    request_id = top_up(platform, customer_id, "20.00", "thrice", payment_method_id=card).json()[
        "request_id"
    ]
    await asyncio.to_thread(wait_for_request, platform, customer_id, request_id, {"succeeded"})
    topic = topic_of(platform, PAYMENTS_TOPIC)
    record = await find_record(platform, topic, "PaymentCaptured", request_id)
    producer = AIOKafkaProducer(
        bootstrap_servers=platform.config.kafka_bootstrap_servers, enable_idempotence=False
    )
    await producer.start()
    try:
        last = None
        for _ in range(2):
            last = await producer.send_and_wait(
                topic, value=record.value, key=record.key, headers=list(record.headers)
            )
    finally:
        await producer.stop()
    assert last is not None
    group = topic_of(platform, "credits")
    tp = TopicPartition(topic, last.partition)
    deadline = time.monotonic() + 30
    while await committed(platform, group, tp) <= last.offset:
        assert time.monotonic() < deadline, "credits did not consume the redeliveries"
        await asyncio.sleep(0.2)
    book = ledger(platform, customer_id)
    assert [e["amount"] for e in book["entries"]] == ["20.00"]
    assert book["balance"] == "20.00"


INVALID_BODIES: list[dict[str, Any]] = [
    {"amount": "0.00", "currency": "USD", "description": "zero"},
    {"amount": "-5.00", "currency": "USD", "description": "negative"},
    {"amount": "0.99", "currency": "USD", "description": "below minimum"},
    {"amount": "10000.01", "currency": "USD", "description": "above maximum"},
    {"amount": "1.001", "currency": "USD", "description": "too many decimals"},
    {"amount": 12.5, "currency": "USD", "description": "float"},
    {"amount": "NaN", "currency": "USD", "description": "nan"},
    {"amount": "12.00", "currency": "XYZ", "description": "unknown currency"},
    {"amount": "12.00", "currency": "USD", "description": "x" * 256},
    {"amount": "12.00", "currency": "USD", "description": "bell\x07"},
    {"amount": "12.00", "currency": "USD", "description": "c", "card_number": "4242424242424242"},
    {"amount": "12.00", "currency": "USD", "description": "c", "card": {"number": "4242424242"}},
    {"amount": "12.00", "currency": "USD", "description": "c", "cvc": "123"},
]  # fmt: skip


def post_raw(platform: LocalPlatform, customer_id: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{platform.url('credits')}/v1/customers/{customer_id}/credits",
        json=body,
        headers={**customer_headers(customer_id), "Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )


async def test_invalid_top_ups_answer_422_and_store_nothing(
    platform: LocalPlatform, customer_id: str
) -> None:
    conn = await asyncpg.connect(platform.env("credits")["DATABASE_URL"])
    try:
        before = await conn.fetchval("SELECT count(*) FROM credits.events")
        for body in INVALID_BODIES:
            response = await asyncio.to_thread(post_raw, platform, customer_id, body)
            assert response.status_code == 422, (body, response.text)
            assert response.json().get("detail"), body
        missing_key = await asyncio.to_thread(
            httpx.post,
            f"{platform.url('credits')}/v1/customers/{customer_id}/credits",
            json={"amount": "10.00", "currency": "USD", "description": "no key"},
            headers=customer_headers(customer_id),
        )
        assert missing_key.status_code == 400
        after = await conn.fetchval("SELECT count(*) FROM credits.events")
    finally:
        await conn.close()
    assert after == before
    assert ledger(platform, customer_id)["entries"] == []
