"""Session advisory locks: one worker or request at a time per payment or payment profile.

The lock is held by a PostgreSQL session, not a transaction, so it can be held
across a Stripe call without keeping a transaction open; it goes away with the
session when the process dies, so a crashed worker never blocks the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

import asyncpg

from shared.database import Conn

log = logging.getLogger(__name__)

_TRY = "SELECT pg_try_advisory_lock(hashtextextended($1, 0))"
_UNLOCK = "SELECT pg_advisory_unlock(hashtextextended($1, 0))"


@contextlib.asynccontextmanager
async def _held(
    conn: Conn, key: str, wait: float, retry_every: float
) -> AsyncIterator[Conn | None]:
    deadline = time.monotonic() + wait
    while not await conn.fetchval(_TRY, key):
        if time.monotonic() >= deadline:
            yield None
            return
        await asyncio.sleep(retry_every)
    try:
        yield conn
    finally:
        try:
            await conn.execute(_UNLOCK, key)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            log.warning("could not release lock %s (the session's end releases it)", key)


@contextlib.asynccontextmanager
async def advisory_lock(
    source: asyncpg.Pool | Conn, key: str, *, wait: float = 0.0, retry_every: float = 0.05
) -> AsyncIterator[Conn | None]:
    """Hold the lock named ``key`` on a session; yield that session, or None if busy.

    ``source`` is a pool (a connection is taken for the duration) or a connection
    (locks nest on it). Waits up to ``wait`` seconds for a busy lock.
    """
    if isinstance(source, asyncpg.Pool):
        async with source.acquire() as conn, _held(conn, key, wait, retry_every) as held:
            yield held
    else:
        async with _held(source, key, wait, retry_every) as held:
            yield held
