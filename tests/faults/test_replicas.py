"""Two replicas of each service in one consumer group; one of each is killed mid-run.

The partitions (and the outbox relay's leadership) move to the survivor; the invariants
hold, and on every topic each customer's events keep the order of the producer's store.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable

from services.platform import SERVICE_NAMES, LocalPlatform
from shared.contracts.topics import PRODUCER_TOPICS
from shared.devservers.process import ManagedProcess
from tests.e2e.invoice_helpers import query, wait_until

from .kafka_groups import prefix, read_topic, wait_caught_up
from .replicas import start_replica
from .workload import workload


async def topic_order(platform: LocalPlatform, topic: str) -> dict[str, list[str]]:
    """Each key's event ids in the order the topic holds them (first delivery of each)."""
    order: dict[str, list[str]] = defaultdict(list)
    for record in await read_topic(platform, topic):
        headers = dict(record.headers)
        if "event_id" not in headers:  # another scenario's poison record
            continue
        event_id = headers["event_id"].decode()
        ids = order[record.key.decode()]
        if event_id not in ids:
            ids.append(event_id)
    return order


async def store_order(
    platform: LocalPlatform, service: str, customers: list[str]
) -> dict[str, list[str]]:
    rows = await query(
        platform, service,
        f"""SELECT customer_id, event_id::text AS event_id FROM {service}.events
            WHERE customer_id = ANY($1) ORDER BY transaction_id, position""",
        customers,
    )  # fmt: skip
    order: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        order[row["customer_id"]].append(row["event_id"])
    return order


async def test_a_replica_killed_mid_run_hands_over_its_partitions(
    platform: LocalPlatform, say: Callable[[str], None]
) -> None:
    replicas: dict[str, tuple[ManagedProcess, str]] = {}
    try:
        for name in SERVICE_NAMES:
            replicas[name] = await asyncio.to_thread(start_replica, platform, name)
        say("a second process of each service runs in the same consumer group")
        async with workload(platform, 4, {n: [u] for n, (_, u) in replicas.items()}) as work:
            stream = asyncio.create_task(work.run(rounds=2))

            async def under_way() -> bool:
                return len(work.requests) >= 4

            await wait_until(under_way, 60, lambda: "4 top-ups taken")
            for name in SERVICE_NAMES:
                await asyncio.to_thread(platform.kill, name)
            say(
                f"first process of each service killed (SIGKILL) after {len(work.requests)} top-ups"
            )
            await stream
            await work.settle()
            for name in SERVICE_NAMES:
                await asyncio.to_thread(platform.restart, name)
            await work.check(say)
            for name in SERVICE_NAMES:
                await wait_caught_up(platform, name)
            for name in SERVICE_NAMES:
                topic = prefix(platform) + PRODUCER_TOPICS[name]
                on_topic = await topic_order(platform, topic)
                in_store = await store_order(platform, name, work.customers)
                for customer in work.customers:
                    assert on_topic[customer], f"no event of {customer} on {topic}"
                    published = set(on_topic[customer])
                    expected = [e for e in in_store[customer] if e in published]
                    assert on_topic[customer] == expected, f"{topic} {customer}"
            say("each customer's events are in store order on all three topics")
    finally:
        for process, _ in replicas.values():
            process.stop()
