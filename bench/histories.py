"""Long credit-account histories, written straight into the credits event store.

``append_grants`` appends ``CreditGranted`` events to a customer's account
stream in batches, as the credits service would (its stream id, the contract
payload, its metadata), which is much faster than the grants API. The service's
projection runner follows the store, so ``wait_projected`` waits until the
balance row counts every event. ``fill_for_rebuild`` does the same for many
accounts with several writers, for the rebuild benchmark's fresh database.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg

from services.credits.stream import Metadata, account_stream, to_new_events
from shared.contracts.credits import CreditGranted
from shared.eventstore import EventStore, NewEvent

BATCH = 2000


def _grants(customer_id: str, count: int) -> list[NewEvent]:
    events = [
        CreditGranted(
            grant_id=f"grant_{uuid.uuid4().hex}",
            amount=1,
            currency="USD",
            description="bench credit",
            granted_by="operator",
        )
        for _ in range(count)
    ]
    return to_new_events(events, Metadata(customer_id, uuid.uuid4()))


async def append_grants(store: EventStore, customer_id: str, count: int, after: int = 0) -> int:
    """Append ``count`` grants of 0.01 USD after version ``after``; return the new version."""
    version = after
    while version < after + count:
        size = min(BATCH, after + count - version)
        await store.append(account_stream(customer_id), _grants(customer_id, size), version)
        version += size
    return version


async def wait_projected(
    pool: asyncpg.Pool, counts: dict[str, int], timeout: float = 300.0
) -> float:
    """Wait until every account's balance row has ``counts[customer]`` entries; return seconds."""
    began = time.perf_counter()
    while True:
        rows = await pool.fetch(
            "SELECT customer_id, entries FROM balances WHERE customer_id = ANY($1::text[])",
            list(counts),
        )
        seen = {r["customer_id"]: r["entries"] for r in rows}
        if all(seen.get(c) == n for c, n in counts.items()):
            return time.perf_counter() - began
        if time.perf_counter() - began > timeout:
            raise TimeoutError(f"projection not caught up after {timeout}s: {seen} vs {counts}")
        await asyncio.sleep(0.2)


async def fill_for_rebuild(
    store: EventStore, events: int, accounts: int, writers: int = 4
) -> float:
    """Append ``events`` grants spread over ``accounts`` accounts; return events/s."""
    per_account = events // accounts
    queue: asyncio.Queue[str] = asyncio.Queue()
    for n in range(accounts):
        queue.put_nowait(f"cus-rebuild-{n:06d}")

    async def writer() -> None:
        while not queue.empty():
            await append_grants(store, queue.get_nowait(), per_account)

    began = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    return per_account * accounts / (time.perf_counter() - began)
