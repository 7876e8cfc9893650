"""Outages mid-run: Stripe, the Kafka broker, PostgreSQL. Nobody acts but the operator's restart.

Stripe's outage is its process frozen (SIGSTOP: connections hang, calls time out) and
thawed (SIGCONT), so no state is lost; the broker and PostgreSQL are stopped and started
again on the same port and data. ``/readyz`` must turn red and then green by itself, the
outbox must catch up, and the end state must pass ``Workload.check``.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable

import httpx

from services.platform import SERVICE_NAMES, LocalPlatform
from shared.devservers.stack import DevStack
from tests.e2e.invoice_helpers import query, wait_until

from .workload import workload


async def readiness(platform: LocalPlatform, client: httpx.AsyncClient) -> dict[str, int]:
    """Each service's ``/readyz`` status code (0 when it does not answer)."""
    codes: dict[str, int] = {}
    for name in SERVICE_NAMES:
        try:
            codes[name] = (await client.get(f"{platform.url(name)}/readyz", timeout=5)).status_code
        except httpx.TransportError:
            codes[name] = 0
    return codes


async def wait_readiness(
    platform: LocalPlatform, client: httpx.AsyncClient, code: int, timeout: float = 120
) -> None:
    codes: dict[str, int] = {}

    async def all_say() -> bool:
        nonlocal codes
        codes = await readiness(platform, client)
        return set(codes.values()) == {code}

    await wait_until(all_say, timeout, lambda: f"/readyz should all be {code}: {codes}")


async def test_stripe_outage_leaves_requests_pending_then_completes_them(
    platform: LocalPlatform, dev_stack: DevStack, say: Callable[[str], None]
) -> None:
    assert dev_stack.stripe is not None
    assert dev_stack.stripe.process is not None
    pid = dev_stack.stripe.process.pid
    assert pid is not None
    async with workload(platform, 2) as work:
        os.kill(pid, signal.SIGSTOP)
        try:
            say("localstripe frozen (SIGSTOP); 2 customers x 2 top-ups + 1 invoice")
            await work.run()

            async def retried() -> bool:
                rows = await query(
                    platform, "payments",
                    "SELECT count(*) AS n FROM payments.payment_jobs WHERE failures > 0",
                )  # fmt: skip
                return int(rows[0]["n"]) >= 1

            await wait_until(retried, 60, lambda: "a Stripe call to time out and be retried")
            statuses = await work.settle_snapshot()
            assert set(statuses.values()) <= {"pending"}, statuses
            say(f"payments retry with backoff; top-ups all pending: {statuses}")
        finally:
            os.kill(pid, signal.SIGCONT)
        say("localstripe thawed (SIGCONT)")
        await work.check(say)


async def test_broker_stop_and_start(
    platform: LocalPlatform, dev_stack: DevStack, say: Callable[[str], None]
) -> None:
    kafka = dev_stack.kafka
    assert kafka is not None
    port = kafka.port
    async with workload(platform, 2) as work:
        await asyncio.to_thread(kafka.stop)
        try:
            await wait_readiness(platform, work.client, 503)
            say("Kafka stopped: every /readyz answers 503")
            await work.run()
            say(f"{len(work.requests)} top-ups and {len(work.invoices)} invoices taken meanwhile")
        finally:
            await asyncio.to_thread(kafka.start)
        assert kafka.port == port
        await wait_readiness(platform, work.client, 200)
        say("Kafka started again on the same port and data: every /readyz answers 200")
        await work.check(say)


async def test_postgres_stop_and_start(
    platform: LocalPlatform, dev_stack: DevStack, say: Callable[[str], None]
) -> None:
    postgres = dev_stack.postgres
    assert postgres is not None
    async with workload(platform, 2) as work:
        stream = asyncio.create_task(work.run(rounds=2))
        await asyncio.to_thread(postgres.stop)
        try:
            await wait_readiness(platform, work.client, 503)
            say("PostgreSQL stopped mid-run: every /readyz answers 503")
        finally:
            await asyncio.to_thread(postgres.start)
        await wait_readiness(platform, work.client, 200)
        say("PostgreSQL started again: every /readyz answers 200")
        await stream
        await work.check(say)
