"""Reading by global position never skips an event whose transaction commits late."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from shared.eventstore import START, Checkpoint, ConcurrencyError, EventStore, NewEvent, StoredEvent


def event(stream: str) -> NewEvent:
    return NewEvent("CreditGranted", "cust-1", {"stream": stream}, uuid.uuid4())


async def drain(store: EventStore, after: Checkpoint) -> tuple[list[StoredEvent], Checkpoint]:
    seen: list[StoredEvent] = []
    while batch := await store.read_all(after, limit=2):
        seen.extend(batch)
        after = batch[-1].checkpoint
    return seen, after


async def test_reader_sees_a_late_commit_exactly_once(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    early, _ = await store.append("early", [event("early")], 0), None
    async with pool.acquire() as slow:
        transaction = slow.transaction()
        await transaction.start()
        late = await store.append("late", [event("late")], 0, conn=slow)
        later = [await store.append(f"later-{n}", [event(f"later-{n}")], 0) for n in range(3)]
        # The late event took a lower position than events that are already visible.
        assert all(late[0].position < batch[0].position for batch in later)
        naive = await pool.fetch(
            "SELECT position FROM events WHERE position > $1 ORDER BY position",
            early[0].position,
        )
        assert [r[0] for r in naive] == [b[0].position for b in later]

        seen, checkpoint = await drain(store, START)
        assert [e.stream_id for e in seen] == ["early"]
        await transaction.commit()

    rest, checkpoint = await drain(store, checkpoint)
    seen += rest
    assert [e.stream_id for e in seen] == ["early", "late", "later-0", "later-1", "later-2"]
    assert len({e.event_id for e in seen}) == 5
    assert await store.read_all(checkpoint) == []


async def test_concurrent_writers_and_a_tailing_reader_agree(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    """Writers commit in any order while a reader tails: it sees each event once."""
    written: list[uuid.UUID] = []
    done = asyncio.Event()

    async def writer(w: int) -> None:
        for n in range(40):
            async with pool.acquire() as conn, conn.transaction():
                batch = [event(f"w{w}"), event(f"w{w}")]
                await store.append(f"w{w}-{n}", batch, 0, conn=conn)
                # Keep some transactions open a little while others commit.
                await conn.execute("SELECT pg_sleep(0.002 * ($1 % 3))", n + w)
            written.extend(e.event_id for e in batch)

    seen: list[uuid.UUID] = []

    async def reader() -> None:
        after = START
        while True:
            batch = await store.read_all(after, limit=7)
            seen.extend(e.event_id for e in batch)
            if batch:
                after = batch[-1].checkpoint
            elif done.is_set() and len(seen) >= len(written):
                return
            else:
                await asyncio.sleep(0)

    tail = asyncio.create_task(reader())
    await asyncio.gather(*(writer(w) for w in range(6)))
    done.set()
    await asyncio.wait_for(tail, timeout=30)
    assert len(seen) == len(written) == 480
    assert sorted(seen) == sorted(written)


async def test_stream_order_survives_a_transaction_that_took_its_id_early(
    store: EventStore, pool: asyncpg.Pool
) -> None:
    """A writer whose transaction id predates version n cannot append version n + 1."""
    async with pool.acquire() as early:
        transaction = early.transaction()
        await transaction.start()
        await early.execute("CREATE TEMP TABLE scratch (x int)")
        await early.execute("INSERT INTO scratch VALUES (1)")  # takes a transaction id now
        await store.append("acct", [event("v1")], 0)  # another transaction, committed
        try:
            await store.append("acct", [event("v2")], 1, conn=early)
        except ConcurrencyError:
            refused = True
        else:
            refused = False
        await transaction.rollback()
    assert refused
    await store.append("acct", [event("v2")], 1)  # the retry, in a new transaction
    ordered, _ = await drain(store, START)
    assert [e.version for e in ordered] == [1, 2]
