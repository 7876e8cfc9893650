"""Poison messages on every consumed topic, and a dead letter replayed after a fix.

Five kinds of bad record go to each of the three topics (each is consumed by two
services): not JSON, an unknown ``event_type``, an unknown ``schema_version``, a float
amount, a missing field. Each lands in ``<topic>.dlq`` once per consuming service with
its reason; nothing changes; the consumers go on. Then a valid event that a handler
failed on (a fault planted in the payments database) is dead-lettered, the fault is
removed, and ``billing dlq replay`` applies it exactly once, however often it is run.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from services.platform import LocalPlatform
from shared.contracts import dlq_topic
from shared.contracts.topics import PRODUCER_TOPICS
from tests.e2e.invoice_helpers import wait_until

from .kafka_groups import CONSUMED, prefix, read_topic, wait_caught_up
from .test_replay import snapshot
from .workload import all_intents, workload

POISONS: dict[str, tuple[str, Callable[[dict[str, Any]], None] | None]] = {
    "not JSON": ("not_json", None),
    "unknown event_type": ("unknown_event_type", lambda e: e.update(event_type="NoSuchEvent")),
    "unknown schema_version": ("unknown_schema_version", lambda e: e.update(schema_version=99)),
    "float amount": ("invalid_payload", lambda e: e["payload"].update(amount=1000.5)),
    "missing field": ("invalid_payload", lambda e: e["payload"].pop("currency")),
}


def poison(template: dict[str, Any], kind: str) -> bytes:
    """A bad copy of a valid envelope (with a new event id, so no inbox knows it)."""
    _, mutate = POISONS[kind]
    if mutate is None:
        return b'{"event_id": "' + uuid.uuid4().hex.encode() + b'", not json'
    envelope = json.loads(json.dumps(template))
    envelope["event_id"] = str(uuid.uuid4())
    mutate(envelope)
    return json.dumps(envelope).encode()


def with_amount(platform_records: list[Any], topic: str) -> dict[str, Any]:
    """The envelope of a record whose payload has an integer amount and a currency."""
    for record in platform_records:
        envelope: dict[str, Any] = json.loads(record.value)
        payload = envelope.get("payload", {})
        if isinstance(payload.get("amount"), int) and "currency" in payload:
            return envelope
    types = sorted({json.loads(r.value).get("event_type", "?") for r in platform_records})
    raise AssertionError(f"no record with an amount to copy on {topic} among {types}")


def billing_cli(platform: LocalPlatform, *args: str) -> str:
    """Run the operator CLI against the platform; return its output (it must succeed)."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": platform.config.kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": prefix(platform),
        "COLUMNS": "200",
    }
    command = [str(Path(sys.executable).parent / "billing"), *args]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def test_poison_messages_go_to_the_dead_letter_topics_and_change_nothing(
    platform: LocalPlatform, say: Callable[[str], None]
) -> None:
    async with workload(platform, 2) as work:
        await work.run()
        await work.check(say)
        before = await snapshot(platform)
        producer = AIOKafkaProducer(
            bootstrap_servers=platform.config.kafka_bootstrap_servers, enable_idempotence=False
        )
        await producer.start()
        sent: dict[str, tuple[str, str]] = {}  # marker -> (topic, kind)
        try:
            for name, topic in PRODUCER_TOPICS.items():
                full = prefix(platform) + topic
                template = with_amount(await read_topic(platform, full), full)
                for kind in POISONS:
                    value = poison(template, kind)
                    marker = uuid.uuid4().hex
                    await producer.send_and_wait(
                        full, value=value, key=work.customers[0].encode(),
                        headers=[("poison-marker", marker.encode())],
                    )  # fmt: skip
                    sent[marker] = (name, kind)
        finally:
            await producer.stop()
        say(f"sent {len(sent)} poison records: {list(POISONS)} on each of 3 topics")
        consumers_of = {
            name: sorted(s for s, topics in CONSUMED.items() if PRODUCER_TOPICS[name] in topics)
            for name in PRODUCER_TOPICS
        }
        seen: dict[tuple[str, str], set[str]] = {}

        async def all_dead_lettered() -> bool:
            for name, topic in PRODUCER_TOPICS.items():
                for record in await read_topic(platform, dlq_topic(prefix(platform) + topic)):
                    headers = {k: v.decode() for k, v in record.headers}
                    marker = headers.get("poison-marker")
                    if marker in sent:
                        _, kind = sent[marker]
                        assert headers["dlq-reason"] == POISONS[kind][0], headers
                        seen.setdefault((marker, name), set()).add(headers["dlq-consumer"])
            return all(seen.get((m, n)) == set(consumers_of[n]) for m, (n, _) in sent.items())

        await wait_until(all_dead_lettered, 90, lambda: f"dead letters seen: {len(seen)}")
        reasons = Counter(POISONS[kind][0] for _, kind in sent.values())
        say(f"each poison record is in <topic>.dlq once per consumer, reasons {dict(reasons)}")
        assert await snapshot(platform) == before
        say("no store or projection changed")
        listing = billing_cli(platform, "dlq", "list", "credits")
        assert "unknown_event_type" in listing
        assert "invalid_payload" in listing
        await work.run()
        await work.check(say)
        say("the consumers went on: a new round of top-ups and invoices completed")


