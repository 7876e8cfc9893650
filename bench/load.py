"""Open-loop load: requests sent at scheduled instants, completions heard on Kafka.

``OpenLoop`` sends ``rate`` requests per second for ``duration`` seconds at fixed
instants, whether or not earlier ones have finished (a slow system cannot slow
the offered load down, unlike a closed loop). Each request answers an id (a
top-up's ``request_id``, an invoice's ``invoice_id``); ``Completions`` consumes
the platform's topics in the benchmark process and notes when the event that
finishes each id arrives. Latency is from the POST to that arrival.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]
"""Sends request number ``n``; the response's JSON names the id that will complete."""


@dataclass
class Completions:
    """When each id's finishing event (or failing event) arrived on Kafka."""

    finishing: dict[str, tuple[str, str]]
    """event type -> (topic, payload field naming the id), for events that complete an id."""
    failing: dict[str, tuple[str, str]] = field(default_factory=dict)
    """event type -> (topic, payload field), for events that end an id in failure."""
    done_at: dict[str, float] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    records: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set after each batch of records is noted."""

    def ended(self, ref: str) -> bool:
        """Whether ``ref`` has finished or failed."""
        return ref in self.done_at or ref in self.failed

    async def wait_until(self, condition: Callable[[], bool], deadline: float) -> None:
        """Wait until ``condition()`` holds, re-checking after each noted batch, or until
        ``deadline`` (a ``time.perf_counter()`` instant)."""
        while not condition():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 1.0))

    def topics(self) -> set[str]:
        return {topic for topic, _ in (*self.finishing.values(), *self.failing.values())}

    def note(self, value: bytes, event_type: str, at: float) -> None:
        kind = self.finishing.get(event_type) or self.failing.get(event_type)
        if kind is None:
            return
        ref = json.loads(value)["payload"].get(kind[1])
        if ref is None:
            return
        if event_type in self.finishing:
            self.done_at.setdefault(ref, at)
        else:
            self.failed.add(ref)


async def start_listening(bootstrap: str, completions: Completions) -> AIOKafkaConsumer:
    """A consumer positioned at the end of the topics (no group: every partition)."""
    consumer = AIOKafkaConsumer(
        *sorted(completions.topics()),
        bootstrap_servers=bootstrap,
        auto_offset_reset="latest",
        enable_auto_commit=False,
        fetch_max_wait_ms=20,
    )
    await consumer.start()
    deadline = time.monotonic() + 30
    while not consumer.assignment():
        if time.monotonic() > deadline:
            raise RuntimeError("the benchmark's consumer got no partitions")
        await asyncio.sleep(0.05)
    for partition in consumer.assignment():
        await consumer.position(partition)  # fixes "latest" before any load is sent
    return consumer


async def listen(consumer: AIOKafkaConsumer, completions: Completions) -> None:
    """Note every finishing event until cancelled."""
    while True:
        batches = await consumer.getmany(timeout_ms=200, max_records=5000)
        at = time.perf_counter()
        for records in batches.values():
            for record in records:
                completions.records += 1
                headers = dict(record.headers or ())
                event_type = headers.get("event_type", b"").decode()
                completions.note(record.value, event_type, at)
        if batches:
            completions.changed.set()


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile of ``values`` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class _Sent:
    began: float
    ref: str | None = None
    error: str | None = None


async def run_open_loop(
    send: Send,
    completions: Completions,
    *,
    rate: float,
    duration: float,
    grace: float,
    accepted_status: int,
    id_field: str,
    client: httpx.AsyncClient,
) -> tuple[dict[str, Any], set[str]]:
    """Offer ``rate``/s for ``duration`` s, wait up to ``grace`` s more.

    Returns the figures and the ids still unfinished after the grace period.
    """
    count = int(rate * duration)
    sent: list[_Sent] = []
    lateness: list[float] = []

    async def one(n: int) -> None:
        entry = _Sent(time.perf_counter())
        sent.append(entry)
        try:
            response = await send(client, n)
        except httpx.HTTPError as error:
            entry.error = type(error).__name__
            return
        if response.status_code != accepted_status:
            entry.error = f"HTTP {response.status_code}"
            return
        entry.ref = str(response.json()[id_field])

    tasks: list[asyncio.Task[None]] = []
    start = time.perf_counter() + 0.05
    for n in range(count):
        due = start + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lateness.append(max(0.0, time.perf_counter() - due))
        tasks.append(asyncio.create_task(one(n)))
    sending_ended = time.perf_counter()
    await asyncio.gather(*tasks)
    deadline = sending_ended + grace

    def pending() -> list[_Sent]:
        return [s for s in sent if s.ref is not None and not completions.ended(s.ref)]

    await completions.wait_until(lambda: not pending(), deadline)
    latencies = [
        (completions.done_at[s.ref] - s.began) * 1000
        for s in sent
        if s.ref is not None and s.ref in completions.done_at
    ]
    finished = [completions.done_at[s.ref] for s in sent if s.ref in completions.done_at]
    window = (max(finished) - start) if finished else 0.0
    errors: dict[str, int] = {}
    for s in sent:
        if s.error is not None:
            errors[s.error] = errors.get(s.error, 0) + 1
    failed = sum(1 for s in sent if s.ref is not None and s.ref in completions.failed)
    figures = {
        "offered_per_s": rate,
        "seconds": duration,
        "sent": len(sent),
        "completed": len(latencies),
        "achieved_per_s": round(len(latencies) / window, 1) if window else 0.0,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
            "p99": round(percentile(latencies, 99), 1),
            "max": round(max(latencies, default=0.0), 1),
        },
        "errors": sum(errors.values()) + failed,
        "errors_by_kind": {**errors, **({"failed event": failed} if failed else {})},
        "not_completed_within_grace": len(pending()),
        "grace_s": grace,
        "send_lateness_ms_p99": round(percentile(lateness, 99) * 1000, 1),
    }
    return figures, {s.ref for s in pending() if s.ref is not None}


async def wait_drained(refs: set[str], completions: Completions, timeout: float) -> int:
    """Wait until every id in ``refs`` has finished (or failed); return how many have not."""

    def left() -> int:
        return sum(1 for ref in refs if not completions.ended(ref))

    await completions.wait_until(lambda: not left(), time.perf_counter() + timeout)
    return left()