async def test_a_dead_letter_replayed_after_a_fix_is_applied_once(
    platform: LocalPlatform, say: Callable[[str], None]
) -> None:
    async with workload(platform, 1) as work:
        customer = work.customers[0]
        conn = await asyncpg.connect(platform.env("payments")["DATABASE_URL"])
        try:
            await conn.execute(
                f"""
                CREATE FUNCTION payments.planted_fault() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'planted fault for %', NEW.customer_id; END $$;
                CREATE TRIGGER planted_fault BEFORE INSERT ON payments.events FOR EACH ROW
                WHEN (NEW.event_type = 'PaymentScheduled' AND NEW.customer_id = '{customer}')
                EXECUTE FUNCTION payments.planted_fault();
                """
            )
            body = {"amount": "12.00", "currency": "USD", "description": "replayed"}
            answer = await work.command(
                "credits", f"/v1/customers/{customer}/credits", body, customer
            )
            request_id = answer["request_id"]
            credits_dlq = dlq_topic(prefix(platform) + PRODUCER_TOPICS["credits"])
            letter: dict[str, str] = {}

            async def dead_lettered() -> bool:
                for record in await read_topic(platform, credits_dlq):
                    if request_id.encode() in record.value:
                        letter.update({k: v.decode() for k, v in record.headers})
                        return True
                return False

            await wait_until(dead_lettered, 90, lambda: f"{request_id} in {credits_dlq}")
            assert letter["dlq-reason"] == "handler_failed", letter
            assert letter["dlq-consumer"] == "payments", letter
            say(f"payments failed on CreditRequested {letter['event_id']}: dead-lettered")
        finally:
            await conn.execute(
                "DROP TRIGGER IF EXISTS planted_fault ON payments.events;"
                "DROP FUNCTION IF EXISTS payments.planted_fault();"
            )
            await conn.close()
        say("fault removed; replaying the dead letter twice with `billing dlq replay`")
        work.requests[request_id] = customer
        for _ in range(2):
            output = await asyncio.to_thread(
                billing_cli, platform, "dlq", "replay", "credits", letter["event_id"]
            )
            assert letter["event_id"] in output, output
        await wait_caught_up(platform, "payments")
        await work.check(say)
        intents = [
            i for i in await asyncio.to_thread(all_intents, platform)
            if (i.get("metadata") or {}).get("request_id") == request_id
        ]  # fmt: skip
        assert len(intents) == 1, intents
        say("the top-up succeeded with one PaymentIntent: the replay applied once")
